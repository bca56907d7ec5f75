import Fluent
import Foundation
import KaoheCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// `kaohe backup` → `kaohe restore` (issue 20 §1): every table equal after the round trip; a
/// backup never overwrites, a restore only fills an empty database.
@Suite("Backup and restore", .serialized)
struct BackupTests {
    static func scratch() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("kaohe-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A company with a published month, its outcomes, an audit trail.
    static func fill(_ app: Application) async throws {
        let org = try await seed(app)
        let v = try await EvidenceTests.preset(app, "online-shop-cs")
        for (e, orders) in [(org.alice, "30"), (org.bob, "45")] {
            try await EvidenceEntry(employeeId: e, schemeId: try v.requireID(), period: "2026-10", column: "orders", value: orders, recordedBy: nil).save(on: app.db)
        }
        try await Rescorer.rescore(v, period: "2026-10", on: app.db)
        try await publishResults(app, "online-shop-cs", "2026-10")
        _ = try await Browser.signIn(app, "hr")
    }

    static func snapshot(_ config: AppConfig) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        try await withApp(configure: { app in try await configure(app, config) }) { app in out = try await Backup.snapshot(try ResultStore.sql(app.db)) }
        return out
    }

    @Test("SQLite: backup → restore into a new file gives every table row for row; an existing file is never overwritten; a full database is never restored into")
    func sqliteRoundTrip() async throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        var a = testConfig(); a.database = .sqlite(path: d.appendingPathComponent("a.sqlite").path)
        try await withApp(configure: { app in try await configure(app, a) }) { app in try await Self.fill(app) }
        let before = try await Self.snapshot(a)
        #expect((before["outcomes"]?.count ?? 0) > 0 && (before["results"]?.count ?? 0) > 0 && (before["audit_entries"]?.count ?? 0) > 0, "\(before.mapValues(\.count))")
        let file = d.appendingPathComponent("nightly.kaohe").path
        let made = try await KaoheTasks.backup(a, to: file)
        #expect(made.contains("results"))
        var c = testConfig(); c.database = .sqlite(path: d.appendingPathComponent("c.sqlite").path)
        let restored = try await KaoheTasks.restore(c, from: file)
        #expect(restored.contains("outcomes"))
        let after = try await Self.snapshot(c)
        #expect(after.keys.sorted() == before.keys.sorted())
        for t in before.keys.sorted() { #expect(after[t] == before[t], "table \(t)") }
        // refusals: the backup file exists; the target has data; the file is not a backup
        await #expect(throws: KaoheTasks.Refused.self) { try await KaoheTasks.backup(a, to: file) }
        await #expect(throws: KaoheTasks.Refused.self) { try await KaoheTasks.restore(c, from: file) }
        let junk = d.appendingPathComponent("junk.kaohe").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        var e = testConfig(); e.database = .sqlite(path: d.appendingPathComponent("e.sqlite").path)
        do { _ = try await KaoheTasks.restore(e, from: junk); Issue.record("a junk file was restored") } catch let r as KaoheTasks.Refused {
            #expect(r.description.contains("junk.kaohe") && r.description.contains("SQLite"), "\(r.description)")
        }
        #expect(!FileManager.default.fileExists(atPath: d.appendingPathComponent("e.sqlite").path))
        #expect(try await Self.snapshot(c) == after, "the refused restore changed nothing")
    }

    /// PostgreSQL: pg_dump → pg_restore into an empty database gives every table row for row; a
    /// database with tables is refused. Run by the PostgreSQL suite (one database, one test at a time).
    static func postgresRoundTrip() async throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        var a = testConfig(); a.database = .postgres(url: postgresURL!)
        let target = postgresURL!.replacingOccurrences(of: "/kaohe_test", with: "/kaohe_restore_test")
        try await withApp(configure: { app in try await configure(app, a) }) { app in
            try await app.autoRevert(); try await app.autoMigrate()
            try await Self.fill(app)
            let sql = try ResultStore.sql(app.db)
            try await sql.raw("DROP DATABASE IF EXISTS kaohe_restore_test").run()
            try await sql.raw("CREATE DATABASE kaohe_restore_test").run()
        }
        let before = try await Self.snapshot(a)
        let file = d.appendingPathComponent("nightly.pgdump").path
        _ = try await KaoheTasks.backup(a, to: file)
        var c = testConfig(); c.database = .postgres(url: target)
        _ = try await KaoheTasks.restore(c, from: file)
        let after = try await Self.snapshot(c)
        #expect(after.keys.sorted() == before.keys.sorted())
        for t in before.keys.sorted() { #expect(after[t] == before[t], "table \(t)") }
        await #expect(throws: KaoheTasks.Refused.self) { try await KaoheTasks.restore(c, from: file) }
    }
}
