import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// Signing in and out, the account's password and its API tokens: pages and `/api/v1/me`, `/api/v1/tokens`.
struct AccountRoutes: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get(SiteURL.login.route, use: loginPage)
        routes.grouped(CSRFCheck()).post(SiteURL.login.route, use: login)
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.post(SiteURL.logout.route, use: logout)
        signedIn.get(SiteURL.password.route, use: passwordPage)
        signedIn.post(SiteURL.password.route, use: changePassword)
        signedIn.get(SiteURL.tokens.route, use: tokensPage)
        signedIn.post(SiteURL.tokens.route, use: createTokenForm)
        signedIn.post(SiteURL.tokenRevoke(nil).route, use: revokeTokenForm)
        let api = routes.grouped(APIAuthenticator())
        api.post(SiteURL.api(.tokens).route, use: createToken)
        api.get(SiteURL.api(.tokens).route, use: listTokens)
        api.delete(SiteURL.api(.token(nil)).route, use: revokeToken)
    }

    // MARK: the account's API tokens (the same rules as /api/v1/tokens)

    func tokensPage(req: Request) async throws -> Response {
        try await tokensPage(req, created: nil, error: nil)
    }

    func tokensPage(_ req: Request, created: (name: String, token: String)?, error: String?, status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.user
        let rows = try await AccountStore.tokens(of: try user.requireID(), on: req.db).map { t in
            TokensModel.Row(id: try t.requireID(), name: t.name, scope: t.scopeName, created: t.createdAt.map(Self.day) ?? "—",
                            expires: t.expiresAt.map(Self.day) ?? "—", lastUsed: t.lastUsedAt.map(Self.day) ?? "—",
                            state: t.revokedAt != nil ? "已吊销" : (t.usable() ? "有效" : "已过期"), active: t.usable())
        }
        return Page.render(status: status, title: "API 令牌", user: user, csrf: req.csrfToken,
                           body: TokensView.body(TokensModel(csrf: req.csrfToken, rows: rows, created: created, error: error)))
    }

    static func day(_ d: Date) -> String { LocalTime.day(d).description }

    struct TokenForm: Content { var name: String; var scope: String?; var days: Int? }

    func createTokenForm(req: Request) async throws -> Response {
        let user = try req.user
        let form = try req.content.decode(TokenForm.self)
        do {
            let (record, token) = try await Accounts.createToken(for: user, name: form.name, scope: form.scope, days: form.days, on: req.db)
            return try await tokensPage(req, created: (record.name, token), error: nil)
        } catch let e as AbortError where e.status == .unprocessableEntity {
            return try await tokensPage(req, created: nil, error: req.say(e), status: .unprocessableEntity)
        }
    }

    func revokeTokenForm(req: Request) async throws -> Response {
        try await Accounts.revokeToken(req.parameters.get("id", as: UUID.self), by: try req.user, on: req.db)
        return req.redirect(to: SiteURL.tokens.path)
    }

    func passwordPage(req: Request) async throws -> Response {
        let user = try req.user
        return Page.render(title: "修改密码", user: user, csrf: req.csrfToken,
                           body: PasswordView.body(PasswordModel(csrf: req.csrfToken, mustChange: user.mustChangePassword)))
    }

    struct PasswordForm: Content { var current: String; var new: String; var confirm: String }

    func changePassword(req: Request) async throws -> Response {
        let user = try req.user
        let form = try req.content.decode(PasswordForm.self)
        func fail(_ why: String) -> Response {
            Page.render(status: .badRequest, title: "修改密码", user: user, csrf: req.csrfToken,
                        body: PasswordView.body(PasswordModel(csrf: req.csrfToken, error: why, mustChange: user.mustChangePassword)))
        }
        guard try await req.password.async.verify(form.current, created: user.passwordHash) else { return fail("当前密码不正确 current password is wrong") }
        if let why = PasswordPolicy.problem(form.new, username: user.username) { return fail(why) }
        guard form.new == form.confirm else { return fail("两次输入的新密码不一致 the two new passwords differ") }
        guard form.new != form.current else { return fail("新密码不能与当前密码相同 choose a different password") }
        user.passwordHash = try await req.password.async.hash(form.new)
        user.mustChangePassword = false
        // every other session and every token of the account ends; this session goes on
        try await Accounts.endSessions(of: user, on: req.db)
        req.session.data["epoch"] = String(user.authEpoch)
        try await Audit.record(on: req.db, actor: user, action: "update", entity: "user", id: user.username, after: "password changed")
        return req.redirect(to: SiteURL.home.path)
    }

    func loginPage(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: SiteURL.home.path) }
        return Page.render(title: "登录", csrf: req.csrfToken, body: LoginView.body(loginModel(req)))
    }

    func loginModel(_ req: Request, error: String? = nil, username: String = "") -> LoginModel {
        LoginModel(csrf: req.csrfToken, error: error, username: username,
                   demoLogins: req.application.config.demo ? req.application.demoLogins : [])
    }

    struct LoginForm: Content { var username: String; var password: String }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        do {
            let user = try await Accounts.login(req, username: form.username, password: form.password)
            // a new session id at sign-in (no session fixation): the old record is deleted
            if let old = req.session.id {
                try await req.application.sessions.driver.deleteSession(old, for: req).get()
                req.session.id = nil
            }
            req.auth.login(user)
            // the session's own CSRF token (not the pre-session one) and the epoch it was signed in under
            req.session.data["csrf"] = [UInt8].random(count: 24).base64
            req.session.data["epoch"] = String(user.authEpoch)
            try await Audit.record(on: req.db, actor: user, action: "login", entity: "user", id: user.username)
            return req.redirect(to: SiteURL.home.path)
        } catch let e as AbortError where e.status == .unauthorized || e.status == .tooManyRequests {
            return Page.render(status: e.status, title: "登录", csrf: req.csrfToken, body: LoginView.body(loginModel(req, error: req.say(e), username: form.username)))
        }
    }

    func logout(req: Request) async throws -> Response {
        let user = try req.user
        try await Audit.record(on: req.db, actor: user, action: "logout", entity: "user", id: user.username)
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: SiteURL.login.path)
    }

    struct TokenRequest: Content {
        var name: String
        /// `read` (GET only) or `write` (what the owner's role allows; the default)
        var scope: String?
        /// 1–365 days; 90 when not given
        var expiresDays: Int?
    }
    struct TokenDTO: Content { var id: UUID; var name: String; var token: String; var scope: String; var expiresAt: Date? }
    struct TokenInfo: Content {
        var id: UUID; var name: String; var scope: String; var owner: String
        var createdAt: Date?; var expiresAt: Date?; var lastUsedAt: Date?; var revokedAt: Date?; var active: Bool
    }

    /// A token is made by a person signed in, never by another token (a stolen token cannot
    /// mint more); it is named, scoped and expires; the secret is shown once.
    func createToken(req: Request) async throws -> Response {
        let user = try req.user
        guard req.apiToken == nil else { throw KaoheError.forbidden("令牌不能创建令牌：请登录后创建", en: "a token cannot create tokens") }
        let body = try req.decodeBody(TokenRequest.self)
        let (record, token) = try await Accounts.createToken(for: user, name: body.name, scope: body.scope, days: body.expiresDays, on: req.db)
        let res = Response(status: .created)
        try res.content.encode(TokenDTO(id: try record.requireID(), name: record.name, token: token, scope: record.scopeName, expiresAt: record.expiresAt))
        return res
    }

    /// The caller's tokens without their secrets; HR with `all=true` every account's.
    func listTokens(req: Request) async throws -> [TokenInfo] {
        let user = try req.user
        let flag = req.query[String.self, at: "all"]
        guard flag == nil || flag == "true" || flag == "false" else { throw KaoheError.badInput("all: 须为 true 或 false", en: "all: must be true or false") }
        let all = flag == "true"
        var owner: UUID?
        if all { guard Access.canAdminister(user.viewer) else { throw KaoheError.forbidden("只有人事可以查看所有令牌", en: "only HR lists every token") } }
        else { owner = try user.requireID() }
        return try await AccountStore.tokensWithOwners(of: owner, on: req.db).map {
            TokenInfo(id: try $0.requireID(), name: $0.name, scope: $0.scope.rawValue, owner: $0.user.username, createdAt: $0.createdAt,
                      expiresAt: $0.expiresAt, lastUsedAt: $0.lastUsedAt, revokedAt: $0.revokedAt, active: $0.usable() && $0.user.active)
        }
    }

    /// Revoked by its owner or by HR; audited.
    func revokeToken(req: Request) async throws -> HTTPStatus {
        try await Accounts.revokeToken(req.parameters.get("id", as: UUID.self), by: try req.user, on: req.db)
        return .noContent
    }
}
