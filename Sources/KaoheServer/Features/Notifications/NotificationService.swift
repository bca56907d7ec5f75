import Fluent
import Foundation
import KaoheCore
import Vapor

/// The inbox's read marks, accounts' e-mail addresses and HR's notification settings (issue 17
/// §7): what the routes and the API call; every change is audited, no secret is written to the
/// audit trail or shown back.
enum NotificationService {
    // MARK: inbox

    static func inboxModel(_ user: User, csrf: String, db: Database) async throws -> InboxModel {
        let uid = try user.requireID()
        return InboxModel(csrf: csrf,
                          unread: try await NotificationStore.unread(of: uid, limit: 100, on: db).map(CycleService.InboxDTO.of),
                          archive: try await NotificationStore.archived(of: uid, limit: 30, on: db).map(CycleService.InboxDTO.of))
    }

    /// Marks one of the caller's messages, or all of them, read; another person's id changes nothing.
    @discardableResult
    static func markRead(_ user: User, item: UUID?, db: Database) async throws -> Int {
        try await NotificationStore.markRead(user: try user.requireID(), item: item, on: db)
    }

    // MARK: e-mail addresses

    /// The address as stored: trimmed, nil when empty; refused unless it is a plain `name@domain`.
    static func normalizedEmail(_ raw: String) throws -> String? {
        let e = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !e.isEmpty else { return nil }
        guard MailFormat.isAddress(e) else {
            throw KaoheError.invalid("email: “\(e.prefix(80))” 不是有效的邮箱地址", en: "email: “\(e.prefix(80))” is not a valid e-mail address")
        }
        return e
    }

    /// Sets an account's address (HR for anyone, a person for themself); audited.
    static func setEmail(_ target: User, _ raw: String, by actor: User, db: Database) async throws {
        guard actor.id == target.id || Access.canAdminister(actor.viewer) else {
            throw KaoheError.forbidden("只能修改自己的邮箱", en: "you may change only your own address")
        }
        let email = try normalizedEmail(raw)
        let before = target.email
        guard before != email else { return }
        try await NotificationStore.setEmail(target, email, on: db)
        try await Audit.record(on: db, actor: actor, action: "update", entity: "user", id: target.username,
                               before: "email=\(before ?? "")", after: "email=\(email ?? "")")
    }

    // MARK: settings (HR)

    static func requireHR(_ user: User) throws {
        guard Access.canAdminister(user.viewer) else { throw KaoheError.forbidden("仅限人事", en: "HR only") }
    }

