import Foundation

/// One criterion of a QA checklist (质检清单, issue 17 §5): what the inspector checks on every
/// recording of a multiple-graded item (R-002-14: the ten recordings a month).
///
/// - A scoring criterion (扣分项) has `points`: the recording loses them when the criterion is
///   not met.
/// - An auto-fail criterion (致命项, `auto_fail: true`) has none: when it occurs the recording takes
///   the item's `auto_fail_grade` (R-002-14: 劣 — serious misconduct, rude service), whatever the
///   other criteria gave.
public struct ChecklistCriterion: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    /// Points lost when the criterion is not met (scoring criteria only).
    public var points: Fixed?
    /// An auto-fail criterion (致命项).
    public var autoFail: Bool
    public var rules: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, points, autoFail = "auto_fail", rule }

    public init(id: String, label: String, points: Fixed? = nil, autoFail: Bool = false, rules: [String] = []) {
        self.id = id; self.label = label; self.points = points; self.autoFail = autoFail; self.rules = rules
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        points = try c.decodeIfPresent(Fixed.self, forKey: .points)
        autoFail = try c.decodeIfPresent(Bool.self, forKey: .autoFail) ?? false
        rules = try c.decodeRules(forKey: .rule)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label)
        try c.encodeIfPresent(points, forKey: .points)
        if autoFail { try c.encode(true, forKey: .autoFail) }
        try c.encodeRules(rules, forKey: .rule)
    }
}

/// What the checklist gives one recording (`GradedRule.checklistGrade`).
public struct ChecklistOutcome: Sendable, Equatable {
    /// The recording's grade.
    public var grade: Grade
    /// The points the recording starts from: the best grade's points.
    public var start: Fixed
    /// The start less the points of the scoring criteria not met (shown even when an auto-fail
    /// criterion decided the grade).
    public var score: Fixed
    /// The scoring criteria not met, in the checklist's order.
    public var missed: [ChecklistCriterion]
    /// The auto-fail criteria that occurred, in the checklist's order.
    public var failed: [ChecklistCriterion]
    /// How many criteria were met (neither missed nor failed).
    public var met: Int

    /// The arithmetic in words (for the audit trail and the API): 从 100 分起，未达标：… −10，得 70 分，定为「中」.
    public var explanation: String {
        var s = "从 \(start.format()) 分起"
        if missed.isEmpty { s += "，各扣分项均达标" } else {
            s += "，未达标：" + missed.map { "\($0.label) −\(($0.points ?? .zero).format())" }.joined(separator: "、")
        }
        s += "，得 \(score.format()) 分"
        if !failed.isEmpty { s += "；出现致命项：" + failed.map(\.label).joined(separator: "、") }
        return s + "，定为「\(grade.label)」"
    }
}

/// Why a checklist could not grade a recording; `message` names the form field.
public enum ChecklistError: Error, Sendable, Equatable {
    /// The item has no checklist.
    case noChecklist(item: String)
    /// A ticked criterion the checklist does not list (a stale or forged form).
    case unknownCriterion(String)
    /// The item has no grade with points to grade by.
    case noGrade(item: String)

    public var message: String {
        switch self {
        case .noChecklist(let item): return "checklist: 项目 \(item) 没有质检清单"
        case .unknownCriterion(let id): return "fault: 质检清单中没有条目 “\(id)”，请刷新页面后重新勾选"
        case .noGrade(let item): return "checklist: 项目 \(item) 没有带分值的等级，无法按清单定级"
        }
    }
}

extension GradedRule {
    /// The points a recording starts from on the checklist: the best grade's points.
    public var checklistStart: Fixed? { grades.compactMap(\.points).max() }

    /// The grades with points, best first (the order the checklist's score is matched against;
    /// equal points keep the scheme's order).
    public var gradesByPoints: [Grade] {
        grades.enumerated().filter { $0.element.points != nil }
            .sorted { a, b in a.element.points! != b.element.points! ? a.element.points! > b.element.points! : a.offset < b.offset }
            .map { $0.element }
    }

    /// The grade of one recording from its checklist (issue 17 §5, R-002-14). `faults` are the ids
    /// the inspector ticked: scoring criteria not met and auto-fail criteria that occurred.
    ///
    /// The recording starts at the best grade's points (优 100) and loses the points of every
    /// scoring criterion not met; its grade is the best grade whose points that score still
    /// reaches (90 → 良 85, 70 → 中 70; below every grade → the lowest). Any auto-fail criterion
    /// ticked gives `auto_fail_grade` (劣) instead, whatever the score (without one set: the
    /// lowest grade). An id the checklist does not list is refused; a repeated one counts once.
    public func checklistGrade(item: String, faults: [String]) throws -> ChecklistOutcome {
        guard let list = checklist, !list.isEmpty else { throw ChecklistError.noChecklist(item: item) }
        var ticked = Set<String>()
        for f in faults {
            guard list.contains(where: { $0.id == f }) else { throw ChecklistError.unknownCriterion(f) }
            ticked.insert(f)
        }
        let ranked = gradesByPoints
        guard let start = checklistStart, let lowest = ranked.last else { throw ChecklistError.noGrade(item: item) }
        let chosen = list.filter { ticked.contains($0.id) }
        let failed = chosen.filter(\.autoFail)
        let missed = chosen.filter { !$0.autoFail }
        let score = missed.reduce(start) { $0 - ($1.points ?? .zero) }
        let grade: Grade
        if !failed.isEmpty {
            grade = grades.first { $0.id == autoFailGrade } ?? lowest
        } else {
            grade = ranked.first { $0.points! <= score } ?? lowest
        }
        return ChecklistOutcome(grade: grade, start: start, score: score, missed: missed, failed: failed, met: list.count - chosen.count)
    }
}

