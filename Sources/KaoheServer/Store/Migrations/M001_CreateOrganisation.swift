import Fluent

struct M001_CreateOrganisation: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Department.schema)
            .id()
            .field("name", .string, .required)
            .field("code", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "name")
            .create()
        try await db.schema(Team.schema)
            .id()
            .field("name", .string, .required)
            .field("department_id", .uuid, .required, .references(Department.schema, "id"))
            .field("leader_id", .uuid)
            .unique(on: "department_id", "name")
            .create()
        try await db.schema(Employee.schema)
            .id()
            .field("number", .string, .required)
            .field("name", .string, .required)
            .field("position", .string, .required)
            .field("hire_date", .string, .required)
            .field("probation_end", .string)
            .field("status", .string, .required)
            .field("star", .int)
            .field("level", .string)
            .field("job_grade", .string)
            .field("department_id", .uuid, .required, .references(Department.schema, "id"))
            .field("team_id", .uuid, .references(Team.schema, "id"))
            .field("superior_id", .uuid)
            .field("created_at", .datetime)
            .unique(on: "number")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(Employee.schema).delete()
        try await db.schema(Team.schema).delete()
        try await db.schema(Department.schema).delete()
    }
}
