import Fluent
import Foundation
import KaoheCore
import Vapor

// Account security (issue 13): sessions only for people who signed in, sessions and tokens that
// end when an account is deactivated or its password changes, the password policy, and the
// CSRF token of pages shown before sign-in. docs/security.md describes the whole model.

/// No session row for anonymous requests: a session created during a request (a stale or
/// forged cookie, a page that asked for a CSRF token, a bearer-token call) is kept only when a
/// person signed in through it. Placed between the sessions middleware and the authenticator.
struct AnonymousSessions: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        if req.hasSession, req.session.id == nil,
           req.storage[TokenAuthKey.self] != nil || req.session.authenticated(User.self) == nil {
            req.session.destroy()
        }
        if let t = req.storage[PreSessionKey.self], req.cookies[PreSession.cookie] == nil {
            res.cookies[PreSession.cookie] = PreSession.cookieValue(t, secure: req.application.config.secureCookies)
        }
        return res
    }
}

/// A session signed in under an older `auth_epoch` (the password changed since, or the account
/// was deactivated) or of a deactivated account ends at once, on every server process.
struct SessionGuard: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if let user = req.auth.get(User.self) {
            let epoch = req.session.data["epoch"].flatMap(Int.init) ?? 0
            if !user.active || epoch != user.authEpoch {
                req.auth.logout(User.self)
                req.session.destroy()
            }
        }
        return try await next.respond(to: req)
    }
}

struct TokenAuthKey: StorageKey { typealias Value = UserToken }
struct PreSessionKey: StorageKey { typealias Value = String }

/// The CSRF token of pages shown before sign-in (the login form, the language buttons): a
/// random value in a short-lived `SameSite=Strict` cookie that the form sends back (double
/// submit), so an anonymous visitor costs no database row.
enum PreSession {
    static let cookie = "kaohe_pre"

    static func token(_ req: Request) -> String {
        if let t = req.storage[PreSessionKey.self] { return t }
        if let c = req.cookies[cookie]?.string, c.count >= 24, c.count <= 64 { return c }
        let t = [UInt8].random(count: 24).base64
        req.storage[PreSessionKey.self] = t
        return t
    }

    static func cookieValue(_ t: String, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: t, expires: Date().addingTimeInterval(60 * 60 * 2), maxAge: nil, domain: nil, path: "/",
                          isSecure: secure, isHTTPOnly: true, sameSite: .strict)
    }
}

/// API tokens: made by a person signed in (never by another token), named, scoped, expiring;
/// the secret is returned once. Used by the API and the account page alike.
extension Accounts {
    static func createToken(for user: User, name raw: String, scope rawScope: String?, days rawDays: Int?, on db: Database) async throws -> (UserToken, String) {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count) else { throw KaoheError.invalid("name: 须为 1–80 个字符", en: "name: 1 to 80 characters") }
        guard let scope = UserToken.Scope(rawValue: rawScope ?? "write") else {
            throw KaoheError.invalid("scope: 须为 read 或 write（收到 “\(InputLimits.quote(rawScope ?? ""))”）", en: "scope: must be read or write (got “\(InputLimits.quote(rawScope ?? ""))”)")
        }
        let days = rawDays ?? 90
        guard (1...365).contains(days) else { throw KaoheError.invalid("expires_days: 须为 1–365 天", en: "expires_days: 1 to 365 days") }
        let token = [UInt8].random(count: 32).base64.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-")
        let record = UserToken(userId: try user.requireID(), name: name, tokenHash: UserToken.hash(token), scope: scope,
                               expiresAt: Date().addingTimeInterval(Double(days) * 86_400))
        try await record.save(on: db)
        try await Audit.record(on: db, actor: user, action: "create", entity: "api_token", id: name, after: "scope=\(scope.rawValue) expires=\(days)d")
        return (record, token)
    }

    /// Revoked by its owner or by HR (others: 404, nothing said about whose it is); audited.
    static func revokeToken(_ id: UUID?, by user: User, on db: Database) async throws {
        guard let id, let t = try await AccountStore.token(id, on: db), t.$user.id == user.id || Access.canAdminister(user.viewer) else {
            throw KaoheError.notFound("没有这个令牌", en: "no such token")
        }
        guard t.revokedAt == nil else { return }
        t.revokedAt = Date()
        try await t.save(on: db)
        try await Audit.record(on: db, actor: user, action: "revoke", entity: "api_token", id: t.name)
    }
}

/// Deactivated accounts (leavers) and the end of their sessions and tokens.
extension Accounts {
    /// Ends every session (by raising the epoch) and revokes every token of `user`.
    static func endSessions(of user: User, on db: Database) async throws {
        user.authEpoch += 1
        try await user.save(on: db)
        try await AccountStore.revokeOpenTokens(of: user.requireID(), on: db)
    }

    static func deactivate(_ user: User, reason: String, actor: User?, on db: Database) async throws {
        guard user.active else { return }
        user.active = false
        user.deactivatedAt = Date()
        user.deactivatedReason = reason
        try await endSessions(of: user, on: db)
        try await Audit.record(on: db, actor: actor, action: "deactivate", entity: "user", id: user.username, before: "active", after: "deactivated", reason: reason)
    }

