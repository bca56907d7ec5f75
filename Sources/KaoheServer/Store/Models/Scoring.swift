import Fluent
import Foundation

/// One version of a scheme (the YAML text); editing a scheme adds a version, sheets keep theirs.
package final class SchemeVersion: Model, @unchecked Sendable {
    package static let schema = "scheme_versions"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    // data fields
    /// The scheme's own id (`ecommerce-monthly`).
    @Field(key: "key") package var key: String
    @Field(key: "version") package var version: Int
    @Field(key: "name") package var name: String
    @Field(key: "text") package var text: String
    @OptionalField(key: "preset") package var preset: String?
    @OptionalField(key: "created_by") package var createdBy: UUID?
    // relationships
    @OptionalParent(key: "department_id") package var department: Department?

    package init() {}
    package init(id: UUID? = nil, key: String, version: Int, name: String, text: String, preset: String?, departmentId: UUID?, createdBy: UUID?) {
        self.id = id; self.key = key; self.version = version; self.name = name; self.text = text
        self.preset = preset; self.$department.id = departmentId; self.createdBy = createdBy
    }
}

/// One piece of evidence on an employee-period: a metric value, an event count, a rater's mark
/// (the scheme's CSV column names: `orders`, `daily.late`, `attitude.manager`).
package final class EvidenceEntry: Model, @unchecked Sendable {
    package static let schema = "evidence"
    // managed fields
    @ID(key: .id) package var id: UUID?
    // data fields
    @Field(key: "period") package var period: String
    @Field(key: "column") package var column: String
    @Field(key: "value") package var value: String
    @Field(key: "recorded_at") package var recordedAt: Date
    @OptionalField(key: "recorded_by") package var recordedBy: UUID?
    @OptionalField(key: "note") package var note: String?
    // relationships
    @Parent(key: "employee_id") package var employee: Employee
    @Parent(key: "scheme_id") package var scheme: SchemeVersion

    package init() {}
    package init(employeeId: UUID, schemeId: UUID, period: String, column: String, value: String, recordedBy: UUID?, at: Date = Date(), note: String? = nil) {
        self.$employee.id = employeeId; self.$scheme.id = schemeId; self.period = period; self.column = column
        self.value = value; self.recordedBy = recordedBy; self.recordedAt = at; self.note = note
    }
}

/// A computed sheet, stored with the scheme version it was scored with.
package final class StoredResult: Model, @unchecked Sendable {
    package static let schema = "results"
    // managed fields
    @ID(key: .id) package var id: UUID?
    // data fields
    @Field(key: "period") package var period: String
    @Field(key: "total") package var total: String
    @OptionalField(key: "grade") package var grade: String?
    /// The sheet as `kaohe score` JSON (items, money, pay, flags, explanations).
    @Field(key: "json") package var json: String
    @Field(key: "computed_at") package var computedAt: Date
    /// draft | published | locked — only published and locked results count (R-100-01).
    @Field(key: "status") package var status: ResultStatus
    // relationships
    @Parent(key: "employee_id") package var employee: Employee
    @Parent(key: "scheme_id") package var scheme: SchemeVersion

    package init() {}
    package init(employeeId: UUID, schemeId: UUID, period: String, total: String, grade: String?, json: String, at: Date = Date(),
         status: ResultStatus = .draft) {
        self.$employee.id = employeeId; self.$scheme.id = schemeId; self.period = period
        self.total = total; self.grade = grade; self.json = json; self.computedAt = at; self.status = status
    }
}

/// One event on an employee's record — an offence, a complaint, a praise, a late arrival, a
/// graded recording — with the day it happened and who recorded it. The sheet's count for the
/// column is the number of events in the period (placed by the scheme's month boundaries).
package final class EventRecord: Model, @unchecked Sendable {
    package static let schema = "events"
    // managed fields
    @ID(key: .id) package var id: UUID?
    // data fields
    @Field(key: "period") package var period: String
    @Field(key: "column") package var column: String
    /// YYYY-MM-DD
    @Field(key: "occurred_on") package var occurredOn: String
    @OptionalField(key: "note") package var note: String?
    @Field(key: "recorded_at") package var recordedAt: Date
    @OptionalField(key: "recorded_by") package var recordedBy: UUID?
    // relationships
    @Parent(key: "employee_id") package var employee: Employee
    @Parent(key: "scheme_id") package var scheme: SchemeVersion

    package init() {}
    package init(employeeId: UUID, schemeId: UUID, period: String, column: String, occurredOn: String, note: String?, recordedBy: UUID?) {
        self.$employee.id = employeeId; self.$scheme.id = schemeId; self.period = period; self.column = column
        self.occurredOn = occurredOn; self.note = note; self.recordedBy = recordedBy; self.recordedAt = Date()
    }
}

