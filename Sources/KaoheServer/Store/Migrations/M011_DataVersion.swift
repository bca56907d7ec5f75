import Fluent
import SQLKit

/// A counter the database raises on every change to what the department-wide pages show (issue 7
/// §9): people, teams, departments, accounts, scheme versions, results, cycles, sheets and their
/// steps, inboxes and rater findings. The page cache (`PageCache`) keeps a rendered report or home
/// under the counter's value it read first, so any change — through Fluent, raw SQL, an import, a
/// retention purge or another server process on the same database — makes the next request build
/// the page afresh. Evidence and events are not tracked: a change to them reaches the pages only
/// by re-scoring, which writes results.
struct M011_DataVersion: AsyncMigration {
    static let table = "data_version"
    static let tracked = [
        Department.schema, Team.schema, Employee.schema, User.schema, SchemeVersion.schema, StoredResult.schema,
        Cycle.schema, Sheet.schema, SheetStep.schema, InboxItem.schema, Finding.schema,
    ]

    func prepare(on db: Database) async throws {
        let sql = try db.sql()
        try await sql.raw("CREATE TABLE \(unsafeRaw: Self.table) (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").run()
        try await sql.raw("INSERT INTO \(unsafeRaw: Self.table) (id, n) VALUES (1, 0)").run()
        try await Self.track(Self.tracked, on: sql)
    }

    /// Row triggers raising the counter on every change to `tables` (later migrations add theirs).
    static func track(_ tables: [String], on sql: SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            // SQLite has row triggers only; one writer at a time, so the single row never contends
            for t in tables {
                for op in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: "dv_\(t)_\(op.lowercased())") AFTER \(unsafeRaw: op) ON \(unsafeRaw: t)
                        BEGIN UPDATE \(unsafeRaw: Self.table) SET n = n + 1 WHERE id = 1; END
                        """).run()
                }
            }
        } else {
            // PostgreSQL: per row, as on SQLite (a statement trigger would fire for an UPDATE that
            // touched nothing, such as marking an empty inbox read, and empty the cache for it); the
            // row lock is held to commit, so concurrent writers of tracked tables queue
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION kaohe_data_version_bump() RETURNS trigger AS $$
                BEGIN UPDATE \(unsafeRaw: Self.table) SET n = n + 1 WHERE id = 1; RETURN NULL; END $$ LANGUAGE plpgsql
                """).run()
            for t in tables {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: "dv_\(t)") AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: t)
                    FOR EACH ROW EXECUTE FUNCTION kaohe_data_version_bump()
                    """).run()
            }
        }
    }

    func revert(on db: Database) async throws {
        let sql = try db.sql()
        if sql.dialect.name == "sqlite" {
            for t in Self.tracked { for op in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: "dv_\(t)_\(op)")").run() } }
        } else {
            for t in Self.tracked { try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: "dv_\(t)") ON \(unsafeRaw: t)").run() }
            try await sql.raw("DROP FUNCTION IF EXISTS kaohe_data_version_bump()").run()
        }
        try await sql.raw("DROP TABLE \(unsafeRaw: Self.table)").run()
    }
}
