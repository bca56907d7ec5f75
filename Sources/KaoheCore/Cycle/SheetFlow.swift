import Foundation

/// The stages one sheet passes through in a cycle (issue 6, R-002-30, R-004-03): the employee's
/// self-assessment (where the scheme has a self weight), the direct superior's rating, the
/// reviewer's (indirect superior / general manager) review — who may adjust only with a written
/// reason, both values kept — HR's publication, the employee's acknowledgement or objection, the
/// reviewer's decision on it, and the lock. After the lock a result changes only by a recorded
/// correction.
public enum SheetStage: String, Codable, Sendable, CaseIterable {
    case selfAssessment = "self"
    case rating
    case review
    case ready          // reviewed, waiting for HR to publish
    case published
    case objected
    case acknowledged
    /// the reviewer decided the objection (upheld or changed); the employee sees the outcome
    case resolved
    case locked
    /// HR withdrew the sheet (or cancelled its cycle) before publication, with a reason (issue 16
    /// §4): it leaves every list, is never published and its result never counts (R-100-01).
    case withdrawn

    /// Published or later: the sheet's result counts (R-100-01) and changes only through a
    /// correction with a reason (R-100-02).
    public var isClosed: Bool { [.published, .objected, .acknowledged, .resolved, .locked].contains(self) }

    /// Who may correct a closed sheet: the reviewer or HR until the lock, HR alone after it (R-100-02).
    public func mayCorrect(_ actor: SheetActor) -> Bool {
        switch self {
        case .locked: return actor == .hr
        case .published, .acknowledged, .resolved: return actor == .hr || actor == .reviewer
        default: return false
        }
    }

    public var label: String {
        switch self {
        case .selfAssessment: return "自评"
        case .rating: return "上级评分"
        case .review: return "复核"
        case .ready: return "待发布"
        case .published: return "已发布"
        case .objected: return "申诉中"
        case .acknowledged: return "已确认"
        case .resolved: return "申诉已处理"
        case .locked: return "已锁定"
        case .withdrawn: return "已撤回"
        }
    }
}

/// Who acts on a sheet.
public enum SheetActor: String, Codable, Sendable {
    case employee, rater, reviewer, hr
}

public enum SheetAction: String, Codable, Sendable, CaseIterable {
    case submitSelf = "submit_self"
    /// the superior (or HR) moves on when the self-assessment is overdue (reason required); the
    /// self marks stay missing and their items say so
    case skipSelf = "skip_self"
    case submitRating = "submit_rating"
    /// the reviewer passes the rating as it is
    case approve
    /// the reviewer changes the result (reason required; the rater's value stays visible)
    case adjust
    /// the reviewer sends it back to the rater (reason required)
    case returnToRater = "return"
    case publish
    case acknowledge
    /// the employee objects within the window (reason required)
    case object
    /// the reviewer upholds the result (reason required)
    case uphold
    /// the reviewer changes the result on the objection (reason required)
    case change
    case lock
    /// HR changes a locked result (reason required), audited as a correction
    case correct
}

public struct FlowError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public enum SheetFlow {
    /// The first stage of a new sheet.
    public static func start(hasSelfAssessment: Bool) -> SheetStage { hasSelfAssessment ? .selfAssessment : .rating }

    /// Actions that need a written reason (R-004-03: no adjustment without who, when, what, why).
    public static let needsReason: Set<SheetAction> = [.adjust, .returnToRater, .object, .uphold, .change, .correct, .skipSelf]

    /// Actions that carry marks with them: the sheet's form values are sent along.
    public static let carriesMarks: Set<SheetAction> = [.submitSelf, .submitRating, .adjust, .change, .correct]

    /// Steps taken for a whole cycle at once (HR publishes and locks a month), never from one sheet.
    public static let cycleWide: Set<SheetAction> = [.publish, .lock]

    /// What someone holding `actors` on a sheet may do with it at `stage`: exactly the actions
    /// `next` allows one of them (a reason taken as given), in the order of `SheetAction`.
    public static func available(_ stage: SheetStage, to actors: Set<SheetActor>, objectionOpen: Bool = true,
                                 selfOverdue: Bool = false) -> [SheetAction] {
        SheetAction.allCases.filter { action in
            !cycleWide.contains(action) && actors.contains { actor in
                (try? next(stage, action, by: actor, reason: "—", objectionOpen: objectionOpen, selfOverdue: selfOverdue)) != nil
            }
        }
    }

    /// The stage after `action` by `actor`, or why it is not allowed. `objectionOpen` tells
    /// whether the objection window is still open (an objection after it is refused; the lock
    /// before it is refused unless every sheet was acknowledged).
    public static func next(_ stage: SheetStage, _ action: SheetAction, by actor: SheetActor, reason: String? = nil,
                            objectionOpen: Bool = true, selfOverdue: Bool = false) throws(FlowError) -> SheetStage {
        if needsReason.contains(action), (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw FlowError(message: "须写明原因 a written reason is required (R-004-03)")
        }
        func need(_ who: SheetActor...) throws(FlowError) {
            guard who.contains(actor) else {
                throw FlowError(message: "“\(action.rawValue)” 只能由 \(who.map(\.rawValue).joined(separator: "/")) 进行 — not yours to do at this stage")
            }
        }
        func wrong() -> FlowError {
            FlowError(message: "表单处于“\(stage.label)”阶段，不能 \(action.rawValue) — the sheet is at stage \(stage.rawValue)")
        }
        switch (stage, action) {
        case (.selfAssessment, .submitSelf): try need(.employee); return .rating
        case (.selfAssessment, .skipSelf):
            try need(.rater, .hr)
            guard selfOverdue else { throw FlowError(message: "自评尚未逾期，不能跳过 the self-assessment is not overdue yet") }
            return .rating
        case (.rating, .submitRating): try need(.rater); return .review
        case (.review, .approve), (.review, .adjust): try need(.reviewer); return .ready
        case (.review, .returnToRater): try need(.reviewer); return .rating
        // the calibration session (R-004-04): results are balanced before publication, with reasons
        case (.ready, .adjust): try need(.reviewer, .hr); return .ready
        case (.ready, .publish): try need(.hr); return .published
        case (.published, .acknowledge): try need(.employee); return .acknowledged
        case (.published, .object):
            try need(.employee)
            guard objectionOpen else { throw FlowError(message: "申诉期已过 the objection window has closed") }
            return .objected
        case (.objected, .uphold), (.objected, .change): try need(.reviewer); return .resolved
        case (.published, .lock), (.acknowledged, .lock), (.resolved, .lock):
            try need(.hr)
            if stage == .published && objectionOpen { throw FlowError(message: "申诉期未结束 the objection window is still open") }
            return .locked
        case (.objected, .lock): throw FlowError(message: "申诉未处理，不能锁定 an objection is still open")
        // R-100-02: a published result changes only by a correction with a reason (the reviewer or
        // HR until the lock, HR alone after it); the stage stays where it was
        case (.locked, .correct): try need(.hr); return .locked
        case (.published, .correct), (.acknowledged, .correct), (.resolved, .correct): try need(.reviewer, .hr); return stage
        default: throw wrong()
        }
    }
}