    static func activate(_ user: User, reason: String, actor: User?, on db: Database) async throws {
        guard !user.active else { return }
        user.active = true
        user.deactivatedAt = nil
        user.deactivatedReason = nil
        try await user.save(on: db)
        try await Audit.record(on: db, actor: actor, action: "activate", entity: "user", id: user.username, before: "deactivated", after: "active", reason: reason)
    }
}

/// A person whose status becomes `left` — by HR's edit, the roster import or any other save —
/// has their accounts deactivated in the same transaction.
struct LeaverDeactivation: AsyncModelMiddleware {
    func update(model: Employee, on db: Database, next: AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        guard model.status == .left, let id = model.id else { return }
        for u in try await AccountStore.activeUsers(employee: id, on: db) {
            try await Accounts.deactivate(u, reason: "员工 \(model.number) 状态改为离职 the employee left", actor: nil, on: db)
        }
    }
}

/// What a new password must be: at least 10 characters, not a common or trivially patterned
/// password, not the user name.
enum PasswordPolicy {
    static let minimumLength = 10
    static let maximumLength = 128

    /// The reason the password is refused, or nil.
    static func problem(_ password: String, username: String) -> String? {
        if password.count < minimumLength { return "新密码至少 \(minimumLength) 位 the new password needs at least \(minimumLength) characters" }
        if password.count > maximumLength { return "新密码最多 \(maximumLength) 位 at most \(maximumLength) characters" }
        let lower = password.lowercased()
        if Set(lower).count < 4 { return "新密码太简单（字符种类太少）the password repeats too few characters" }
        if common.contains(lower) || common.contains(where: { lower.hasPrefix($0) && lower.count - $0.count <= 2 }) {
            return "这是常见密码，请另选 this is a common password: choose another"
        }
        if isSequence(lower) { return "新密码不能是连续的字符 the password is a simple sequence" }
        if !username.isEmpty, lower.contains(username.lowercased()) { return "新密码不能包含用户名 the password contains the user name" }
        return nil
    }

    static func isSequence(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars.map(\.value))
        guard u.count >= 2 else { return true }
        let d = Int(u[1]) - Int(u[0])
        guard abs(d) == 1 else { return false }
        return zip(u, u.dropFirst()).allSatisfy { Int($1) - Int($0) == d }
    }

    /// The most common passwords (public breach lists), and the words people in China use most.
    static let common: Set<String> = [
        "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "qwerty", "qwertyuiop",
        "qwerty123", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "1qaz2wsx3edc", "qazwsx", "qazwsxedc", "zaq12wsx", "abc123",
        "abcd1234", "abc12345", "abc123456", "a123456", "a1234567", "a12345678", "aa123456", "admin", "admin123", "admin1234",
        "administrator", "root", "toor", "welcome", "welcome1", "welcome123", "letmein", "iloveyou", "iloveyou1", "monkey",
        "dragon", "sunshine", "princess", "football", "baseball", "superman", "batman", "trustno1", "master", "shadow",
        "michael", "jennifer", "starwars", "whatever", "computer", "internet", "secret", "changeme", "changeit", "default",
        "guest", "test", "test1234", "test123456", "testtest", "demo", "demo1234", "kaohe", "kaohe123", "kaohe2026",
        "woaini", "woaini1314", "woaini520", "5201314", "1314520", "520520", "aini1314", "iloveyou520", "wodemima",
        "mima", "mima123", "zhangwei", "wangwei", "liwei", "huawei", "xiaomi", "taobao", "alibaba", "tencent", "weixin",
        "qq123456", "qq5201314", "baidu", "zxcvbnm", "zxcvbnm123", "asdfghjkl", "asdfgh", "asdf1234", "1234qwer",
        "qwer1234", "q1w2e3r4", "q1w2e3r4t5", "1a2b3c4d", "123456789a", "123456abc", "123qwe", "123qweasd", "qweasdzxc",
        "qweasd123", "888888888", "666666666", "147258369", "159357", "1597532486", "123654789", "987654321", "1234567890",
        "0987654321", "12345678910", "11223344", "112233445566", "123123123", "12341234", "123456123456", "0123456789",
        "customer", "service", "kefu", "kefu123", "kefu123456", "company", "company123", "summer2026", "winter2026",
        "spring2026", "autumn2026", "december", "november", "january", "shenzhen", "beijing", "shanghai", "guangzhou",
    ]
}

extension Request {
    /// The user an API call acts as, refused (403) for a token without the scope the method needs.
    var apiToken: UserToken? { storage[TokenAuthKey.self] }
}

/// The import page's upload: refused before the file is read for a role that imports nothing.
struct RequireImporter: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let v = try req.user.viewer
        guard ["evidence", "log", "events", "roster"].contains(where: { Access.canImport(v, kind: $0) }) else {
            throw KaoheError.forbidden("没有导入文件的权限", en: "your role may not import files")
        }
        return try await next.respond(to: req)
    }
}
