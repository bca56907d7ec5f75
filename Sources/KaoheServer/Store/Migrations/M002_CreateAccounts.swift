import Fluent

struct M002_CreateAccounts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("must_change_password", .bool, .required)
            .field("employee_id", .uuid, .references(Employee.schema, "id"))
            .field("team_id", .uuid, .references(Team.schema, "id"))
            .field("department_id", .uuid, .references(Department.schema, "id"))
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
        try await db.schema(UserToken.schema)
            .id()
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("last_used_at", .datetime)
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema(LoginAttempt.schema)
            .id()
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await db.schema(AuditEntry.schema)
            .id()
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string, .required)
            .field("before", .string)
            .field("after", .string)
            .field("reason", .string)
            .create()
    }

    func revert(on db: Database) async throws {
        for s in [AuditEntry.schema, LoginAttempt.schema, UserToken.schema, User.schema] { try await db.schema(s).delete() }
    }
}
