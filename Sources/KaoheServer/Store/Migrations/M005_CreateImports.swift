import Fluent

struct M005_CreateImports: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("imports")
            .id()
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("checksum", .string, .required)
            .field("rows", .int, .required)
            .field("created", .int, .required)
            .field("updated", .int, .required)
            .field("unchanged", .int, .required)
            .field("at", .datetime, .required)
            .field("recorded_by", .uuid)
            .field("scheme_id", .uuid, .required, .references(SchemeVersion.schema, "id"))
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("imports").delete() }
}
