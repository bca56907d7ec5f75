import Fluent
import Foundation
import SQLKit
import Vapor

/// The database as a whole, table by table: what a backup, a restore and a retention archive
/// read without knowing the models — the tables, their columns, their rows — on SQLite and
/// PostgreSQL alike.
enum TableStore {
    /// The SQL dialect's name: `sqlite` or `postgresql`.
    static func dialect(on db: Database) throws -> String {
        try db.sql().dialect.name
    }

    /// The application's tables (not SQLite's own), sorted.
    static func tables(on db: Database) async throws -> [String] {
        let sql = try db.sql()
        struct T: Decodable { var name: String }
        if sql.dialect.name == "sqlite" {
            return try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all(decoding: T.self).map(\.name)
        }
        return try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name").all(decoding: T.self).map(\.name)
    }

    /// A table's columns in their order.
    static func columns(_ table: String, on db: Database) async throws -> [String] {
        let sql = try db.sql()
        struct C: Decodable { var name: String }
        if sql.dialect.name == "sqlite" {
            return try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table)) ORDER BY cid").all(decoding: C.self).map(\.name)
        }
        return try await sql.raw("""
            SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = \(bind: table) ORDER BY ordinal_position
            """).all(decoding: C.self).map(\.name)
    }

    /// Each table and its number of rows, sorted by table.
    static func counts(on db: Database) async throws -> [(String, Int)] {
        let sql = try db.sql()
        struct N: Decodable { var n: Int }
        var out: [(String, Int)] = []
        for t in try await tables(on: db) {
            out.append((t, try await sql.raw("SELECT count(*) AS n FROM \(ident: t)").first(decoding: N.self)?.n ?? 0))
        }
        return out
    }

    /// Every row of every table as text, sorted: two databases with equal snapshots hold the same data.
    static func snapshot(on db: Database) async throws -> [String: [String]] {
        let sql = try db.sql()
        struct R: Decodable { var row: String? }
        var out: [String: [String]] = [:]
        for t in try await tables(on: db) {
            let parts = try await columns(t, on: db).map { c in sql.dialect.name == "sqlite" ? "quote(\"\(c)\")" : "coalesce(quote_literal(\"\(c)\"::text), 'NULL')" }
            let rows = try await sql.raw("SELECT \(unsafeRaw: parts.joined(separator: " || '|' || ")) AS row FROM \(ident: t)").all(decoding: R.self)
            out[t] = rows.map { $0.row ?? "" }.sorted()
        }
        return out
    }

    /// SQLite only: a consistent copy of the open database written to `path` (`VACUUM INTO`).
    static func copySQLite(to path: String, on db: Database) async throws {
        try await db.sql().raw("VACUUM INTO \(bind: path)").run()
    }

    /// SQLite only: the lines of `PRAGMA integrity_check` (`["ok"]` for a sound file).
    static func integrityCheck(on db: Database) async throws -> [String] {
        struct Check: Decodable { var integrity_check: String }
        return try await db.sql().raw("PRAGMA integrity_check").all(decoding: Check.self).map(\.integrity_check)
    }
}