    static func flag(_ f: [String: String], _ key: String) -> Bool { ["on", "1", "true", "yes"].contains(f[key]?.lowercased() ?? "") }
    static func value(_ f: [String: String], _ key: String) -> String? {
        f[key].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The site's address for links: `https://host[:port][/path]`, without a trailing slash.
    static func siteURL(_ raw: String?) throws -> String? {
        guard var s = raw else { return nil }
        while s.hasSuffix("/") { s.removeLast() }
        guard let c = URLComponents(string: s), ["http", "https"].contains(c.scheme ?? ""), c.host?.isEmpty == false, c.query == nil else {
            throw KaoheError.invalid("site_url: 须为 http:// 或 https:// 开头的网址", en: "site_url: must be an http:// or https:// address")
        }
        return s
    }

    /// Saves the channels and the SMTP server from the settings form; the password is kept when
    /// the field is left empty, removed with `smtp_password_clear`.
    static func saveSettings(_ f: [String: String], user: User, db: Database) async throws {
        try requireHR(user)
        let s = try await NotificationStore.settings(on: db) ?? NotificationSettings.defaults()
        let email = flag(f, "email_enabled"), hooks = flag(f, "webhooks_enabled")
        let host = value(f, "smtp_host"), from = value(f, "smtp_from")
        var port = 25
        if let p = value(f, "smtp_port") {
            guard let n = Int(p), (1...65535).contains(n) else { throw KaoheError.invalid("smtp_port: 端口须为 1–65535 的整数", en: "smtp_port: a port is a whole number 1–65535") }
            port = n
        }
        if let host, host.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw KaoheError.invalid("smtp_host: 服务器名不能含空格或 /", en: "smtp_host: a host name has no spaces or slashes")
        }
        if let from, !MailFormat.isAddress(from) {
            throw KaoheError.invalid("smtp_from: “\(from.prefix(80))” 不是有效的邮箱地址", en: "smtp_from: “\(from.prefix(80))” is not a valid e-mail address")
        }
        if email && (host == nil || from == nil) {
            throw KaoheError.invalid("smtp_host, smtp_from: 启用邮件通知须填写 SMTP 服务器和发件人", en: "smtp_host, smtp_from: e-mail notices need an SMTP server and a sender")
        }
        guard let auth = SMTPSettings.Auth(rawValue: value(f, "smtp_auth") ?? "none") else {
            throw KaoheError.invalid("smtp_auth: 可选 none、plain、login", en: "smtp_auth: none, plain or login")
        }
        guard let tls = SMTPSettings.TLS(rawValue: value(f, "smtp_tls") ?? "optional") else {
            throw KaoheError.invalid("smtp_tls: 可选 off、optional、required", en: "smtp_tls: off, optional or required")
        }
        let username = value(f, "smtp_username")
        if auth != .none && username == nil { throw KaoheError.invalid("smtp_username: SMTP 认证须填写用户名", en: "smtp_username: SMTP AUTH needs a user name") }
        let site = try siteURL(value(f, "site_url"))
        let before = summary(s)
        s.emailEnabled = email; s.webhooksEnabled = hooks
        s.smtpHost = host; s.smtpPort = port; s.smtpFrom = from; s.smtpAuth = auth.rawValue; s.smtpTLS = tls.rawValue
        s.smtpUsername = username
        if let p = f["smtp_password"], !p.isEmpty { s.smtpPassword = p }
        if flag(f, "smtp_password_clear") { s.smtpPassword = nil }
        if auth != .none && (s.smtpPassword ?? "").isEmpty { throw KaoheError.invalid("smtp_password: SMTP 认证须填写密码", en: "smtp_password: SMTP AUTH needs a password") }
        s.siteURL = site
        s.updatedAt = Date(); s.updatedBy = user.id
        try await NotificationStore.save(s, on: db)
        try await Audit.record(on: db, actor: user, action: "update", entity: "notification_settings", id: "company", before: before, after: summary(s))
    }

    /// The settings as the audit trail records them: never the password.
    static func summary(_ s: NotificationSettings) -> String {
        "email=\(s.emailEnabled) webhooks=\(s.webhooksEnabled) smtp=\(s.smtpHost ?? "-"):\(s.smtpPort) from=\(s.smtpFrom ?? "-") tls=\(s.smtpTLS) auth=\(s.smtpAuth) user=\(s.smtpUsername ?? "-") password=\(s.smtpPassword == nil ? "unset" : "set") site=\(s.siteURL ?? "-")"
    }

    static func addWebhook(_ f: [String: String], user: User, db: Database) async throws {
        try requireHR(user)
        guard let kind = value(f, "kind"), Notices.robots.contains(where: { $0.kind == kind }) else {
            throw KaoheError.invalid("kind: 可选 wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）", en: "kind: wecom, dingtalk or feishu")
        }
        guard let name = value(f, "name"), name.count <= 60 else { throw KaoheError.invalid("name: 须填写名称（60 字以内）", en: "name: a name of up to 60 characters") }
        guard let url = value(f, "url"), let c = URLComponents(string: url), ["http", "https"].contains(c.scheme ?? ""), c.host?.isEmpty == false, url.count <= 1000 else {
            throw KaoheError.invalid("url: 须为机器人的 http:// 或 https:// 地址", en: "url: the robot's http:// or https:// address")
        }
        var department: UUID?
        if let d = value(f, "department") {
            guard let id = UUID(uuidString: d), try await PeopleStore.department(id, on: db) != nil else { throw KaoheError.invalid("department: 没有这个部门", en: "department: no such department") }
            department = id
        }
        let remind = flag(f, "on_remind"), publish = flag(f, "on_publish")
        guard remind || publish else { throw KaoheError.invalid("on_remind, on_publish: 至少选一种通知", en: "on_remind, on_publish: choose at least one event") }
        let w = NotificationWebhook()
        w.kind = kind; w.name = name; w.url = url; w.secret = value(f, "secret"); w.$department.id = department
        w.onRemind = remind; w.onPublish = publish; w.createdAt = Date(); w.createdBy = user.id
        try await NotificationStore.add(w, on: db)
        try await Audit.record(on: db, actor: user, action: "create", entity: "webhook", id: name,
                               after: "kind=\(kind) url=\(Masking.url(url)) signed=\(w.secret != nil) remind=\(remind) publish=\(publish)")
    }

