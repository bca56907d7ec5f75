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
    }

    /// Results without their sheets' JSON (a year of a 1,156-person department is 112 MB of it),
    /// read as plain rows, with their people, departments, teams and scheme versions attached.
    static func plainResults(periods: [String], employees: Set<UUID>?, department: UUID? = nil, on db: Database) async throws -> [StoredResult] {
        guard let sql = db as? SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        struct Plain: Decodable { var id: UUID; var employee_id: UUID; var scheme_id: UUID; var period: String; var total: String; var grade: String? }
        // published and locked results only (R-100-01)
        let q = sql.select().columns("id", "employee_id", "scheme_id", "period", "total", "grade").from(StoredResult.schema)
            .where("period", .in, SQLBind.group(periods)).where("status", .in, SQLBind.group(ResultStatus.counted))
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
    static func competitionRanks<T: Equatable>(_ sortedTotals: [T]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(sortedTotals.count)
        for (k, t) in sortedTotals.enumerated() { out.append(k > 0 && sortedTotals[k - 1] == t ? out[k - 1] : k + 1) }
        return out
    }

    /// A moment as people in the company read it (Asia/Shanghai unless configured otherwise).
    static func when(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "Asia/Shanghai"); f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }

    /// A number cell, as shown (two decimals at most).
    static func num(_ f: Fixed?) -> XLSXWriter.Cell { f.map { .number($0.format()) } ?? .empty }

    /// A money cell with two decimals.
    static func yuan(_ d: Decimal?) -> XLSXWriter.Cell { d.map { .number($0.yuan) } ?? .empty }

    /// A mean, rounded half up to two decimals.
    static func mean(_ xs: [Fixed]) -> XLSXWriter.Cell {
        guard !xs.isEmpty else { return .empty }
        return num(Fixed.divide(xs.reduce(.zero, +), Fixed(xs.count))?.rounded(2))
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
            let q = StoredResult.query(on: db).filter(\.$period ~~ periods).filter(\.$status ~~ ResultStatus.counted).with(\.$scheme)
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
            let sheet = detail ? try ResultStore.sheet(r, employee: r.employee.number) : nil
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
        // the outcomes the engine stored for the month (R-100-03): the forms state no rule themselves
        func outcomes(_ period: String) async throws -> [UUID: [StoredOutcome]] {
            try await OutcomeStore.byEmployee(period: period, employees: Set(rows.compactMap { $0.employee.id }), on: db)
        }
        switch f {
        case .monthlyRecord:
            var detail: [[XLSXWriter.Cell]] = [], summary: [[XLSXWriter.Cell]] = []
            let outs = try await outcomes(periods[0])
            for r in rows {
                guard let sheet = r.sheet else { continue }
                let base = person(r) + [.text(r.result.period), .text("\(r.result.scheme.key) v\(r.result.scheme.version)")]
                for i in sheet.items {
                    detail.append(base + [.text(i.label), .text(i.rules.joined(separator: ",")), num(i.points), num(i.max), .text(i.explanation)])
                }
                for m in sheet.money {
                    detail.append(base + [.text("\(m.label)（元）"), .text(m.rules.joined(separator: ",")), yuan(m.amount), .empty, .text(m.explanation)])
                }
                for f in r.deductions {
                    detail.append(base + [.text("评分责任扣分（漏扣 \(f.column) \(f.instances) 次）"), .text("R-001-15"), .number("-" + f.deduction), .empty,
                                          .text("该项每次 \(f.perInstance) 分 × 2 × \(f.instances)：\(f.note)")])
                }
                for o in outs[r.employee.id!] ?? [] {
                    detail.append(base + [.text("结果：\(o.kind)"), .text(o.rules), o.amount.map { .number($0) } ?? .text(o.value), .empty, .text(o.explanation)])
                }
                for fl in sheet.flags {
                    detail.append(base + [.text("⚑ 待处理 \(fl.item ?? fl.code)"), .text(fl.rules.joined(separator: ",")), .empty, .empty, .text(fl.message)])
                }
                summary.append(person(r) + [.text(r.result.period), num(r.total), num(sheet.max), .text(r.grade ?? ""),
                                            yuan(sheet.pay?.paid), yuan(sheet.moneyTotal), .text(sheet.flags.isEmpty ? "" : "\(sheet.flags.count) 项待处理")])
            }
            return (title, [
                .init(name: "月度考核記錄", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "方案", "考核项目", "规则", "得分/金额", "满分", "依据与计算"], rows: detail),
                .init(name: "汇总", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "总分", "满分", "等级", "绩效工资(元)", "奖惩合计(元)", "待处理"], rows: summary),
            ])
        case .yearEndRecord:
            var byPerson: [UUID: [Row]] = [:]
            for r in rows { byPerson[r.employee.id!, default: []].append(r) }
            // each person's conclusions as of their last published month of the year (R-001-14's
            // eligibility and the like, as the scheme's policies decided them)
            var asOf: [String: [UUID: [StoredOutcome]]] = [:]
            for p in Set(byPerson.values.compactMap { $0.map(\.result.period).max() }) { asOf[p] = try await outcomes(p) }
            var out: [[XLSXWriter.Cell]] = []
            for list in byPerson.values.sorted(by: { ($0[0].department.code, $0[0].employee.number) < ($1[0].department.code, $1[0].employee.number) }) {
                let r0 = list[0]
                var months = [Fixed?](repeating: nil, count: 12)
                for r in list { if let m = Int(r.result.period.suffix(2)) { months[m - 1] = r.total } }
                let scored = months.compactMap { $0 }
                let last = list.map(\.result.period).max() ?? ""
                let conclusions = (asOf[last]?[r0.employee.id!] ?? []).filter { $0.valueType == "flag" }.map(\.explanation)
                out.append(person(r0) + months.map { num($0) } + [
                    .number(String(scored.count)), mean(scored), num(scored.max()), num(scored.min()),
                    .text(last), .text(conclusions.isEmpty ? "—" : conclusions.joined(separator: "；")),
                ])
            }
            let header = ["工号", "姓名", "部门", "班组"] + (1...12).map { "\($0)月" } + ["考核月数", "月均分", "最高", "最低", "截至", "结论（按方案规则）"]
            return (title, [.init(name: "年終考核記錄", title: title, header: header, rows: out)])
        case .departmentStats, .annualStats:
            let grades = orderedGrades(rows)
            func stats(_ rs: [Row]) -> [XLSXWriter.Cell] {
                let totals = rs.map(\.total)
                let people = Set(rs.map { $0.employee.id! }).count
                return [.number(String(people)), .number(String(rs.count)), mean(totals), num(totals.max()), num(totals.min())]
                    + grades.map { g in .number(String(rs.filter { $0.grade == g }.count)) }
            }
            let header = (f == .departmentStats ? ["部门", "期间"] : ["部门"]) + ["人数", "考核人次", "平均分", "最高分", "最低分"] + grades.map { "等级：\($0)" }
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
            let outs = try await outcomes(periods[0])
            for (key, rs) in Dictionary(grouping: rows, by: { $0.result.scheme.key }).sorted(by: { $0.key < $1.key }) {
                let sorted = rs.sorted { ($1.total, $0.employee.number) < ($0.total, $1.employee.number) }
                let ranks = competitionRanks(sorted.map(\.total))
                for (k, r) in sorted.enumerated() {
                    // the rank money and duties the scheme's ranking policies gave (R-000-12, R-001-16/17 …)
                    let notes = (outs[r.employee.id!] ?? []).filter { $0.schemeKey == key && (($0.kind == "rank_reward" && $0.amount != "0.00") || $0.needsAttention) }
                    out.append([.number(String(ranks[k]))] + person(r) + [.text(key), num(r.total), .text(r.grade ?? ""),
                                                                          .text(notes.map(\.explanation).joined(separator: "；"))])
                }
            }
            return (title, [.init(name: "排名", title: title, header: ["名次", "工号", "姓名", "部门", "班组", "方案", "总分", "等级", "奖惩与要求（按方案规则）"], rows: out)])
        case .starBoard:
            let people = try await Queries.plainEmployees(department: dept?.id, on: db).filter { $0.status == "active" }
            let ids = people.compactMap(\.id)
            // as of the month asked for, else each person's latest published month
            let chosen = o.period.flatMap { $0.count == 7 && Period.isValid($0) ? $0 : nil }
            let latest = try await Queries.latestTotals(ids, upTo: chosen, on: db)
            var outs: [String: [UUID: [StoredOutcome]]] = [:]
            for p in Set(latest.values.map(\.period)) { outs[p] = try await OutcomeStore.byEmployee(period: p, employees: Set(ids), on: db) }
            struct Line { var e: Employee; var period: String?; var total: String?; var level: String?; var stars: Int?; var money: Decimal; var why: [String] }
            var lines: [Line] = []
            for e in people {
                let l = latest[e.id!]
                let mine = l.flatMap { outs[$0.period]?[e.id!] } ?? []
                let level = mine.first { $0.kind == "level" }?.value
                let stars = mine.first { $0.kind == "star" }.flatMap { Fixed($0.value) }.map { Int($0.raw / Fixed.scale) }
                let money = mine.compactMap { $0.amount.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } }.reduce(0, +)
                let why = mine.filter { ["level", "level_bonus", "star"].contains($0.kind) || $0.amount != nil }.map(\.explanation)
                lines.append(Line(e: e, period: l?.period, total: l?.total, level: level, stars: stars, money: money, why: why))
            }
            // most stars, then the larger level bonus, then 工号: the order comes from the figures the engine computed
            lines.sort { (-($0.stars ?? -1), -(($0.money as NSDecimalNumber).doubleValue), $0.e.number) < (-($1.stars ?? -1), -(($1.money as NSDecimalNumber).doubleValue), $1.e.number) }
            let out: [[XLSXWriter.Cell]] = lines.map { l in
                [.text(l.e.number), .text(l.e.name), .text(l.e.department.name), .text(l.e.team?.name ?? ""), .text(l.level ?? (l.period == nil ? "未考核" : "—")),
                 l.stars.map { .number(String($0)) } ?? .empty, .text(String(repeating: "★", count: max(l.stars ?? 0, 0))),
                 l.money == 0 ? .empty : yuan(l.money), .text(l.period ?? ""), l.total.map { .number($0) } ?? .empty, .text(l.why.joined(separator: "；"))]
            }
            let when = chosen.map { " \($0)" } ?? ""
            return ("\(f.title)\(when)\(scopeText)（\(f.rule)）", [.init(name: "星星榜", title: "\(f.title)\(when)\(scopeText)（\(f.rule)）",
                                                            header: ["工号", "姓名", "部门", "班组", "级别", "星级", "星星", "等级/星级奖金(元)", "期间", "得分", "依据"], rows: out)])
        case .ledger:
            var detail: [[XLSXWriter.Cell]] = [], summary: [[XLSXWriter.Cell]] = [], held: [[XLSXWriter.Cell]] = [], diffs: [[XLSXWriter.Cell]] = []
            let outs = try await outcomes(periods[0])
            let corrections = try await CorrectionStore.settled(in: periods[0], employees: dept == nil ? nil : Set(rows.compactMap { $0.employee.id }), on: db)
            var difference: [UUID: Decimal] = [:]
            for c in corrections { difference[c.$employee.id, default: 0] += c.difference }
            for r in rows {
                guard let sheet = r.sheet else { continue }
                let base = [.text(r.employee.number), .text(r.employee.name), .text(r.department.name), .text(r.result.period)] as [XLSXWriter.Cell]
                // R-100-04: a sheet still waiting for a rater's decision is not paid; it is listed with why
                if sheet.pay?.provisional == true {
                    let why = sheet.flags.map(\.message).joined(separator: "；")
                    held.append(base + [yuan(sheet.pay?.paid), .text("待评分人裁定，暂缓发放（R-100-04）：\(why)")])
                    continue
                }
                var fines = Decimal(0), rewards = Decimal(0)
                for m in sheet.money where m.amount != 0 {
                    if m.amount < 0 { fines += m.amount } else { rewards += m.amount }
                    detail.append(base + [.text(m.label), .text(m.rules.joined(separator: ",")), yuan(m.amount), .text(m.explanation)])
                }
                // money the scheme's policies decided over the months: level bonuses, rank money, star money (R-100-03)
                for o in outs[r.employee.id!] ?? [] {
                    guard let a = o.amount.flatMap({ Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }), a != 0 else { continue }
                    if a < 0 { fines += a } else { rewards += a }
                    detail.append(base + [.text(o.kind), .text(o.rules), yuan(a), .text(o.explanation)])
                }
                if let p = sheet.pay {
                    detail.append(base + [.text("绩效工资"), .text(p.rules.joined(separator: ",")), yuan(p.paid), .text(p.explanation)])
                }
                let diff = difference[r.employee.id!] ?? 0
                summary.append(base + [yuan(sheet.pay?.base), yuan(sheet.pay?.paid), yuan(fines), yuan(rewards), diff == 0 ? .empty : yuan(diff),
                                       yuan((sheet.pay?.paid ?? 0) + fines + rewards + diff), .text(r.result.status == ResultStatus.locked.rawValue ? "已锁定" : "已发布，未锁定")])
            }
            for c in corrections {
                diffs.append([.text(c.employee.number), .text(c.employee.name), .text(c.period), .text(when(c.at)), .text(c.actorName), .text(c.reason),
                              .text("\(c.beforeTotal ?? "—") → \(c.afterTotal ?? "—")"), .text("\(c.beforePay ?? "—") → \(c.afterPay ?? "—")"),
                              .text("\(c.beforeMoney ?? "—") → \(c.afterMoney ?? "—")"), yuan(c.difference)])
            }
            return (title, [
                .init(name: "汇总", title: title, header: ["工号", "姓名", "部门", "期间", "绩效工资基数(元)", "应发绩效工资(元)", "罚款合计(元)", "奖励合计(元)", "更正差额(元)", "合计(元)", "状态"], rows: summary),
                .init(name: "明细", title: title, header: ["工号", "姓名", "部门", "期间", "项目", "规则", "金额(元)", "计算"], rows: detail),
                .init(name: "暂缓发放", title: title, header: ["工号", "姓名", "部门", "期间", "绩效工资(元，暂定)", "原因"], rows: held),
                .init(name: "更正差额", title: title, header: ["工号", "姓名", "更正期间", "更正时间", "更正人", "原因", "总分", "绩效工资(元)", "奖惩(元)", "差额(元)"], rows: diffs),
            ])
        case .results:
            var columns: [String] = [], labels: [String: String] = [:]
            for r in rows { for i in (r.sheet?.items ?? []) where labels[i.id] == nil { columns.append(i.id); labels[i.id] = i.label } }
            let out: [[XLSXWriter.Cell]] = rows.map { r in
                let pts = Dictionary((r.sheet?.items ?? []).map { ($0.id, $0.points) }, uniquingKeysWith: { a, _ in a })
                return person(r) + [.text(r.result.period), .text(r.result.scheme.key), .number(String(r.result.scheme.version)), num(r.total),
                                    num(r.sheet?.max), .text(r.grade ?? ""), .text(r.sheet?.complete == false ? "否" : "是")]
                    + columns.map { num(pts[$0] ?? nil) }
            }
            return (title, [.init(name: "结果", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "方案", "版本", "总分", "满分", "等级", "完整"]
                                    + columns.map { "\(labels[$0]!)(\($0))" }, rows: out)])
        }
    }

    static func orderedGrades(_ rows: [Row]) -> [String] {
        // each grade at its best total, best first
        var best: [String: Fixed] = [:]
        for r in rows { if let g = r.grade { best[g] = max(best[g] ?? r.total, r.total) } }
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
