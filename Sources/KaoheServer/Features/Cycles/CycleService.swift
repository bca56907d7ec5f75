import Fluent
import Foundation
import KaoheCore
import Vapor

/// The monthly (and annual) appraisal cycle (issue 6): HR opens a cycle and sheets are issued to
/// everyone in scope but those in probation (R-002-30); the employee assesses themself where the
/// scheme has a self weight, the direct superior rates (single head, R-004-03), the reviewer
/// approves or adjusts with a reason (both totals kept), HR publishes, the employee acknowledges
/// or objects within the window, the reviewer decides, HR locks; a locked result changes only by
/// a recorded correction. Marks are stored as evidence of the sheet's employee-period, so the
/// sheet is scored — and explained — by the same engine as everything else.
enum CycleService {
    struct OpenRequest: Content {
        var scheme: String
        var period: String
        var departmentId: UUID?
        /// only these teams (default: the whole department)
        var teamIds: [UUID]?
        /// monthly (default) or annual (R-002-30)
        var schedule: String?
        var objectionDays: Int?
        var workingDays: Bool?
        /// people hired less than this many months before the period's end get no sheet (R-002-30: 3)
        var probationMonths: Int?
    }

    struct CycleDTO: Content {
        var id: UUID
        var scheme: String
        var schemeVersion: Int
        var period: String
        var departmentId: UUID?
        var teamIds: [UUID]
        var status: String
        var issuedOn: String
        var selfDue: String
        var ratingDue: String
        var reviewDue: String
        var publishDue: String
        var objectionsClose: String?
        var sheets: Int
        var stages: [String: Int]
        var excluded: [String: String]
        /// Sheets past their stage's deadline, per person responsible (R-002-30).
        var overdue: [OverdueDTO]
    }

    struct OverdueDTO: Content { var user: String; var stage: String; var due: String; var employees: [String] }

    struct ItemDTO: Content {
        var id: String; var label: String; var rule: String; var points: String?; var max: String?; var explanation: String
        /// What stops this item being scored (a missing mark, a band gap, a zero denominator): shown next to its field.
        var flag: String?
        /// The QA checklists of the recordings graded for this item (issue 17 §5), by day.
        var recordings: [QAChecklistService.DTO]?

        static func of(_ r: SheetResult) -> [ItemDTO] {
            let flags = Dictionary(grouping: r.flags.filter { $0.item != nil }, by: { $0.item! })
            return r.items.map { i in
                ItemDTO(id: i.id, label: i.label, rule: i.rules.joined(separator: ","), points: i.points?.format(), max: i.max?.format(),
                        explanation: i.explanation, flag: flags[i.id].map { $0.map(\.message).joined(separator: "；") })
            }
        }
    }
    /// A field the caller may fill, in the order of the scheme's items, with the item it belongs to.
    struct FieldDTO: Content { var column: String; var label: String; var item: String?; var min: String?; var max: String?; var grades: [String]? }
    struct StepDTO: Content { var action: String; var actor: String; var from: String; var to: String; var reason: String?; var before: String?; var after: String?; var at: Date }

    struct SheetDTO: Content {
        var id: UUID
        var cycleId: UUID
        var employeeId: UUID
        var employee: String
        var name: String
        var period: String
        var stage: String
        var stageLabel: String
        var version: Int
        /// what the caller may write now: columns with their labels
        var editable: [String: String]
        /// the accepted values of grade columns among them
        var choices: [String: [String]]
        var values: [String: String]
        var total: String?
        var raterTotal: String?
        var finalTotal: String?
        var grade: String?
        var items: [ItemDTO]
        var fields: [FieldDTO]
        var flags: [String]
        var history: [StepDTO]
        var deadline: String?
        /// Missed deductions found on this sheet, and those charged to this employee as a rater (R-001-15).
        var accountability: [FindingDTO]
        /// Changes after publication (R-100-02): who, when, why, each value and the figures before and after.
        var corrections: [CorrectionDTO]
        // the agent's view (issue 17 §4, CycleService+ItemNotes.swift)
        /// The performance pay, every money line and their sum (yuan), once the month is published (R-100-01).
        var pay: PayDTO? = nil
        var money: [MoneyDTO] = []
        var moneyTotal: String? = nil
        /// Each author's current comment on each item; `commentLog`: every comment as written.
        var comments: [CommentDTO] = []
        var commentLog: [CommentDTO] = []
        /// Whether the caller may comment on the items now.
        var commentable: Bool = false
        /// The items the employee's objection names, with the reviewer's decision on each.
        var objection: [ObjectionItemDTO] = []
    }

    struct CorrectionDTO: Content {
        var at: Date
        var actor: String
        var reason: String
        var changes: [Correction.Change]
        var beforeTotal: String?
        var afterTotal: String?
        var beforePay: String?
        var afterPay: String?
        /// Pay and money after less before (yuan), paid in the payroll of `settledIn`.
        var difference: String
        var settledIn: String
    }

    static func schedule(_ c: Cycle) -> CycleSchedule {
        (try? JSONDecoder().decode(CycleSchedule.self, from: Data(c.schedule.utf8))) ?? .monthly
    }

    static func hasSelf(_ engine: ScoringEngine) -> Bool { engine.inputs.contains { $0.rater == "self" } }

    /// The last day of a period by the scheme's month boundaries.
    static func periodEnd(_ period: String, _ engine: ScoringEngine) -> CivilDate? {
        if period.count == 7, let r = engine.scheme.calendar.range(of: period) { return CivilDate(year: r.end.0, month: r.end.1, day: r.end.2) }
        guard let m = CycleSchedule.lastMonth(of: period) else { return nil }
        return CivilDate(year: m.year, month: m.month, day: PeriodCalendar.daysIn(year: m.year, month: m.month))
    }

