import Fluent
import Foundation
import KaoheCore

/// One appraisal round: a scheme version, a period, optionally a department; its deadlines are
/// computed from the schedule when it is opened (R-002-30).
package final class Cycle: Model, @unchecked Sendable {
    package static let schema = "cycles"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "scheme_id") package var scheme: SchemeVersion
    @Field(key: "period") package var period: String
    @OptionalParent(key: "department_id") package var department: Department?
    /// Teams in scope, comma-separated ids; empty: the whole department (a department whose teams
    /// use different schemes runs one cycle per scheme and its teams).
    @Field(key: "teams") package var teams: String
    /// The CycleSchedule as JSON.
    @Field(key: "schedule") package var schedule: String
    @Field(key: "status") package var status: CycleStatus
    @Field(key: "issued_on") package var issuedOn: String
    @Field(key: "self_due") package var selfDue: String
    @Field(key: "rating_due") package var ratingDue: String
    @Field(key: "review_due") package var reviewDue: String
    @Field(key: "publish_due") package var publishDue: String
    /// Set when results are published: publication day + the objection window.
    @OptionalField(key: "objections_close") package var objectionsClose: String?
    /// Employees not issued a sheet, with why (JSON: 工号 → reason).
    @Field(key: "excluded") package var excluded: String
    @OptionalField(key: "created_by") package var createdBy: UUID?
    @Field(key: "created_at") package var createdAt: Date
    /// Why HR cancelled the cycle before publication, and when (M021; issue 16 §4).
    @OptionalField(key: "cancel_reason") package var cancelReason: String?
    @OptionalField(key: "cancelled_at") package var cancelledAt: Date?

    package init() {}
}

/// One employee's sheet in a cycle: who rates and reviews it, where it stands, and its version
/// (every write sends the version it read; a stale one is refused, never silently overwritten).
package final class Sheet: Model, @unchecked Sendable {
    package static let schema = "sheets"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "cycle_id") package var cycle: Cycle
    @Parent(key: "employee_id") package var employee: Employee
    /// The direct superior's account (single-head rating, R-004-03).
    @OptionalField(key: "rater_id") package var raterId: UUID?
    /// The indirect superior's / manager's account.
    @OptionalField(key: "reviewer_id") package var reviewerId: UUID?
    @Field(key: "stage") package var stage: SheetStage
    @Field(key: "version") package var version: Int
    /// The total as the direct superior submitted it, and the result after review/objection:
    /// both stay visible (R-004-03).
    @OptionalField(key: "rater_total") package var raterTotal: String?
    @OptionalField(key: "final_total") package var finalTotal: String?
    @OptionalField(key: "grade") package var grade: String?
    @Field(key: "updated_at") package var updatedAt: Date
    @OptionalField(key: "updated_by") package var updatedBy: UUID?

    package init() {}
}

/// A step in a sheet's history: who did what, when, why, and the total before and after.
package final class SheetStep: Model, @unchecked Sendable {
    package static let schema = "sheet_steps"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "sheet_id") package var sheet: Sheet
    @Field(key: "action") package var action: String
    @OptionalField(key: "actor_id") package var actorId: UUID?
    @Field(key: "actor_name") package var actorName: String
    @Field(key: "from_stage") package var fromStage: String
    @Field(key: "to_stage") package var toStage: String
    @OptionalField(key: "reason") package var reason: String?
    @OptionalField(key: "before") package var before: String?
    @OptionalField(key: "after") package var after: String?
    @Field(key: "at") package var at: Date

    package init() {}
    package init(sheet: UUID, action: String, actor: User?, from: SheetStage, to: SheetStage, reason: String?, before: String?, after: String?) {
        self.$sheet.id = sheet; self.action = action; self.actorId = actor?.id; self.actorName = actor?.displayName ?? "system"
        self.fromStage = from.rawValue; self.toStage = to.rawValue; self.reason = reason; self.before = before; self.after = after; self.at = Date()
    }
}

/// A message in someone's in-app inbox: a sheet to fill, a deadline, a publication, an objection and its outcome.
package final class InboxItem: Model, @unchecked Sendable {
    package static let schema = "inbox"
    @ID(key: .id) package var id: UUID?
    @Field(key: "user_id") package var userId: UUID
    @Field(key: "text") package var text: String
    @OptionalField(key: "link") package var link: String?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "read_at") package var readAt: Date?
    /// What the message asks its reader to do (`Inbox` topics: `sheet/<id>/<stage>`,
    /// `remind/<cycle>/<stage>`, `finding/<id>/<step>`); nil for a message that only informs (M018).
    @OptionalField(key: "topic") package var topic: String?
    /// When what it asked was done (by anyone): the message leaves the unread list (M018).
    @OptionalField(key: "done_at") package var doneAt: Date?

    package init() {}
    package init(user: UUID, text: String, link: String?, topic: String? = nil) {
        self.userId = user; self.text = text; self.link = link; self.topic = topic; self.createdAt = Date()
    }
}

/// Evaluator accountability (R-001-15): a deduction the rater should have made and did not,
/// found after rating. The rater's own result loses double the item's points per instance,
/// unless the rater's justification is accepted by the reviewer.
package final class Finding: Model, @unchecked Sendable {
    package static let schema = "findings"
    @ID(key: .id) package var id: UUID?
    /// The sheet on which the deduction was missed.
    @Parent(key: "sheet_id") package var sheet: Sheet
    @Field(key: "period") package var period: String
    @Field(key: "rater_user_id") package var raterUserId: UUID
    @OptionalField(key: "rater_employee_id") package var raterEmployeeId: UUID?
    @Field(key: "column") package var column: String
    @Field(key: "instances") package var instances: Int
    /// The item's points per instance, from the engine.
    @Field(key: "per_instance") package var perInstance: String
    /// 2 × per instance × instances, deducted from the rater's result when applied.
    @Field(key: "deduction") package var deduction: String
    /// The case: what was missed, with a reference to the event or complaint.
    @Field(key: "note") package var note: String
    @Field(key: "status") package var status: FindingStatus
    @OptionalField(key: "justification") package var justification: String?
    @OptionalField(key: "decision_reason") package var decisionReason: String?
    @OptionalField(key: "created_by") package var createdBy: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "decided_by") package var decidedBy: UUID?
    @OptionalField(key: "decided_at") package var decidedAt: Date?

    package init() {}
}

extension Cycle {
    /// The deadline of a sheet at `stage` in this cycle (R-002-30); nil where the stage has none.
    func due(at stage: SheetStage) -> String? {
        Cycle.due(at: stage, selfAssessment: selfDue, rating: ratingDue, review: reviewDue, publication: publishDue, objections: objectionsClose)
    }

    /// The same, from a cycle's dates read as plain columns.
    static func due(at stage: SheetStage?, selfAssessment: String?, rating: String?, review: String?, publication: String?, objections: String?) -> String? {
        switch stage {
        case .selfAssessment?: return selfAssessment
        case .rating?: return rating
        case .review?: return review
        case .ready?: return publication
        case .published?: return objections
        default: return nil
        }
    }
}

/// A cycle's month: open while sheets are worked on, published when the results count (R-100-01),
/// locked when the month is closed (R-100-02).
/// `cancelled`: withdrawn before publication with a reason, every sheet with it (issue 16 §4).
package enum CycleStatus: String, Codable, Sendable { case open, published, locked, cancelled }

/// An accountability finding (R-001-15): raised, justified by the rater, then applied or waived.
package enum FindingStatus: String, Codable, Sendable { case pending, justified, applied, waived }
