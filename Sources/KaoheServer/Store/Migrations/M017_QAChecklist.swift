import Fluent
import SQLKit

/// The QA checklist of a graded recording (issue 17 §5): which criteria were not met or found
/// (auto-fail), the grade and score they gave, the reference to the recording or chat transcript,
/// the inspector's comment, who recorded it and when; with the ids of the recording's events.
struct M017_QAChecklist: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(QAChecklistRecord.schema)
            .id()
            .field("period", .string, .required)
            .field("item", .string, .required)
            .field("occurred_on", .string, .required)
            .field("grade", .string, .required)
            .field("score", .string, .required)
            .field("faults", .string, .required)
            .field("reference", .string)
            .field("comment", .string)
            .field("event_ids", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .uuid)
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id"))
            .field("scheme_id", .uuid, .required, .references(SchemeVersion.schema, "id"))
            .create()
        let sql = try db.sql()
        try await sql.create(index: "qa_checklists_employee_period").on(QAChecklistRecord.schema).column("employee_id").column("period").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(QAChecklistRecord.schema).delete()
    }
}