    // MARK: open
    // `open` (the API) and `openAll` (the page, after its preview): CycleService+Opening.swift (issue 16 §4)

    /// The cycles HR or a manager sees (others: 403), newest first: a manager their department's
    /// and the company-wide ones, the latter counted over their own department's sheets only.
    static func visible(to user: User, config: AppConfig, db: Database) async throws -> [CycleDTO] {
        guard [.hr, .manager].contains(user.viewer.role) else { throw KaoheError.forbidden("人事和经理可见", en: "HR and managers") }
        let only = user.viewer.role == .manager ? user.viewer.departmentId : nil
        var out: [CycleDTO] = []
        for c in try await CycleStore.cycles(on: db) {
            if user.viewer.role == .manager, let d = c.$department.id, d != user.viewer.departmentId { continue }
            out.append(try await dto(c, config: config, department: only, db: db))
        }
        return out
    }

    /// A cycle with its stages and overdue people; `department` limits both to that department's
    /// sheets (a manager looking at a company-wide cycle, issue 13).
    static func dto(_ c: Cycle, config: AppConfig, department: UUID? = nil, db: Database) async throws -> CycleDTO {
        let v = try await SchemeStore.version(c.$scheme.id, on: db)!
        // the sheets as plain rows (a thousand Fluent sheets with their people took a third of a second)
        let sheets = try await SheetStore.sheetRows(cycle: try c.requireID(), on: db).filter { s in department.map { s.department_id == $0 } ?? true }
        var stages: [String: Int] = [:]
        for s in sheets { stages[s.stage, default: 0] += 1 }
        let today = config.todayDate
        // only the accounts of overdue sheets are read (every account of a 2,000-person company as
        // Fluent models was most of this page)
        func due(_ s: SheetStore.CycleSheetRow) -> String? {
            // the objection window is the employee's right, not a duty: a published sheet is never late
            guard let stage = SheetStage(rawValue: s.stage), stage != .published else { return nil }
            return c.due(at: stage)
        }
        let late = sheets.filter { s in due(s).flatMap(CivilDate.init).map { today > $0 } ?? false }
        let accountIds = Set(late.flatMap { [$0.rater_id, $0.reviewer_id].compactMap { $0 } })
        let selfIds = Set(late.filter { $0.stage == SheetStage.selfAssessment.rawValue }.map(\.employee_id))
        var found: [User] = []
        if !accountIds.isEmpty { found += try await AccountStore.users(accountIds, on: db) }
        if !selfIds.isEmpty { found += try await AccountStore.users(employees: selfIds, on: db) }
        let users = Dictionary(found.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let accountOf = Dictionary(users.values.compactMap { u in u.$employee.id.map { ($0, u) } }, uniquingKeysWith: { a, _ in a })
        var overdue: [String: OverdueDTO] = [:]
        for s in late {
            // the stage says who is late; `due` above says by when (one mapping, not two)
            guard let due = due(s) else { continue }
            let who: User?
            switch SheetStage(rawValue: s.stage) {
            case .selfAssessment?: who = accountOf[s.employee_id]
            case .rating?: who = s.rater_id.flatMap { users[$0] }
            case .review?: who = s.reviewer_id.flatMap { users[$0] }
            default: who = nil
            }
            let name = who.map { "\($0.displayName)（\($0.username)）" } ?? "人事 HR"
            overdue["\(name)|\(s.stage)", default: OverdueDTO(user: name, stage: s.stage, due: due, employees: [])].employees.append(s.number)
        }
        return CycleDTO(id: try c.requireID(), scheme: v.key, schemeVersion: v.version, period: c.period, departmentId: c.$department.id,
                        teamIds: c.teams.split(separator: ",").compactMap { UUID(uuidString: String($0)) }, status: c.status.rawValue,
                        issuedOn: c.issuedOn, selfDue: c.selfDue, ratingDue: c.ratingDue, reviewDue: c.reviewDue, publishDue: c.publishDue,
                        objectionsClose: c.objectionsClose, sheets: sheets.count, stages: stages,
                        excluded: (try? JSONDecoder().decode([String: String].self, from: Data(c.excluded.utf8))) ?? [:],
                        overdue: overdue.values.sorted { ($0.user, $0.stage) < ($1.user, $1.stage) }.map { var o = $0; o.employees.sort(); return o })
    }

    // MARK: the sheet

    /// What the caller is on this sheet (several at once is possible: HR who reviews).
    static func roles(_ s: Sheet, _ user: User) -> Set<SheetActor> {
        var r = Set<SheetActor>()
        if user.$employee.id == s.$employee.id { r.insert(.employee) }
        if user.id == s.raterId { r.insert(.rater) }
        if user.id == s.reviewerId { r.insert(.reviewer) }
        if user.viewer.role == .hr { r.insert(.hr) }
        return r
    }

    /// Columns the caller may write at the sheet's stage: the self marks to the employee in
    /// self-assessment; the superior's marks and the rater's decisions (`….override`) to the
    /// rater while rating, to the reviewer while reviewing or deciding an objection, to HR when
    /// correcting a locked result.
    static func editable(_ s: Sheet, _ user: User, _ engine: ScoringEngine, correcting: Bool = false) -> [InputSpec] {
        let roles = roles(s, user)
        // the superior's marks: every input that is not self-assessment, not a metric (imported)
        // and not an event count (recorded as events) — manual marks, grades, "other" deductions,
        // the rater's decisions on evidence-driven items (….override)
        let metrics = Set(engine.scheme.metrics.map(\.id))
        let superior = engine.inputs.filter { $0.rater != "self" && !metrics.contains($0.column) && ($0.kind != .count || $0.column.hasSuffix(".override")) }
        switch s.stage {
        case .selfAssessment where roles.contains(.employee): return engine.inputs.filter { $0.rater == "self" }
        case .rating where roles.contains(.rater): return superior
        case .review where roles.contains(.reviewer), .objected where roles.contains(.reviewer): return superior
        case .ready where roles.contains(.reviewer) || roles.contains(.hr): return superior
        // after publication only a correction writes (R-100-02): the reviewer or HR, HR alone after the lock
        // a correction may fix any input but the employee's own marks and the event counts (those are
        // corrected as events): a wrong imported sales figure is the usual case
        case let st where st.isClosed && st != .objected:
            guard correcting, roles.contains(where: { st.mayCorrect($0) }) else { return [] }
            return engine.inputs.filter { $0.rater != "self" && (metrics.contains($0.column) || $0.kind != .count || $0.column.hasSuffix(".override")) }
        default: return []
        }
    }

    static func load(_ id: UUID?, on db: Database) async throws -> Sheet {
        guard let id, let s = try await SheetStore.sheetWithCycle(id, on: db) else {
            throw KaoheError.notFound("没有这张考核表", en: "no such sheet")
        }
        return s
    }

    /// The people who may see a sheet: the employee, the rater, the reviewer, the line above by
    /// the access rules (lead, manager, HR).
    static func mayView(_ s: Sheet, _ user: User) -> Bool {
        !roles(s, user).isEmpty || Access.canView(user.viewer, s.employee.subject)
    }

    static func view(_ s: Sheet, user: User, db: Database) async throws -> SheetDTO {
        guard mayView(s, user) else { throw KaoheError.forbidden("无权查看这张考核表", en: "not allowed to see this sheet") }
        let version = s.cycle.scheme
        let engine = try Scoring.engine(version)
        let eid = try s.employee.requireID()
        var values: [String: String] = [:]
        for e in try await EvidenceStore.entries(employee: eid, scheme: try version.requireID(), period: s.cycle.period, on: db) { values[e.column] = e.value }
        // the stored result (every write re-scores and stores it; reading a sheet scores nothing),
        // scored only when the sheet has none yet
        let result: SheetResult?
        if let stored = try await ResultStore.result(employee: eid, scheme: try version.requireID(), period: s.cycle.period, on: db) {
            result = try ResultStore.sheet(stored, employee: s.employee.number)
        } else {
            result = try await Scoring.score(scheme: version, period: s.cycle.period, members: try await Scoring.teams(of: [eid], on: db), on: db)
                .first { $0.0.id == eid }?.1
        }
        // before publication the employee sees their own self-assessment and the stage, not the superior's marks in progress
        let published = s.stage.isClosed
        let own = roles(s, user) == [.employee] && !published
        let steps = try await SheetStore.steps(of: try s.requireID(), on: db)
        let c = s.cycle
        let deadline = c.due(at: s.stage)
        let shown: [ItemDTO] = own ? [] : result.map(ItemDTO.of) ?? []
        var dto = SheetDTO(
            id: try s.requireID(), cycleId: c.id!, employeeId: eid, employee: s.employee.number, name: s.employee.name, period: c.period,
            stage: s.stage.rawValue, stageLabel: s.stage.label, version: s.version,
            editable: Dictionary(editable(s, user, engine).map { ($0.column, $0.label) }, uniquingKeysWith: { a, _ in a }),
            choices: Dictionary(editable(s, user, engine).filter { $0.kind == .grade }.map { ($0.column, $0.grades) }, uniquingKeysWith: { a, _ in a }),
            values: own ? values.filter { k, _ in engine.inputs.contains { $0.column == k && $0.rater == "self" } } : values,
            total: own ? nil : result.map { $0.total.format() }, raterTotal: own ? nil : s.raterTotal, finalTotal: own ? nil : s.finalTotal,
            grade: own ? nil : result?.grade,
            items: try await QAChecklistService.attach(shown, employee: eid, version: version, period: c.period, on: db),
            fields: fields(editable(s, user, engine), engine),
            flags: own ? [] : flagLines(result?.flags ?? []),
            history: steps.map { StepDTO(action: $0.action, actor: $0.actorName, from: $0.fromStage, to: $0.toStage, reason: $0.reason,
                                         before: $0.before, after: $0.after, at: $0.at) },
            deadline: deadline,
            accountability: try await accountability(s, db: db),
            corrections: try await CorrectionStore.of(sheet: s.requireID(), on: db).map {
                CorrectionDTO(at: $0.at, actor: $0.actorName, reason: $0.reason, changes: $0.changeList, beforeTotal: $0.beforeTotal, afterTotal: $0.afterTotal,
                              beforePay: $0.beforePay, afterPay: $0.afterPay, difference: $0.difference.yuan, settledIn: $0.settledIn)
            })
        try await annotate(&dto, s, result: result, user: user, db: db)
        return dto
    }

    /// The editable inputs in the order of the scheme's items (a mark `attitude.manager`, a decision
    /// `response.override` and a grade belong to the item before the dot).
    static func fields(_ inputs: [InputSpec], _ engine: ScoringEngine) -> [FieldDTO] {
        let order = engine.scheme.sections.flatMap(\.items).map(\.id) + engine.scheme.adjustments.map(\.id) + engine.scheme.money.map(\.id)
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return inputs.map { i -> FieldDTO in
            let head = String(i.column.split(separator: ".").first ?? "")
            return FieldDTO(column: i.column, label: i.label, item: rank[head] != nil ? head : nil, min: i.min?.format(), max: i.max?.format(),
                            grades: i.kind == .grade ? i.grades : nil)
        }.sorted { (rank[$0.item ?? ""] ?? Int.max, $0.column) < (rank[$1.item ?? ""] ?? Int.max, $1.column) }
    }

    /// What stops a sheet, as the people on it read it: each message once, in words, without the
    /// engine's code (`missing_mark: …`); the codes stay on the items for the API.
    static func flagLines(_ flags: [KaoheCore.Flag]) -> [String] {
        flags.map(\.message).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    static func accountability(_ s: Sheet, db: Database) async throws -> [FindingDTO] {
        var out: [FindingDTO] = []
        let here = try await FindingStore.findings(sheet: try s.requireID(), on: db)
        let charged = try await FindingStore.findings(rater: s.$employee.id, period: s.cycle.period, on: db)
        var seen = Set<UUID>()
        for f in here + charged where seen.insert(f.id!).inserted { out.append(try await dto(f, db: db)) }
        return out
    }

    struct PreviewDTO: Content {
        var total: String; var grade: String?; var items: [ItemDTO]; var flags: [String]
        /// In the reader's language: the page's script puts these texts straight into the page.
        func localized(_ lang: Language) -> PreviewDTO {
            let l = Localizer.shared
            var out = self
            out.items = items.map { i in
                var i = i
                i.label = l.text(i.label, lang); i.explanation = l.text(i.explanation, lang); i.flag = i.flag.map { l.text($0, lang) }
                return i
            }
            out.flags = flags.map { l.text($0, lang) }
            return out
        }
    }

    /// The sheet scored with the caller's unsaved marks laid over the stored evidence: the live
    /// total and every item's explanation while a rater types (nothing is written), scored among
    /// its team as saving it would (`previewResult`); flags as the sheet reads them, without codes.
    static func preview(_ s: Sheet, values: [String: String], user: User, db: Database) async throws -> PreviewDTO {
        let r = try await previewResult(s, values: values, user: user, db: db)
        return PreviewDTO(total: r.total.format(), grade: r.grade,
                          items: ItemDTO.of(r),
                          flags: flagLines(r.flags))
    }

    /// Claims the sheet at `version` (one UPDATE … WHERE version = ?): a stale version is a
    /// conflict naming who changed it and when, never a silent overwrite.
    static func claim(_ s: Sheet, version: Int, user: User, stage: SheetStage, on db: Database) async throws {
        let claimed = try await SheetStore.claim(try s.requireID(), version: version, stage: stage, by: user.id, on: db)
        guard claimed == 1 else {
            let now = try await SheetStore.sheet(try s.requireID(), on: db)
            var who: User?
            if let u = now?.updatedBy { who = try await AccountStore.user(u, on: db) }
            throw KaoheError.conflict("这张表已被 \(who?.displayName ?? "他人") 于 \(now?.updatedAt.formatted(.iso8601) ?? "刚才") 修改（版本 \(now?.version ?? 0)，你看到的是 \(version)），请刷新后再改", en: "changed by \(who?.displayName ?? "someone else") at \(now?.updatedAt.formatted(.iso8601) ?? "just now") (version \(now?.version ?? 0); you saw \(version)); reload and try again")
        }
        s.version = version + 1; s.stage = stage; s.updatedBy = user.id
    }

    /// Writes marks (and rater decisions) of the caller's stage. Changing an evidence-driven
    /// item (an `….override`) needs a reason (issue 6 §3); every change is audited.
    @discardableResult
    static func write(_ s: Sheet, version: Int, values: [String: String], reason: String?, user: User, db: Database,
                      correcting: Bool = false) async throws -> [Correction.Change] {
        let engine = try Scoring.engine(s.cycle.scheme)
        if s.stage.isClosed, !correcting {
            throw KaoheError.conflict("这张表\(s.stage == .locked ? "已锁定" : "已发布")，只能以“更正”（action correct）说明原因修改（R-100-02）", en: "this sheet is \(s.stage == .locked ? "locked" : "published"); it changes only through a correction with a reason (action correct, R-100-02)")
        }
        let allowed = Dictionary(editable(s, user, engine, correcting: correcting).map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })
        guard !allowed.isEmpty else { throw KaoheError.forbidden("此阶段（\(s.stage.label)）你不能修改这张表", en: "not yours to edit at this stage (\(s.stage.label))") }
        for (k, v) in values {
            guard let input = allowed[k] else { throw KaoheError.forbidden("values.\(k): 此阶段不能填写", en: "values.\(k): not editable by you at this stage") }
            if v.isEmpty { continue }
            do { _ = try engine.evidence([input.column: v]) } catch { throw KaoheError.invalid("values.\(k): \(error.message)") }
        }
        let sid = try s.cycle.scheme.requireID(), eid = try s.employee.requireID(), period = s.cycle.period
        var existing: [String: EvidenceEntry] = [:]
        for e in try await EvidenceStore.entries(employee: eid, scheme: sid, period: period, on: db) {
            existing[e.column] = e
        }
        let overrides = values.filter { k, v in k.hasSuffix(".override") && (existing[k]?.value ?? "") != v }
        if !overrides.isEmpty, (reason ?? "").isBlank {
            throw KaoheError.invalid("reason: 改变依据数据得出的项目（\(overrides.keys.sorted().joined(separator: ", "))）须说明原因", en: "reason: a reason is required to override an evidence-driven item (\(overrides.keys.sorted().joined(separator: ", ")))")
        }
        try await claim(s, version: version, user: user, stage: s.stage, on: db)
        var changes: [Correction.Change] = []
        for (k, v) in values.sorted(by: { $0.key < $1.key }) {
            let old = existing[k]
            if old?.value == v || (old == nil && v.isEmpty) { continue }
            changes.append(Correction.Change(column: k, before: old?.value, after: v.isEmpty ? nil : v))
            if let old {
                if v.isEmpty { try await old.delete(on: db) } else {
                    old.value = v; old.recordedBy = user.id; old.recordedAt = Date(); old.note = reason
                    try await old.save(on: db)
                }
            } else {
                try await EvidenceEntry(employeeId: eid, schemeId: sid, period: period, column: k, value: v, recordedBy: user.id, note: reason).save(on: db)
            }
            try await Audit.record(on: db, actor: user, action: old == nil ? "create" : "update", entity: "evidence", id: "\(s.employee.number)/\(period)/\(k)",
                                   before: old?.value, after: v, reason: reason)
        }
        try await Rescorer.rescore(s.cycle.scheme, period: period, for: [s.$employee.id], on: db)
        return changes
    }

    /// Whether the cycle's objection window is still open and its self-assessment overdue, on the
    /// company's today — what `SheetFlow.next` needs besides the stage.
    static func windows(_ c: Cycle, _ config: AppConfig) -> (objectionOpen: Bool, selfOverdue: Bool) {
        (c.objectionsClose.flatMap(CivilDate.init).map { config.todayDate <= $0 } ?? true,
         CivilDate(c.selfDue).map { config.todayDate > $0 } ?? false)
    }

    /// The actions the caller may take on the sheet now, as `SheetFlow` decides them.
    static func actions(_ s: Sheet, user: User, config: AppConfig) -> [SheetAction] {
        let (open, overdue) = windows(s.cycle, config)
        return SheetFlow.available(s.stage, to: roles(s, user), objectionOpen: open, selfOverdue: overdue)
    }

    static let blocking: Set<String> = ["band_gap", "zero_denominator", "missing_mark"]

    /// One step of the sheet's flow (submit, approve, adjust, return, acknowledge, object,
    /// uphold, change, correct). Submitting what was already submitted is harmless.
    static func act(_ s: Sheet, action: SheetAction, version: Int, reason: String?, values: [String: String]?, user: User,
                    config: AppConfig, db: Database) async throws {
        let from = s.stage
        let roles = roles(s, user)
        let (open, selfOverdue) = windows(s.cycle, config)
        var to: SheetStage?
        var lastError: FlowError?
        for actor in [SheetActor.employee, .rater, .reviewer, .hr] where roles.contains(actor) {
            do { to = try SheetFlow.next(from, action, by: actor, reason: reason, objectionOpen: open, selfOverdue: selfOverdue); break } catch { lastError = error }
        }
        guard let to else {
            // the same submission twice: nothing to do
            if let last = try await SheetStore.lastStep(of: try s.requireID(), on: db),
               last.action == action.rawValue, last.actorId == user.id, last.toStage == s.stage.rawValue { return }
            if roles.isEmpty { throw KaoheError.forbidden("这不是你的考核表", en: "not your sheet") }
            throw KaoheError.conflict(lastError?.message ?? "不能进行此操作 not allowed now")
        }
        if try await currentTotal(s, db: db).0 == nil { try await Rescorer.rescore(s.cycle.scheme, period: s.cycle.period, for: [s.$employee.id], on: db) }
        let before = try await currentTotal(s, db: db)
        // a change after publication (an objection changed, a correction) is a recorded correction (R-100-02)
        let correcting = [.change, .correct].contains(action)
        let figuresBefore = correcting ? try await figures(s, db: db) : nil
        var changed: [Correction.Change] = []
        if [.adjust, .change, .correct].contains(action) {
            guard let values, !values.isEmpty else { throw KaoheError.invalid("values: 调整须给出修改后的分数", en: "values: an adjustment needs the changed marks") }
            changed = try await write(s, version: version, values: values, reason: reason, user: user, db: db, correcting: correcting)
        } else if let values, !values.isEmpty, [.submitSelf, .submitRating].contains(action) {
            try await write(s, version: version, values: values, reason: reason, user: user, db: db)
        } else if s.version != version {
            try await claim(s, version: version, user: user, stage: s.stage, on: db)   // throws the conflict
        }
        let version = s.version
        let after = try await currentTotal(s, db: db)
        if action == .submitSelf {
            let engine = try Scoring.engine(s.cycle.scheme)
            let have = Set(try await EvidenceStore.values(of: s, on: db).keys)
            let missing = engine.inputs.filter { $0.rater == "self" && !have.contains($0.column) }
            if !missing.isEmpty {
                throw KaoheError.invalid("自评未完成：\(missing.map(\.label).joined(separator: "、"))", en: "fill in every self-assessment mark before submitting: \(missing.map(\.label).joined(separator: ", "))")
            }
        }
        if action == .submitRating {
            // the stored result is current (every write re-scores the period): its flags, not a second scoring
            let stored = try await ResultStore.result(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db)
            let flags = try stored.map { try ResultStore.sheet($0, employee: s.employee.number) }?.flags ?? []
            // after a skipped self-assessment, a mark missing only from the self rater does not block
            let skipped = try await SheetStore.stepCount(of: try s.requireID(), action: SheetAction.skipSelf.rawValue, on: db) > 0
            var present = Set<String>()
            if skipped {
                present = Set(try await EvidenceStore.values(of: s, on: db).keys)
            }
            let engine = try Scoring.engine(s.cycle.scheme)
            func onlySelfMissing(_ f: KaoheCore.Flag) -> Bool {
                guard skipped, f.code == "missing_mark", let item = f.item else { return false }
                let marks = engine.inputs.filter { $0.column.hasPrefix(item + ".") && $0.rater != nil && !$0.column.hasSuffix(".override") }
                return !marks.isEmpty && marks.allSatisfy { $0.rater == "self" || present.contains($0.column) }
            }
            let open = flags.filter { blocking.contains($0.code) && !onlySelfMissing($0) }
            if !open.isEmpty {
                throw KaoheError.invalid("提交前须处理：\(open.map(\.message).joined(separator: "；"))", en: "resolve these before submitting: \(open.map(\.message).joined(separator: "; "))")
            }
        }
        try await claim(s, version: version, user: user, stage: to, on: db)
        if action == .submitRating { s.raterTotal = after.0; s.finalTotal = try await adjustedTotal(s, db: db) }
        if [.approve, .adjust, .change, .correct].contains(action) { s.finalTotal = try await adjustedTotal(s, db: db) }
        s.grade = after.1
        try await s.save(on: db)
        try await SheetStep(sheet: try s.requireID(), action: action.rawValue, actor: user, from: from, to: to, reason: reason,
                            before: before.0, after: after.0).save(on: db)
        try await Audit.record(on: db, actor: user, action: action.rawValue, entity: "sheet", id: "\(s.employee.number)/\(s.cycle.period)",
                               before: before.0, after: after.0, reason: reason)
        if correcting, let figuresBefore {
            let figuresAfter = try await figures(s, db: db)
            let c = Correction()
            c.$sheet.id = try s.requireID(); c.$employee.id = s.$employee.id; c.period = s.cycle.period
            // paid in this month's payroll while the month is open, else as a difference in the next
            c.settledIn = from == .locked ? (MonthIndex(s.cycle.period).map { ($0 + 1).label } ?? s.cycle.period) : s.cycle.period
            c.actorId = user.id; c.actorName = user.displayName; c.reason = reason ?? ""; c.at = Date()
            c.changes = String(decoding: try JSONEncoder.sorted.encode(changed), as: UTF8.self)
            c.beforeTotal = figuresBefore.total; c.afterTotal = figuresAfter.total
            c.beforePay = figuresBefore.pay; c.afterPay = figuresAfter.pay
            c.beforeMoney = figuresBefore.money; c.afterMoney = figuresAfter.money
            try await c.save(on: db)
            // every outcome that depends on the month: its ranks, levels, stars, money — and later months'
            try await Rescorer.outcomes(key: s.cycle.scheme.key, from: s.cycle.period, on: db)
        }
        // what asked for this step is done: it leaves the inboxes' unread lists (issue 17 §7)
        try await Inbox.settle(s, from: from, to: to, on: db)
        try await notify(s, action: action, to: to, user: user, db: db)
    }

    /// A sheet's stored total, pay and money sum (yuan), as a correction records them.
    static func figures(_ s: Sheet, db: Database) async throws -> (total: String?, pay: String?, money: String?) {
        guard let r = try await ResultStore.result(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db) else {
            return (nil, nil, nil)
        }
        let sheet = try ResultStore.sheet(r, employee: s.employee.number)
        return (r.total, sheet.pay.map { $0.paid.yuan }, sheet.moneyTotal.yuan)
    }

    static func currentTotal(_ s: Sheet, db: Database) async throws -> (String?, String?) {
        let r = try await ResultStore.result(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db)
        return (r?.total, r?.grade)
    }

    static func notify(_ s: Sheet, action: SheetAction, to: SheetStage, user: User, db: Database) async throws {
        let link = SiteURL.sheet(s.id!).path
        let employeeAccount = try await AccountStore.user(employee: s.$employee.id, on: db)
        let who = "\(s.employee.number) \(s.employee.name) \(s.cycle.period)"
        var items: [InboxItem] = []
        // a message that asks for the next step says so (its topic): that step clears it
        let waits = s.id.map { Inbox.sheet($0, to) }
        switch action {
        case .submitSelf: if let r = s.raterId { items.append(InboxItem(user: r, text: "\(who) 已自评，请评分", link: link, topic: waits)) }
        case .submitRating: if let r = s.reviewerId { items.append(InboxItem(user: r, text: "\(who) 已评分，请复核", link: link, topic: waits)) }
        case .returnToRater: if let r = s.raterId { items.append(InboxItem(user: r, text: "\(who) 被退回重评", link: link, topic: waits)) }
        case .object: if let r = s.reviewerId { items.append(InboxItem(user: r, text: "\(who) 提出申诉，请处理", link: link, topic: waits)) }
        case .uphold, .change, .correct:
            if let e = employeeAccount?.id { items.append(InboxItem(user: e, text: "你的 \(s.cycle.period) 考核\(action == .uphold ? "申诉已处理：维持原结果" : action == .change ? "申诉已处理：结果已修改" : "结果已更正")", link: link)) }
        default: break
        }
        for i in items { try await i.save(on: db) }
    }

    /// HR reminds everyone whose sheets are past their stage's deadline (one inbox item each).
    static func remind(_ c: Cycle, user: User, config: AppConfig, db: Database) async throws -> Int {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以催办", en: "only HR sends reminders") }
        let d = try await dto(c, config: config, db: db)
        let users = try await AccountStore.allUsers(on: db)
        var sent = 0
        var reminded: [Notices.Reminder] = []
        for o in d.overdue {
            // the overdue row names the person as “display name（username）”
            guard let u = users.first(where: { o.user.hasSuffix("（\($0.username)）") }) else { continue }
            let detail = "\(c.period) 考核“\(SheetStage(rawValue: o.stage)?.label ?? o.stage)”已于 \(o.due) 到期，尚有 \(o.employees.count) 张：\(o.employees.joined(separator: "、"))"
            // a new reminder of the same stage replaces the last one; it clears when nothing is left (issue 17 §7)
            let topic = Inbox.reminder(c.id!, o.stage)
            try await NotificationStore.done(topics: [topic], user: u.id!, on: db)
            try await InboxItem(user: u.id!, text: "催办：" + detail, link: SiteURL.sheets.path, topic: topic).save(on: db)
            reminded.append(Notices.Reminder(user: u, detail: detail))
            sent += 1
        }
        // and by e-mail and to the group robots, as the company's settings say (sent by the outbox worker)
        try await Notices.reminders(reminded, period: c.period, on: db)
        try await Audit.record(on: db, actor: user, action: "remind", entity: "cycle", id: c.id!.uuidString, after: "reminders=\(sent)")
        return sent
    }

    // MARK: calibration (R-004-04)

    struct RaterDTO: Content { var rater: String; var stats: Calibration.Stats; var meanVsDepartment: Double? }
    struct CalibrationDTO: Content {
        var cycleId: UUID
        var departmentGrade: String?
        var department: Calibration.Stats
        var raters: [RaterDTO]
        var quota: [Calibration.QuotaRow]
        var rules: [String]
    }

    /// Who sees a cycle's calibration, for the API and the page alike: HR all of it; a manager
    /// their own department's cycle, and of a company-wide cycle only their department's sheets
    /// (the department returned; issue 13: the API once answered for any department).
    static func calibrationScope(_ c: Cycle, user: User) throws -> UUID? {
        switch user.viewer.role {
        case .hr: return nil
        case .manager:
            guard let mine = user.viewer.departmentId, c.$department.id == nil || c.$department.id == mine else {
                throw KaoheError.forbidden("无权查看其他部门的校准", en: "not your department's cycle")
            }
            return mine
        default: throw KaoheError.forbidden("人事和经理可见", en: "HR and managers")
        }
    }

    /// Each rater's mean, spread and grades against the department's, and the department's grades
    /// against the forced-distribution quota for its own grade (A/B/C).
    static func calibration(_ c: Cycle, departmentGrade: String?, user: User, db: Database) async throws -> CalibrationDTO {
        let onlyDepartment = try calibrationScope(c, user: user)
        if let g = departmentGrade, Calibration.Quota.r004_04.maxShare[g] == nil {
            throw KaoheError.badInput("department_grade: 可选 \(Calibration.Quota.r004_04.maxShare.keys.sorted().joined(separator: ", "))", en: "department_grade: allowed: \(Calibration.Quota.r004_04.maxShare.keys.sorted().joined(separator: ", "))")
        }
        var sheets = try await SheetStore.sheets(cycle: try c.requireID(), on: db)
        if let d = onlyDepartment {
            let members = Set(try await PeopleStore.employeeIds(department: d, on: db))
            sheets = sheets.filter { members.contains($0.$employee.id) }
        }
        let users = Dictionary(try await AccountStore.allUsers(on: db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let scored = sheets.compactMap { s -> (UUID?, Double, String?)? in
            guard let t = (s.finalTotal ?? s.raterTotal).flatMap(Double.init) else { return nil }
            return (s.raterId, t, s.grade)
        }
        let dept = Calibration.stats(scored.map { ($0.1, $0.2) })
        var raters: [RaterDTO] = []
        for (rid, rows) in Dictionary(grouping: scored, by: { $0.0 }) {
            let st = Calibration.stats(rows.map { ($0.1, $0.2) })
            let name = rid.flatMap { users[$0] }.map { "\($0.displayName)（\($0.username)）" } ?? "—"
            raters.append(RaterDTO(rater: name, stats: st, meanVsDepartment: st.mean.flatMap { m in dept.mean.map { ((m - $0) * 100).rounded() / 100 } }))
        }
        let engine = try Scoring.engine(try await SchemeStore.version(c.$scheme.id, on: db)!)
        let grades = engine.scheme.grades.sorted { ($0.min?.double ?? -1e18) > ($1.min?.double ?? -1e18) }.map(\.label)
        return CalibrationDTO(cycleId: try c.requireID(), departmentGrade: departmentGrade, department: dept,
                              raters: raters.sorted { $0.rater < $1.rater }, quota: Calibration.check(dept, grades: grades, departmentGrade: departmentGrade),
                              rules: ["R-004-04"])
    }

    // MARK: cycle-wide steps

    /// A step `SheetFlow` refuses, as the conflict it is for the caller.
    static func flow(_ step: () throws(FlowError) -> SheetStage) throws -> SheetStage {
        do { return try step() } catch { throw KaoheError.conflict(error.message) }
    }

    static func publish(_ c: Cycle, user: User, config: AppConfig, db: Database) async throws -> Int {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以发布", en: "only HR publishes") }
        if c.status == .cancelled { throw KaoheError.conflict("这个考核周期已取消，不能发布", en: "this cycle was cancelled") }
        guard c.status == .open else { throw KaoheError.conflict("已发布", en: "already published") }
        let sched = schedule(c)
        let close = sched.add(sched.objectionDays, to: config.todayDate)
        let cid = try c.requireID()
        return try await db.writeTransaction { db in
            // one publication however many ask at once: the status moves only from open (issue 14 §5)
            try await transition(cid, from: .open, to: .published, objectionsClose: close.description, on: db)
            let ready = try await SheetStore.sheetsWithEmployees(cycle: cid, stage: .ready, on: db)
            let waiting = try await SheetStore.count(cycle: cid, stages: [SheetStage.selfAssessment, .rating, .review], on: db)
            guard waiting == 0 else { throw KaoheError.conflict("还有 \(waiting) 张表未完成复核，不能发布", en: "\(waiting) sheets are still being rated or reviewed; cannot publish") }
            var published: [Notices.Published] = []
            for s in ready {
                let to = try flow { () throws(FlowError) in try SheetFlow.next(.ready, .publish, by: .hr) }
                s.stage = to; s.version += 1; s.updatedAt = Date(); s.updatedBy = user.id
                try await s.save(on: db)
                try await SheetStep(sheet: s.id!, action: SheetAction.publish.rawValue, actor: user, from: .ready, to: to,
                                    reason: nil, before: s.finalTotal, after: s.finalTotal).save(on: db)
                let text = "你的 \(c.period) 考核结果已发布：\(s.finalTotal ?? "—") 分；如有异议请在 \(close) 前申诉"
                let account = try await AccountStore.user(employee: s.$employee.id, on: db)
                if let e = account {
                    // acknowledging or objecting clears it (issue 17 §7)
                    try await InboxItem(user: e.id!, text: text, link: SiteURL.sheet(s.id!).path, topic: Inbox.sheet(s.id!, to)).save(on: db)
                }
                published.append(Notices.Published(employee: s.employee, account: account, text: text, sheet: s.id!))
            }
            // by e-mail to each employee and to the group robots (sent by the outbox worker: a mail
            // server that is down never stops the publication)
            try await Notices.publication(published, period: c.period, objectionsClose: close.description, on: db)
            c.status = .published; c.objectionsClose = close.description
            // the results now count (R-100-01), and the outcomes are computed from them (R-100-03)
            try await ResultStore.mark(.published, cycle: c, employees: ready.map { $0.$employee.id }, on: db)
            if let key = try await SchemeStore.version(c.$scheme.id, on: db)?.key { try await Rescorer.outcomes(key: key, from: c.period, on: db) }
            try await Audit.record(on: db, actor: user, action: "publish", entity: "cycle", id: cid.uuidString, after: "sheets=\(ready.count) objections_close=\(close)")
            return ready.count
        }
    }

    /// Moves a cycle's status with one conditional UPDATE: of parallel requests exactly one
    /// succeeds, the others get a conflict and change nothing.
    static func transition(_ id: UUID, from: CycleStatus, to: CycleStatus, objectionsClose: String? = nil, on db: Database) async throws {
        let moved = try await CycleStore.moveStatus(id, from: from, to: to, objectionsClose: objectionsClose, on: db)
        guard moved == 1 else {
            throw KaoheError.conflict(to == .published ? "已发布 already published" : to == .locked ? "已锁定或尚未发布 already locked or not published" : "状态已变 the cycle changed")
        }
    }

    static func lock(_ c: Cycle, user: User, config: AppConfig, db: Database) async throws -> Int {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以锁定", en: "only HR locks") }
        guard c.status == .published, let close = c.objectionsClose.flatMap(CivilDate.init) else { throw KaoheError.conflict("尚未发布", en: "not published") }
        let cid = try c.requireID()
        return try await db.writeTransaction { db in
            let sheets = try await SheetStore.sheets(cycle: cid, on: db)
            if sheets.contains(where: { $0.stage == .objected }) { throw KaoheError.conflict("还有未处理的申诉", en: "objections are still open") }
            if config.todayDate <= close && sheets.contains(where: { $0.stage == .published }) {
                throw KaoheError.conflict("申诉期至 \(close) 结束，尚有员工未确认", en: "the objection window is open until \(close)")
            }
            try await transition(cid, from: .published, to: .locked, on: db)
            let open = config.todayDate <= close
            for s in sheets where s.stage != .locked {
                let from = s.stage
                let to = try flow { () throws(FlowError) in try SheetFlow.next(from, .lock, by: .hr, objectionOpen: open) }
                try await SheetStep(sheet: s.id!, action: SheetAction.lock.rawValue, actor: user, from: s.stage, to: to, reason: nil, before: s.finalTotal, after: s.finalTotal).save(on: db)
                s.stage = to; s.version += 1; s.updatedAt = Date(); s.updatedBy = user.id
                try await s.save(on: db)
            }
            c.status = .locked
            // the window is closed: a published result no longer waits to be acknowledged
            try await Inbox.settle(sheets, cycle: cid, from: [.published], on: db)
            try await ResultStore.mark(.locked, cycle: c, employees: sheets.map { $0.$employee.id }, on: db)
            if let key = try await SchemeStore.version(c.$scheme.id, on: db)?.key { try await Rescorer.outcomes(key: key, from: c.period, on: db) }
            try await Audit.record(on: db, actor: user, action: "lock", entity: "cycle", id: cid.uuidString, after: "sheets=\(sheets.count)")
            return sheets.count
        }
    }
}
