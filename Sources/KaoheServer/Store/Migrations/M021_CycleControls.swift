import Fluent

/// Cycles that cannot go wrong (issue 16 §4): each team's (or department's) scheme, so a cycle
/// opened for a department gives every team its own; and a cycle's cancellation before
/// publication with its reason (a withdrawn sheet is a stage, `withdrawn`, and needs no column).
struct M021_CycleControls: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(SchemeAssignment.schema)
            .id()
            .field("team_id", .uuid, .references(Team.schema, "id"))
            .field("department_id", .uuid, .references(Department.schema, "id"))
            .field("scheme_key", .string, .required)
            .field("assigned_by", .uuid)
            .field("assigned_at", .datetime, .required)
            .unique(on: "team_id")
            .unique(on: "department_id")
            .create()
        try await db.schema(Cycle.schema).field("cancel_reason", .string).update()
        try await db.schema(Cycle.schema).field("cancelled_at", .datetime).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema(Cycle.schema).deleteField("cancelled_at").update()
        try await db.schema(Cycle.schema).deleteField("cancel_reason").update()
        try await db.schema(SchemeAssignment.schema).delete()
    }
}
