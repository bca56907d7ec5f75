import Fluent
import SQLKit
import Foundation
import KaoheCore
import Vapor

/// The forms people hand on (issue 5 §4): the four record forms of R-000-06, the monthly
/// ranking (R-000-12), the star board (R-002-26), the money ledger for payroll and the raw
/// results, as XLSX (real cells, one sheet per part of the form) or CSV (the main sheet, UTF-8
/// with a byte-order mark so Excel shows the Chinese). Built from stored results: each sheet
/// keeps the scheme version it was scored with.
enum ExportService {
    /// The forms are Core's (`Forms`): built there, without a database, from typed results and
    /// stored outcomes; this service loads what they are built from.
    typealias Form = Forms.Kind

    struct Options: Sendable {
        var form: Form
        /// YYYY-MM (monthly forms) or YYYY (annual forms; `results` takes either)
        var period: String?
        var department: String?
        var scheme: String?
        /// Only these people (a page of a report page); nil: everyone in scope.
        var employees: Set<UUID>? = nil
    }

    struct Row {
        var result: StoredResult
        var employee: Employee
        var department: Department
        var team: Team?
        /// The typed sheet (forms that show items, money or pay); nil for the forms that need only
        /// the total and grade (read without decoding each sheet).
        var sheet: SheetResult?
        /// Accountability deductions (R-001-15) applied to this employee as a rater in the period,
        /// on the sheet of a cycle (reviewer adjustments are in the evidence, so in the total).
        var deductions: [Finding] = []
        var grade: String? { result.grade }
        /// The published total (as stored, rounded as shown) less the deductions.
        var total: Fixed { deductions.reduce(Fixed(result.total) ?? .zero) { $0 - (Fixed($1.deduction) ?? .zero) } }

        /// The row as the Core forms read it.
        var form: Forms.Row {
            Forms.Row(person: Forms.Person(number: employee.number, name: employee.name, department: department.name, departmentCode: department.code, team: team?.name,
                                           position: employee.position),
                      period: result.period, scheme: result.scheme.key, schemeVersion: result.scheme.version, storedTotal: Fixed(result.total) ?? .zero,
                      grade: result.grade, sheet: sheet,
                      deductions: deductions.map { Forms.Deduction(column: $0.column, instances: $0.instances, perInstance: $0.perInstance, deduction: Fixed($0.deduction) ?? .zero, note: $0.note) },
                      locked: result.status == .locked, draft: result.status == .draft)
        }
    }

