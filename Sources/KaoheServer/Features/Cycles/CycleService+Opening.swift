import Fluent
import Foundation
import KaoheCore
import Vapor

/// Opening a cycle that cannot go wrong (issue 16 §4): each team gets its own scheme (the team's,
/// else its department's, else the one chosen — `SchemeAssignment`); HR sees first, on a preview,
/// every team with its scheme and people and everyone left out with why (probation, left, already
/// has a sheet of the period, no one to rate); a second sheet for one person and period is refused
/// with the existing one named; the deadlines count from the day the sheets are issued (R-002-30)
/// and may be set on the preview.
extension CycleService {
    /// Deadlines typed on the preview or the cycle's page (`YYYY-MM-DD`; nil or empty: unchanged).
    struct DeadlineInput: Sendable {
        var selfDue: String?
        var ratingDue: String?
        var reviewDue: String?
        var publishDue: String?
    }

    /// A team in a plan: where its scheme comes from (班组指定 / 部门指定 / 所选方案) and how many get a sheet.
    struct PlanTeam: Content { var id: UUID?; var name: String; var source: String; var people: Int }
    /// A person who gets a sheet, with who rates and reviews it.
    struct PlanPerson: Content { var number: String; var name: String; var team: String?; var rater: String; var reviewer: String? }
    /// A person left out, with why; `sheet`: the sheet of the period they already have.
    struct PlanExcluded: Content { var number: String; var name: String; var team: String?; var reason: String; var sheet: UUID? }
    /// One scheme's part of the plan: one cycle.
    struct PlanGroup: Content {
        var scheme: String; var schemeName: String; var schemeVersion: Int
        var teams: [PlanTeam]; var people: [PlanPerson]; var excluded: [PlanExcluded]
    }
    /// What opening would do, shown before it is done.
    struct PlanDTO: Content {
        var period: String
        var departmentId: UUID?
        var teamIds: [UUID]
        /// the scheme chosen on the form ("" : each team's own)
        var scheme: String
        var groups: [PlanGroup]
        /// left out before any scheme applies (no scheme for their team, another scheme's cycle)
        var excluded: [PlanExcluded]
        var issuedOn: String
        var selfDue: String
        var ratingDue: String
        var reviewDue: String
        var publishDue: String
        var hasSelf: Bool
        var sheets: Int { groups.reduce(0) { $0 + $1.people.count } }
    }

    /// A group as it will be issued: its version, the sheets to create, its cycle's teams.
    struct IssueGroup {
        var version: SchemeVersion
        var start: SheetStage
        var sheets: [Sheet]
        /// the cycle's `teams` (comma-separated ids; empty: the whole department)
        var teams: String
        var excluded: [String: String]
    }

    struct Plan {
        var dto: PlanDTO
        var groups: [IssueGroup]
        var schedule: CycleSchedule
        var departmentId: UUID?
    }

    /// Checks a cycle's deadlines: each a date, in order issue ≤ self ≤ rating ≤ review ≤ publication;
    /// the refusal names the field.
    static func checkedDeadlines(issued: String, selfDue: String, ratingDue: String, reviewDue: String, publishDue: String) throws -> (String, String, String, String) {
        let named: [(field: String, label: String, value: String)] = [("self_due", "自评截止", selfDue), ("rating_due", "评分截止", ratingDue),
                                                                      ("review_due", "复核截止", reviewDue), ("publish_due", "发布截止", publishDue)]
        var previous: (label: String, date: CivilDate)? = CivilDate(issued).map { ("下发日期", $0) }
        for n in named {
            let text = n.value.trimmingCharacters(in: .whitespaces)
            guard let d = CivilDate(text) else {
                throw KaoheError.invalid("\(n.field): \(n.label)“\(text)”不是日期（如 2026-12-03）", en: "\(n.field): “\(text)” is not a date (YYYY-MM-DD)")
            }
            if let p = previous, d < p.date {
                throw KaoheError.invalid("\(n.field): \(n.label)（\(d)）不能早于\(p.label)（\(p.date)）", en: "\(n.field): \(d) is before the \(p.label) \(p.date)")
            }
            previous = (n.label, d)
        }
        return (selfDue.trimmingCharacters(in: .whitespaces), ratingDue.trimmingCharacters(in: .whitespaces),
                reviewDue.trimmingCharacters(in: .whitespaces), publishDue.trimmingCharacters(in: .whitespaces))
    }

