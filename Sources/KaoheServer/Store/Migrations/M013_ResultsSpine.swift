import Fluent
import SQLKit

/// The results spine (issue 14, SPEC §4): a stored result says whether it counts (`status`:
/// draft until its sheet is published, then published or locked — R-100-01); the outcomes of
/// the scheme's policies are stored with their explanations (R-100-03); corrections of
/// published results are kept with who, when, why and the figures before and after (R-100-02).
struct M013_ResultsSpine: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(StoredResult.schema).field("status", .string, .required, .sql(.default("draft"))).update()
        do {
            let sql = try db.sql()
            // results of sheets already published or locked keep counting (R-100-01)
            for (status, stages) in [("locked", ["locked"]), ("published", ["published", "objected", "acknowledged", "resolved"])] {
                try await sql.raw("""
                    UPDATE \(unsafeRaw: StoredResult.schema) SET status = \(bind: status) WHERE status = 'draft' AND EXISTS (
                      SELECT 1 FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id
                      WHERE s.employee_id = \(unsafeRaw: StoredResult.schema).employee_id AND c.scheme_id = \(unsafeRaw: StoredResult.schema).scheme_id
                        AND c.period = \(unsafeRaw: StoredResult.schema).period AND s.stage IN (\(unsafeRaw: stages.map { "'\($0)'" }.joined(separator: ", "))))
                    """).run()
            }
        }
        try await db.schema(StoredOutcome.schema)
            .id()
            .field("scheme_key", .string, .required)
            .field("period", .string, .required)
            .field("employee_id", .uuid, .references(Employee.schema, "id", onDelete: .cascade))
            .field("team", .string)
            .field("kind", .string, .required)
            .field("value_type", .string, .required)
            .field("value", .string, .required)
            .field("amount", .string)
            .field("rules", .string, .required)
            .field("explanation", .string, .required)
            .field("status", .string, .required)
            .field("computed_at", .datetime, .required)
            .create()
        try await db.schema(Correction.schema)
            .id()
            .field("sheet_id", .uuid, .required, .references(Sheet.schema, "id", onDelete: .cascade))
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id", onDelete: .cascade))
            .field("period", .string, .required)
            .field("settled_in", .string, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("reason", .string, .required)
            .field("changes", .string, .required)
            .field("before_total", .string)
            .field("after_total", .string)
            .field("before_pay", .string)
            .field("after_pay", .string)
            .field("before_money", .string)
            .field("after_money", .string)
            .field("at", .datetime, .required)
            .create()
        do {
            let sql = try db.sql()
            try await sql.create(index: "outcomes_key_period").on(StoredOutcome.schema).column("scheme_key").column("period").run()
            try await sql.create(index: "outcomes_employee").on(StoredOutcome.schema).column("employee_id").run()
            try await sql.create(index: "corrections_settled").on(Correction.schema).column("settled_in").run()
            // one sheet per person, scheme version and period is enforced by the cycle service; one
            // result per person, scheme version and period by the store (R-100-01)
            try await M011_DataVersion.track([StoredOutcome.schema, Correction.schema], on: sql)
            try await sql.create(index: "results_status").on(StoredResult.schema).column("status").column("period").run()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema(Correction.schema).delete()
        try await db.schema(StoredOutcome.schema).delete()
        try await db.schema(StoredResult.schema).deleteField("status").update()
    }
}
