import Fluent
import Foundation

/// The company's notification settings (issue 17 §7), one row: which channels send, the SMTP
/// server that e-mails go through, and the site's address for links in the messages.
package final class NotificationSettings: Model, @unchecked Sendable {
    package static let schema = "notification_settings"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "updated_at") package var updatedAt: Date
    @OptionalField(key: "updated_by") package var updatedBy: UUID?
    // data fields
    @Field(key: "email_enabled") package var emailEnabled: Bool
    @Field(key: "webhooks_enabled") package var webhooksEnabled: Bool
    @OptionalField(key: "smtp_host") package var smtpHost: String?
    @Field(key: "smtp_port") package var smtpPort: Int
    /// The sender's address (`kaohe@example.com`).
    @OptionalField(key: "smtp_from") package var smtpFrom: String?
    /// `none`, `plain` or `login` (SMTP AUTH, RFC 4954).
    @Field(key: "smtp_auth") package var smtpAuth: String
    @OptionalField(key: "smtp_username") package var smtpUsername: String?
    /// Never shown back in full (the settings page says only that one is set).
    @OptionalField(key: "smtp_password") package var smtpPassword: String?
    /// STARTTLS: `off`, `optional` (when the server offers it) or `required`.
    @Field(key: "smtp_tls") package var smtpTLS: String
    /// `https://kaohe.example.com`: messages link to the page they are about; nil: no links.
    @OptionalField(key: "site_url") package var siteURL: String?

    package init() {}

    /// The settings before HR saved any: nothing is sent.
    static func defaults() -> NotificationSettings {
        let s = NotificationSettings()
        s.emailEnabled = false; s.webhooksEnabled = false; s.smtpPort = 25; s.smtpAuth = "none"; s.smtpTLS = "optional"; s.updatedAt = Date()
        return s
    }
}

/// A group robot's webhook: 企业微信 (`wecom`), 钉钉 (`dingtalk`) or 飞书 (`feishu`), for one
/// department or (nil) the whole company, with the events it is told of.
package final class NotificationWebhook: Model, @unchecked Sendable {
    package static let schema = "notification_webhooks"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "created_by") package var createdBy: UUID?
    // data fields
    @Field(key: "kind") package var kind: String
    @Field(key: "name") package var name: String
    /// The robot's address, with its key or token: a secret, shown masked.
    @Field(key: "url") package var url: String
    /// 钉钉's 加签 or 飞书's 签名校验 secret; nil: unsigned.
    @OptionalField(key: "secret") package var secret: String?
    @Field(key: "on_remind") package var onRemind: Bool
    @Field(key: "on_publish") package var onPublish: Bool
    // relationships
    @OptionalParent(key: "department_id") package var department: Department?

    package init() {}
}

/// One outbound message in the retry queue: an e-mail to an address or a message to a webhook.
/// Sent by `NotificationWorker`; retried with back-off, failed after the last attempt (HR can
/// send it again from the settings page).
package final class OutboundNotice: Model, @unchecked Sendable {
    package static let schema = "notification_outbox"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    // data fields
    /// `email`, `wecom`, `dingtalk` or `feishu`.
    @Field(key: "channel") package var channel: String
    /// The e-mail address, or the webhook's id (its address is read when sending).
    @Field(key: "target") package var target: String
    /// What the settings page shows for the target: the address, or the robot's name.
    @Field(key: "target_label") package var targetLabel: String
    /// `remind` or `publish`.
    @Field(key: "event") package var event: String
    @Field(key: "subject") package var subject: String
    @Field(key: "body") package var body: String
    /// `pending`, `sending`, `sent` or `failed`.
    @Field(key: "status") package var status: String
    @Field(key: "attempts") package var attempts: Int
    @Field(key: "next_attempt_at") package var nextAttemptAt: Date
    /// When a worker took it (a row left `sending` by a stopped process is taken again later).
    @OptionalField(key: "claimed_at") package var claimedAt: Date?
    @OptionalField(key: "last_error") package var lastError: String?
    @OptionalField(key: "sent_at") package var sentAt: Date?

    package init() {}
    init(channel: String, target: String, label: String, event: String, subject: String, body: String, at: Date = Date()) {
        self.id = UUID(); self.channel = channel; self.target = target; self.targetLabel = label; self.event = event
        self.subject = subject; self.body = body; self.status = "pending"; self.attempts = 0
        self.nextAttemptAt = at; self.createdAt = at
    }
}
