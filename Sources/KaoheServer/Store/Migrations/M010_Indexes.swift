import Fluent
import SQLKit

/// Indexes for the pages of a 2,000-person company (issue 7 §9): results and evidence by period
/// (homes, reports, retention) and by scheme and period (the QA page, the scheme editor's sample,
/// re-scoring). The unique indexes lead with the employee, which these queries do not have.
struct M010_Indexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("results_period", StoredResult.schema, ["period"]),
        ("results_scheme_period", StoredResult.schema, ["scheme_id", "period"]),
        ("evidence_period", EvidenceEntry.schema, ["period"]),
        ("evidence_scheme_period", EvidenceEntry.schema, ["scheme_id", "period"]),
        ("events_scheme_period", EventRecord.schema, ["scheme_id", "period"]),
        ("audit_entity", AuditEntry.schema, ["entity", "entity_id"]),
    ]

    func prepare(on db: Database) async throws {
        let sql = try db.sql()
        for i in Self.indexes {
            var b = sql.create(index: i.name).on(i.table)
            for c in i.columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: Database) async throws {
        let sql = try db.sql()
        for i in Self.indexes { try await sql.drop(index: i.name).run() }
    }
}
