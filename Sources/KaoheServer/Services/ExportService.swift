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
    enum Form: String, CaseIterable, Sendable {
        case monthlyRecord = "monthly-record"
        case yearEndRecord = "year-end-record"
        case departmentStats = "department-stats"
        case annualStats = "annual-stats"
        case ranking
        case starBoard = "star-board"
        case ledger
        case results

        /// The seed's own names (R-000-06) where it has them.
        var title: String {
            switch self {
            case .monthlyRecord: return "員工月績效考核記錄表"
            case .yearEndRecord: return "員工年終績效考核記錄表"
            case .departmentStats: return "員工月/年績效考核情況統計表"
            case .annualStats: return "年度員工績效考核情況統計表"
            case .ranking: return "月度考核排名"
            case .starBoard: return "星星榜"
            case .ledger: return "奖惩与绩效工资明细（工资表）"
            case .results: return "考核结果"
            }
        }
        var rule: String {
            switch self {
            case .monthlyRecord, .yearEndRecord, .departmentStats, .annualStats: return "R-000-06"
            case .ranking: return "R-000-12"
            case .starBoard: return "R-002-26"
            case .ledger: return "R-001-13"
            case .results: return "R-000-06"
            }
        }
        var needsYear: Bool { [.yearEndRecord, .departmentStats, .annualStats].contains(self) }
        /// Forms that show a sheet's items, money lines or flags; the others need only the total
        /// and grade, which the results table holds without decoding each sheet's JSON (the ranking
        /// of a 1,156-person department took 1.25 s decoding them).
        var needsDetail: Bool { [.monthlyRecord, .ledger, .results].contains(self) }
        var needsPeriod: Bool { [.monthlyRecord, .ranking, .ledger].contains(self) }
    }

    struct Options: Sendable {
        var form: Form
        /// YYYY-MM (monthly forms) or YYYY (annual forms; `results` takes either)
        var period: String?
        var department: String?
        var scheme: String?
        /// Only these people (a page of a report page); nil: everyone in scope.
        var employees: Set<UUID>? = nil
    }

    /// A stored sheet as the engine wrote it (`kaohe score` JSON).
    struct Sheet: Decodable {
        struct Item: Decodable { var id: String; var label: String; var rule: String?; var points: Double?; var max: Double?; var explanation: String? }
        struct Money: Decodable { var id: String; var label: String; var rule: String?; var amount: Double?; var explanation: String? }
        struct Pay: Decodable { var base: Double?; var paid: Double?; var rule: String?; var explanation: String? }
        struct Flag: Decodable { var code: String; var rule: String?; var item: String?; var message: String }
        struct Section: Decodable { var id: String; var label: String; var points: Double?; var max: Double? }
        var total: Double?
        var max: Double?
        var grade: String?
        var complete: Bool?
        var sections: [Section]?
        var items: [Item]?
        var money: [Money]?
        var pay: Pay?
        var flags: [Flag]?
    }

    struct Row {
        var result: StoredResult
        var employee: Employee
        var department: Department
        var team: Team?
        var sheet: Sheet
        /// Accountability deductions (R-001-15) applied to this employee as a rater in the period,
        /// on the sheet of a cycle (reviewer adjustments are in the evidence, so in `sheet.total`).
        var deductions: [Finding] = []
        var total: Double { (sheet.total ?? 0) - deductions.reduce(0) { $0 + (Double($1.deduction) ?? 0) } }
    }

    /// Results without their sheets' JSON (a year of a 1,156-person department is 112 MB of it),
    /// read as plain rows, with their people, departments, teams and scheme versions attached.
    static func plainResults(periods: [String], employees: Set<UUID>?, department: UUID? = nil, on db: Database) async throws -> [StoredResult] {
        guard let sql = db as? SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        struct Plain: Decodable { var id: UUID; var employee_id: UUID; var scheme_id: UUID; var period: String; var total: String; var grade: String? }
        let q = sql.select().columns("id", "employee_id", "scheme_id", "period", "total", "grade").from(StoredResult.schema)
            .where("period", .in, SQLBind.group(periods))
        if let department {
            // a manager's department only (the company's year is twice the rows to decode)
            q.where("employee_id", .in, SQLSubquery.select { $0.column("id").from(Employee.schema).where("department_id", .equal, SQLBind(department)) })
        }
        var rows = try await q.all(decoding: Plain.self)
        if let employees { rows = rows.filter { employees.contains($0.employee_id) } }
        var people: [UUID: Employee] = [:]
        for e in try await Queries.plainEmployees(ids: Set(rows.map(\.employee_id)), on: db) { people[e.id!] = e }
        let schemes = Dictionary(try await SchemeVersion.query(on: db).filter(\.$id ~~ Set(rows.map(\.scheme_id))).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        return rows.compactMap { p in
            guard let e = people[p.employee_id], let v = schemes[p.scheme_id] else { return nil }
            let r = StoredResult(employeeId: p.employee_id, schemeId: p.scheme_id, period: p.period, total: p.total, grade: p.grade, json: "")
            r.id = p.id
            r.$employee.value = e
            r.$scheme.value = v
            return r
        }
    }

    /// Competition ranks ("1224") of totals sorted best first, in one pass (the ranking page
    /// searched the list for every row: quadratic, 1.25 s for a department of 1,156).
    static func competitionRanks(_ sortedTotals: [Double]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(sortedTotals.count)
        for (k, t) in sortedTotals.enumerated() { out.append(k > 0 && sortedTotals[k - 1] == t ? out[k - 1] : k + 1) }
        return out
    }

    /// A stored result's sheet as the engine wrote it.
    static func sheet(_ r: StoredResult) -> Sheet? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(Sheet.self, from: Data(r.json.utf8))
    }

    /// Decimal text of a stored number (the engine writes at most six decimals).
    static func num(_ d: Double?) -> XLSXWriter.Cell {
        guard let d else { return .empty }
        var s = String(format: "%.6f", d)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        if s == "-0" { s = "0" }
        return .number(s)
    }

    /// A mean, rounded half away from zero to two decimals.
    static func mean(_ xs: [Double]) -> XLSXWriter.Cell {
        guard !xs.isEmpty else { return .empty }
        return num((xs.reduce(0, +) / Double(xs.count) * 100).rounded(.toNearestOrAwayFromZero) / 100)
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
            dept = try await Department.query(on: db).group(.or) { $0.filter(\.$code == d).filter(\.$name == d) }.first()
            if dept == nil, let id = UUID(uuidString: d) { dept = try await Department.find(id, on: db) }
            guard dept != nil else { throw Abort(.notFound, reason: "department: 没有部门 “\(d)” no such department") }
        }
        switch viewer.role {
        case .hr: return dept
        case .manager:
            guard let own = viewer.departmentId else { throw Abort(.forbidden, reason: "没有所属部门 no department in scope") }
            if let dept, dept.id != own { throw Abort(.forbidden, reason: "只能导出本部门 only your own department") }
            return try await Department.find(own, on: db)
        default:
            throw Abort(.forbidden, reason: "只有人事和部门经理可以导出报表 exports are for HR and managers")
        }
    }

    static func load(periods: [String], department: Department?, scheme: String?, employees: Set<UUID>? = nil, detail: Bool = true,
                     on db: Database) async throws -> [Row] {
        var results: [StoredResult]
        if detail {
            let q = StoredResult.query(on: db).filter(\.$period ~~ periods).with(\.$scheme)
                .with(\.$employee) { $0.with(\.$department).with(\.$team) }
            if let employees { q.filter(\.$employee.$id ~~ employees) }
            results = try await q.all()
        } else {
            results = try await plainResults(periods: periods, employees: employees, department: department?.id, on: db)
        }
        var out: [Row] = []
        for r in results {
            if let department, r.employee.$department.id != department.id { continue }
            if let scheme, r.scheme.key != scheme { continue }
            guard let sheet = detail ? sheet(r) : Sheet(total: Double(r.total), grade: r.grade) else { continue }
            out.append(Row(result: r, employee: r.employee, department: r.employee.department, team: r.employee.team, sheet: sheet))
        }
        // sort keys read once per row (a comparison reading Fluent fields cost a tenth of a year's page)
        let keys = out.map { "\($0.department.code)\u{1}\($0.employee.number)\u{1}\($0.result.period)" }
        out = keys.indices.sorted { keys[$0] < keys[$1] }.map { out[$0] }
        // results scored in a cycle carry the accountability deductions of their person as a rater
        var inCycle = Set<String>()
        for s in try await KaoheServer.Sheet.query(on: db).join(Cycle.self, on: \KaoheServer.Sheet.$cycle.$id == \Cycle.$id).filter(Cycle.self, \.$period ~~ periods)
            .with(\.$cycle).all() {
            inCycle.insert("\(s.$employee.id)|\(s.cycle.period)|\(s.cycle.$scheme.id)")
        }
        var found: [String: [Finding]] = [:]
        for f in try await Finding.query(on: db).filter(\.$period ~~ periods).filter(\.$status == "applied").all() {
            if let e = f.raterEmployeeId { found["\(e)|\(f.period)", default: []].append(f) }
        }
        for k in out.indices {
            let r = out[k].result
            if inCycle.contains("\(r.$employee.id)|\(r.period)|\(r.$scheme.id)") { out[k].deductions = found["\(r.$employee.id)|\(r.period)"] ?? [] }
        }
        return out
    }

    static func build(_ o: Options, viewer: Viewer, on db: Database) async throws -> (title: String, sheets: [XLSXWriter.Sheet]) {
        let dept = try await scope(viewer, department: o.department, on: db)
        let f = o.form
        var periods: [String] = []
        var label = ""
        if f.needsPeriod || (f == .results && (o.period?.count ?? 0) == 7) {
            guard let p = o.period, p.count == 7, Period.isValid(p) else { throw Abort(.badRequest, reason: "period: 须为月份 YYYY-MM (e.g. 2026-10)") }
            periods = [p]; label = p
        } else if f.needsYear || f == .results {
            guard let y = o.period?.prefix(4), let year = Int(y), (1900...2999).contains(year) else { throw Abort(.badRequest, reason: "period: 须为年份 YYYY (e.g. 2026)") }
            periods = (1...12).map { String(format: "%04d-%02d", year, $0) }; label = String(year)
        }
        let scopeText = dept.map { " · \($0.name)" } ?? " · 全公司"
        let title = "\(f.title) \(label)\(scopeText)（\(f.rule)）"
        let rows = f == .starBoard ? [] : try await load(periods: periods, department: dept, scheme: o.scheme, employees: o.employees, detail: f.needsDetail, on: db)
        func person(_ r: Row) -> [XLSXWriter.Cell] { [.text(r.employee.number), .text(r.employee.name), .text(r.department.name), .text(r.team?.name ?? "")] }
        switch f {
        case .monthlyRecord:
            var detail: [[XLSXWriter.Cell]] = [], summary: [[XLSXWriter.Cell]] = []
            for r in rows {
                let base = person(r) + [.text(r.result.period), .text("\(r.result.scheme.key) v\(r.result.scheme.version)")]
                for i in (r.sheet.items ?? []) {
                    detail.append(base + [.text(i.label), .text(i.rule ?? ""), num(i.points), num(i.max), .text(i.explanation ?? "")])
                }
                for m in r.sheet.money ?? [] {
                    detail.append(base + [.text("\(m.label)（元）"), .text(m.rule ?? ""), num(m.amount), .empty, .text(m.explanation ?? "")])
                }
                for f in r.deductions {
                    detail.append(base + [.text("评分责任扣分（漏扣 \(f.column) \(f.instances) 次）"), .text("R-001-15"), .number("-" + f.deduction), .empty,
                                          .text("该项每次 \(f.perInstance) 分 × 2 × \(f.instances)：\(f.note)")])
                }
                for fl in r.sheet.flags ?? [] {
                    detail.append(base + [.text("⚑ 待处理 \(fl.item ?? fl.code)"), .text(fl.rule ?? ""), .empty, .empty, .text(fl.message)])
                }
                let money = (r.sheet.money ?? []).reduce(0.0) { $0 + ($1.amount ?? 0) }
                summary.append(person(r) + [.text(r.result.period), num(r.total), num(r.sheet.max), .text(r.sheet.grade ?? ""),
                                            num(r.sheet.pay?.paid), num(money), .text((r.sheet.flags ?? []).isEmpty ? "" : "\(r.sheet.flags!.count) 项待处理")])
            }
            return (title, [
                .init(name: "月度考核記錄", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "方案", "考核项目", "规则", "得分/金额", "满分", "依据与计算"], rows: detail),
                .init(name: "汇总", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "总分", "满分", "等级", "绩效工资(元)", "奖惩合计(元)", "待处理"], rows: summary),
            ])
        case .yearEndRecord:
            var byPerson: [UUID: [Row]] = [:]
            for r in rows { byPerson[r.employee.id!, default: []].append(r) }
            var out: [[XLSXWriter.Cell]] = []
            for list in byPerson.values.sorted(by: { ($0[0].department.code, $0[0].employee.number) < ($1[0].department.code, $1[0].employee.number) }) {
                let r0 = list[0]
                var months = [Double?](repeating: nil, count: 12)
                for r in list { if let m = Int(r.result.period.suffix(2)) { months[m - 1] = r.total } }
                let scored = months.compactMap { $0 }
                let fails = months.map { ($0 ?? 100) < 70 }
                var run = 0, longest = 0
                for f in fails { run = f ? run + 1 : 0; longest = max(longest, run) }
                let failCount = fails.filter { $0 }.count
                let eligible = !(longest >= 3 || failCount >= 4)
                out.append(person(r0) + months.map { num($0) } + [
                    .number(String(scored.count)), mean(scored),
                    num(scored.max()), num(scored.min()), .number(String(failCount)), .number(String(longest)),
                    .text(eligible ? "有" : "无（R-001-14）"),
                ])
            }
            let header = ["工号", "姓名", "部门", "班组"] + (1...12).map { "\($0)月" } + ["考核月数", "月均分", "最高", "最低", "不合格月数(<70)", "最长连续不合格", "年终绩效奖金资格"]
            return (title, [.init(name: "年終考核記錄", title: title, header: header, rows: out)])
        case .departmentStats, .annualStats:
            let grades = orderedGrades(rows)
            func stats(_ rs: [Row]) -> [XLSXWriter.Cell] {
                let totals = rs.map(\.total)
                let people = Set(rs.map { $0.employee.id! }).count
                return [.number(String(people)), .number(String(rs.count)), mean(totals),
                        num(totals.max()), num(totals.min()), .number(String(totals.filter { $0 < 70 }.count))]
                    + grades.map { g in .number(String(rs.filter { $0.sheet.grade == g }.count)) }
            }
            let header = (f == .departmentStats ? ["部门", "期间"] : ["部门"]) + ["人数", "考核人次", "平均分", "最高分", "最低分", "不合格人次(<70)"] + grades.map { "等级：\($0)" }
            var out: [[XLSXWriter.Cell]] = []
            let depts = Dictionary(grouping: rows, by: { $0.department.code }).sorted { $0.key < $1.key }
            for (_, rs) in depts {
                let name = XLSXWriter.Cell.text(rs[0].department.name)
                if f == .departmentStats {
                    let byPeriod = Dictionary(grouping: rs, by: { $0.result.period })
                    for p in periods {
                        let m = byPeriod[p] ?? []
                        if !m.isEmpty { out.append([name, .text(p)] + stats(m)) }
                    }
                    out.append([name, .text("\(label) 全年")] + stats(rs))
                } else {
                    out.append([name] + stats(rs))
                }
            }
            if f == .annualStats && depts.count > 1 { out.append([.text("全公司")] + stats(rows)) }
            return (title, [.init(name: f == .departmentStats ? "月年統計" : "年度統計", title: title, header: header, rows: out)])
        case .ranking:
            var out: [[XLSXWriter.Cell]] = []
            for (key, rs) in Dictionary(grouping: rows, by: { $0.result.scheme.key }).sorted(by: { $0.key < $1.key }) {
                let sorted = rs.sorted { ($1.total, $0.employee.number) < ($0.total, $1.employee.number) }
                let r000_12 = (try? Scoring.engine(rs[0].result.scheme))?.scheme.allRules.contains("R-000-12") ?? false
                let ranks = competitionRanks(sorted.map(\.total))
                let lastRank = ranks.last ?? 1
                for (k, r) in sorted.enumerated() {
                    let rank = ranks[k]
                    var note: [String] = []
                    if r000_12 && sorted.count > 1 {
                        if rank == 1 { note.append("第一名 +100 元") }
                        if rank == lastRank { note.append("末位 −100 元") }
                        if k >= sorted.count - 2 { note.append("倒数两名：一周内提交原因分析与整改计划") }
                    }
                    out.append([.number(String(rank))] + person(r) + [.text(key), num(r.total), .text(r.sheet.grade ?? ""), .text(note.joined(separator: "；"))])
                }
            }
            return (title, [.init(name: "排名", title: title, header: ["名次", "工号", "姓名", "部门", "班组", "方案", "总分", "等级", "奖惩与要求（R-000-12）"], rows: out)])
        case .starBoard:
            let people = try await Queries.plainEmployees(department: dept?.id, on: db).filter { $0.status == "active" }
            let order = ["星级": 0, "一级": 1, "二级": 2, "普通": 3]
            let latest = try await Queries.latestTotals(people.compactMap(\.id), on: db)
            let sorted = people.sorted {
                (order[$0.level ?? "普通"] ?? 4, -($0.star ?? 0), $0.number) < (order[$1.level ?? "普通"] ?? 4, -($1.star ?? 0), $1.number)
            }
            let out: [[XLSXWriter.Cell]] = sorted.map { e in
                let l = latest[e.id!]
                return [.text(e.number), .text(e.name), .text(e.department.name), .text(e.team?.name ?? ""), .text(e.level ?? "普通"),
                        e.star.map { .number(String($0)) } ?? .empty, .text(String(repeating: "★", count: e.star ?? 0)),
                        .text(l?.0 ?? ""), l.map { num(Double($0.1)) } ?? .empty]
            }
            return ("\(f.title)\(scopeText)（\(f.rule)）", [.init(name: "星星榜", title: "\(f.title)\(scopeText)（\(f.rule)）",
                                                            header: ["工号", "姓名", "部门", "班组", "级别", "星级", "星星", "最近期间", "最近得分"], rows: out)])
        case .ledger:
            var detail: [[XLSXWriter.Cell]] = [], summary: [[XLSXWriter.Cell]] = []
            for r in rows {
                let base = [.text(r.employee.number), .text(r.employee.name), .text(r.department.name), .text(r.result.period)] as [XLSXWriter.Cell]
                var fines = 0.0, rewards = 0.0
                for m in r.sheet.money ?? [] where (m.amount ?? 0) != 0 {
                    let a = m.amount ?? 0
                    if a < 0 { fines += a } else { rewards += a }
                    detail.append(base + [.text(m.label), .text(m.rule ?? ""), num(a), .text(m.explanation ?? "")])
                }
                if let p = r.sheet.pay {
                    detail.append(base + [.text("绩效工资"), .text(p.rule ?? ""), num(p.paid), .text(p.explanation ?? "")])
                }
                summary.append(base + [num(r.sheet.pay?.base), num(r.sheet.pay?.paid), num(fines), num(rewards),
                                       num((r.sheet.pay?.paid ?? 0) + fines + rewards), .text((r.sheet.flags ?? []).isEmpty ? "" : "待处理，发放前复核")])
            }
            return (title, [
                .init(name: "汇总", title: title, header: ["工号", "姓名", "部门", "期间", "绩效工资基数(元)", "应发绩效工资(元)", "罚款合计(元)", "奖励合计(元)", "合计(元)", "备注"], rows: summary),
                .init(name: "明细", title: title, header: ["工号", "姓名", "部门", "期间", "项目", "规则", "金额(元)", "计算"], rows: detail),
            ])
        case .results:
            var columns: [String] = [], labels: [String: String] = [:]
            for r in rows { for i in (r.sheet.items ?? []) where labels[i.id] == nil { columns.append(i.id); labels[i.id] = i.label } }
            let out: [[XLSXWriter.Cell]] = rows.map { r in
                let pts = Dictionary((r.sheet.items ?? []).map { ($0.id, $0.points) }, uniquingKeysWith: { a, _ in a })
                return person(r) + [.text(r.result.period), .text(r.result.scheme.key), .number(String(r.result.scheme.version)), num(r.total),
                                    num(r.sheet.max), .text(r.sheet.grade ?? ""), .text(r.sheet.complete == false ? "否" : "是")]
                    + columns.map { num(pts[$0] ?? nil) }
            }
            return (title, [.init(name: "结果", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "方案", "版本", "总分", "满分", "等级", "完整"]
                                    + columns.map { "\(labels[$0]!)(\($0))" }, rows: out)])
        }
    }

    static func orderedGrades(_ rows: [Row]) -> [String] {
        // each grade at its best total, best first
        var best: [String: Double] = [:]
        for r in rows { if let g = r.sheet.grade { best[g] = max(best[g] ?? -Double.infinity, r.total) } }
        return best.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
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
        default: throw Abort(.badRequest, reason: "format: 可选 allowed: xlsx, csv")
        }
    }


}
