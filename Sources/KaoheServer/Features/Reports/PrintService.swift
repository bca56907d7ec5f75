import Fluent
import Foundation
import KaoheCore
import Vapor

/// The forms to print (issue 17 §6): the monthly record one A4 page per person, the 工资表 with
/// its totals and the month's lock status, the other forms as tables with their headers — built
/// from what the exports read (`ExportService`), by Core (`Forms.records`, `Forms.ledger`,
/// `Forms.build`). Only published and locked results are on them (R-100-01); a single sheet's
/// record may be printed before publication by the people who rate and review it, marked
/// 草稿 · 未发布.
enum PrintService {
    /// What a form's print page asks for.
    struct Query: Sendable {
        var form: Forms.Kind
        var period: String?
        var department: String?
        /// A team's id or name: only its people.
        var team: String?
        /// A cycle's id: its people, month and scheme.
        var cycle: UUID?
        var scheme: String?
    }

    /// The print page of a form for HR (any department) or a manager (their own).
    static func form(_ q: Query, viewer: Viewer, config: AppConfig, on db: Database) async throws -> PrintModel {
        var q = q
        var employees: Set<UUID>?
        var scopeNames: [String] = []
        if let id = q.cycle {
            guard let c = try await CycleStore.cycleWithScheme(id, on: db) else { throw KaoheError.notFound("cycle: 没有这个考核周期", en: "cycle: no such cycle") }
            guard q.form.needsPeriod else { throw KaoheError.badInput("cycle: 只用于月度报表", en: "cycle: for the monthly forms only") }
            q.period = c.period
            q.scheme = c.scheme.key
            employees = Set(try await SheetStore.sheets(cycle: id, on: db).map { $0.$employee.id })
            if q.department == nil, let d = c.$department.id, let dept = try await PeopleStore.department(d, on: db) { q.department = dept.code }
        }
        // who may print what is the exports' rule: HR any department, a manager their own, nobody else
        let dept = try await ExportService.scope(viewer, department: q.department, on: db)
        if let d = dept { scopeNames.append(d.name) }
        if let t = q.team, !t.isEmpty {
            let team = try await Self.team(t, in: dept, on: db)
            scopeNames.append(team.name)
            let members = try await PrintStore.members(team: try team.requireID(), on: db)
            employees = employees.map { $0.intersection(members) } ?? members
        }
        if q.team != nil && q.form == .starBoard {
            throw KaoheError.badInput("team: 星星榜按部门打印", en: "team: the star board is printed per department")
        }
        let scope = scopeNames.isEmpty ? "全公司" : scopeNames.joined(separator: " · ")
        var o = ExportService.Options(form: q.form, period: q.period, department: q.department, scheme: q.scheme, employees: employees)
        o.department = dept?.code
        let (periods, label) = try ExportService.months(o)
        let title = "\(q.form.title) \(q.form == .starBoard ? (ExportService.boardMonth(q.period) ?? "") : label) · \(scope)"
        var m = PrintModel(title: title, form: q.form.title, rule: q.form.rule, company: config.company, scope: scope, period: label,
                           printedAt: LocalTime.text(Date()), landscape: q.form != .monthlyRecord, content: .tables([]))
        switch q.form {
        case .monthlyRecord, .ledger:
            let rows = try await ExportService.load(periods: periods, department: dept, scheme: q.scheme, employees: employees, detail: true, on: db)
            let ids = ExportService.employeeIds(rows)
            let outcomes = try await ExportService.loadOutcomes([periods[0]], people: ids, on: db)
            let unpublished = try await PrintStore.unpublishedCount(period: periods[0], employees: employees, department: dept?.id, on: db)
            if unpublished > 0 { m.notes.append("另有 \(unpublished) 人的考核结果尚未发布，未列入（R-100-01）") }
            if q.form == .monthlyRecord {
                let input = Forms.Input(kind: .monthlyRecord, title: title, periods: periods, label: label, rows: rows.map(\.form), outcomes: outcomes)
                m.content = .records(try await Self.pages(Forms.records(input), rows: rows, period: periods[0], on: db))
            } else {
                let corrections = try await ExportService.settledCorrections(in: periods[0], employees: dept == nil && employees == nil ? nil : ids, on: db)
                let input = Forms.Input(kind: .ledger, title: title, periods: periods, label: label, rows: rows.map(\.form), outcomes: outcomes, corrections: corrections)
                m.content = .ledger(Self.ledger(input))
            }
        default:
            let (_, sheets) = try await ExportService.build(o, viewer: viewer, on: db)
            // the year-end record and the results: each department from a new page
            let breakColumn: Int? = [.yearEndRecord, .results].contains(q.form) ? 2 : nil
            m.content = .tables(sheets.map { PrintModel.Table(sheet: $0, breakColumn: breakColumn) })
        }
        return m
    }

