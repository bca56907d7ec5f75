import Fluent
import Foundation
import KaoheCore
import Vapor

/// Evaluator accountability: when a deduction the rater should have made is found after rating —
/// a complaint dated in the period that the rater did not apply — the rater's own result loses
/// the scheme's `accountability` factor × that item's points per instance (R-001-15: double),
/// with the link to the case, unless the rater records a justification that the reviewer accepts.
/// The rule and its sentence are the scheme's (`Accountability`); this file runs the steps.
extension CycleService {
    struct FindingRequest: Content { var column: String; var instances: Int?; var note: String }
    struct JustifyRequest: Content { var justification: String }
    struct DecideRequest: Content { var accept: Bool; var reason: String }

    struct FindingDTO: Content {
        var id: UUID
        var sheetId: UUID
        var employee: String
        var period: String
        var rater: String
        var column: String
        var instances: Int
        var perInstance: String
        var deduction: String
        var note: String
        var status: String
        var justification: String?
        var decisionReason: String?
        var explanation: String
        var rule: String
    }

    static func dto(_ f: Finding, db: Database) async throws -> FindingDTO {
        let sheet = try await SheetStore.sheetWithCycle(f.$sheet.id, on: db)
        let rater = try await AccountStore.user(f.raterUserId, on: db)
        let who = sheet.map { "\($0.employee.number) \($0.employee.name)" } ?? "—"
        let engine = try sheet.map { try Scoring.engine($0.cycle.scheme) }
        let rule = engine?.scheme.accountability
        let item = engine.flatMap { e in e.columnIndex[f.column].map { e.inputs[$0].label } } ?? f.column
        let text = rule?.explain(rater: rater?.displayName ?? "—", employee: who, item: item, perInstance: Fixed(f.perInstance) ?? .zero,
                                 instances: f.instances, note: f.note)
            ?? "评分人 \(rater?.displayName ?? "—") 漏扣 \(who) 的「\(item)」\(f.instances) 次，扣 \(f.deduction) 分（\(f.note)）"
        return FindingDTO(id: try f.requireID(), sheetId: f.$sheet.id, employee: who, period: f.period, rater: rater?.displayName ?? "—", column: f.column,
                          instances: f.instances, perInstance: f.perInstance, deduction: f.deduction, note: f.note, status: f.status.rawValue,
                          justification: f.justification, decisionReason: f.decisionReason, explanation: text,
                          rule: (rule?.rules ?? []).joined(separator: ","))
    }

    /// The item's points per instance of `column` on this employee's sheet, from the engine:
    /// the sheet scored with the count as it is and with `instances` more (or fewer).
    static func pointsPerInstance(_ s: Sheet, column: String, instances n: Int, db: Database) async throws -> Fixed {
        let engine = try Scoring.engine(s.cycle.scheme)
        guard let idx = engine.columnIndex[column], engine.inputs[idx].kind == .count else {
            throw KaoheError.invalid("column: “\(column)” 不是方案中计次扣分的项目", en: "column: “\(column)” is not a counted deduction of the scheme")
        }
        let values = try await EvidenceStore.values(of: s, on: db)
        let v = Int(values[column] ?? "0") ?? 0
        var lo = values, hi = values
        lo[column] = String(v >= n ? v - n : v); hi[column] = String(v >= n ? v : v + n)
        let a: SheetResult, b: SheetResult
        do { a = try engine.score(lo, employee: s.employee.number); b = try engine.score(hi, employee: s.employee.number) } catch {
            throw KaoheError.invalid(error.description)
        }
        var delta = Fixed.zero
        let before = Dictionary(a.items.map { ($0.id, $0.points ?? .zero) }, uniquingKeysWith: { x, _ in x })
        for i in b.items {
            let d = (i.points ?? .zero) - (before[i.id] ?? .zero)
            delta += d < .zero ? -d : d
        }
        guard delta > .zero else {
            throw KaoheError.invalid("漏扣该项不改变得分（该项已扣至下限或不计分），无可追究", en: "the missed instances change no points")
        }
        return Fixed.divide(delta, Fixed(n)) ?? delta
    }

    /// The reviewer (or HR) records a missed deduction on a rated sheet.
    static func find(_ s: Sheet, _ r: FindingRequest, user: User, db: Database) async throws -> FindingDTO {
        let roles = roles(s, user)
        guard roles.contains(.reviewer) || roles.contains(.hr) else { throw KaoheError.forbidden("复核人或人事可以追究评分责任", en: "the reviewer or HR") }
        guard ![SheetStage.selfAssessment, .rating].contains(s.stage) else {
            throw KaoheError.conflict("尚未评分，无漏扣可言", en: "the sheet has not been rated yet")
        }
        guard let rule = try Scoring.engine(s.cycle.scheme).scheme.accountability else {
            throw KaoheError.invalid("本方案没有评分人责任规则（accountability），不能追究漏扣", en: "the scheme has no evaluator accountability rule (accountability)")
        }
        let n = r.instances ?? 1
        guard (1...50).contains(n) else { throw KaoheError.invalid("instances: 1–50") }
        guard !r.note.isBlank else { throw KaoheError.invalid("note: 须写明案情（哪次投诉、哪天）", en: "note: the case must be described") }
        guard let raterId = s.raterId, let rater = try await AccountStore.user(raterId, on: db) else { throw KaoheError.conflict("这张表没有评分人", en: "no rater") }
        let per = try await pointsPerInstance(s, column: r.column, instances: n, db: db)
        let f = Finding()
        f.$sheet.id = try s.requireID(); f.period = s.cycle.period; f.raterUserId = raterId; f.raterEmployeeId = rater.$employee.id
        f.column = r.column; f.instances = n; f.perInstance = per.format(); f.deduction = rule.deduction(perInstance: per, instances: n).format()
        f.note = r.note; f.status = .pending; f.createdBy = user.id; f.createdAt = Date()
        try await f.save(on: db)
        try await InboxItem(user: raterId, text: "评分责任（\(rule.rules.joined(separator: ", "))）：\(s.employee.number) 的 “\(r.column)” 漏扣 \(n) 次，将从你的考核扣 \(f.deduction) 分；如有正当理由请说明",
                            link: SiteURL.sheet(f.$sheet.id).path, topic: Inbox.finding(try f.requireID(), "justify")).save(on: db)
        try await Audit.record(on: db, actor: user, action: "create", entity: "finding", id: "\(s.employee.number)/\(s.cycle.period)/\(r.column)",
                               after: "rater=\(rater.username) deduction=\(f.deduction)", reason: r.note)
        return try await dto(f, db: db)
    }

