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
        try await withApp(configure: { app in try await configure(app, config) }) { app in out = try await TableStore.snapshot(on: app.db) }
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
            let sql = try app.db.sql()
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

    // MARK: retention archive (issue 20 §1: a purged month leaves nothing behind; its archive reads back)

    static let phone = "13800138000"

    /// October: a published month with a cycle (sheets, steps, inbox), an event whose note holds a
    /// phone number, an import that changed a value, audit entries; November: evidence that stays.
    static func fillForArchive(_ app: Application) async throws -> Org {
        let org = try await seed(app)
        let v = try await EvidenceTests.preset(app, "online-shop-cs")
        let sid = try v.requireID()
        let ev = EvidenceEntry(employeeId: org.alice, schemeId: sid, period: "2026-10", column: "orders", value: "30", recordedBy: nil)
        try await ev.save(on: app.db)
        try await EvidenceEntry(employeeId: org.bob, schemeId: sid, period: "2026-10", column: "orders", value: "45", recordedBy: nil).save(on: app.db)
        try await EvidenceEntry(employeeId: org.alice, schemeId: sid, period: "2026-11", column: "orders", value: "33", recordedBy: nil).save(on: app.db)
        try await EventRecord(employeeId: org.alice, schemeId: sid, period: "2026-10", column: "complaints", occurredOn: "2026-10-09",
                              note: "顾客来电 \(phone) 投诉", recordedBy: nil).save(on: app.db)
        let batch = ImportRecord(kind: "evidence", fileName: "十月.csv", checksum: "x", rows: 1, created: 0, updated: 1, unchanged: 0,
                                 recordedBy: nil, schemeId: sid, periods: ["2026-10"])
        try await batch.save(on: app.db)
        try await ImportChange(batch: try batch.requireID(), seq: 0, entity: "evidence", target: try ev.requireID(), before: "28", after: "30").save(on: app.db)
        try await Audit.record(on: app.db, actor: nil, action: "update", entity: "evidence", id: "101001/2026-10/orders", before: "28", after: "30")
        try await Audit.record(on: app.db, actor: nil, action: "update", entity: "evidence", id: "101001/2026-11/orders", before: "31", after: "33")
        try await Rescorer.rescore(v, period: "2026-10", on: app.db)
        CycleFlowTests.today(app, "2026-10-28")
        let (hr, _) = try await Browser.signIn(app, "hr")
        try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
            #expect(res.status == .created, "\(res.body.string)")
        }
        let sheet = try #require(try await Sheet.query(on: app.db).first())
        try await SheetStep(sheet: try sheet.requireID(), action: "submit_self", actor: nil, from: .selfAssessment, to: .rating, reason: nil, before: nil, after: "80").save(on: app.db)
        try await publishResults(app, "online-shop-cs", "2026-10")
        return org
    }

    /// archive → purge → `restore --archive` on one database: after the purge no table holds a row
    /// of October (nor the phone number); after the restore every archived table is row for row
    /// as before; a second restore, a foreign file and an archive of another dialect are refused
    /// and change nothing.
    static func archiveRoundTrip(_ config: AppConfig, reset: Bool) async throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        var c = config
        c.currentMonth = "2026-12"
        c.retentionMonths = 1   // cutoff 2026-11: October is past retention, November is not
        let file = d.appendingPathComponent("archive.json").path
        var before: [String: [String]] = [:]
        var archived: [String: Any] = [:]
        try await withApp(configure: { app in try await configure(app, c) }) { app in
            if reset { try await app.autoRevert(); try await app.autoMigrate() }
            _ = try await fillForArchive(app)
            before = try await TableStore.snapshot(on: app.db)
            for t in ["cycles", "sheets", "sheet_steps", "events", "evidence", "results", "outcomes", "import_batches", "import_changes", "inbox"] {
                #expect((before[t]?.count ?? 0) > 0, "the fixture has \(t)")
            }
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "api/v1/retention/archive", headers: hr.headers) { res in
                #expect(res.status == .ok)
                #expect(res.headers.first(name: .contentDisposition)?.contains("kaohe-archive-before-2026-11.json") == true)
                try Data(res.body.readableBytesView).write(to: URL(fileURLWithPath: file))
                archived = try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
            }
            #expect(archived["format"] as? String == "kaohe-archive" && archived["cutoff"] as? String == "2026-11")
            let events = try #require(archived["events"] as? [[String: Any]])
            #expect(events.count == 1 && (events[0]["note"] as? String)?.contains(phone) == true && events[0]["employee"] as? String == "101001")
            let counts = try #require(archived["counts"] as? [String: Int])
            #expect(counts["evidence"] == 2 && counts["events"] == 1 && counts["import_changes"] == 1 && counts["import_batches"] == 1 && counts["audit_entries"] == 2,
                    "\(counts)")
            #expect((counts["sheets"] ?? 0) == 3 && counts["sheet_steps"] == 1 && (counts["inbox"] ?? 0) == 3 && (counts["cycles"] ?? 0) == 1, "\(counts)")

            var h = hr.headers
            h.contentType = .json
            try await app.testing().test(.POST, "api/v1/retention/purge", headers: h, body: ByteBuffer(string: #"{"cutoff": "2026-11", "archived": true}"#)) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                #expect(res.body.string.contains("\"evidence\":2"), "\(res.body.string)")
            }
            let after = try await TableStore.snapshot(on: app.db)
            for t in RetentionArchive.tables {
                let october = (after[t] ?? []).filter { $0.contains("2026-10") && !$0.contains("before 2026-11") }
                #expect(october.isEmpty, "\(t) still holds October: \(october.prefix(2))")
            }
            for (t, rows) in after where t != "scheme_versions" {
                #expect(!rows.contains { $0.contains(phone) }, "\(t) still holds the phone number")
            }
            #expect(after["evidence"]?.count == 1 && after["evidence"]?[0].contains("2026-11") == true, "November stays")
            #expect(after["audit_entries"]?.contains { $0.contains("101001/2026-11/orders") } == true)
        }
        // read back: the archive's records into the same database
        let restored = try await KaoheTasks.restoreArchive(c, from: file)
        #expect(restored.contains("evidence") && restored.contains("sheets"), "\(restored)")
        try await withApp(configure: { app in try await configure(app, c) }) { app in
            let sql = try app.db.sql()
            let after = try await TableStore.snapshot(on: app.db)
            for t in RetentionArchive.tables where t != "audit_entries" { #expect(after[t] == before[t], "table \(t) after the restore") }
            #expect(Set(before["audit_entries"] ?? []).isSubset(of: Set(after["audit_entries"] ?? [])), "every audit entry is back")
            let again = try await TableStore.snapshot(on: app.db)
            // refused: a second restore (the rows are there), a foreign file, another dialect
            await #expect(throws: KaoheTasks.Refused.self) { _ = try await RetentionArchive.restore(app.db, archive: try Data(contentsOf: URL(fileURLWithPath: file)), file: "archive.json") }
            do { _ = try await RetentionArchive.restore(app.db, archive: Data(#"{"evidence": []}"#.utf8), file: "other.json"); Issue.record("a foreign file was restored") }
            catch let r as KaoheTasks.Refused { #expect(r.description.contains("other.json") && r.status == 422, "\(r.description)") }
            var other = archived
            other["dialect"] = sql.dialect.name == "sqlite" ? "postgresql" : "sqlite"
            do { _ = try await RetentionArchive.restore(app.db, archive: try JSONSerialization.data(withJSONObject: other), file: "x.json"); Issue.record("another dialect was restored") }
            catch let r as KaoheTasks.Refused { #expect(r.status == 422, "\(r.description)") }
            var unknown = archived
            unknown["records"] = ["users": [["id": UUID().uuidString]]]
            do { _ = try await RetentionArchive.restore(app.db, archive: try JSONSerialization.data(withJSONObject: unknown), file: "u.json"); Issue.record("a users row was restored") }
            catch let r as KaoheTasks.Refused { #expect(r.description.contains("records.users"), "\(r.description)") }
            // rows that name no person, or hold a value of the wrong kind, are refused whole, naming the table
            var hostile = archived
            var records: [String: Any] = [:]
            records["evidence"] = [["id": UUID().uuidString, "employee_id": UUID().uuidString, "scheme_id": "x", "period": "2026-10", "column": "orders",
                                    "value": "1", "recorded_at": "not a time"]]
            hostile["records"] = records
            do { _ = try await RetentionArchive.restore(app.db, archive: try JSONSerialization.data(withJSONObject: hostile), file: "h.json"); Issue.record("hostile rows were restored") }
            catch let r as KaoheTasks.Refused { #expect(r.status == 422 && r.description.contains("records.evidence"), "\(r.description)") }
            #expect(try await TableStore.snapshot(on: app.db) == again, "the refused restores changed nothing")
        }
    }

    @Test("SQLite: the archive of a purged month reads back row for row (kaohe restore --archive); the purge leaves none of its records behind")
    func archiveRoundTripSQLite() async throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        var c = testConfig(); c.database = .sqlite(path: d.appendingPathComponent("a.sqlite").path)
        try await Self.archiveRoundTrip(c, reset: false)
    }
}