    static func removeWebhook(_ id: UUID?, user: User, db: Database) async throws {
        try requireHR(user)
        guard let id, let w = try await NotificationStore.webhook(id, on: db) else { throw KaoheError.notFound("没有这个机器人", en: "no such webhook") }
        try await NotificationStore.remove(w, on: db)
        try await Audit.record(on: db, actor: user, action: "delete", entity: "webhook", id: w.name, before: "kind=\(w.kind) url=\(Masking.url(w.url))")
    }

    /// Sends a failed message (or, nil, every failed one) again at once; how many.
    static func retry(_ id: UUID?, user: User, db: Database) async throws -> Int {
        try requireHR(user)
        var rows: [OutboundNotice]
        if let id {
            rows = []
            if let n = try await NotificationStore.notice(id, on: db), n.status == "failed" { rows.append(n) }
        } else {
            rows = try await NotificationStore.notices(status: "failed", limit: 1000, on: db)
        }
        for n in rows {
            n.status = "pending"; n.attempts = 0; n.nextAttemptAt = Date(); n.claimedAt = nil
            try await NotificationStore.save(n, on: db)
        }
        if !rows.isEmpty { try await Audit.record(on: db, actor: user, action: "retry", entity: "notification", id: id?.uuidString ?? "all", after: "messages=\(rows.count)") }
        return rows.count
    }

    /// A test e-mail to an address, through the outbox like every other.
    static func test(_ raw: String, user: User, db: Database) async throws {
        try requireHR(user)
        guard let to = try normalizedEmail(raw) else { throw KaoheError.invalid("test_to: 须填写收件地址", en: "test_to: an address to send to") }
        guard let s = try await NotificationStore.settings(on: db), s.emailEnabled else {
            throw KaoheError.conflict("邮件通知未启用：请先保存 SMTP 设置并启用", en: "e-mail notices are off: save the SMTP settings and switch them on first")
        }
        let n = Notices.email(to: to, user: user, event: "test", subject: "考核 Kaohe 测试邮件", text: "这是一封测试邮件：收到即说明邮件通知可用。", link: s.siteURL)
        try await NotificationStore.enqueue([n], on: db)
    }

    static func settingsModel(csrf: String, message: String?, error: String?, db: Database) async throws -> SettingsModel {
        let s = try await NotificationStore.settings(on: db) ?? NotificationSettings.defaults()
        let departments = try await PeopleStore.departments(on: db)
        let names = Dictionary(departments.compactMap { d in d.id.map { ($0, d.name) } }, uniquingKeysWith: { a, _ in a })
        let hooks = try await NotificationStore.webhooks(on: db).map { w in
            SettingsModel.Hook(id: w.id ?? UUID(), kind: Notices.robotLabel(w.kind), name: w.name, url: Masking.url(w.url), signed: w.secret != nil,
                               scope: w.$department.id.map { names[$0] ?? "" }, remind: w.onRemind, publish: w.onPublish)
        }
        func row(_ n: OutboundNotice) -> SettingsModel.Notice {
            SettingsModel.Notice(id: n.id ?? UUID(), at: n.createdAt, channel: n.channel == "email" ? "邮件" : Notices.robotLabel(n.channel), target: n.targetLabel,
                                 subject: n.subject, attempts: n.attempts, next: n.status == "pending" ? n.nextAttemptAt : nil, error: n.lastError)
        }
        return SettingsModel(
            csrf: csrf, message: message, error: error,
            emailEnabled: s.emailEnabled, webhooksEnabled: s.webhooksEnabled, smtpHost: s.smtpHost ?? "", smtpPort: s.smtpPort, smtpFrom: s.smtpFrom ?? "",
            smtpAuth: s.smtpAuth, smtpUsername: s.smtpUsername ?? "", passwordSet: !(s.smtpPassword ?? "").isEmpty, smtpTLS: s.smtpTLS, siteURL: s.siteURL ?? "",
            departments: departments.compactMap { d in d.id.map { ($0.uuidString, d.name) } }, hooks: hooks,
            withoutEmail: try await NotificationStore.accountsWithoutEmail(on: db), counts: try await NotificationStore.counts(on: db),
            failed: try await NotificationStore.notices(status: "failed", limit: 50, on: db).map(row),
            pending: try await NotificationStore.notices(status: "pending", limit: 20, on: db).map(row),
            sent: try await NotificationStore.notices(status: "sent", limit: 10, on: db).map(row))
    }
}
