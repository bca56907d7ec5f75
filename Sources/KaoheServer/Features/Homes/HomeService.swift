import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// What each role sees first (issue 7 §2): plain functions over the database, called by the home
/// page and by tests without HTTP.
enum HomeService {
    /// Stages in which the employee does not see totals yet (issue 6: marks and stage only).
    static let unpublished: Set<SheetStage> = [.selfAssessment, .rating, .review, .ready]

    /// An employee's results, oldest first: only published or locked ones count and are shown as
    /// scores (R-100-01), to everyone — a month still being rated is 进行中, not a total.
    static func visibleResults(of e: Employee, to viewer: Viewer, on db: Database) async throws -> [StoredResult] {
        try await ResultStore.results(of: try e.requireID(), drafts: false, on: db).reversed()
    }

    /// The scheme's own lowest grade boundary (e.g. 不合格 below it), for the trend's red line: the
    /// page states no threshold itself.
    static func passMark(_ r: StoredResult?) -> Double? {
        guard let r, let engine = try? Scoring.engine(r.scheme) else { return nil }
        return engine.scheme.grades.compactMap { $0.min?.double }.min()
    }

    /// The twelve months up to the latest result, with a gap where a month has none.
    static func trend(_ results: [StoredResult]) -> [Charts.Point] {
        guard let last = results.last, let lastMonth = MonthIndex(last.period) else { return [] }
        let byPeriod = Dictionary(results.map { ($0.period, $0) }, uniquingKeysWith: { a, _ in a })
        return (0..<12).reversed().map { back in
            let p = (lastMonth + (-back)).description
            return Charts.Point(label: String(p.suffix(5)), value: byPeriod[p].flatMap { Fixed($0.total)?.double })
        }
    }

    struct ItemLine { var label: String; var rule: String; var points: String; var max: String; var explanation: String }
    struct ResultLine { var period: String; var scheme: String; var total: String; var grade: String; var sheet: UUID? }
    struct Objection { var period: String; var sheet: UUID; var action: String; var reason: String; var at: Date; var actor: String }

    struct AgentHome {
        var employee: Employee
        var pending: [CycleService.Mine]
        var trend: [Charts.Point]
        var max: Double
        /// The latest scheme's lowest grade boundary (the red line of the trend), if it grades.
        var passMark: Double? = nil
        var latest: ResultLine?
        var sections: [Charts.Dimension]
        var items: [ItemLine]
        var money: [ItemLine]
        var results: [ResultLine]
        var ladder: [String]
        var objections: [Objection]
        /// A period whose sheet is still being rated: its total is not shown yet.
        var inProgress: [String]
        /// The latest counted month's performance pay (R-100-01: only a published or locked month's).
        var pay: PayLine? = nil
        /// The month's outcomes that are not money (a rank, a level, an eligibility), each as a sentence.
        var outcomes: [ItemLine] = []
    }

    struct PayLine { var paid: String; var provisional: Bool; var explanation: String }

