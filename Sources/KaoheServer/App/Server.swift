import Fluent
import Foundation
import Vapor

/// `kaohe serve`: configure, migrate, create the first administrator, then serve until stopped.
public enum KaoheServerMain {
    /// Fills a migrated database before serving (the demo company).
    public typealias Seed = @Sendable (Application) async throws -> Void

    /// `seed` fills the database after the migrations: the demo company (`kaohe serve --demo`, the
    /// KaoheDemo target), or nothing.
    public static func run(_ config: AppConfig, seed: Seed? = nil,
                           print say: @escaping @Sendable (String) -> Void) async throws {
        // Vapor's own `serve` command runs the server until SIGINT/SIGTERM
        var env = Environment(name: "production", arguments: ["kaohe", "serve", "--hostname", config.host, "--port", "\(config.port)"])
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            try await configure(app, config)
            // e-mails and group-robot messages leave from the outbox while the server runs (issue 17 §7)
            app.startNotifications(interval: config.notificationInterval)
            let firstStart = try await Accounts.ensureAdministrator(app)
            if let seed { try await seed(app) }
            if let password = firstStart {
                say("首次启动：已创建管理员 admin，一次性密码 first start: administrator “admin”, one-time password: \(password)")
                say("（请登录后立即修改；此密码不会再次显示 change it after signing in; it is not shown again）")
            }
            say("Kaohe 考核 serving on http://\(config.host):\(config.port) — database \(config.database.description)")
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

extension AppConfig.Database: CustomStringConvertible {
    public var description: String {
        switch self {
        case .memory: return "SQLite (memory)"
        case .sqlite(let p): return "SQLite \(p)"
        case .postgres: return "PostgreSQL"
        }
    }
}

/// The logins the sign-in page lists: set by the demo company when it loads (never otherwise).
struct DemoLoginsKey: StorageKey { typealias Value = [(String, String, String)] }

extension Application {
    /// Username, role and scope of each demo account; empty unless the demo company was loaded.
    package var demoLogins: [(String, String, String)] {
        get { storage[DemoLoginsKey.self] ?? [] }
        set { storage[DemoLoginsKey.self] = newValue }
    }
}
