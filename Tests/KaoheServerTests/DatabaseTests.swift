import Fluent
import KaoheCore
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

let postgresURL = ProcessInfo.processInfo.environment["KAOHE_TEST_POSTGRES_URL"]

/// The same migrations and permission rules on a real PostgreSQL (`.ci/run` starts one and sets
/// KAOHE_TEST_POSTGRES_URL), and two server instances sharing it behave as one system.
@Suite("PostgreSQL", .serialized, .enabled(if: postgresURL != nil, "KAOHE_TEST_POSTGRES_URL not set"))
struct PostgresTests {
    func config() -> AppConfig {
        var c = testConfig()
        c.database = .postgres(url: postgresURL!)
        return c
    }

    /// A clean database: every migration reverted, then applied again.
    func fresh(_ app: Application) async throws -> Org {
        try await app.autoRevert()
        try await app.autoMigrate()
        return try await seed(app)
    }

    // the results spine on PostgreSQL (issue 14): the same outcomes, refusals and one publication
    @Test func outcomesOnPostgres() async throws { try await ResultsSpineTests.withCompany(config()) { app in try await ResultsSpineTests.starAgentLevels(app) } }
    @Test func closedStaysClosedOnPostgres() async throws { try await ResultsSpineTests.withCompany(config()) { app in try await ResultsSpineTests.closedStaysClosed(app) } }
    @Test func backupAndRestoreOnPostgres() async throws { try await BackupTests.postgresRoundTrip() }
    @Test func archiveRoundTripOnPostgres() async throws { try await BackupTests.archiveRoundTrip(config(), reset: true) }
    @Test func parallelEvidenceWritesOnPostgres() async throws {
        try await withApp(configure: { app in try await configure(app, config()) }) { app in
            let org = try await fresh(app)
            try await ResultsSpineTests.parallelEvidenceWrites(app, org)
        }
    }
    @Test func parallelPublishOnPostgres() async throws { try await ResultsSpineTests.withCompany(config()) { app in try await ResultsSpineTests.parallelPublish(app) } }