    static func loadFinding(_ id: UUID?, db: Database) async throws -> Finding {
        guard let id, let f = try await FindingStore.finding(id, on: db) else { throw KaoheError.notFound("没有这条记录", en: "no such finding") }
        return f
    }

    /// The rater gives a reason why the deduction was not made.
    static func justify(_ f: Finding, text: String, user: User, db: Database) async throws -> FindingDTO {
        guard user.id == f.raterUserId else { throw KaoheError.forbidden("只有被追究的评分人可以说明", en: "only the rater concerned") }
        guard f.status == .pending else { throw KaoheError.conflict("已处理", en: "already decided") }
        guard !text.isBlank else { throw KaoheError.invalid("justification: 不能为空") }
        f.justification = text; f.status = .justified
        try await f.save(on: db)
        let sheet = try await SheetStore.sheet(f.$sheet.id, on: db)
        // the rater's message is answered; the reviewer's asks for a decision (issue 17 §7)
        try await NotificationStore.done(topics: [Inbox.finding(try f.requireID(), "justify")], on: db)
        if let r = sheet?.reviewerId {
            try await InboxItem(user: r, text: "评分人就漏扣说明了理由，请裁定", link: SiteURL.sheet(f.$sheet.id).path, topic: Inbox.finding(try f.requireID(), "decide")).save(on: db)
        }
        try await Audit.record(on: db, actor: user, action: "justify", entity: "finding", id: f.id!.uuidString, after: text)
        return try await dto(f, db: db)
    }

    /// The reviewer accepts the justification (no deduction) or applies the deduction to the
    /// rater's own result for the period.
    static func decide(_ f: Finding, accept: Bool, reason: String, user: User, db: Database) async throws -> FindingDTO {
        let sheet = try await SheetStore.sheet(f.$sheet.id, on: db)
        guard user.id == sheet?.reviewerId || user.viewer.role == .hr else { throw KaoheError.forbidden("复核人或人事裁定", en: "the reviewer or HR decides") }
        guard [.pending, .justified].contains(f.status) else { throw KaoheError.conflict("已裁定", en: "already decided") }
        guard !reason.isBlank else { throw KaoheError.invalid("reason: 须说明裁定理由 (R-004-03)") }
        if accept && f.justification == nil { throw KaoheError.conflict("评分人尚未说明理由，不能采纳", en: "there is no justification to accept") }
        f.status = accept ? .waived : .applied; f.decisionReason = reason; f.decidedBy = user.id; f.decidedAt = Date()
        try await f.save(on: db)
        if !accept, let e = f.raterEmployeeId {
            for s in try await SheetStore.sheetsWithCycles(employee: e, on: db) where s.cycle.period == f.period {
                let before = s.finalTotal
                s.finalTotal = try await adjustedTotal(s, db: db)
                s.version += 1; s.updatedAt = Date(); s.updatedBy = user.id
                try await s.save(on: db)
                try await SheetStep(sheet: s.id!, action: "accountability", actor: user, from: s.stage, to: s.stage,
                                    reason: "R-001-15 评分责任扣分 −\(f.deduction)：\(f.note)", before: before, after: s.finalTotal).save(on: db)
            }
        }
        try await NotificationStore.done(topics: [Inbox.finding(try f.requireID(), "justify"), Inbox.finding(try f.requireID(), "decide")], on: db)
        try await InboxItem(user: f.raterUserId, text: accept ? "你的说明已采纳，不扣分" : "评分责任扣分 −\(f.deduction) 已计入你的 \(f.period) 考核（R-001-15）",
                            link: SiteURL.sheet(f.$sheet.id).path).save(on: db)
        try await Audit.record(on: db, actor: user, action: accept ? "waive" : "apply", entity: "finding", id: f.id!.uuidString,
                               after: "deduction=\(accept ? "0" : f.deduction)", reason: reason)
        return try await dto(f, db: db)
    }

    /// Applied accountability deductions against an employee (as a rater) in a period.
    static func deductions(employee: UUID, period: String, db: Database) async throws -> [Finding] {
        try await FindingStore.applied(rater: employee, period: period, on: db)
    }

    /// The sheet's result after accountability deductions: the engine's total less what was applied.
    static func adjustedTotal(_ s: Sheet?, db: Database) async throws -> String? {
        guard let s else { return nil }
        let (raw, _) = try await currentTotal(s, db: db)
        guard let raw, let t = Fixed(raw) else { return raw }
        let found = try await deductions(employee: s.$employee.id, period: s.cycle.period, db: db)
        let total = found.reduce(t) { $0 - (Fixed($1.deduction) ?? .zero) }
        return total.format()
    }
}
