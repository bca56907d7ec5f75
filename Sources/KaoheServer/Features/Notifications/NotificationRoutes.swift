import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// Notices in the browser (issue 17 §7): marking inbox messages read, one's own e-mail address,
/// and HR's notification settings — channels, SMTP, group robots, accounts' addresses, the outbox.
/// Plain forms; an agent, lead, manager or QA inspector gets 403 on the settings.
struct NotificationRoutes: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.post(SiteURL.inboxRead.route, use: markRead)
        signedIn.get(SiteURL.accountEmail.route, use: emailPage)
        signedIn.post(SiteURL.accountEmail.route, use: saveEmail)
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.notifications.route, use: settings)
        hr.post(SiteURL.notifications.route, use: post)
    }

    // MARK: inbox

    /// `id`: one message; `all=1`: every unread one. Back to the list.
    func markRead(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let user = try req.user
        if form["all"] == "1" {
            try await NotificationService.markRead(user, item: nil, db: req.db)
        } else {
            guard let id = form["id"].flatMap(UUID.init(uuidString:)) else { throw KaoheError.badInput("id: 须给出消息编号", en: "id: which message") }
            try await NotificationService.markRead(user, item: id, db: req.db)
        }
        return req.redirect(to: SiteURL.sheets.path)
    }

    // MARK: one's own address

    func emailPage(req: Request) async throws -> Response {
        try emailPage(req, message: nil, error: nil)
    }

    func emailPage(_ req: Request, message: String?, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let user = try req.user
        return Page.render(status: status, title: "我的邮箱", user: user, csrf: req.csrfToken,
                           body: AccountEmailView.body(AccountEmailModel(csrf: req.csrfToken, email: user.email ?? "", message: message, error: error)))
    }

    func saveEmail(req: Request) async throws -> Response {
        let user = try req.user
        let form = try req.content.decode([String: String].self)
        do {
            try await NotificationService.setEmail(user, form["email"] ?? "", by: user, db: req.db)
        } catch let e as AbortError where e.status == .unprocessableEntity {
            return try emailPage(req, message: nil, error: req.say(e), status: e.status)
        }
        return try emailPage(req, message: user.email == nil ? "已删除邮箱" : "已保存", error: nil)
    }

    // MARK: HR's settings

    func settings(req: Request) async throws -> Response {
        try await settingsPage(req, message: nil, error: nil)
    }

    func settingsPage(_ req: Request, message: String?, error: String?, status: HTTPStatus = .ok) async throws -> Response {
        let model = try await NotificationService.settingsModel(csrf: req.csrfToken, message: message, error: error, db: req.db)
        return Page.render(status: status, title: "通知设置", user: try req.user, csrf: req.csrfToken, body: NotificationSettingsView.body(model))
    }

    func post(req: Request) async throws -> Response {
        let user = try req.user
        let form = try req.content.decode([String: String].self)
        let message: String
        do {
            switch form["action"] ?? "" {
            case "settings":
                try await NotificationService.saveSettings(form, user: user, db: req.db)
                message = "已保存通知设置"
            case "webhook-add":
                try await NotificationService.addWebhook(form, user: user, db: req.db)
                message = "已添加群机器人"
            case "webhook-remove":
                try await NotificationService.removeWebhook(form["id"].flatMap(UUID.init(uuidString:)), user: user, db: req.db)
                message = "已删除群机器人"
            case "email":
                let name = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
                guard let target = try await AccountStore.user(username: name, on: req.db) else {
                    throw KaoheError.invalid("username: 没有账号 “\(name.prefix(40))”", en: "username: no account “\(name.prefix(40))”")
                }
                try await NotificationService.setEmail(target, form["email"] ?? "", by: user, db: req.db)
                message = "邮箱已保存：\(target.username)"
            case "retry":
                let n = try await NotificationService.retry(form["id"].flatMap(UUID.init(uuidString:)), user: user, db: req.db)
                message = "已重新排队：\(n)"
            case "test":
                try await NotificationService.test(form["test_to"] ?? "", user: user, db: req.db)
                message = "测试邮件已排队发送，结果见下方"
            default:
                throw KaoheError.badInput("action: 可选 settings、webhook-add、webhook-remove、email、retry、test", en: "action: settings, webhook-add, webhook-remove, email, retry or test")
            }
        } catch let e as AbortError where [.unprocessableEntity, .badRequest, .notFound, .conflict].contains(e.status) {
            return try await settingsPage(req, message: nil, error: req.say(e), status: e.status)
        }
        req.application.kickNotifications()
        return try await settingsPage(req, message: message, error: nil)
    }
}
