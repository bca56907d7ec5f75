import Fluent
import Foundation

/// The QA checklist of one graded recording (issue 17 §5, R-002-14): the criteria the inspector
/// ticked (scoring criteria not met, auto-fail criteria found), the grade and score they gave,
/// the reference to the recording or chat transcript, the inspector's comment; who and when.
/// The recording itself is its events (one per graded item, `event_ids`); removing the
/// recording removes its checklist.
package final class QAChecklistRecord: Model, @unchecked Sendable {
    package static let schema = "qa_checklists"
    // managed fields
    @ID(key: .id) package var id: UUID?
    // data fields
    @Field(key: "period") package var period: String
    /// The graded item the checklist belongs to (`qa_score`).
    @Field(key: "item") package var item: String
    /// YYYY-MM-DD: the recording's day.
    @Field(key: "occurred_on") package var occurredOn: String
    /// The grade's id (`zhong`).
    @Field(key: "grade") package var grade: String
    /// The checklist's score (start less the criteria not met), as `Fixed` text.
    @Field(key: "score") package var score: String
    /// The ticked criteria's ids, in the checklist's order, comma-separated (empty: all met).
    @Field(key: "faults") package var faults: String
    /// A link (http/https) to the recording or chat transcript, or a call id.
    @OptionalField(key: "reference") package var reference: String?
    @OptionalField(key: "comment") package var comment: String?
    /// The recording's events, comma-separated ids.
    @Field(key: "event_ids") package var eventIds: String
    @Field(key: "recorded_at") package var recordedAt: Date
    @OptionalField(key: "recorded_by") package var recordedBy: UUID?
    // relationships
    @Parent(key: "employee_id") package var employee: Employee
    @Parent(key: "scheme_id") package var scheme: SchemeVersion

    package init() {}
    package init(employeeId: UUID, schemeId: UUID, period: String, item: String, occurredOn: String, grade: String, score: String,
                 faults: [String], reference: String?, comment: String?, eventIds: [UUID], recordedBy: UUID?) {
        self.$employee.id = employeeId; self.$scheme.id = schemeId; self.period = period; self.item = item
        self.occurredOn = occurredOn; self.grade = grade; self.score = score; self.faults = faults.joined(separator: ",")
        self.reference = reference; self.comment = comment; self.eventIds = eventIds.map(\.uuidString).joined(separator: ",")
        self.recordedBy = recordedBy; self.recordedAt = Date()
    }

    /// The ticked criteria's ids.
    package var faultIds: [String] { faults.split(separator: ",").map(String.init) }
    /// The recording's events' ids.
    package var events: [UUID] { eventIds.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
}
