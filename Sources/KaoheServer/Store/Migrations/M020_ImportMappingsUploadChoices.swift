import Fluent

/// An upload kept between preview and commit remembers the column choices made on the page
/// (issue 16 §3), so that a re-preview, an error and the commit all use what was chosen.
struct M020_ImportMappingsUploadChoices: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(ImportUpload.schema).field("mapping", .string).update()
    }
    func revert(on db: Database) async throws { try await db.schema(ImportUpload.schema).deleteField("mapping").update() }
}
