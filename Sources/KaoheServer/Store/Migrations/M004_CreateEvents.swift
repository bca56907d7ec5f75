import Fluent

struct M004_CreateEvents: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(EventRecord.schema)
            .id()
            .field("period", .string, .required)
            .field("column", .string, .required)
            .field("occurred_on", .string, .required)
            .field("note", .string)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .uuid)
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id"))
            .field("scheme_id", .uuid, .required, .references(SchemeVersion.schema, "id"))
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema(EventRecord.schema).delete() }
}
