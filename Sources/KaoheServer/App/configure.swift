import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Sets up the application: database, migrations, sessions, middleware, routes.
public func configure(_ app: Application, _ config: AppConfig) async throws {
    app.storage[ConfigKey.self] = config
    app.storage[PageCacheKey.self] = PageCache(budget: 48 << 20)
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    try configureDatabase(app, config)
    configureMigrations(app)
    configureSessions(app, config)
    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    ContentConfiguration.global.use(encoder: JSONEncoder.kaohe(), for: .json)
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.dateDecodingStrategy = .iso8601   // as the API writes them
    ContentConfiguration.global.use(decoder: decoder, for: .json)
    app.middleware = .init()
    app.middleware.use(RequestLog())
    app.middleware.use(Localize())
    app.middleware.use(ErrorPage())
    app.middleware.use(SecurityHeaders())
    app.middleware.use(MethodNotAllowed())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(AnonymousSessions())
    app.middleware.use(User.sessionAuthenticator())
    app.middleware.use(SessionGuard())
    app.databases.middleware.use(LeaverDeactivation(), on: nil)
    try routes(app)
    app.storage[MethodNotAllowed.Key.self] = MethodNotAllowed.Table(app.routes.all)
    try await app.autoMigrate()
    try await tuneSQLite(app, config)
    // results stored before the typed form (issue 14) are re-scored from their evidence once
    try await Rescorer.upgradeStored(on: app.db)
}

/// SQLite reads through a 2 MB page cache by default, with a system call per page: a results
/// table whose rows carry their sheet's JSON was re-read from the OS on every page of a large
/// department. Each event loop's single connection maps the file (256 MB) and keeps 32 MB of pages.
func tuneSQLite(_ app: Application, _ config: AppConfig) async throws {
    guard case .sqlite = config.database else { return }
    for loop in app.eventLoopGroup.makeIterator() {
        guard let db = app.databases.database(.sqlite, logger: app.logger, on: loop) as? SQLDatabase else { continue }
        try await db.raw("PRAGMA mmap_size = 268435456").run()
        try await db.raw("PRAGMA cache_size = -32768").run()
    }
}

struct ConfigKey: StorageKey { typealias Value = AppConfig }

extension Application {
    var config: AppConfig { storage[ConfigKey.self] ?? AppConfig() }
}

func configureDatabase(_ app: Application, _ config: AppConfig) throws {
    switch config.database {
    case .memory: app.databases.use(.sqlite(.memory), as: .sqlite)
    case .sqlite(let path): app.databases.use(.sqlite(.file(path)), as: .sqlite)
    case .postgres(let url): try app.databases.use(.postgres(url: url), as: .psql)
    }
}

func configureMigrations(_ app: Application) {
    app.migrations.add(M001_CreateOrganisation())
    app.migrations.add(M002_CreateAccounts())
    app.migrations.add(M003_CreateScoring())
    app.migrations.add(M004_CreateEvents())
    app.migrations.add(M005_CreateImports())
    app.migrations.add(M006_ImportBatches())
    app.migrations.add(M007_ImportUploads())
    app.migrations.add(M008_Cycles())
    app.migrations.add(M009_UserLanguage())
    app.migrations.add(M010_Indexes())
    app.migrations.add(M011_DataVersion())
    app.migrations.add(M012_AccountSecurity())
    app.migrations.add(M013_ResultsSpine())
    app.migrations.add(M016_ItemComments())
    app.migrations.add(M017_QAChecklist())
    app.migrations.add(M018_Notifications())
    app.migrations.add(M019_OrganisationPages())
    app.migrations.add(M020_ImportMappingsUploadChoices())
    app.migrations.add(M021_CycleControls())
    app.migrations.add(SessionRecord.migration)
}

func configureSessions(_ app: Application, _ config: AppConfig) {
    // sessions live in the database: several `kaohe serve` processes behave as one system
    // written only when they change (QuietSessions): a page view is no database write
    app.sessions.use { app in QuietSessions(base: app.fluent.sessions.driver()) }
    app.sessions.configuration.cookieName = "kaohe_session"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, expires: Date().addingTimeInterval(60 * 60 * 8), maxAge: nil, domain: nil, path: "/",
                          isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}

extension JSONEncoder {
    /// How the API, the CLI tasks and the archive write JSON: snake_case keys, ISO 8601 dates, sorted keys.
    static func kaohe(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        return encoder
    }
}
