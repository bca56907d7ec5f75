import Fluent
import Foundation
import KaoheCore
import Vapor

/// The reviewer's day (issue 17 §2): every sheet of a cycle waiting for the caller's review on one
/// page, approved or returned many at once, and adjustments from the calibration page (R-004-04).
/// Nothing here decides a step: each sheet goes through `CycleService.act` with the version its
/// row was read at (a sheet changed meanwhile is refused, not overwritten), so every step is
/// checked by `SheetFlow`, recorded in the sheet's history and audited as a single one would be.
enum ReviewService {
    /// The two steps a reviewer takes on many sheets at once.
    enum Bulk: String, Sendable {
        case approve
        case returnToRater = "return"

        var action: SheetAction { self == .approve ? .approve : .returnToRater }
    }

    /// A sheet waiting for the caller's review, as its row reads.
    struct Row: Sendable {
        var id: UUID
        /// The version the row was read at: sent back with the row's checkbox.
        var version: Int
        var number: String
        var name: String
        var team: String?
        var rater: String
        var raterTotal: String?
        /// The result now (differs from the rater's when the evidence changed after submission).
        var total: String?
        var grade: String?
        /// What the result's flags say, each once, as sentences (`CycleService.flagLines`).
        var flags: [String]
        /// Of those, what must be decided on the sheet itself before it can pass.
        var decisions: [String]
    }

    /// A cycle's sheets waiting for the caller's review.
    struct Listing: Sendable {
        var cycle: UUID
        var scheme: String
        var period: String
        var rows: [Row]
        /// The caller's other sheets of the cycle, by stage (label, count), for the line above the table.
        var elsewhere: [Elsewhere]
    }

    struct Elsewhere: Sendable { var stage: String; var count: Int }

    /// What one bulk step did to one sheet: done, or refused and why (in the reader's language).
    struct Outcome: Sendable {
        var id: UUID
        var number: String
        var name: String
        var done: Bool
        var text: String
    }

    /// Who may open a cycle's review page and post to it: HR, and a manager for their own
    /// department's cycle or a company-wide one (as the calibration page, `calibrationScope`).
    /// The rows are then the sheets the caller reviews (`CycleService.roles`: `.reviewer`) — a team
    /// leader's sheet rated by the manager is reviewed by HR, and is on HR's page, not the manager's.
    static func authorize(_ c: Cycle, user: User) throws {
        switch user.viewer.role {
        case .hr: return
        case .manager: _ = try CycleService.calibrationScope(c, user: user)
        default: throw KaoheError.forbidden("批量复核只供复核人（经理、人事）使用", en: "bulk review is for reviewers (managers and HR)")
        }
    }

