import Foundation
import KaoheCore

/// Everything the server reads from its environment, read once (DESIGN.md).
public struct AppConfig: Sendable, Equatable {
    public enum Database: Sendable, Equatable {
        /// Embedded SQLite file (the zero-set-up default).
        case sqlite(path: String)
        /// In-memory SQLite (tests).
        case memory
        /// PostgreSQL (`DATABASE_URL=postgres://…`): several `kaohe serve` processes share it.
        case postgres(url: String)
    }

    public var host: String
    public var port: Int
    public var database: Database
    /// Load the demo company and show its logins on the login page.
    public var demo: Bool
    /// `Secure` flag on the session cookie (behind HTTPS).
    public var secureCookies: Bool
    /// Record retention in months (R-000-07: two years).
    public var retentionMonths: Int
    /// Failed logins allowed per user and address within `throttleWindow` seconds.
    public var loginAttempts: Int
    public var throttleWindow: Int
    /// bcrypt cost of stored passwords (tests use the minimum, 4).
    public var bcryptCost: Int = 12
    /// The current month (YYYY-MM) for retention; nil = today in China Standard Time.
    public var currentMonth: String?
    /// Today (YYYY-MM-DD) for deadlines and objection windows; nil = today in China Standard Time
    /// (`KAOHE_TODAY`, for demos and tests).
    public var today: String?
    /// 工号 scheme of the company (R-002-35): `KAOHE_NUMBERING=departmental` (centre digit 1) or `dated:JW`.
    public var numbering: Numbering = .departmental(centre: 1)
    /// The company's name on the printed forms (`KAOHE_COMPANY`); nil: the department's alone.
    public var company: String?
    /// Chromium for the forms as PDF (`KAOHE_CHROMIUM`: a path, or `none` for no PDF); nil: look for
    /// it where Debian installs it (`PDFRenderer.candidates`).
    public var chromium: String?
    /// Seconds between the outbox worker's passes (`KAOHE_NOTIFY_INTERVAL`, 1–3600; a step that
    /// queues a message also wakes it at once).
    public var notificationInterval: Double = 15

    /// Today's date in China Standard Time, or the configured day.
    var todayDate: CivilDate {
        if let t = today, let d = CivilDate(t) { return d }
        return LocalTime.day(Date())
    }

    /// The month people are working in: the configured one, or today's.
    var month: String {
        currentMonth ?? String(format: "%04d-%02d", todayDate.year, todayDate.month)
    }

    public enum Numbering: Sendable, Equatable {
        case departmental(centre: Int)
        case dated(company: String)
    }

    public init(host: String = "127.0.0.1", port: Int = 8080, database: Database = .sqlite(path: "kaohe.sqlite"),
                demo: Bool = false, secureCookies: Bool = false, retentionMonths: Int = 24,
                loginAttempts: Int = 5, throttleWindow: Int = 900) {
        self.host = host
        self.port = port
        self.database = database
        self.demo = demo
        self.secureCookies = secureCookies
        self.retentionMonths = retentionMonths
        self.loginAttempts = loginAttempts
        self.throttleWindow = throttleWindow
    }

    /// Reads `KAOHE_HOST`, `KAOHE_PORT`, `KAOHE_DB`, `DATABASE_URL`, `KAOHE_SECURE_COOKIES`,
    /// `KAOHE_RETENTION_MONTHS`, `KAOHE_COMPANY`, `KAOHE_CHROMIUM`; explicit flags (non-nil arguments) win.
    public static func from(environment env: [String: String], host: String? = nil, port: Int? = nil, demo: Bool = false) throws -> AppConfig {
        var c = AppConfig()
        c.host = host ?? env["KAOHE_HOST"] ?? c.host
        if let p = port { c.port = p } else if let s = env["KAOHE_PORT"] {
            guard let p = Int(s), (1...65535).contains(p) else { throw ConfigError("KAOHE_PORT “\(s)” 不是有效端口 is not a port") }
            c.port = p
        }
        if let url = env["DATABASE_URL"], !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigError("DATABASE_URL 须以 postgres:// 开头 must start with postgres:// (got “\(url.prefix(20))…”)")
            }
            c.database = .postgres(url: url)
        } else if let path = env["KAOHE_DB"], !path.isEmpty {
            c.database = .sqlite(path: path)
        }
        c.demo = demo
        if let t = env["KAOHE_TODAY"], !t.isEmpty {
            guard CivilDate(t) != nil else { throw ConfigError("KAOHE_TODAY “\(t)” 不是日期 is not a date (YYYY-MM-DD)") }
            c.today = t
        }
        c.secureCookies = ["1", "true", "yes"].contains(env["KAOHE_SECURE_COOKIES"]?.lowercased() ?? "")
        if let s = env["KAOHE_NUMBERING"], !s.isEmpty {
            if s == "departmental" { c.numbering = .departmental(centre: 1) }
            else if s.hasPrefix("dated:"), s.count > 6, s.dropFirst(6).allSatisfy({ $0.isASCII && $0.isLetter }) { c.numbering = .dated(company: String(s.dropFirst(6))) }
            else { throw ConfigError("KAOHE_NUMBERING 须为 departmental 或 dated:公司代码 (got “\(s)”)") }
        }
        if let s = env["KAOHE_COMPANY"]?.trimmingCharacters(in: .whitespaces), !s.isEmpty { c.company = s }
        if let s = env["KAOHE_CHROMIUM"], !s.isEmpty { c.chromium = s }
        if let s = env["KAOHE_NOTIFY_INTERVAL"], !s.isEmpty {
            guard let n = Double(s), n >= 1, n <= 3600 else { throw ConfigError("KAOHE_NOTIFY_INTERVAL “\(s)” 须为 1–3600 秒 must be 1–3600 seconds") }
            c.notificationInterval = n
        }
        if let s = env["KAOHE_RETENTION_MONTHS"] {
            guard let m = Int(s), m >= 1 else { throw ConfigError("KAOHE_RETENTION_MONTHS “\(s)” 须为正整数 must be a positive number of months") }
            c.retentionMonths = m
        }
        return c
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
