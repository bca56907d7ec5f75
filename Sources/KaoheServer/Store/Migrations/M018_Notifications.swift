import Fluent
import SQLKit

/// Notices that reach people (issue 17 §7): inbox messages say what they wait for (`topic`) and
/// when that was done (`done_at`), so acting on a sheet clears them; accounts get an e-mail
/// address; the company's notification settings (SMTP, enabled channels) and its group-robot
/// webhooks (企业微信, 钉钉, 飞书 — per department or company-wide); and the outbox, the retry
/// queue of every e-mail and webhook message (status, attempts, next attempt, last error).
struct M018_Notifications: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("inbox_user_created", InboxItem.schema, ["user_id", "created_at"]),
        ("inbox_topic", InboxItem.schema, ["topic"]),
        ("outbox_status_next", OutboundNotice.schema, ["status", "next_attempt_at"]),
    ]

    func prepare(on db: Database) async throws {
        try await db.schema(InboxItem.schema).field("topic", .string).update()
        try await db.schema(InboxItem.schema).field("done_at", .datetime).update()
        try await db.schema(User.schema).field("email", .string).update()
        try await db.schema(NotificationSettings.schema)
            .id()
            .field("email_enabled", .bool, .required)
            .field("webhooks_enabled", .bool, .required)
            .field("smtp_host", .string)
            .field("smtp_port", .int, .required)
            .field("smtp_from", .string)
            .field("smtp_auth", .string, .required)
            .field("smtp_username", .string)
            .field("smtp_password", .string)
            .field("smtp_tls", .string, .required)
            .field("site_url", .string)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid)
            .create()
        try await db.schema(NotificationWebhook.schema)
            .id()
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("url", .string, .required)
            .field("secret", .string)
            .field("department_id", .uuid, .references(Department.schema, "id", onDelete: .cascade))
            .field("on_remind", .bool, .required)
            .field("on_publish", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid)
            .create()
        try await db.schema(OutboundNotice.schema)
            .id()
            .field("channel", .string, .required)
            .field("target", .string, .required)
            .field("target_label", .string, .required)
            .field("event", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_at", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        let sql = try db.sql()
        for i in Self.indexes {
            var b = sql.create(index: i.name).on(i.table)
            for c in i.columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: Database) async throws {
        let sql = try db.sql()
        for i in Self.indexes where i.table == InboxItem.schema { try await sql.drop(index: i.name).run() }
        try await db.schema(OutboundNotice.schema).delete()
        try await db.schema(NotificationWebhook.schema).delete()
        try await db.schema(NotificationSettings.schema).delete()
        try await db.schema(User.schema).deleteField("email").update()
        try await db.schema(InboxItem.schema).deleteField("done_at").update()
        try await db.schema(InboxItem.schema).deleteField("topic").update()
    }
}
