import Fluent
import Foundation
import SQLKit
import Vapor

/// The records of the months past retention (R-000-07; issue 20 §1): what the archive holds,
/// what a purge removes, and what `kaohe restore --archive FILE` puts back — one definition of
/// "a purged period's records" for all three, so that a purge leaves no personal data of those
/// months behind and its archive reads back row for row.
///
/// A month's records are its evidence, results, outcomes, events (with their notes) and QA
/// checklists (with their references and comments), cycles with
/// their sheets, steps, findings and corrections, the inbox messages about those sheets and
/// findings, the import history that holds their values (changes, and batches whose months are
/// all purged), pending uploads of those months, and the audit entries about them. The audit
/// entry of the purge itself (counts only) stays.
enum RetentionArchive {
    static let format = "kaohe-archive"
    static let version = 1

    /// The tables in the order rows are restored (parents first); a purge deletes in reverse.
    static let tables = ["cycles", "sheets", "sheet_steps", "sheet_comments", "sheet_objection_items", "findings", "corrections", "events", "qa_checklists", "evidence",
                         "results", "outcomes", "import_batches", "import_changes", "inbox", "audit_entries"]

    /// Audit entries name their record as `工号/YYYY-MM…/…` (or by id: cycles, findings).
    static let auditedEntities = ["evidence", "result", "event", "sheet", "qa_recording", "finding", "cycle"]

    /// The ids (as text) of every row, per table, that belongs to the months before `cutoff`.
    static func scope(before cutoff: String, on db: Database) async throws -> [String: [String]] {
        let sql = try db.sql()
        struct I: Decodable { var id: String }
        func ids(_ q: SQLQueryString) async throws -> [String] { try await sql.raw(q).all(decoding: I.self).map(\.id) }
        let purgedSheets: SQLQueryString = "SELECT s.id FROM sheets s JOIN cycles c ON c.id = s.cycle_id WHERE c.period < \(bind: cutoff)"
        var out: [String: [String]] = [:]
        for t in ["cycles", "evidence", "results", "outcomes", "events", "qa_checklists"] {
            out[t] = try await ids("SELECT CAST(id AS TEXT) AS id FROM \(ident: t) WHERE period < \(bind: cutoff)")
        }
        out["sheets"] = try await ids("SELECT CAST(s.id AS TEXT) AS id FROM sheets s JOIN cycles c ON c.id = s.cycle_id WHERE c.period < \(bind: cutoff)")
        // a sheet's steps, its items' comments and its objection's items (issue 17 §4) go with it
        for t in ["sheet_steps", "sheet_comments", "sheet_objection_items"] {
            out[t] = try await ids("SELECT CAST(id AS TEXT) AS id FROM \(ident: t) WHERE sheet_id IN (" + purgedSheets + ")")
        }
        for t in ["findings", "corrections"] {
            out[t] = try await ids("SELECT CAST(id AS TEXT) AS id FROM \(ident: t) WHERE period < \(bind: cutoff) OR sheet_id IN (" + purgedSheets + ")")
        }

        // import history: batches whose months are all purged, and every change holding a purged value
        struct B: Decodable { var id: String; var periods: String }
        let batches = try await sql.raw("SELECT CAST(id AS TEXT) AS id, periods FROM import_batches").all(decoding: B.self).filter { b in
            let months = b.periods.split(separator: ",").map(String.init)
            return !months.isEmpty && months.allSatisfy { $0 < cutoff }
        }.map(\.id)
        out["import_batches"] = batches
        var changes = Set(try await ids("""
            SELECT CAST(id AS TEXT) AS id FROM import_changes WHERE target_id IN (SELECT id FROM evidence WHERE period < \(bind: cutoff))
            OR target_id IN (SELECT id FROM events WHERE period < \(bind: cutoff))
            """))
        for chunk in batches.chunked(500) {
            changes.formUnion(try await ids("SELECT CAST(id AS TEXT) AS id FROM import_changes WHERE CAST(import_id AS TEXT) IN (\(binds: Array(chunk)))"))
        }
        out["import_changes"] = changes.sorted()

        // messages about purged sheets and findings (their links name them)
        let linked = Set(((out["sheets"] ?? []) + (out["findings"] ?? [])).map { $0.lowercased() })
        struct L: Decodable { var id: String; var link: String? }
        out["inbox"] = try await sql.raw("SELECT CAST(id AS TEXT) AS id, link FROM inbox WHERE link IS NOT NULL").all(decoding: L.self).filter { m in
            guard let link = m.link else { return false }
            return link.split(whereSeparator: { "/?#&=".contains($0) }).contains { linked.contains($0.lowercased()) }
        }.map(\.id)

        // audit entries about the purged records: `工号/month-or-day/…`, or the id of a purged cycle or finding
        let byId = Set(((out["cycles"] ?? []) + (out["findings"] ?? [])).map { $0.lowercased() })
        struct A: Decodable { var id: String; var entity: String; var entity_id: String }
        out["audit_entries"] = try await sql.raw("""
            SELECT CAST(id AS TEXT) AS id, entity, entity_id FROM audit_entries WHERE entity IN (\(binds: Self.auditedEntities))
            """).all(decoding: A.self).filter { a in
            if byId.contains(a.entity_id.lowercased()) { return true }
            return a.entity_id.split(separator: "/").contains { part in
                part.count >= 7 && part.prefix(7).wholeMatch(of: /\d{4}-\d{2}/) != nil && String(part.prefix(7)) < cutoff
            }
        }.map(\.id)
        return out
    }