/// One import: who, when, which file (name, sheet and SHA-256), what it changed, and whether
/// it has since been reverted as a whole.
package final class ImportRecord: Model, @unchecked Sendable {
    package static let schema = "import_batches"
    @ID(key: .id) package var id: UUID?
    /// evidence | log | events | roster
    @Field(key: "kind") package var kind: String
    @Field(key: "file_name") package var fileName: String
    @OptionalField(key: "sheet") package var sheet: String?
    /// The platform or form the file came from (its saved column mapping).
    @OptionalField(key: "source") package var source: String?
    @Field(key: "checksum") package var checksum: String
    @Field(key: "rows") package var rows: Int
    @Field(key: "created") package var created: Int
    @Field(key: "updated") package var updated: Int
    @Field(key: "unchanged") package var unchanged: Int
    @Field(key: "at") package var at: Date
    @OptionalField(key: "recorded_by") package var recordedBy: UUID?
    @OptionalParent(key: "scheme_id") package var scheme: SchemeVersion?
    @Field(key: "status") package var status: ImportStatus
    @OptionalField(key: "reverted_at") package var revertedAt: Date?
    @OptionalField(key: "reverted_by") package var revertedBy: UUID?
    /// Periods touched, comma-separated.
    @Field(key: "periods") package var periods: String

    package init() {}
    package init(kind: String, fileName: String, sheet: String? = nil, source: String? = nil, checksum: String, rows: Int, created: Int, updated: Int,
         unchanged: Int, recordedBy: UUID?, schemeId: UUID?, periods: [String] = []) {
        self.kind = kind; self.fileName = fileName; self.sheet = sheet; self.source = source; self.checksum = checksum; self.rows = rows
        self.created = created; self.updated = updated; self.unchanged = unchanged
        self.at = Date(); self.recordedBy = recordedBy; self.$scheme.id = schemeId; self.status = .committed
        self.periods = periods.joined(separator: ",")
    }
}

/// One change an import made — a value created or replaced, an event or employee added — so
/// that the import can be reverted as a whole.
package final class ImportChange: Model, @unchecked Sendable {
    package static let schema = "import_changes"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "import_id") package var batch: ImportRecord
    @Field(key: "seq") package var seq: Int
    /// evidence | event | employee
    @Field(key: "entity") package var entity: String
    @Field(key: "target_id") package var targetId: UUID
    /// employee field for roster updates
    @OptionalField(key: "field") package var field: String?
    /// nil: created by the import
    @OptionalField(key: "before") package var before: String?
    @OptionalField(key: "after") package var after: String?

    package init() {}
    package init(batch: UUID, seq: Int, entity: String, target: UUID, field: String? = nil, before: String?, after: String?) {
        self.$batch.id = batch; self.seq = seq; self.entity = entity; self.targetId = target; self.field = field
        self.before = before; self.after = after
    }
}

/// The column mapping saved for a source (a platform's export, HR's roster form): file header →
/// field, `-` for a column to skip.
package final class ImportMapping: Model, @unchecked Sendable {
    package static let schema = "import_mappings"
    @ID(key: .id) package var id: UUID?
    @Field(key: "source") package var source: String
    @Field(key: "kind") package var kind: String
    /// JSON object header → field
    @Field(key: "mapping") package var mapping: String
    @Field(key: "updated_at") package var updatedAt: Date
    @OptionalField(key: "updated_by") package var updatedBy: UUID?

    package init() {}
    package init(source: String, kind: String, mapping: String, by: UUID?) {
        self.source = source; self.kind = kind; self.mapping = mapping; self.updatedAt = Date(); self.updatedBy = by
    }
}

/// An upload between preview and commit (web imports); removed on commit and after a day.
package final class ImportUpload: Model, @unchecked Sendable {
    package static let schema = "import_uploads"
    @ID(key: .id) package var id: UUID?
    @Field(key: "user_id") package var userId: UUID
    @Field(key: "kind") package var kind: String
    @OptionalField(key: "scheme") package var scheme: String?
    @OptionalField(key: "source") package var source: String?
    @OptionalField(key: "period") package var period: String?
    @OptionalField(key: "sheet") package var sheet: String?
    @Field(key: "file_name") package var fileName: String
    @Field(key: "data") package var data: Data
    @Field(key: "created_at") package var createdAt: Date
    /// The column choices made on the page: JSON object header → field (`-` to skip), nil for none.
    @OptionalField(key: "mapping") package var mapping: String?

    package init() {}
}

/// An import batch: committed (its values are in), or reverted (taken back whole, issue 14).
package enum ImportStatus: String, Codable, Sendable { case committed, reverted }