    /// An agent's (or QA inspector's) own page: what to do, the 12-month trend, the latest result
    /// item by item, level progress, objections. Totals of sheets not yet published are withheld.
    static func agent(_ user: User, db: Database) async throws -> AgentHome? {
        guard let eid = user.$employee.id,
              let e = try await PeopleStore.employeeWithUnits(eid, on: db) else { return nil }
        let sheets = try await SheetStore.sheetsWithCycles(employee: eid, on: db)
        var hidden = Set<String>(), sheetOf: [String: UUID] = [:], inProgress: [String] = []
        for s in sheets {
            let key = "\(s.cycle.period)|\(s.cycle.$scheme.id)"
            sheetOf[key] = s.id
            if unpublished.contains(s.stage) { hidden.insert(key); inProgress.append(s.cycle.period) }
        }
        let results = try await visibleResults(of: e, to: user.viewer, on: db)
        let pending = try await CycleService.mine(user, db: db).filter { $0.role != "view" }
        var trend: [Charts.Point] = [], max = 100.0, latest: ResultLine?, sections: [Charts.Dimension] = [], items: [ItemLine] = [], money: [ItemLine] = []
        var pay: PayLine?, others: [ItemLine] = []
        var ladder: [String] = []
        if let last = results.last, let lastMonth = MonthIndex(last.period) {
            trend = Self.trend(results)
            let sheet = try ResultStore.sheet(last, employee: e.number)
            max = sheet.max.double
            latest = ResultLine(period: last.period, scheme: last.scheme.name, total: last.total, grade: last.grade ?? "—", sheet: sheetOf["\(last.period)|\(last.$scheme.id)"])
            sections = sheet.sections.map { Charts.Dimension(label: $0.label, points: $0.points.double, max: $0.max.double) }
            items = sheet.items.map { ItemLine(label: $0.label, rule: $0.rules.joined(separator: ","), points: $0.points?.format() ?? "—", max: $0.max?.format() ?? "", explanation: $0.explanation) }
            money = sheet.money.map { ItemLine(label: $0.label, rule: $0.rules.joined(separator: ","), points: $0.amount.yuan, max: "", explanation: $0.explanation) }
            pay = sheet.pay.map { PayLine(paid: $0.paid.yuan, provisional: $0.provisional, explanation: $0.explanation) }
            // the month's outcomes as the engine computed them from the published months (R-100-03):
            // money in yuan among the money lines, the others (ranks, levels …) by their names
            let outcomes = try await OutcomeStore.byEmployee(period: last.period, employees: [eid], on: db)[eid] ?? []
            for o in outcomes {
                let line = ItemLine(label: o.form.label, rule: o.rules, points: o.amount ?? o.value, max: "", explanation: o.explanation)
                if o.valueType == "money" { money.append(line) } else { others.append(line) }
            }
            // level progress (R-002-26) over this scheme's consecutive months
            if let engine = try? Scoring.engine(last.scheme), let outcome = try? OutcomeEngine(engine: engine), let l = outcome.levelLadder {
                var totals: [Fixed] = []
                var expect = lastMonth
                for r in results.reversed() where r.scheme.key == last.scheme.key {
                    guard MonthIndex(r.period) == expect, let t = Fixed(r.total) else { break }
                    totals.insert(t, at: 0); expect = expect + (-1)
                }
                let p = l.progress(totals)
                let now = outcomes.filter { $0.kind == "level" || $0.kind == "star" }.map(\.explanation)
                ladder.append("\(l.label)（\(l.rules.joined(separator: "、"))）：\(now.isEmpty ? "尚未评定" : now.joined(separator: "；"))")
                if let r = p.reached { ladder.append("按近 \(l.window) 个月总分可评：\(r)") } else { ladder.append("已有连续 \(totals.count) 个月成绩，评定需要 \(l.window) 个月") }
                for t in p.towards { ladder.append("\(t.label)：每月 ≥ \(t.min.format())，已连续 \(min(t.months, l.window))/\(l.window) 个月") }
                ladder.append("投诉、表扬与否决条件由评定时核实")
            }
        }
        // objections and their outcomes, newest first
        var objections: [Objection] = []
        let ids = sheets.compactMap(\.id)
        if !ids.isEmpty {
            let periodOf = Dictionary(sheets.compactMap { s in s.id.map { ($0, s.cycle.period) } }, uniquingKeysWith: { a, _ in a })
            for st in try await SheetStore.objectionSteps(sheets: ids, on: db) {
                objections.append(Objection(period: periodOf[st.$sheet.id] ?? "", sheet: st.$sheet.id, action: st.action, reason: st.reason ?? "", at: st.at, actor: st.actorName))
            }
        }
        let lines = results.reversed().map { r in
            ResultLine(period: r.period, scheme: r.scheme.name, total: r.total, grade: r.grade ?? "—", sheet: sheetOf["\(r.period)|\(r.$scheme.id)"])
        }
        return AgentHome(employee: e, pending: pending, trend: trend, max: max, passMark: passMark(results.last), latest: latest, sections: sections, items: items, money: money,
                     results: Array(lines.prefix(24)), ladder: ladder, objections: objections, inProgress: inProgress, pay: pay, outcomes: others)
    }

    struct Ranked { var rank: Int; var employee: UUID; var number: String; var name: String; var team: String; var total: Fixed; var grade: String }
    struct Flag { var employee: UUID; var number: String; var name: String; var text: String }
    /// `mean`: exact (six decimals), rounded only where it is shown.
    struct Group { var scheme: String; var distribution: [Charts.Bar]; var mean: Fixed; var count: Int; var ranking: [Ranked] }

    struct TeamHome {
        var scope: String
        var today: String
        var pending: [CycleService.Mine]
        var period: String?
        var groups: [Group]
        var flags: [Flag]
    }

