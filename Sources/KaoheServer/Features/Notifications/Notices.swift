import Fluent
import Foundation
import KaoheCore
import Vapor

/// Reminders and publication notices beyond the inbox (issue 17 §7): by e-mail to each person's
/// address and to the group robots (企业微信 / 钉钉 / 飞书) of their department or the company,
/// as the company's settings enable them. Nothing is sent here: each message becomes a row of
/// the outbox in the same transaction as the step that caused it, and `NotificationWorker` sends
/// it — so a slow or broken mail server never delays or fails the step (publication succeeds
/// while SMTP is down; the message is retried, and HR sees it on the settings page if it fails).
enum Notices {
    /// The group robots, by the `kind` stored on a webhook.
    static let robots: [(kind: String, label: String)] = [("wecom", "企业微信"), ("dingtalk", "钉钉"), ("feishu", "飞书")]
    static func robotLabel(_ kind: String) -> String { robots.first { $0.kind == kind }?.label ?? kind }

    /// One person reminded: their account and what they are late with (“2026-11 考核“上级评分”已于
    /// 2026-11-30 到期，尚有 11 张：…”).
    struct Reminder { var user: User; var detail: String }

    /// HR's reminders: each person's by e-mail, and to every robot told of reminders the lines of
    /// its department's people (a company-wide robot: everyone's), one message per robot.
    static func reminders(_ list: [Reminder], period: String, on db: Database) async throws {
        guard !list.isEmpty, let settings = try await NotificationStore.settings(on: db) else { return }
        var out: [OutboundNotice] = []
        let link = settings.siteURL.map { $0 + SiteURL.sheets.path }
        if settings.emailEnabled {
            for r in list {
                guard r.user.active, let to = r.user.email, !to.isEmpty else { continue }
                out.append(email(to: to, user: r.user, event: "remind", subject: "催办：\(period) 考核",
                                 text: "催办：" + r.detail, link: link))
            }
        }
        if settings.webhooksEnabled {
            for w in try await NotificationStore.webhooks(on: db) where w.onRemind {
                let mine = list.filter { r in w.$department.id.map { r.user.$department.id == $0 } ?? true }
                guard !mine.isEmpty else { continue }
                var lines = ["催办：\(period) 考核尚有逾期未办"] + mine.map { "\($0.user.displayName)（\($0.user.username)）：\($0.detail)" }
                if let link { lines.append(link) }
                out.append(robot(w, event: "remind", subject: "催办：\(period) 考核", text: lines.joined(separator: "\n")))
            }
        }
        try await NotificationStore.enqueue(out, on: db)
    }

    /// One published result: the employee, their account (if any) and the inbox text they get.
    struct Published { var employee: Employee; var account: User?; var text: String; var sheet: UUID }

    /// A published cycle: each employee's result by e-mail to their own address, and to every
    /// robot told of publications how many results of its department (company-wide: all) are out
    /// and until when objections are taken — never anyone's figures in a group.
    static func publication(_ list: [Published], period: String, objectionsClose: String, on db: Database) async throws {
        guard !list.isEmpty, let settings = try await NotificationStore.settings(on: db) else { return }
        var out: [OutboundNotice] = []
        if settings.emailEnabled {
            for p in list {
                guard let u = p.account, u.active, let to = u.email, !to.isEmpty else { continue }
                out.append(email(to: to, user: u, event: "publish", subject: "\(period) 考核结果已发布", text: p.text,
                                 link: settings.siteURL.map { $0 + SiteURL.sheet(p.sheet).path }))
            }
        }
        if settings.webhooksEnabled {
            let departments = Dictionary(try await PeopleStore.departments(on: db).compactMap { d in d.id.map { ($0, d.name) } }, uniquingKeysWith: { a, _ in a })
            for w in try await NotificationStore.webhooks(on: db) where w.onPublish {
                let n: Int, scope: String
                if let d = w.$department.id {
                    n = list.filter { $0.employee.$department.id == d }.count
                    scope = "\(departments[d] ?? "") \(n) 张"
                } else {
                    n = list.count
                    scope = "共 \(n) 张"
                }
                guard n > 0 else { continue }
                var lines = ["\(period) 考核结果已发布（\(scope)），请各位登录查看；如有异议请在 \(objectionsClose) 前在系统内申诉"]
                if let site = settings.siteURL { lines.append(site + SiteURL.sheets.path) }
                out.append(robot(w, event: "publish", subject: "\(period) 考核结果已发布", text: lines.joined(separator: "\n")))
            }
        }
        try await NotificationStore.enqueue(out, on: db)
    }

    /// An e-mail in its reader's language (their chosen one, else 简体中文).
    static func email(to: String, user: User, event: String, subject: String, text: String, link: String?) -> OutboundNotice {
        let lang = user.language.flatMap(Language.init(rawValue:)) ?? .zhHans
        func say(_ s: String) -> String { Localizer.shared.text(s, lang) }
        // the name as the person wrote it; Kaohe's own words in the reader's language
        var body = "\(user.displayName)\(lang == .en ? ":" : "：")\n\n\(say(text))\n"
        if let link { body += "\n\(say("打开：")) \(link)\n" }
        body += "\n\(say("—— 考核 Kaohe（系统自动发送，请勿直接回复）"))\n"
        return OutboundNotice(channel: "email", target: to, label: to, event: event, subject: say(subject), body: body)
    }

    static func robot(_ w: NotificationWebhook, event: String, subject: String, text: String) -> OutboundNotice {
        OutboundNotice(channel: w.kind, target: w.id?.uuidString ?? "", label: "\(robotLabel(w.kind)) · \(w.name)", event: event, subject: subject, body: text)
    }
}
