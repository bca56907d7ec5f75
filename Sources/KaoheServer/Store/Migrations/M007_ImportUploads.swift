import Fluent

/// A file uploaded in the browser waits here between its preview and its commit (so the user
/// does not upload it twice, and any process behind the load balancer can commit it).
struct M007_ImportUploads: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(ImportUpload.schema)
            .id()
            .field("user_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("scheme", .string)
            .field("source", .string)
            .field("period", .string)
            .field("sheet", .string)
            .field("file_name", .string, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }
    func revert(on db: Database) async throws { try await db.schema(ImportUpload.schema).delete() }
}
