import Fluent

struct M003_CreateScoring: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(SchemeVersion.schema)
            .id()
            .field("key", .string, .required)
            .field("version", .int, .required)
            .field("name", .string, .required)
            .field("text", .string, .required)
            .field("preset", .string)
            .field("created_by", .uuid)
            .field("department_id", .uuid, .references(Department.schema, "id"))
            .field("created_at", .datetime)
            .unique(on: "key", "version")
            .create()
        try await db.schema(EvidenceEntry.schema)
            .id()
            .field("period", .string, .required)
            .field("column", .string, .required)
            .field("value", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .uuid)
            .field("note", .string)
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id"))
            .field("scheme_id", .uuid, .required, .references(SchemeVersion.schema, "id"))
            .unique(on: "employee_id", "scheme_id", "period", "column")
            .create()
        try await db.schema(StoredResult.schema)
            .id()
            .field("period", .string, .required)
            .field("total", .string, .required)
            .field("grade", .string)
            .field("json", .string, .required)
            .field("computed_at", .datetime, .required)
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id"))
            .field("scheme_id", .uuid, .required, .references(SchemeVersion.schema, "id"))
            .unique(on: "employee_id", "scheme_id", "period")
            .create()
    }

    func revert(on db: Database) async throws {
        for s in [StoredResult.schema, EvidenceEntry.schema, SchemeVersion.schema] { try await db.schema(s).delete() }
    }
}
