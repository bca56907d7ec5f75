import Fluent
import Foundation
import SQLKit

/// Many rows in few statements, for the stores that write thousands of rows at once (evidence,
/// results, outcomes).
package enum StoreSQL {
    /// Creates models in batches (one INSERT per batch; SQLite limits the parameters of one statement).
    package static func createAll<M: Model>(_ models: [M], on db: Database, batch: Int = 500) async throws {
        var start = 0
        while start < models.count {
            let end = min(start + batch, models.count)
            try await Array(models[start..<end]).create(on: db)
            start = end
        }
    }

    /// Inserts rows with SQLKit, `batch` rows per statement (tens of thousands of Fluent model
    /// saves took seconds; SQLite limits the parameters of one statement).
    static func bulkInsert(into table: String, columns: [String], rows: [[any Encodable & Sendable]], on db: Database, batch: Int = 400) async throws {
        let sql = try db.sql()
        var start = 0
        while start < rows.count {
            let end = min(start + batch, rows.count)
            var q = sql.insert(into: table).columns(columns)
            for r in rows[start..<end] { q = q.values(r.map { SQLBind($0) }) }
            try await q.run()
            start = end
        }
    }
}