    /// The monthly record of one sheet: anyone who may see the sheet once it is published; before
    /// that its rater, reviewer and the line above (a draft, marked so), never the employee alone
    /// (they do not see the marks in progress).
    static func sheet(_ id: UUID?, user: User, config: AppConfig, on db: Database) async throws -> PrintModel {
        let s = try await CycleService.load(id, on: db)
        guard CycleService.mayView(s, user) else { throw KaoheError.forbidden("无权查看这张考核表", en: "not allowed to see this sheet") }
        // before publication the employee sees their own self-assessment, not the marks in progress (as on the sheet)
        if !s.stage.isClosed && CycleService.roles(s, user) == [.employee] {
            throw KaoheError.forbidden("考核结果尚未发布，发布后可以打印（R-100-01）", en: "the result is not published yet; it can be printed once it is (R-100-01)")
        }
        if s.stage == .withdrawn {
            throw KaoheError.conflict("这张考核表已撤回，不是考核结果，不能打印（R-100-01）", en: "this sheet was withdrawn: it is no result and is not printed (R-100-01)")
        }
        let version = s.cycle.scheme
        let eid = try s.employee.requireID()
        guard let e = try await PeopleStore.employeeWithUnits(eid, on: db),
              let r = try await ResultStore.result(employee: eid, scheme: try version.requireID(), period: s.cycle.period, on: db) else {
            throw KaoheError.notFound("这张考核表还没有评分结果，无法打印", en: "this sheet has no result yet to print")
        }
        r.$employee.value = e
        r.$scheme.value = version
        var row = ExportService.Row(result: r, employee: e, department: e.department, team: e.team, sheet: try ResultStore.sheet(r, employee: e.number))
        row.deductions = try await FindingStore.applied(rater: eid, period: s.cycle.period, on: db)
        let outcomes = try await ExportService.loadOutcomes([s.cycle.period], people: [eid], on: db)
        let form = Forms.Kind.monthlyRecord
        let scope = [e.department.name, e.team?.name].compactMap { $0 }.joined(separator: " · ")
        let input = Forms.Input(kind: form, title: form.title, periods: [s.cycle.period], label: s.cycle.period, rows: [row.form], outcomes: outcomes)
        var m = PrintModel(title: "\(form.title) \(s.cycle.period) · \(e.number) \(e.name)", form: form.title, rule: form.rule, company: config.company,
                           scope: scope, period: s.cycle.period, printedAt: LocalTime.text(Date()), landscape: false, content: .tables([]))
        m.content = .records(try await Self.pages(Forms.records(input), rows: [row], period: s.cycle.period, on: db))
        if r.status == .draft { m.notes.append("本表尚未发布：打印件为草稿，不作为考核结果（R-100-01）") }
        return m
    }

    /// A team by id or name, in the department in scope (a manager's own).
    static func team(_ t: String, in dept: Department?, on db: Database) async throws -> Team {
        var found: [Team] = []
        if let id = UUID(uuidString: t), let team = try await PeopleStore.team(id, on: db) { found = [team] }
        else { found = try await PeopleStore.teams(named: [t], on: db) }
        if let d = dept?.id { found = found.filter { $0.$department.id == d } }
        guard found.count == 1, let team = found.first else {
            throw KaoheError.notFound(found.isEmpty ? "team: 没有班组 “\(t)”" : "team: 有多个班组叫 “\(t)”，请用班组的 id 或指定部门",
                                      en: found.isEmpty ? "team: no such team “\(t)”" : "team: several teams are called “\(t)”: give the team's id or the department")
        }
        return team
    }

    /// The records with their scheme's name and their signature lines.
    static func pages(_ records: [Forms.Record], rows: [ExportService.Row], period: String, on db: Database) async throws -> [PrintModel.RecordPage] {
        let signatures = try await PrintStore.signatures(period: period, employees: ExportService.employeeIds(rows), on: db)
        var byRecord: [String: ExportService.Row] = [:]
        for r in rows { byRecord["\(r.employee.number)|\(r.result.scheme.key)|\(r.result.period)"] = r }
        func day(_ d: Date?) -> String? { d.map { LocalTime.day($0).description } }
        return records.map { rec in
            let row = byRecord["\(rec.person.number)|\(rec.scheme)|\(rec.period)"]
            let sig = row.flatMap { signatures["\($0.result.$employee.id)|\($0.result.$scheme.id)"] }
            return PrintModel.RecordPage(record: rec, schemeName: row?.result.scheme.name ?? rec.scheme,
                                         signature: PrintModel.Signature(rater: sig?.rater, rated: day(sig?.rated), reviewer: sig?.reviewer,
                                                                         reviewed: day(sig?.reviewed), acknowledged: day(sig?.acknowledged)))
        }
    }

    /// The 工资表 as printed: every line's money as shown (two decimals, thousands separators), the
    /// totals of the shown figures (so they add up exactly), the month's lock status, lines not
    /// locked marked provisional; the held sheets, the corrections and the detail from the same form.
    static func ledger(_ input: Forms.Input) -> PrintModel.Ledger {
        let (lines, held) = Forms.ledger(input)
        let sheets = Forms.build(input)
        func shown(_ d: Decimal?) -> String { d.map { Forms.grouped($0) } ?? "" }
        let printed = lines.map { l in
            PrintModel.LedgerLine(number: l.row.person.number, name: l.row.person.name, department: l.row.person.department, period: l.row.period,
                                  amounts: [shown(l.base), shown(l.paid), shown(l.fines), shown(l.rewards), l.difference == 0 ? "" : shown(l.difference), shown(l.total)],
                                  locked: l.row.locked)
        }
        let totals = [Forms.shownSum(lines.map(\.base)), Forms.shownSum(lines.map(\.paid)), Forms.shownSum(lines.map(\.fines)),
                      Forms.shownSum(lines.map(\.rewards)), Forms.shownSum(lines.map(\.difference)), Forms.shownSum(lines.map(\.total))].map { Forms.grouped($0) }
        let all = input.rows.filter { $0.sheet != nil }
        return PrintModel.Ledger(locked: !all.isEmpty && all.allSatisfy(\.locked), lines: printed, totals: totals,
                                 held: held.isEmpty ? nil : sheets[2], corrections: sheets[3].rows.isEmpty ? nil : sheets[3],
                                 detail: sheets[1].rows.isEmpty ? nil : sheets[1])
    }
}