    /// A team lead's (their team) or a manager's (their department) page: sheets to fill with their
    /// deadlines, the latest month's distribution and ranking per scheme, and the people who need
    /// attention — the outcomes the scheme's policies computed for them (R-100-03).
    static func team(_ user: User, today: CivilDate, db: Database) async throws -> TeamHome {
        let v = user.viewer
        let pending = try await CycleService.mine(user, db: db).filter { $0.role != "view" }
        // the team's or the department's people, as plain rows
        var people: [Employee] = []
        if v.role == .manager, let d = v.departmentId { people = try await Queries.plainEmployees(department: d, on: db) }
        else if v.role == .lead, let t = v.teamId, let d = v.departmentId { people = try await Queries.plainEmployees(department: d, on: db).filter { $0.$team.id == t } }
        else { people = try await Queries.visibleEmployees(v, on: db) }
        people.removeAll { $0.id == v.employeeId }
        var scope = ""
        if v.role == .lead, let t = v.teamId { scope = try await PeopleStore.team(t, on: db)?.name ?? "" }
        if v.role == .manager, let d = v.departmentId { scope = try await PeopleStore.department(d, on: db)?.name ?? "" }
        let ids = people.compactMap(\.id)
        guard !ids.isEmpty else { return TeamHome(scope: scope, today: today.description, pending: pending, period: nil, groups: [], flags: []) }
        // the latest month with published results (R-100-01): a month still being rated is not a
        // result yet — partial totals would fill the distribution and the flags with people nobody rated
        var rows = try await ResultStore.latestCountedMonthRows(employees: ids, on: db)
        guard let latest = rows.map(\.period).max() else {
            return TeamHome(scope: scope, today: today.description, pending: pending, period: nil, groups: [], flags: [])
        }
        rows.removeAll { $0.period != latest }
        let byId = Dictionary(people.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        let teamNames = Dictionary(try await PeopleStore.everyTeam(on: db).compactMap { t in t.id.map { ($0, t.name) } }, uniquingKeysWith: { a, _ in a })
        let schemeIds = Set(rows.map(\.scheme_id))
        let schemes = try await SchemeStore.versions(ids: schemeIds, on: db)
        var groups: [Group] = [], flags: [Flag] = []
        for key in Set(schemes.map(\.key)).sorted() {
            let versions = Set(schemes.filter { $0.key == key }.compactMap(\.id))
            let newest = schemes.filter { $0.key == key }.max { $0.version < $1.version }
            let name = newest?.name ?? key
            // the distribution's bands span the scheme's own maximum (a 120-point scheme is not cut at 100)
            let top: Fixed = newest.flatMap { try? Scoring.engine($0).scheme.max } ?? 100
            let now = rows.filter { versions.contains($0.scheme_id) }.compactMap { r in Fixed(r.total).map { (r, $0) } }
            let sorted = now.sorted { ($1.1, byId[$0.0.employee_id]?.number ?? "") < ($0.1, byId[$1.0.employee_id]?.number ?? "") }
            var ranking: [Ranked] = []
            let ranks = Forms.competitionRanks(sorted.map(\.1))
            for (k, (r, t)) in sorted.enumerated() {
                guard let p = byId[r.employee_id] else { continue }
                ranking.append(Ranked(rank: ranks[k], employee: r.employee_id, number: p.number, name: p.name, team: p.$team.id.flatMap { teamNames[$0] } ?? "", total: t, grade: r.grade ?? ""))
            }
            let totals = now.map(\.1)
            groups.append(Group(scheme: name, distribution: Charts.bands(totals, max: top), mean: Self.mean(totals),
                                count: totals.count, ranking: ranking))
        }
        // who needs attention: the engine's own outcomes as of the month (duties of the last places,
        // transfers, lost eligibility …, R-100-03) — the page states no rule itself
        for (id, list) in try await OutcomeStore.byEmployee(period: latest, employees: Set(ids), on: db) {
            guard let p = byId[id] else { continue }
            for o in list where o.needsAttention { flags.append(Flag(employee: id, number: p.number, name: p.name, text: o.explanation)) }
        }
        flags.sort { ($0.number, $0.text) < ($1.number, $1.text) }
        return TeamHome(scope: scope, today: today.description, pending: pending, period: latest, groups: groups, flags: flags)
    }

    /// `mean`: exact (six decimals), rounded only where it is shown.
    struct DepartmentSummary { var name: String; var count: Int; var mean: Fixed; var distribution: [Charts.Bar] }
    struct HRHome { var period: String?; var cycles: [CycleService.CycleDTO]; var departments: [DepartmentSummary]; var people: Int }

    /// HR's page: open cycles with their stages and overdue people, each department's latest month.
    static func hr(_ user: User, config: AppConfig, db: Database) async throws -> HRHome {
        var cycles: [CycleService.CycleDTO] = []
        for c in try await CycleStore.openCycles(limit: 10, on: db) {
            cycles.append(try await CycleService.dto(c, config: config, db: db))
        }
        let people = try await PeopleStore.activeCount(on: db)
        // the latest month with published results (R-100-01)
        let latest = try await ResultStore.latestCountedPeriod(on: db)
        var departments: [DepartmentSummary] = []
        if let latest {
            let rows = try await ResultStore.departmentTotals(period: latest, on: db)
            let by = Dictionary(grouping: rows, by: \.department_id)
            for d in try await PeopleStore.departments(on: db) {
                let totals = (by[d.id!] ?? []).compactMap { Fixed($0.total) }
                departments.append(DepartmentSummary(name: d.name, count: totals.count, mean: Self.mean(totals),
                                              distribution: Charts.bands(totals, max: 100)))
            }
        }
        return HRHome(period: latest, cycles: cycles, departments: departments, people: people)
    }

    /// The mean of totals, exact to six decimals (0 for none): the sum and the division in `Fixed`,
    /// never `Double` (points are exact; rounding only at display).
    static func mean(_ totals: [Fixed]) -> Fixed {
        Fixed.divide(totals.reduce(.zero, +), Fixed(totals.count)) ?? .zero
    }
}