    /// Results without their sheets' JSON (a year of a 1,156-person department is 112 MB of it),
    /// read as plain rows, with their people, departments, teams and scheme versions attached.
    static func plainResults(periods: [String], employees: Set<UUID>?, department: UUID? = nil, on db: Database) async throws -> [StoredResult] {
        // published and locked results only (R-100-01); a manager's department only, if given
        var rows = try await ResultStore.plainCounted(periods: periods, department: department, on: db)
        if let employees { rows = rows.filter { employees.contains($0.employee_id) } }
        var people: [UUID: Employee] = [:]
        for e in try await Queries.plainEmployees(ids: Set(rows.map(\.employee_id)), on: db) { people[e.id!] = e }
        let schemes = Dictionary(try await SchemeStore.versions(ids: Set(rows.map(\.scheme_id)), on: db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        return rows.compactMap { p in
            guard let e = people[p.employee_id], let v = schemes[p.scheme_id] else { return nil }
            let r = StoredResult(employeeId: p.employee_id, schemeId: p.scheme_id, period: p.period, total: p.total, grade: p.grade, json: "")
            r.id = p.id
            r.$employee.value = e
            r.$scheme.value = v
            return r
        }
    }

    static func text(_ c: XLSXWriter.Cell) -> String {
        switch c {
        case .text(let t), .number(let t), .date(let t): return t
        case .empty: return ""
        }
    }

    /// Which department a caller may export: HR any (or all), a manager their own; nobody else.
    static func scope(_ viewer: Viewer, department: String?, on db: Database) async throws -> Department? {
        var dept: Department?
        if let d = department {
            dept = try await PeopleStore.department(codeOrName: d, on: db)
            if dept == nil, let id = UUID(uuidString: d) { dept = try await PeopleStore.department(id, on: db) }
            guard dept != nil else { throw KaoheError.notFound("department: 没有部门 “\(d)”", en: "department: no such department “\(d)”") }
        }
        switch viewer.role {
        case .hr: return dept
        case .manager:
            guard let own = viewer.departmentId else { throw KaoheError.forbidden("没有所属部门", en: "no department in scope") }
            if let dept, dept.id != own { throw KaoheError.forbidden("只能导出本部门", en: "only your own department") }
            return try await PeopleStore.department(own, on: db)
        default:
            throw KaoheError.forbidden("只有人事和部门经理可以导出报表", en: "exports are for HR and managers")
        }
    }

    static func load(periods: [String], department: Department?, scheme: String?, employees: Set<UUID>? = nil, detail: Bool = true,
                     on db: Database) async throws -> [Row] {
        var results: [StoredResult]
        if detail {
            results = try await ResultStore.countedResultsWithPeople(periods: periods, employees: employees, on: db)
        } else {
            results = try await plainResults(periods: periods, employees: employees, department: department?.id, on: db)
        }
        var out: [Row] = []
        for r in results {
            if let department, r.employee.$department.id != department.id { continue }
            if let scheme, r.scheme.key != scheme { continue }
            let sheet = detail ? try ResultStore.sheet(r, employee: r.employee.number) : nil
            out.append(Row(result: r, employee: r.employee, department: r.employee.department, team: r.employee.team, sheet: sheet))
        }
        // sort keys read once per row (a comparison reading Fluent fields cost a tenth of a year's page)
        let keys = out.map { "\($0.department.code)\u{1}\($0.employee.number)\u{1}\($0.result.period)" }
        out = keys.indices.sorted { keys[$0] < keys[$1] }.map { out[$0] }
        // results scored in a cycle carry the accountability deductions of their person as a rater
        var inCycle = Set<String>()
        for s in try await SheetStore.sheetsWithCycles(periods: periods, on: db) {
            inCycle.insert("\(s.$employee.id)|\(s.cycle.period)|\(s.cycle.$scheme.id)")
        }
        var found: [String: [Finding]] = [:]
        for f in try await FindingStore.applied(periods: periods, on: db) {
            if let e = f.raterEmployeeId { found["\(e)|\(f.period)", default: []].append(f) }
        }
        for k in out.indices {
            let r = out[k].result
            if inCycle.contains("\(r.$employee.id)|\(r.period)|\(r.$scheme.id)") { out[k].deductions = found["\(r.$employee.id)|\(r.period)"] ?? [] }
        }
        return out
    }

    /// What every form shares: the request, the department in the viewer's scope, the months and
    /// the title that names them.
    struct Context {
        var options: Options
        var department: Department?
        var periods: [String]
        var label: String
        var title: String
        var form: Form { options.form }
    }

    static func build(_ o: Options, viewer: Viewer, on db: Database) async throws -> (title: String, sheets: [XLSXWriter.Sheet]) {
        let dept = try await scope(viewer, department: o.department, on: db)
        let (periods, label) = try months(o)
        let c = Context(options: o, department: dept, periods: periods, label: label,
                        title: title(o.form, label: label, period: o.period, department: dept))
        let sheets: [XLSXWriter.Sheet]
        switch o.form {
        case .monthlyRecord: sheets = try await monthlyRecord(c, on: db)
        case .yearEndRecord: sheets = try await yearEndRecord(c, on: db)
        case .departmentStats: sheets = try await departmentStats(c, on: db)
        case .annualStats: sheets = try await annualStats(c, on: db)
        case .ranking: sheets = try await ranking(c, on: db)
        case .starBoard: sheets = try await starBoard(c, on: db)
        case .ledger: sheets = try await ledger(c, on: db)
        case .results: sheets = try await results(c, on: db)
        }
        return (c.title, sheets)
    }

    /// The months a form covers and the label its title gives them: a month (YYYY-MM) for the
    /// monthly forms and for `results` given one, a year's twelve for the annual forms and
    /// `results` otherwise; none for the star board.
    static func months(_ o: Options) throws -> (periods: [String], label: String) {
        let f = o.form
        if f.needsPeriod || (f == .results && (o.period?.count ?? 0) == 7) {
            guard let p = o.period, p.count == 7, Period.isValid(p) else { throw KaoheError.badInput("period: 须为月份", en: "period: YYYY-MM (e.g. 2026-10)") }
            return ([p], p)
        } else if f.needsYear || f == .results {
            guard let y = o.period?.prefix(4), let year = Int(y), (1900...2999).contains(year) else { throw KaoheError.badInput("period: 须为年份", en: "period: YYYY (e.g. 2026)") }
            return ((1...12).map { String(format: "%04d-%02d", year, $0) }, String(year))
        }
        return ([], "")
    }

    /// The month the star board is as of: the one asked for, if it is a month; else none (each
    /// person's latest published month).
    static func boardMonth(_ period: String?) -> String? {
        period.flatMap { $0.count == 7 && Period.isValid($0) ? $0 : nil }
    }

    /// "<form> <label> · <department or 全公司>（<rule>）"; the star board names its month, if any.
    static func title(_ f: Form, label: String, period: String?, department: Department?) -> String {
        let scopeText = department.map { " · \($0.name)" } ?? " · 全公司"
        let named = f == .starBoard ? (boardMonth(period).map { " \($0)" } ?? "") : " \(label)"
        return "\(f.title)\(named)\(scopeText)（\(f.rule)）"
    }

    // MARK: the forms, one each: what it is built from, then Core's `Forms` builds it

    static func monthlyRecord(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        let outcomes = try await loadOutcomes([c.periods[0]], people: employeeIds(rows), on: db)
        return sheets(c, rows: rows, outcomes: outcomes)
    }

    static func yearEndRecord(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        // each person's conclusions as of their last published month of the year
        let outcomes = try await loadOutcomes(Set(rows.map(\.result.period)), people: employeeIds(rows), on: db)
        return sheets(c, rows: rows, outcomes: outcomes)
    }

    static func departmentStats(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        return sheets(c, rows: rows)
    }

    static func annualStats(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        return sheets(c, rows: rows)
    }

    static func ranking(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        let outcomes = try await loadOutcomes([c.periods[0]], people: employeeIds(rows), on: db)
        return sheets(c, rows: rows, outcomes: outcomes)
    }

    static func starBoard(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let staff = try await Queries.plainEmployees(department: c.department?.id, on: db).filter { $0.status == .active }
        let ids = staff.compactMap(\.id)
        // as of the month asked for, else each person's latest published month
        let latest = try await Queries.latestTotals(ids, upTo: boardMonth(c.options.period), on: db)
        let outcomes = try await loadOutcomes(Set(latest.values.map(\.period)), people: Set(ids), on: db)
        let board = staff.map { e in Forms.BoardLine(person: Self.person(e), period: latest[e.id!]?.period, total: latest[e.id!]?.total) }
        return sheets(c, rows: [], outcomes: outcomes, board: board)
    }

    static func ledger(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        let ids = employeeIds(rows)
        let outcomes = try await loadOutcomes([c.periods[0]], people: ids, on: db)
        let corrections = try await settledCorrections(in: c.periods[0], employees: c.department == nil ? nil : ids, on: db)
        return sheets(c, rows: rows, outcomes: outcomes, corrections: corrections)
    }

    static func results(_ c: Context, on db: Database) async throws -> [XLSXWriter.Sheet] {
        let rows = try await loadRows(c, on: db)
        return sheets(c, rows: rows)
    }

    // MARK: what the forms are built from

    /// The published results of the form's months in scope (with their sheets if the form shows them).
    static func loadRows(_ c: Context, on db: Database) async throws -> [Row] {
        try await load(periods: c.periods, department: c.department, scheme: c.options.scheme, employees: c.options.employees,
                       detail: c.form.needsDetail, on: db)
    }

    static func employeeIds(_ rows: [Row]) -> Set<UUID> {
        Set(rows.compactMap { $0.employee.id })
    }

    /// The outcomes the engine stored for each of the months (R-100-03), by 工号.
    static func loadOutcomes(_ periods: Set<String>, people: Set<UUID>, on db: Database) async throws -> [String: [String: [Forms.Outcome]]] {
        var outcomes: [String: [String: [Forms.Outcome]]] = [:]
        for period in periods {
            var byNumber: [String: [Forms.Outcome]] = [:]
            for o in try await OutcomeStore.outcomes(period: period, employees: people, teams: false, on: db) {
                guard let n = o.employee?.number else { continue }
                byNumber[n, default: []].append(o.form)
            }
            outcomes[period] = byNumber
        }
        return outcomes
    }

    /// The corrections settled in the month's pay (R-001-13), as the ledger lists them.
    static func settledCorrections(in period: String, employees: Set<UUID>?, on db: Database) async throws -> [Forms.Correction] {
        try await CorrectionStore.settled(in: period, employees: employees, on: db).map { c in
            Forms.Correction(employee: c.employee.number, name: c.employee.name, period: c.period, at: LocalTime.text(c.at), actor: c.actorName, reason: c.reason,
                             beforeTotal: c.beforeTotal, afterTotal: c.afterTotal, beforePay: c.beforePay, afterPay: c.afterPay,
                             beforeMoney: c.beforeMoney, afterMoney: c.afterMoney, difference: c.difference)
        }
    }

    /// Core builds the form from what was loaded.
    static func sheets(_ c: Context, rows: [Row], outcomes: [String: [String: [Forms.Outcome]]] = [:], corrections: [Forms.Correction] = [],
                       board: [Forms.BoardLine] = []) -> [XLSXWriter.Sheet] {
        Forms.build(Forms.Input(kind: c.form, title: c.title, periods: c.periods, label: c.label, rows: rows.map(\.form), outcomes: outcomes,
                                corrections: corrections, board: board))
    }

    static func person(_ e: Employee) -> Forms.Person {
        Forms.Person(number: e.number, name: e.name, department: e.department.name, departmentCode: e.department.code, team: e.team?.name)
    }

    /// The form as a file: XLSX (every sheet) or CSV (the first sheet, UTF-8 with BOM).
    static func render(_ sheets: [XLSXWriter.Sheet], format: String) throws -> (Data, String) {
        switch format {
        case "xlsx": return (try XLSXWriter(sheets: sheets).data(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        case "csv":
            // the engine's CSV writer (quoting as RFC 4180), after a byte-order mark for Excel; no
            // cell is read as a formula (CSVCell: a name starting with = gets a leading ')
            let s = sheets[0]
            var sink = ByteSink()
            sink.raw("\u{FEFF}")
            for row in [s.header] + s.rows.map({ $0.map(text) }) {
                for (k, cell) in row.enumerated() { if k > 0 { sink.raw(",") }; sink.spreadsheetCell(cell) }
                sink.raw("\r\n")
            }
            return (Data(sink.bytes), "text/csv; charset=utf-8")
        default: throw KaoheError.badInput("format: 可选 xlsx, csv", en: "format: allowed: xlsx, csv")
        }
    }


}