    /// The page: every sheet of the cycle at the review stage that the caller reviews, with its
    /// rater's total, grade and flags. `c` has its scheme version loaded.
    static func listing(_ c: Cycle, user: User, db: Database) async throws -> Listing {
        try authorize(c, user: user)
        let cid = try c.requireID()
        let mine = try await ReviewStore.sheets(cycle: cid, reviewer: try user.requireID(), on: db)
        let waiting = mine.filter { $0.stage == .review }.sorted { $0.employee.number < $1.employee.number }
        var counts: [SheetStage: Int] = [:]
        for s in mine where s.stage != .review { counts[s.stage, default: 0] += 1 }
        let elsewhere = SheetStage.allCases.compactMap { st in counts[st].map { Elsewhere(stage: st.label, count: $0) } }
        guard !waiting.isEmpty else { return Listing(cycle: cid, scheme: c.scheme.name, period: c.period, rows: [], elsewhere: elsewhere) }
        let engine = try Scoring.engine(c.scheme)
        let raters = Dictionary(try await AccountStore.users(Set(waiting.compactMap(\.raterId)), on: db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let results = Dictionary(try await ResultStore.results(scheme: c.$scheme.id, period: c.period, employees: Set(waiting.map { $0.$employee.id }), on: db)
            .map { ($0.$employee.id, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [Row] = []
        for s in waiting {
            let stored = results[s.$employee.id]
            let flags = try stored.map { try ResultStore.sheet($0, employee: s.employee.number).flags } ?? []
            let rater = s.raterId.flatMap { raters[$0] }.map { "\($0.displayName)（\($0.username)）" } ?? "—"
            let pending = try await decisions(s, cycle: c, flags: flags, engine: engine, db: db)
            rows.append(Row(id: try s.requireID(), version: s.version, number: s.employee.number, name: s.employee.name, team: s.employee.team?.name,
                            rater: rater, raterTotal: s.raterTotal, total: s.finalTotal ?? stored?.total, grade: s.grade ?? stored?.grade,
                            flags: CycleService.flagLines(flags), decisions: pending))
        }
        return Listing(cycle: cid, scheme: c.scheme.name, period: c.period, rows: rows, elsewhere: elsewhere)
    }

    /// What must be decided on the sheet before it can pass: the flags that stop a rater's
    /// submission (`CycleService.blocking`: a value in a band gap, a zero denominator, a missing
    /// mark) — found after submission when the evidence changed — but a self-assessment mark left
    /// missing by a skipped self-assessment (as `CycleService.act` decides for the submission).
    /// A bulk approval approves without looking: such a sheet is opened and decided on its own.
    static func decisions(_ s: Sheet, cycle c: Cycle, flags: [KaoheCore.Flag], engine: ScoringEngine, db: Database) async throws -> [String] {
        let open = flags.filter { CycleService.blocking.contains($0.code) }
        guard !open.isEmpty else { return [] }
        var present: Set<String>?
        if open.contains(where: { $0.code == "missing_mark" }),
           try await SheetStore.stepCount(of: try s.requireID(), action: SheetAction.skipSelf.rawValue, on: db) > 0 {
            present = Set(try await EvidenceStore.entries(employee: s.$employee.id, scheme: c.$scheme.id, period: c.period, on: db).map(\.column))
        }
        func onlySelfMissing(_ f: KaoheCore.Flag) -> Bool {
            guard let present, f.code == "missing_mark", let item = f.item else { return false }
            let marks = engine.inputs.filter { $0.column.hasPrefix(item + ".") && $0.rater != nil && !$0.column.hasSuffix(".override") }
            return !marks.isEmpty && marks.allSatisfy { $0.rater == "self" || present.contains($0.column) }
        }
        return CycleService.flagLines(open.filter { !onlySelfMissing($0) })
    }

    /// Approves or returns the chosen sheets (id → the version its row was read at), each through
    /// `CycleService.act` in its own transaction: one refused sheet (changed meanwhile, no longer
    /// in review, a decision pending) is reported and leaves the others done. A return needs one
    /// written reason, recorded on every sheet returned (R-004-03). Sheets the caller does not
    /// review, or not of this cycle, refuse the whole request before anything is done. `say`
    /// words a refusal for the reader.
    static func bulk(_ step: Bulk, cycle c: Cycle, picks: [UUID: Int], reason: String?, user: User, config: AppConfig, db: Database,
                     say: (any AbortError) -> String) async throws -> [Outcome] {
        try authorize(c, user: user)
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if step == .returnToRater && why.isEmpty {
            throw KaoheError.invalid("reason: 批量退回须写明原因（R-004-03），这条原因记入每一张退回的表",
                                     en: "reason: returning sheets needs a written reason (R-004-03); it is recorded on every sheet returned")
        }
        guard !picks.isEmpty else { throw KaoheError.invalid("sheets: 请先勾选要处理的考核表", en: "sheets: tick the sheets to act on first") }
        let cid = try c.requireID()
        let mine = Dictionary(try await ReviewStore.sheets(cycle: cid, reviewer: try user.requireID(), on: db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let foreign = picks.keys.filter { mine[$0] == nil }.count
        guard foreign == 0 else {
            throw KaoheError.forbidden("所选的考核表中有 \(foreign) 张不由你复核或不属于这个考核周期，未做任何处理",
                                       en: "\(foreign) of the sheets chosen are not yours to review or not of this cycle; nothing was done")
        }
        let engine = try Scoring.engine(c.scheme)
        let ordered = picks.sorted { (mine[$0.key]?.employee.number ?? "", $0.key.uuidString) < (mine[$1.key]?.employee.number ?? "", $1.key.uuidString) }
        let sendReason: String? = step == .approve ? nil : why
        var out: [Outcome] = []
        for (id, version) in ordered {
            guard let listed = mine[id] else { continue }
            do {
                try await db.writeTransaction { db in
                    let s = try await CycleService.load(id, on: db)
                    guard s.stage == .review else {
                        throw KaoheError.conflict("已不在复核阶段（现为“\(s.stage.label)”），未做处理", en: "no longer waiting for review (now “\(s.stage.rawValue)”); not changed")
                    }
                    if step == .approve {
                        let stored = try await ResultStore.result(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db)
                        let flags = try stored.map { try ResultStore.sheet($0, employee: s.employee.number).flags } ?? []
                        let open = try await Self.decisions(s, cycle: s.cycle, flags: flags, engine: engine, db: db)
                        guard open.isEmpty else {
                            throw KaoheError.conflict("须先在考核表上裁定：\(open.joined(separator: "；"))", en: "decide on the sheet first: \(open.joined(separator: "; "))")
                        }
                    }
                    try await CycleService.act(s, action: step.action, version: version, reason: sendReason, values: nil, user: user, config: config, db: db)
                }
                out.append(Outcome(id: id, number: listed.employee.number, name: listed.employee.name, done: true,
                                   text: step == .approve ? "已复核通过" : "已退回评分人"))
            } catch let e as AbortError {
                out.append(Outcome(id: id, number: listed.employee.number, name: listed.employee.name, done: false, text: say(e)))
            }
        }
        let done = out.filter(\.done).count
        try await Audit.record(on: db, actor: user, action: step == .approve ? "bulk_approve" : "bulk_return", entity: "cycle", id: cid.uuidString,
                               after: "done=\(done) refused=\(out.count - done)", reason: sendReason)
        return out
    }

    // MARK: adjustments from the calibration page (R-004-04)

    /// A mark the caller may change on a sheet: its column, how it reads (with the range or the
    /// grades to choose from) and its value now.
    struct AdjustColumn: Sendable { var column: String; var label: String }

    /// A sheet on the calibration page with what the caller may adjust on it.
    struct AdjustRow: Sendable {
        var id: UUID
        var version: Int
        var number: String
        var name: String
        var team: String?
        var stage: String
        var rater: String
        var raterTotal: String?
        var finalTotal: String?
        var grade: String?
        /// The marks the caller may change now; empty: no adjustment is open to them (`note` says
        /// why, with the reviewer's name in `noteName` when it is theirs to adjust).
        var columns: [AdjustColumn]
        var note: String?
        var noteName: String?
    }

    /// The sheets of the calibration page (the department's, as `calibrationScope` decides), each
    /// with the marks the caller may adjust: the reviewer while reviewing and before publication,
    /// HR before publication (`SheetFlow`: adjust at review and ready). `c` has its scheme loaded.
    static func adjustRows(_ c: Cycle, user: User, config: AppConfig, db: Database) async throws -> [AdjustRow] {
        let scope = try CycleService.calibrationScope(c, user: user)
        var sheets = try await ReviewStore.sheetsWithTeams(cycle: try c.requireID(), on: db)
        if let d = scope { sheets = sheets.filter { $0.employee.$department.id == d } }
        sheets.sort { $0.employee.number < $1.employee.number }
        guard !sheets.isEmpty else { return [] }
        let engine = try Scoring.engine(c.scheme)
        let users = Dictionary(try await AccountStore.users(Set(sheets.flatMap { [$0.raterId, $0.reviewerId].compactMap { $0 } }), on: db).map { ($0.id!, $0) },
                               uniquingKeysWith: { a, _ in a })
        func name(_ id: UUID?) -> String { id.flatMap { users[$0] }.map { "\($0.displayName)（\($0.username)）" } ?? "—" }
        let (open, overdue) = CycleService.windows(c, config)
        func mayAdjust(_ s: Sheet) -> Bool {
            SheetFlow.available(s.stage, to: CycleService.roles(s, user), objectionOpen: open, selfOverdue: overdue).contains(.adjust)
        }
        let adjustable = sheets.filter(mayAdjust).map { $0.$employee.id }
        var values: [UUID: [String: String]] = [:]
        if !adjustable.isEmpty {
            for v in try await EvidenceStore.plainValues(scheme: c.$scheme.id, period: c.period, employees: adjustable, on: db) { values[v.employee_id, default: [:]][v.column] = v.value }
        }
        return try sheets.map { s in
            var columns: [AdjustColumn] = []
            var note: String?, noteName: String?
            if mayAdjust(s) {
                let now = values[s.$employee.id] ?? [:]
                columns = CycleService.fields(CycleService.editable(s, user, engine), engine).map { f in
                    return AdjustColumn(column: f.column, label: "\(f.label)（现为 \(now[f.column] ?? "—")\(Self.bounds(f))）")
                }
            } else if s.stage.isClosed {
                note = "已发布，只能在考核表上更正（R-100-02）"
            } else if [.review, .ready].contains(s.stage) {
                note = "复核人："
                noteName = name(s.reviewerId)
            } else {
                note = "尚未提交评分"
            }
            return AdjustRow(id: try s.requireID(), version: s.version, number: s.employee.number, name: s.employee.name, team: s.employee.team?.name,
                             stage: s.stage.label, rater: name(s.raterId), raterTotal: s.raterTotal, finalTotal: s.finalTotal, grade: s.grade,
                             columns: columns, note: note, noteName: noteName)
        }
    }

    /// A field's accepted values as its option reads them: the grades, or the range of a mark.
    static func bounds(_ f: CycleService.FieldDTO) -> String {
        if let g = f.grades { return "；" + g.joined(separator: "/") }
        switch (f.min, f.max) {
        case let (lo?, hi?): return "；\(lo)–\(hi)"
        case let (nil, hi?): return "；≤ \(hi)"
        case let (lo?, nil): return "；≥ \(lo)"
        case (nil, nil): return ""
        }
    }

    /// What one adjustment changed, for the line the page shows after it.
    struct Adjusted: Sendable {
        var number: String
        var name: String
        var label: String
        var before: String?
        var after: String
        var totalBefore: String?
        var totalAfter: String?
    }

    /// One mark of one sheet changed from the calibration page, through the sheet's own adjust
    /// action (`SheetAction.adjust`: a reason required, both totals kept, audited like any
    /// adjustment); refused to anyone the sheet's flow does not allow it at its stage.
    static func adjust(_ c: Cycle, sheet id: UUID?, version: Int?, column: String, value: String, reason: String?, user: User,
                       config: AppConfig, db: Database) async throws -> Adjusted {
        let scope = try CycleService.calibrationScope(c, user: user)
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let value = value.trimmingCharacters(in: .whitespaces)
        guard let id, let version else { throw KaoheError.badInput("sheet, version: 缺少考核表或版本", en: "sheet, version: missing") }
        guard !column.isEmpty else { throw KaoheError.invalid("column: 请选择要调整的项目", en: "column: choose the mark to adjust") }
        guard !value.isEmpty else { throw KaoheError.invalid("value: 请填写调整后的分数或等级", en: "value: enter the new mark or grade") }
        guard !why.isEmpty else {
            throw KaoheError.invalid("reason: 校准调整须写明原因（R-004-03、R-004-04）", en: "reason: a calibration adjustment needs a written reason (R-004-03, R-004-04)")
        }
        let cid = try c.requireID()
        return try await db.writeTransaction { db in
            let s = try await CycleService.load(id, on: db)
            guard s.$cycle.id == cid else { throw KaoheError.notFound("没有这张考核表", en: "no such sheet") }
            if let d = scope, s.employee.$department.id != d { throw KaoheError.forbidden("这张考核表不在你的部门", en: "not a sheet of your department") }
            let engine = try Scoring.engine(s.cycle.scheme)
            let allowed = CycleService.editable(s, user, engine)
            guard !allowed.isEmpty, CycleService.actions(s, user: user, config: config).contains(.adjust) else {
                throw KaoheError.forbidden("此阶段（\(s.stage.label)）你不能调整这张表", en: "not yours to adjust at this stage (\(s.stage.rawValue))")
            }
            guard let input = allowed.first(where: { $0.column == column }) else {
                throw KaoheError.badInput("column: 这张表没有可调整的项目 “\(column)”", en: "column: the sheet has no mark “\(column)” to adjust")
            }
            let before = try await EvidenceStore.values(of: s, on: db)[column]
            if before == value { throw KaoheError.invalid("value: 与现值相同，无需调整", en: "value: the same as now; nothing to adjust") }
            let totalBefore = s.finalTotal
            try await CycleService.act(s, action: .adjust, version: version, reason: why, values: [column: value], user: user, config: config, db: db)
            return Adjusted(number: s.employee.number, name: s.employee.name, label: input.label, before: before, after: value,
                            totalBefore: totalBefore, totalAfter: s.finalTotal)
        }
    }
}