    /// An existing sheet as the refusal names it: its scheme, its cycle and its link.
    static func named(_ e: CycleControlStore.ExistingSheet) -> String {
        "本期已有考核表：方案 \(e.name)（\(e.key)），\(e.period) 考核周期（下发 \(e.issued_on)，\(SheetStage(rawValue: e.stage)?.label ?? e.stage)），\(SiteURL.sheet(e.sheet_id).path)"
    }

    /// What opening `r` would do. `onlyRequested` (the API): only the chosen scheme's cycle, the
    /// teams that use another scheme left out (and named); else (the page) one cycle per scheme.
    static func plan(_ r: OpenRequest, user: User, config: AppConfig, db: Database, deadlines edit: DeadlineInput? = nil,
                     onlyRequested: Bool) async throws -> Plan {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以发起考核", en: "only HR opens a cycle") }
        let key = r.scheme.trimmingCharacters(in: .whitespaces)
        let requested: SchemeVersion?
        if !key.isEmpty {
            guard let v = try await SchemeStore.newest(key: key, on: db) else {
                throw KaoheError.notFound("scheme: 没有方案 “\(key)”", en: "scheme: no such scheme “\(key)”")
            }
            requested = v
        } else if onlyRequested {
            throw KaoheError.invalid("scheme: 须选择方案", en: "scheme: required")
        } else {
            requested = nil
        }
        guard Period.isValid(r.period) else { throw KaoheError.badInput("period: “\(r.period)” 不是有效期间 (2026-10, 2026-Q4, 2026-H2, 2026)") }
        var sched: CycleSchedule
        switch r.schedule ?? (r.period.count == 4 ? "annual" : "monthly") {
        case "monthly": sched = .monthly
        case "annual": sched = .annual
        case let s: throw KaoheError.badInput("schedule: “\(s)” — 须为 monthly 或 annual", en: "schedule: “\(s)” — must be monthly or annual")
        }
        if let d = r.objectionDays {
            guard (1...30).contains(d) else { throw KaoheError.invalid("objection_days: 1–30") }
            sched.objectionDays = d
        }
        if let w = r.workingDays { sched.workingDays = w }
        if let m = r.probationMonths {
            guard (0...12).contains(m) else { throw KaoheError.invalid("probation_months: 0–12") }
            sched.probationMonths = m
        }
        // the deadlines count from the day the sheets go out: the period's issue day, or today when later (R-002-30)
        guard let due = sched.deadlines(period: r.period, opening: config.todayDate) else {
            throw KaoheError.badInput("period: 无法计算 “\(r.period)” 的截止日期", en: "period: cannot compute deadlines for “\(r.period)”")
        }
        func typed(_ s: String?, _ d: CivilDate) -> String { s.flatMap { $0.isBlank ? nil : $0 } ?? d.description }
        let (selfDue, ratingDue, reviewDue, publishDue) = try checkedDeadlines(
            issued: due.issue.description, selfDue: typed(edit?.selfDue, due.selfAssessment), ratingDue: typed(edit?.ratingDue, due.rating),
            reviewDue: typed(edit?.reviewDue, due.review), publishDue: typed(edit?.publishDue, due.publish))
        let departmentId = r.departmentId ?? requested?.$department.id
        if let d = departmentId, try await PeopleStore.department(d, on: db) == nil { throw KaoheError.notFound("department_id: 没有这个部门", en: "department_id: no such department") }
        let teams = Set(r.teamIds ?? [])
        let allTeams = try await PeopleStore.teams(on: db)
        let teamById = Dictionary(allTeams.compactMap { t in t.id.map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
        for t in teams {
            guard let team = teamById[t] else { throw KaoheError.notFound("team_ids: 没有这个班组", en: "team_ids: no such team") }
            if let d = departmentId, team.$department.id != d { throw KaoheError.invalid("team_ids: 班组 \(team.name) 不在该部门", en: "team_ids: team \(team.name) is not in the department") }
        }
        // each team's scheme: the team's own, else its department's, else the one chosen
        let assignments = try await CycleControlStore.assignments(on: db)
        let byTeam = Dictionary(assignments.compactMap { a in a.teamId.map { ($0, a.schemeKey) } }, uniquingKeysWith: { a, _ in a })
        let byDepartment = Dictionary(assignments.compactMap { a in a.departmentId.map { ($0, a.schemeKey) } }, uniquingKeysWith: { a, _ in a })
        func scheme(team: UUID?, department: UUID) -> (key: String, source: String)? {
            if let t = team, let k = byTeam[t] { return (k, "班组指定") }
            if let k = byDepartment[department] { return (k, "部门指定") }
            if let requested { return (requested.key, "所选方案") }
            return nil
        }
        // a team chosen by name that is appraised by another scheme: refused, naming its scheme
        if let requested {
            for t in teams.sorted(by: { (teamById[$0]?.name ?? "") < (teamById[$1]?.name ?? "") }) {
                guard let team = teamById[t], let s = scheme(team: t, department: team.$department.id), s.key != requested.key else { continue }
                throw KaoheError.conflict("team_ids: 班组 \(team.name) 使用方案 \(s.key)（\(s.source)），不能以 \(requested.key) 发起；如要改用，先在“各班组的考核方案”中修改",
                                          en: "team_ids: team \(team.name) is appraised by \(s.key), not \(requested.key); change the team's scheme first")
            }
        }
        func inScope(_ e: Employee) -> Bool { teams.isEmpty || e.$team.id.map(teams.contains) == true }
        let people = try await PeopleStore.activeEmployees(department: departmentId, on: db).filter(inScope)
        let leavers = try await CycleControlStore.leavers(department: departmentId, on: db).filter(inScope)
        let existing = Dictionary(grouping: try await CycleControlStore.existingSheets(period: r.period, on: db), by: \.employee_id)
        // who rates, who reviews
        let everyone = Dictionary(try await PeopleStore.employees(on: db).compactMap { e in e.id.map { ($0, e) } }, uniquingKeysWith: { a, _ in a })
        let users = try await AccountStore.allUsers(on: db)
        let accountOf = Dictionary(users.compactMap { u in u.$employee.id.map { ($0, u) } }, uniquingKeysWith: { a, _ in a })
        let leaders = Dictionary(allTeams.compactMap { t in t.leaderId.flatMap { l in t.id.map { ($0, l) } } }, uniquingKeysWith: { a, _ in a })
        func manager(_ dept: UUID) -> User? { users.first { $0.role == .manager && $0.$department.id == dept } }
        func who(_ u: User?) -> String? { u.map { "\($0.displayName)（\($0.username)）" } }

        // the groups, one per scheme, in the order their first person comes
        final class Work {
            let version: SchemeVersion; let engine: ScoringEngine; let end: CivilDate; let start: SheetStage
            var sheets: [Sheet] = []; var people: [PlanPerson] = []; var excluded: [PlanExcluded] = []
            var teams: [UUID: PlanTeam] = [:]
            init(version: SchemeVersion, engine: ScoringEngine, end: CivilDate, start: SheetStage) {
                self.version = version; self.engine = engine; self.end = end; self.start = start
            }
        }
        var work: [String: Work] = [:]
        var order: [String] = []
        var missingSchemes: Set<String> = []
        func group(_ key: String) async throws -> Work? {
            if let w = work[key] { return w }
            if missingSchemes.contains(key) { return nil }
            var found = requested?.key == key ? requested : nil
            if found == nil { found = try await SchemeStore.newest(key: key, on: db) }
            guard let v = found else { missingSchemes.insert(key); return nil }
            let engine = try Scoring.engine(v)
            // a scheme rated by the quarter is not opened for a month (nor the other way): said, with what would do
            let kind = engine.scheme.period
            if let given = Period.kind(r.period), given != kind {
                func said(_ k: PeriodKind) -> String { SchemeChoices.periods.first { $0.id == k.rawValue }?.label ?? k.rawValue }
                let instead = Period.containing(r.period, kind)
                throw KaoheError.invalid("period: 方案「\(engine.scheme.name)」（\(v.key)）按\(said(kind))考核，\(r.period) 是一个\(said(given))："
                                         + (instead.map { "请以期间 \($0) 发起，或" } ?? "请") + "在方案中把考核周期改为「\(said(given))」",
                                         en: "period: scheme \(v.key) is rated by the \(kind.rawValue), and \(r.period) is a \(given.rawValue): "
                                         + (instead.map { "open it for \($0), or " } ?? "") + "change the scheme's period to \(given.rawValue)")
            }
            guard let end = periodEnd(r.period, engine) else {
                throw KaoheError.badInput("period: 无法计算 “\(r.period)” 的截止日期", en: "period: cannot compute deadlines for “\(r.period)”")
            }
            let w = Work(version: v, engine: engine, end: end, start: SheetFlow.start(hasSelfAssessment: hasSelf(engine)))
            work[key] = w
            order.append(key)
            return w
        }
        // the chosen scheme's cycle is opened even when no one gets a sheet (the API's caller asked for it)
        if onlyRequested, let requested { _ = try await group(requested.key) }
        var loose: [PlanExcluded] = []
        for e in people.sorted(by: { $0.number < $1.number }) {
            guard let eid = e.id else { continue }
            let teamName = e.$team.id.flatMap { teamById[$0]?.name }
            func out(_ reason: String, sheet: UUID? = nil) -> PlanExcluded { PlanExcluded(number: e.number, name: e.name, team: teamName, reason: reason, sheet: sheet) }
            guard let s = scheme(team: e.$team.id, department: e.$department.id) else {
                loose.append(out("\(teamName.map { "班组 \($0) " } ?? "")没有指定考核方案，发起时也没有选择方案")); continue
            }
            if onlyRequested, let requested, s.key != requested.key {
                loose.append(out("\(teamName.map { "班组 \($0) " } ?? "")使用方案 \(s.key)（\(s.source)），另行发起")); continue
            }
            guard let g = try await group(s.key) else { loose.append(out("方案 \(s.key) 不存在（\(s.source)）")); continue }
            if let tid = e.$team.id {
                g.teams[tid] = g.teams[tid] ?? PlanTeam(id: tid, name: teamName ?? "", source: s.source, people: 0)
            }
            // one sheet per person and period (issue 16 §4): the existing one is named
            if let had = existing[eid]?.first {
                g.excluded.append(out(named(had), sheet: had.sheet_id)); continue
            }
            guard let hire = CivilDate(e.hireDate) else { g.excluded.append(out("入职日期缺失或无效 no valid hire date")); continue }
            let (ok, why) = sched.assessed(hireDate: hire, probationEnd: e.probationEnd.flatMap(CivilDate.init), periodEnd: g.end)
            guard ok else { g.excluded.append(out(why)); continue }
            // single-head rating: the direct superior; else the team leader; else the department manager
            // (a team leader's own superior is not himself: he falls through to the manager)
            let boss = e.superiorId.flatMap { everyone[$0] } ?? e.$team.id.flatMap { leaders[$0] }.flatMap { $0 == e.id ? nil : everyone[$0] }
            let rater = boss.flatMap { $0.id.flatMap { accountOf[$0] } } ?? manager(e.$department.id)
            let grand = boss?.superiorId.flatMap { accountOf[$0] }
            var reviewer = grand ?? manager(e.$department.id)
            // no one above the rater: the HR officer who opened the cycle reviews
            if reviewer?.id == rater?.id { reviewer = user }
            guard let rater else { g.excluded.append(out("没有直接上级或经理账号，无人评分 no superior, team leader or manager account to rate")); continue }
            if rater.$employee.id == e.id { g.excluded.append(out("本人是自己的评分人 would rate themself")); continue }
            let sheet = Sheet()
            sheet.id = UUID(); sheet.$employee.id = eid; sheet.raterId = rater.id; sheet.reviewerId = reviewer?.id
            sheet.stage = g.start; sheet.version = 1; sheet.updatedAt = Date(); sheet.updatedBy = user.id
            g.sheets.append(sheet)
            g.people.append(PlanPerson(number: e.number, name: e.name, team: teamName, rater: who(rater) ?? "—", reviewer: who(reviewer)))
            if let tid = e.$team.id { g.teams[tid]?.people += 1 }
        }
        // leavers get no sheet: listed with their team's scheme
        for e in leavers.sorted(by: { $0.number < $1.number }) {
            let teamName = e.$team.id.flatMap { teamById[$0]?.name }
            let x = PlanExcluded(number: e.number, name: e.name, team: teamName, reason: "已离职，不参加考核", sheet: nil)
            if let s = scheme(team: e.$team.id, department: e.$department.id), let g = work[s.key] { g.excluded.append(x) } else { loose.append(x) }
        }
        // everyone in a group already has a sheet of the period: refused, the existing ones named
        for key in order {
            guard let g = work[key], g.sheets.isEmpty else { continue }
            let had = g.excluded.filter { $0.sheet != nil }
            guard !had.isEmpty else { continue }
            let first = had.prefix(3).map { "\($0.number) \($0.name)：\($0.reason)" }.joined(separator: "；")
            throw KaoheError.conflict("不能再发第二张考核表：\(first)\(had.count > 3 ? "……（共 \(had.count) 人）" : "")。同一人同一期间只有一张考核表；如方案有误，先撤回那张表或取消那个考核周期",
                                      en: "a second sheet for the same person and period is refused: \(had.count) people already have one (first: \(had[0].number) \(SiteURL.sheet(had[0].sheet).path)); withdraw it or cancel its cycle first")
        }
        let split = order.count > 1 || loose.contains { $0.reason.contains("另行发起") }
        var groups: [IssueGroup] = []
        var shown: [PlanGroup] = []
        for key in order {
            guard let g = work[key] else { continue }
            // the cycle's teams: those chosen; else the whole department, unless its teams use several schemes
            let ids = teams.isEmpty ? (split ? Set(g.teams.keys) : []) : teams
            groups.append(IssueGroup(version: g.version, start: g.start, sheets: g.sheets, teams: ids.map(\.uuidString).sorted().joined(separator: ","),
                                     excluded: Dictionary(g.excluded.map { ($0.number, $0.reason) }, uniquingKeysWith: { a, _ in a })))
            shown.append(PlanGroup(scheme: g.version.key, schemeName: g.version.name, schemeVersion: g.version.version,
                                   teams: g.teams.values.sorted { $0.name < $1.name }, people: g.people, excluded: g.excluded))
        }
        // the left-out that belong to no group are recorded on the first cycle
        if !loose.isEmpty, !groups.isEmpty {
            for x in loose { groups[0].excluded[x.number] = x.reason }
        }
        let dto = PlanDTO(period: r.period, departmentId: departmentId, teamIds: teams.sorted { $0.uuidString < $1.uuidString }, scheme: key,
                          groups: shown, excluded: loose, issuedOn: due.issue.description, selfDue: selfDue, ratingDue: ratingDue, reviewDue: reviewDue,
                          publishDue: publishDue, hasSelf: work.values.contains { $0.start == .selfAssessment })
        return Plan(dto: dto, groups: groups, schedule: sched, departmentId: departmentId)
    }

    /// Issues a plan: one cycle per group, with its sheets, the first step's inbox messages and an
    /// audit row each, in one transaction. `skipEmpty`: a group with no sheet opens no cycle (the page).
    static func issue(_ plan: Plan, period: String, user: User, skipEmpty: Bool, db: Database) async throws -> [Cycle] {
        let groups = skipEmpty ? plan.groups.filter { !$0.sheets.isEmpty } : plan.groups
        guard !groups.isEmpty else {
            throw KaoheError.invalid("范围内没有人可以下发考核表（见预览中未下发的人和原因）", en: "no one in scope can be issued a sheet (see who is left out and why)")
        }
        let d = plan.dto
        let schedule = String(decoding: try JSONEncoder.sorted.encode(plan.schedule), as: UTF8.self)
        let accounts = Dictionary(try await AccountStore.users(employees: Set(groups.flatMap { $0.sheets.map { $0.$employee.id } }), on: db)
            .compactMap { u in u.$employee.id.map { ($0, u) } }, uniquingKeysWith: { a, _ in a })
        return try await db.writeTransaction { db in
            var cycles: [Cycle] = []
            for g in groups {
                let cycle = Cycle()
                cycle.$scheme.id = try g.version.requireID(); cycle.period = period; cycle.$department.id = plan.departmentId
                cycle.teams = g.teams
                cycle.schedule = schedule
                cycle.status = .open
                cycle.issuedOn = d.issuedOn; cycle.selfDue = d.selfDue; cycle.ratingDue = d.ratingDue
                cycle.reviewDue = d.reviewDue; cycle.publishDue = d.publishDue
                cycle.excluded = String(decoding: try JSONEncoder.sorted.encode(g.excluded), as: UTF8.self)
                cycle.createdBy = user.id; cycle.createdAt = Date()
                try await cycle.save(on: db)
                for s in g.sheets { s.$cycle.id = try cycle.requireID() }
                try await StoreSQL.createAll(g.sheets, on: db)
                var inbox: [InboxItem] = []
                for s in g.sheets {
                    guard let sid = s.id else { continue }
                    let to = g.start == .selfAssessment ? accounts[s.$employee.id]?.id : s.raterId
                    if let to {
                        inbox.append(InboxItem(user: to, text: "\(period) 考核表待填写，截止 \(g.start == .selfAssessment ? d.selfDue : d.ratingDue)",
                                               link: SiteURL.sheet(sid).path, topic: Inbox.sheet(sid, g.start)))
                    }
                }
                try await StoreSQL.createAll(inbox, on: db)
                try await Audit.record(on: db, actor: user, action: "open", entity: "cycle", id: "\(g.version.key)/\(period)",
                                       after: "sheets=\(g.sheets.count) excluded=\(g.excluded.count) teams=\(g.teams.isEmpty ? "all" : g.teams) issue=\(d.issuedOn) self=\(d.selfDue) rating=\(d.ratingDue) review=\(d.reviewDue) publish=\(d.publishDue)")
                cycles.append(cycle)
            }
            return cycles
        }
    }

    // MARK: open

    /// The API's opening: the chosen scheme's cycle only (the teams of the department that use
    /// another scheme left out, named), sheets to everyone in scope but those in probation
    /// (R-002-30), those who left and those who already have a sheet of the period.
    static func open(_ r: OpenRequest, user: User, config: AppConfig, db: Database, deadlines: DeadlineInput? = nil) async throws -> CycleDTO {
        let plan = try await plan(r, user: user, config: config, db: db, deadlines: deadlines, onlyRequested: true)
        let cycles = try await issue(plan, period: r.period, user: user, skipEmpty: false, db: db)
        guard let first = cycles.first else { throw KaoheError.internalFault("服务器内部错误", en: "internal error: no cycle opened") }
        return try await dto(first, config: config, db: db)
    }

    /// The page's opening, after its preview: one cycle per scheme among the teams in scope.
    static func openAll(_ r: OpenRequest, user: User, config: AppConfig, db: Database, deadlines: DeadlineInput? = nil) async throws -> [CycleDTO] {
        let plan = try await plan(r, user: user, config: config, db: db, deadlines: deadlines, onlyRequested: false)
        var out: [CycleDTO] = []
        for c in try await issue(plan, period: r.period, user: user, skipEmpty: true, db: db) { out.append(try await dto(c, config: config, db: db)) }
        return out
    }
}
