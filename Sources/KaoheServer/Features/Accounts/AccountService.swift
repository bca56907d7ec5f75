import Fluent
import Foundation
import Vapor

enum Accounts {
    /// On first start (no users at all) creates the administrator `admin` with a one-time
    /// password, returned so that `kaohe serve` prints it once.
    static func ensureAdministrator(_ app: Application) async throws -> String? {
        guard try await AccountStore.userCount(on: app.db) == 0 else { return nil }
        let password = randomPassword()
        let admin = User(username: "admin", displayName: "系统管理员", passwordHash: try app.password.hash(password), role: .hr, mustChangePassword: true)
        try await admin.save(on: app.db)
        try await Audit.record(on: app.db, actor: nil, action: "create", entity: "user", id: "admin", after: "role=hr", reason: "首次启动创建管理员 first start")
        return password
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<16).map { _ in alphabet.randomElement()! })
    }

    /// Checks the password; failed attempts are counted per user name and address in the
    /// database and throttled (429) after `loginAttempts` within `throttleWindow` seconds.
    /// The attempt is recorded *before* the password is checked, so parallel guesses count
    /// against each other (issue 13: 40 at once got 16 checked past the limit); an unknown user
    /// name costs the same bcrypt work as a known one; a deactivated account cannot sign in.
    static func login(_ req: Request, username: String, password: String) async throws -> User {
        let cfg = req.application.config
        let address = req.remoteAddress?.ipAddress ?? "unknown"
        let name = String(username.prefix(150))
        let since = Date().addingTimeInterval(-Double(cfg.throttleWindow))
        try await AccountStore.dropLoginAttempts(before: since, on: req.db)
        let attempt = LoginAttempt(username: name, address: address, at: Date())
        try await attempt.save(on: req.db)
        let recent = try await AccountStore.loginAttemptCount(username: name, address: address, since: since, on: req.db)
        if recent > cfg.loginAttempts {
            throw KaoheError.tooMany("登录失败次数过多，请 \(cfg.throttleWindow / 60) 分钟后再试", en: "too many failed sign-ins; try again in \(cfg.throttleWindow / 60) minutes")
        }
        let user = try await AccountStore.user(username: name, on: req.db)
        // bcrypt reads 72 bytes: a longer password is refused after the same work
        let candidate = password.utf8.count <= PasswordPolicy.maximumLength * 4 ? password : ""
        let ok = try await req.password.async.verify(candidate, created: user?.passwordHash ?? dummyHash(req.application))
        if let user, ok, !candidate.isEmpty {
            guard user.active else {
                throw KaoheError.unauthorized("账号已停用", en: "this account has been deactivated")
            }
            try await AccountStore.clearLoginAttempts(username: name, address: address, on: req.db)
            return user
        }
        throw KaoheError.unauthorized("用户名或密码不正确", en: "wrong user name or password")
    }

    /// A bcrypt hash of nothing anyone knows, at the configured cost: what an unknown user name
    /// is checked against.
    static func dummyHash(_ app: Application) throws -> String {
        if let h = app.storage[DummyHashKey.self] { return h }
        let h = try app.password.hash([UInt8].random(count: 18).base64)
        app.storage[DummyHashKey.self] = h
        return h
    }
    struct DummyHashKey: StorageKey { typealias Value = String }
}

