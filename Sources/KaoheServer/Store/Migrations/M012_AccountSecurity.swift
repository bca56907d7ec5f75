import Fluent

/// Accounts that can be shut off and tokens that can be limited (issue 13): an account is active
/// or deactivated (with when and why); `auth_epoch` rises when its password changes or it is
/// deactivated, ending every session signed in under the old value; tokens carry a scope
/// (`read` / `write`), an expiry and a revocation time.
struct M012_AccountSecurity: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(User.schema)
            .field("active", .bool, .required, .sql(.default(true)))
            .update()
        try await db.schema(User.schema).field("deactivated_at", .datetime).update()
        try await db.schema(User.schema).field("deactivated_reason", .string).update()
        try await db.schema(User.schema).field("auth_epoch", .int, .required, .sql(.default(0))).update()
        try await db.schema(UserToken.schema).field("scope", .string, .required, .sql(.default("write"))).update()
        try await db.schema(UserToken.schema).field("expires_at", .datetime).update()
        try await db.schema(UserToken.schema).field("revoked_at", .datetime).update()
    }

    func revert(on db: Database) async throws {
        for f in ["active", "deactivated_at", "deactivated_reason", "auth_epoch"] {
            try await db.schema(User.schema).deleteField(.string(f)).update()
        }
        for f in ["scope", "expires_at", "revoked_at"] {
            try await db.schema(UserToken.schema).deleteField(.string(f)).update()
        }
    }
}