    /// The rows of `ids` in `table`, each a JSON object of its columns as the database holds them.
    static func rows(_ table: String, ids: [String], on db: Database) async throws -> [String] {
        let sql = try db.sql()
        struct R: Decodable { var row: String }
        let select: SQLQueryString
        if sql.dialect.name == "sqlite" {
            let columns = try await TableStore.columns(table, on: db)
            select = "SELECT json_object(\(unsafeRaw: columns.map { "'\($0)', \"\($0)\"" }.joined(separator: ", "))) AS row FROM \(ident: table)"
        } else {
            select = "SELECT row_to_json(t)::text AS row FROM \(ident: table) t"
        }
        var out: [String] = []
        for chunk in ids.chunked(500) {
            out += try await sql.raw(select + " WHERE CAST(id AS TEXT) IN (\(binds: Array(chunk)))").all(decoding: R.self).map(\.row)
        }
        return out
    }

    /// The `records` member of the archive: table → its rows (JSON objects), restorable as they are.
    static func records(scope: [String: [String]], on db: Database) async throws -> (json: String, counts: [String: Int]) {
        var parts: [String] = []
        var counts: [String: Int] = [:]
        for t in tables {
            let rows = try await rows(t, ids: scope[t] ?? [], on: db)
            counts[t] = rows.count
            parts.append("\"\(t)\": [" + rows.joined(separator: ",\n") + "]")
        }
        return ("{" + parts.joined(separator: ",\n") + "}", counts)
    }

    /// Deletes the rows of `scope` (children first); returns how many per table.
    static func delete(scope: [String: [String]], on db: Database) async throws -> [String: Int] {
        let sql = try db.sql()
        var counts: [String: Int] = [:]
        for t in tables.reversed() {
            let ids = scope[t] ?? []
            for chunk in ids.chunked(500) { try await sql.raw("DELETE FROM \(ident: t) WHERE CAST(id AS TEXT) IN (\(binds: Array(chunk)))").run() }
            counts[t] = ids.count
        }
        return counts
    }

    /// Puts the `records` of an archive back (one transaction; refused whole if a row is already
    /// there, or names a person or scheme this database does not have).
    static func restore(_ db: Database, archive data: Data, file: String) async throws -> [(String, Int)] {
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any], top["format"] as? String == format else {
            throw KaoheTasks.Refused(status: 422, description: "\(file): 不是 Kaohe 的存档 not a Kaohe archive (GET /api/v1/retention/archive)")
        }
        guard top["version"] as? Int == version, let records = top["records"] as? [String: Any] else {
            throw KaoheTasks.Refused(status: 422, description: "\(file): 存档版本 \(top["version"] ?? "?") 不受支持 unsupported archive version")
        }
        let sql = try db.sql()
        guard (top["dialect"] as? String) == sql.dialect.name else {
            throw KaoheTasks.Refused(status: 422, description: "\(file): 存档来自 \(top["dialect"] ?? "?")，不能恢复到 \(sql.dialect.name) an archive restores into the kind of database it came from")
        }
        if let unknown = records.keys.first(where: { !tables.contains($0) }) {
            throw KaoheTasks.Refused(status: 422, description: "\(file): records.\(unknown): 不是存档的表 not a table an archive holds")
        }
        // per table: the rows' ids and the rows as JSON arrays of at most 200
        var parsed: [(table: String, ids: [String], chunks: [String])] = []
        for t in tables {
            guard let value = records[t] else { continue }
            guard let rows = value as? [[String: Any]], rows.allSatisfy({ $0["id"] is String }) else {
                throw KaoheTasks.Refused(status: 422, description: "\(file): records.\(t): 须为带 id 的行 must be rows with an id")
            }
            let chunks = try rows.chunked(200).map { String(decoding: try JSONSerialization.data(withJSONObject: Array($0)), as: UTF8.self) }
            parsed.append((t, rows.compactMap { $0["id"] as? String }, chunks))
        }
        let work = parsed
        return try await db.writeTransaction { db in
            let sql = try db.sql()
            var counts: [(String, Int)] = []
            for (t, ids, chunks) in work {
                struct I: Decodable { var id: String }
                for chunk in ids.chunked(500) {
                    if let there = try await sql.raw("SELECT CAST(id AS TEXT) AS id FROM \(ident: t) WHERE CAST(id AS TEXT) IN (\(binds: Array(chunk)))").first(decoding: I.self) {
                        throw KaoheTasks.Refused(status: 409, description: "\(file): records.\(t) \(there.id): 已在数据库中 already in the database (restored before?); nothing restored")
                    }
                }
                let columns = try await TableStore.columns(t, on: db)
                for json in chunks {
                    do {
                        if sql.dialect.name == "sqlite" {
                            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                            let values = columns.map { "json_extract(value, '$.\"\($0)\"')" }.joined(separator: ", ")
                            try await sql.raw("INSERT INTO \(ident: t) (\(unsafeRaw: list)) SELECT \(unsafeRaw: values) FROM json_each(\(bind: json))").run()
                        } else {
                            try await sql.raw("INSERT INTO \(ident: t) SELECT * FROM json_populate_recordset(NULL::\(ident: t), \(bind: json)::json)").run()
                        }
                    } catch {
                        throw KaoheTasks.Refused(status: 422, description: "\(file): records.\(t): 无法恢复 cannot be restored (a person, scheme or sheet it names is not in this database, or a value does not fit): \(String(describing: error).prefix(300)); nothing restored")
                    }
                }
                counts.append((t, ids.count))
            }
            return counts
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
