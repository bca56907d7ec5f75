import Fluent

/// Each account's interface language (issue 7 §1): 简体中文 when unset.
struct M009_UserLanguage: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(User.schema).field("language", .string).update()
    }
    func revert(on db: Database) async throws { try await db.schema(User.schema).deleteField("language").update() }
}
