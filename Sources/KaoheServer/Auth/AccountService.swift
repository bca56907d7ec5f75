import Fluent
import Foundation
import Vapor

enum Accounts {
    /// On first start (no users at all) creates the administrator `admin` with a one-time
    /// password, returned so that `kaohe serve` prints it once.
    static func ensureAdministrator(_ app: Application) async throws -> String? {
        guard try await User.query(on: app.db).count() == 0 else { return nil }
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
    static func login(_ req: Request, username: String, password: String) async throws -> User {
        let cfg = req.application.config
        let address = req.remoteAddress?.ipAddress ?? "unknown"
        let since = Date().addingTimeInterval(-Double(cfg.throttleWindow))
        let failures = try await LoginAttempt.query(on: req.db)
            .filter(\.$username == username).filter(\.$address == address).filter(\.$at >= since).count()
        if failures >= cfg.loginAttempts {
            throw Abort(.tooManyRequests, reason: "登录失败次数过多，请 \(cfg.throttleWindow / 60) 分钟后再试 too many failed sign-ins")
        }
        if let user = try await User.query(on: req.db).filter(\.$username == username).first(),
           try await req.password.async.verify(password, created: user.passwordHash) {
            try await LoginAttempt.query(on: req.db).filter(\.$username == username).filter(\.$address == address).delete()
            return user
        }
        try await LoginAttempt(username: username, address: address, at: Date()).save(on: req.db)
        throw Abort(.unauthorized, reason: "用户名或密码不正确 wrong user name or password")
    }
}

enum Audit {
    static func record(on db: Database, actor: User?, action: String, entity: String, id: String,
                       before: String? = nil, after: String? = nil, reason: String? = nil) async throws {
        try await AuditEntry(actorId: actor?.id, actorName: actor?.username ?? "system", action: action, entity: entity,
                             entityId: id, before: before, after: after, reason: reason).save(on: db)
    }
}