    @Test func migrationsAndPermissionsOnPostgres() async throws {
        try await withApp(configure: { app in try await configure(app, config()) }) { app in
            let org = try await fresh(app)
            let (b, status) = try await Browser.signIn(app, "alice")
            #expect(status == .seeOther)
            try await app.testing().test(.GET, "api/v1/employees/\(org.alice)/results", headers: b.headers) { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "api/v1/employees/\(org.dave)/results", headers: b.headers) { res in #expect(res.status == .forbidden) }
            let logins = try await AuditEntry.query(on: app.db).filter(\.$action == "login").count()
            #expect(logins == 1)
        }
    }

    @Test func twoInstancesShareSessionsAndThrottling() async throws {
        try await withApp(configure: { app in try await configure(app, config()) }) { a in
            let org = try await fresh(a)
            try await withApp(configure: { app in try await configure(app, config()) }) { b in
                // signed in on A, recognised on B: the session lives in the database
                let (browser, _) = try await Browser.signIn(a, "mgr")
                try await b.testing().test(.GET, "api/v1/employees/\(org.carol)/results", headers: browser.headers) { res in #expect(res.status == .ok) }
                // failed sign-ins on A count on B
                for _ in 0..<5 { _ = try await Browser.signIn(a, "hr", password: "wrong") }
                let (_, status) = try await Browser.signIn(b, "hr")
                #expect(status == .tooManyRequests)
                // signing out on B ends the session on A as well
                var h = browser.headers
                h.contentType = .urlEncodedForm
                try await b.testing().test(.GET, "", headers: browser.headers) { _ in }
                try await b.testing().test(.POST, "logout", headers: h, body: ByteBuffer(string: "_csrf=\(browser.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")) { res in
                    #expect(res.status == .seeOther)
                }
                try await a.testing().test(.GET, "api/v1/me", headers: browser.headers) { res in #expect(res.status == .unauthorized) }
            }
        }
    }

    @Test("a page kept by one instance is built again after another instance changes the data; an UPDATE of no row moves nothing")
    func pageCacheAcrossInstances() async throws {
        try await withApp(configure: { app in try await configure(app, config()) }) { a in
            let org = try await fresh(a)
            try await withApp(configure: { app in try await configure(app, config()) }) { b in
                var built = 0
                func page() async throws -> String { try await a.pageCache.html("k", on: a.db) { built += 1; return "p\(built)" } }
                #expect(try await page() == "p1")
                #expect(try await page() == "p1")
                let v = try #require(try await PageCache.version(on: a.db))
                try await (b.db as! SQLDatabase).raw("UPDATE inbox SET read_at = read_at WHERE read_at IS NULL AND user_id IS NULL").run()
                #expect(try await PageCache.version(on: a.db) == v)
                let alice = try #require(try await Employee.find(org.alice, on: b.db))
                alice.name = "爱丽丝（改）"
                try await alice.save(on: b.db)
                #expect(try await PageCache.version(on: a.db) == v + 1)
                #expect(try await page() == "p2")
            }
        }
    }
}

@Suite("SQLite file")
struct SQLiteFileTests {
    @Test func migrationsSurviveARestartAndKeepData() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kaohe-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = testConfig()
        c.database = .sqlite(path: path)
        var password: String?
        try await withApp(configure: { app in try await configure(app, c) }) { app in
            password = try await Accounts.ensureAdministrator(app)
        }
        #expect(password != nil)
        try await withApp(configure: { app in try await configure(app, c) }) { app in
            let again = try await Accounts.ensureAdministrator(app)
            #expect(again == nil)
            let users = try await User.query(on: app.db).count()
            #expect(users == 1)
        }
    }
}

extension PostgresTests {
    /// Issue 5 on PostgreSQL: a log import committed in one transaction with batched inserts,
    /// the same file again unchanged, a form exported, the batch reverted.
    @Test func importsExportsAndRevertOnPostgres() async throws {
        try await withApp(configure: { app in try await configure(app, config()) }) { app in
            _ = try await fresh(app)
            _ = try await ImportKindsTests.preset(app, "ecommerce-monthly")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let path = "api/v1/imports/log?scheme=ecommerce-monthly&file=chats.csv&source=qianniu&dry_run=false"
            var batch: UUID?
            try await ImportKindsTests.post(app, hr, path, Data(ImportKindsTests.log.utf8)) { res in
                let p = try ImportKindsTests.preview(res)
                #expect(p.committed && p.created == 22)
                batch = p.id
            }
            try await ImportKindsTests.post(app, hr, path, Data(ImportKindsTests.log.utf8)) { res in
                let p = try ImportKindsTests.preview(res)
                #expect(p.unchanged == 22)
            }
            let (status, data, _) = try await ExportTests.get(app, hr, "api/v1/exports/monthly-record?period=2026-10&scheme=ecommerce-monthly")
            #expect(status == .ok)
            let summary = try Grid.read(data, file: "m.xlsx", sheet: "汇总")
            #expect(summary.rows.contains { $0.cells[0] == "101001" })
            try await ImportKindsTests.revert(app, hr, try #require(batch)) { res in #expect(res.status == .ok, "\(res.body.string)") }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
        }
    }
}

extension PostgresTests {
    /// Issue 6 on PostgreSQL: a cycle opened, a sheet claimed by version (UPDATE … RETURNING), a
    /// stale version refused, submission and review.
    @Test func cycleAndOptimisticLockingOnPostgres() async throws {
        try await withApp(configure: { app in try await configure(app, config()) }) { app in
            let org = try await fresh(app)
            _ = try await ImportKindsTests.preset(app, "online-shop-cs")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
                #expect(res.status == .created, "\(res.body.string)")
            }
            let sheet = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.alice).first()?.id)
            let (a, _) = try await Browser.signIn(app, "alice")
            try await CycleFlowTests.json(app, a, .PUT, "api/v1/sheets/\(sheet)", #"{"version":1,"values":\#(CycleFlowTests.marksSelf)}"#) { res in #expect(res.status == .ok) }
            try await CycleFlowTests.json(app, a, .PUT, "api/v1/sheets/\(sheet)", #"{"version":1,"values":{"task_completion.self":"40"}}"#) { res in #expect(res.status == .conflict) }
            let s = try #require(try await CycleFlowTests.act(app, a, sheet, "submit_self", version: 2))
            #expect(s.stage == "rating")
        }
    }
}
