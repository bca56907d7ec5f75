import Fluent
import Foundation
import SQLKit

/// The data-version counter (M011) that every change to what the department-wide pages show
/// raises: read by the page cache and by the readiness check.
enum DataVersionStore {
    /// The data version, or nil when the counter has no row.
    static func version(on db: Database) async throws -> Int64? {
        let sql = try db.sql()
        struct Row: Decodable { var n: Int64 }
        return try await sql.raw("SELECT n FROM \(unsafeRaw: M011_DataVersion.table) WHERE id = 1").first(decoding: Row.self)?.n
    }

    /// Reads the counter's table (its row count, discarded): throws when the database is unreachable or not migrated.
    static func ping(on db: Database) async throws {
        let sql = try db.sql()
        _ = try await sql.raw("SELECT count(*) AS n FROM data_version").all()
    }
}
