import Fluent
import Foundation
import KaoheCore
import Vapor

/// Who may record which evidence (issue 4 §5), for the evidence API, events, imports and QA alike.
enum EvidenceAccess {
    /// Who may record what: the line above the person (lead, manager) and HR; QA inspectors
    /// record QA grades only, never their own.
    static func authorize(column: String, _ viewer: Viewer, _ employee: Employee, _ engine: ScoringEngine, qa known: [String]? = nil) throws {
        if Access.canRecordEvidence(viewer, employee.subject) { return }
        let qa = known ?? qaColumns(engine.scheme)
        let allowed = Access.canRecordQA(viewer) && qa.contains(where: { column == $0 || column.hasPrefix($0 + ".") }) && employee.id != viewer.employeeId
        guard allowed else { throw KaoheError.forbidden("无权录入", en: "not allowed to record this") }
    }

    /// Columns of QA-graded items (R-002-14): `qa_score`, `service_pay.you` …
    static func qaColumns(_ s: Scheme) -> [String] {
        (s.sections.flatMap(\.items) + s.money).compactMap { item in
            if case .graded = item.rule { return item.id }
            return nil
        }
    }
}