extension SchemeValidator {
    /// A graded item's `checklist` and `auto_fail_grade` (issue 17 §5): only on an item whose
    /// recordings are graded one by one (`count: multiple`, no `from`) in a section or among the
    /// adjustments (the grades need points); criterion ids unique, plain and non-empty; labels
    /// non-empty; a scoring criterion deducts more than 0 points; auto-fail criteria need
    /// `auto_fail_grade`, one of the item's grades. Every message names the item and the field.
    static func checkChecklist(_ g: GradedRule, path p: String, item: Item, context: ItemContext, out: inout [SchemeProblem]) {
        func err(_ path: String, _ m: String) { out.append(SchemeProblem(.error, path, m, rules: item.rules)) }
        func warn(_ path: String, _ m: String) { out.append(SchemeProblem(.warning, path, m, rules: item.rules)) }
        let what = "项目「\(item.label)」（\(item.id)）"
        guard let list = g.checklist else {
            if g.autoFailGrade != nil { err("\(p).auto_fail_grade", "\(what)：auto_fail_grade 只与质检清单 checklist 一起使用") }
            return
        }
        if g.count != .multiple || g.from != nil {
            err("\(p).checklist", "\(what)：质检清单 checklist 只用于逐条评定的等级项目（count: multiple，且不带 from）")
        }
        if context == .money { err("\(p).checklist", "\(what)：质检清单放在计分的等级项目上（金额项目用 from 读取同一批录音）") }
        if list.isEmpty { err("\(p).checklist", "\(what)：质检清单 checklist 为空，至少列出一条标准") }
        if g.grades.contains(where: { $0.points == nil }) {
            err("\(p).grades", "\(what)：有质检清单时每个等级都须有 points（清单得分按等级分定级）")
        }
        var ids = Set<String>()
        for (ci, c) in list.enumerated() {
            let cp = "\(p).checklist[\(ci)]"
            let name = c.id.isEmpty ? "第 \(ci + 1) 条" : "条目 “\(c.id)”"
            if c.id.isEmpty {
                err("\(cp).id", "\(what)的质检清单第 \(ci + 1) 条：id 不能为空")
            } else if c.id.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) }) {
                err("\(cp).id", "\(what)的质检清单：条目 id “\(c.id)” 只能用英文字母、数字、- 和 _")
            } else if !ids.insert(c.id).inserted {
                err("\(cp).id", "\(what)的质检清单：条目 id “\(c.id)” 重复")
            }
            if c.label.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                err("\(cp).label", "\(what)的质检清单\(name)：label 不能为空")
            }
            if c.autoFail {
                if c.points != nil { warn("\(cp).points", "\(what)的质检清单\(name)是致命项（auto_fail），出现即定为 auto_fail_grade，points 不起作用") }
            } else if let pts = c.points {
                if pts <= .zero { err("\(cp).points", "\(what)的质检清单\(name)：points 须大于 0（未达标时扣的分），实为 \(pts.format())") }
            } else {
                err("\(cp).points", "\(what)的质检清单\(name)：须有 points（未达标时扣的分），或标为致命项 auto_fail: true")
            }
        }
        if list.contains(where: \.autoFail) {
            if let f = g.autoFailGrade {
                if !g.grades.contains(where: { $0.id == f }) {
                    err("\(p).auto_fail_grade", "\(what)：auto_fail_grade “\(f)” 不是本项的等级（可选：\(g.grades.map(\.id).joined(separator: ", "))）")
                }
            } else {
                err("\(p).auto_fail_grade", "\(what)的质检清单有致命项（auto_fail: true），须写 auto_fail_grade：出现致命项时定为哪个等级")
            }
        } else if let f = g.autoFailGrade {
            if !g.grades.contains(where: { $0.id == f }) {
                err("\(p).auto_fail_grade", "\(what)：auto_fail_grade “\(f)” 不是本项的等级（可选：\(g.grades.map(\.id).joined(separator: ", "))）")
            } else {
                warn("\(p).auto_fail_grade", "\(what)的质检清单没有致命项（auto_fail: true），auto_fail_grade 不起作用")
            }
        }
    }
}
