import Fluent
import Foundation
import KaoheCore
import Vapor

/// The QA checklist of a recording (issue 17 §5): what the inspector's form may carry, the record
/// as the QA page and the agent's sheet show it. The grade itself comes from Core
/// (`GradedRule.checklistGrade`, R-002-14); nothing here restates a rule.
enum QAChecklistService {
    /// The longest reference (a link to the recording or chat transcript, or a call id).
    static let referenceLimit = 500
    /// The longest comment.
    static let commentLimit = 2000

    /// A refused field of the checklist form: the message names it.
    struct FieldError: Error { var field: String; var message: String }

    /// The typed values of the form (kept when a submission is refused).
    struct Values {
        var faults: [String] = []
        var day: String? = nil
        var reference = ""
        var comment = ""
        var beyond = false
    }

    /// Characters no text of the form may hold: controls other than tab, line feed and carriage
    /// return (PostgreSQL refuses NUL; the others hide text).
    static func hasControl(_ s: String, allowLines: Bool) -> Bool {
        s.unicodeScalars.contains { c in
            (c.value < 32 && !(allowLines && [9, 10, 13].contains(c.value))) || c.value == 127 || (0x80...0x9F).contains(c.value)
        }
    }

    /// The reference as stored: nil when empty; a link only with http:// or https:// and a host;
    /// anything else written like a URL (`javascript:`, `data:`, `//host`) is refused, as are
    /// controls and more than `referenceLimit` characters.
    static func reference(_ raw: String?) throws -> String? {
        guard let r = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !r.isEmpty else { return nil }
        let field = "reference（录音或聊天记录）"
        if r.count > referenceLimit {
            throw FieldError(field: "reference", message: "\(field)太长：上限 \(referenceLimit) 字符，实际 \(r.count)")
        }
        if hasControl(r, allowLines: false) {
            throw FieldError(field: "reference", message: "\(field)：不能含换行或控制字符")
        }
        let schemeLike = r.hasPrefix("//") || r.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) != nil
        if schemeLike {
            guard link(r) != nil else {
                throw FieldError(field: "reference", message: "\(field)：链接只接受 http:// 或 https:// 开头、带网址主机的地址（不接受 javascript: 等）；通话编号请不要带冒号")
            }
        }
        return r
    }

    /// The reference as a link: only http:// or https:// with a host and no spaces; else nil
    /// (then it is shown as text, a call id).
    static func link(_ r: String) -> String? {
        let lower = r.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = r.dropFirst(8) } else if lower.hasPrefix("http://") { rest = r.dropFirst(7) } else { return nil }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !host.hasPrefix("@"), !r.contains(where: { $0.isWhitespace }), !hasControl(r, allowLines: false) else { return nil }
        return r
    }

    /// The comment as stored: nil when empty; refused over `commentLimit` characters or with controls.
    static func comment(_ raw: String?) throws -> String? {
        guard let c = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !c.isEmpty else { return nil }
        if c.count > commentLimit {
            throw FieldError(field: "comment", message: "comment（评语）太长：上限 \(commentLimit) 字符，实际 \(c.count)")
        }
        if hasControl(c, allowLines: true) {
            throw FieldError(field: "comment", message: "comment（评语）：不能含控制字符")
        }
        return c
    }

    /// The criteria the form ticked, as sent (empty values dropped).
    static func faults(_ raw: [String]?) -> [String] {
        (raw ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A recording's checklist as pages and the API show it.
    struct DTO: Content {
        /// A ticked criterion: a scoring criterion not met (its points), or an auto-fail one found.
        struct Criterion: Content { var id: String; var label: String; var points: String?; var autoFail: Bool; var rules: [String] }
        var day: String
        /// The grade's label (中).
        var grade: String
        /// The checklist's score (start less the criteria not met).
        var score: String
        var start: String
        /// An auto-fail criterion decided the grade.
        var autoFail: Bool
        var faults: [Criterion]
        /// How many criteria were met.
        var met: Int
        var reference: String?
        /// The reference when it is a link (http/https).
        var link: String?
        var comment: String?
        /// Who recorded it (display name) and when.
        var by: String
        var at: Date
    }

    /// The DTO of a stored checklist, read against its item's rule (labels and points from the scheme version).
    static func dto(_ c: QAChecklistRecord, rule: GradedRule?, names: [UUID: String]) -> DTO {
        let list = rule?.checklist ?? []
        let faults = c.faultIds.map { id -> DTO.Criterion in
            let k = list.first { $0.id == id }
            return DTO.Criterion(id: id, label: k?.label ?? id, points: k?.points?.format(), autoFail: k?.autoFail ?? false, rules: k?.rules ?? [])
        }
        let grade = rule?.grades.first { $0.id == c.grade }?.label ?? c.grade
        return DTO(day: c.occurredOn, grade: grade, score: Fixed(c.score)?.format() ?? c.score,
                   start: rule?.checklistStart?.format() ?? "", autoFail: faults.contains { $0.autoFail }, faults: faults,
                   met: max(0, list.count - faults.count), reference: c.reference, link: c.reference.flatMap(link), comment: c.comment,
                   by: c.recordedBy.flatMap { names[$0] } ?? "", at: c.recordedAt)
    }

    /// The rule of a scheme's graded item, if it is one.
    static func rule(_ s: Scheme, item: String) -> GradedRule? {
        for i in s.sections.flatMap(\.items) + s.adjustments + s.money where i.id == item {
            if case .graded(let g) = i.rule { return g }
        }
        return nil
    }

    /// The display names of these accounts.
    static func names(_ ids: Set<UUID>, on db: Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await AccountStore.users(ids, on: db).compactMap { u in u.id.map { ($0, u.displayName) } }, uniquingKeysWith: { a, _ in a })
    }

    /// A sheet's items with the checklists of their recordings (issue 17 §5: the agent reads on
    /// their sheet what each recording was graded on, the reference and the comment).
    static func attach(_ items: [CycleService.ItemDTO], employee: UUID, version: SchemeVersion, period: String, on db: Database) async throws -> [CycleService.ItemDTO] {
        guard !items.isEmpty else { return items }
        let records = try await QAChecklistStore.standing(employee: employee, scheme: try version.requireID(), period: period, on: db)
        guard !records.isEmpty else { return items }
        let scheme = try Scoring.engine(version).scheme
        let who = try await Self.names(Set(records.compactMap(\.recordedBy)), on: db)
        let byItem = Dictionary(grouping: records, by: \.item)
        return items.map { i -> CycleService.ItemDTO in
            guard let mine = byItem[i.id] else { return i }
            var out = i
            let r = rule(scheme, item: i.id)
            out.recordings = mine.map { dto($0, rule: r, names: who) }
            return out
        }
    }
}
