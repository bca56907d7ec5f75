import Foundation

/// The forms people hand on (R-000-06's four records, the monthly ranking, the star board, the
/// payroll ledger, the raw results), built by pure functions from typed results and the stored
/// outcomes of the engine (issue 14 §1, R-100-03): no database, no HTTP, and no rule stated here —
/// every figure is the engine's, every conclusion an outcome's explanation.
public enum Forms {
    public enum Kind: String, CaseIterable, Sendable {
        case monthlyRecord = "monthly-record"
        case yearEndRecord = "year-end-record"
        case departmentStats = "department-stats"
        case annualStats = "annual-stats"
        case ranking
        case starBoard = "star-board"
        case ledger
        case results

        /// The seed's own names (R-000-06) where it has them.
        public var title: String {
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
        public var rule: String {
            switch self {
            case .monthlyRecord, .yearEndRecord, .departmentStats, .annualStats: return "R-000-06"
            case .ranking: return "R-000-12"
            case .starBoard: return "R-002-26"
            case .ledger: return "R-001-13"
            case .results: return "R-000-06"
            }
        }
        public var needsYear: Bool { [.yearEndRecord, .departmentStats, .annualStats].contains(self) }
        /// Forms that show a sheet's items, money lines or flags; the others need only the total
        /// and grade, which the results table holds without decoding each sheet's JSON (the ranking
        /// of a 1,156-person department took 1.25 s decoding them).
        public var needsDetail: Bool { [.monthlyRecord, .ledger, .results].contains(self) }
        public var needsPeriod: Bool { [.monthlyRecord, .ranking, .ledger].contains(self) }
    }

    /// Who a row is about.
    public struct Person: Sendable, Equatable {
        public var number: String, name: String, department: String, departmentCode: String, team: String?
        /// 岗位 (the printed record's header); nil where the form does not show it.
        public var position: String?
        public init(number: String, name: String, department: String, departmentCode: String, team: String?, position: String? = nil) {
            self.number = number; self.name = name; self.department = department; self.departmentCode = departmentCode; self.team = team
            self.position = position
        }
    }

    /// An accountability deduction (R-001-15) charged to the row's person as a rater.
    public struct Deduction: Sendable, Equatable {
        public var column: String, instances: Int, perInstance: String, deduction: Fixed, note: String
        public init(column: String, instances: Int, perInstance: String, deduction: Fixed, note: String) {
            self.column = column; self.instances = instances; self.perInstance = perInstance; self.deduction = deduction; self.note = note
        }
    }

    /// One published result (R-100-01).
    public struct Row: Sendable {
        public var person: Person
        public var period: String
        public var scheme: String
        public var schemeVersion: Int
        /// The stored total (rounded as shown) and grade.
        public var storedTotal: Fixed
        public var grade: String?
        /// The typed sheet, for the forms that show items, money and pay.
        public var sheet: SheetResult?
        public var deductions: [Deduction]
        public var locked: Bool
        /// A result not yet published (R-100-01): only a single sheet's printed record shows one,
        /// marked 草稿 · 未发布; the forms read published and locked results only.
        public var draft: Bool
        public init(person: Person, period: String, scheme: String, schemeVersion: Int, storedTotal: Fixed, grade: String?, sheet: SheetResult?,
                    deductions: [Deduction] = [], locked: Bool, draft: Bool = false) {
            self.person = person; self.period = period; self.scheme = scheme; self.schemeVersion = schemeVersion; self.storedTotal = storedTotal
            self.grade = grade; self.sheet = sheet; self.deductions = deductions; self.locked = locked; self.draft = draft
        }
        /// The published total less the deductions.
        public var total: Fixed { deductions.reduce(storedTotal) { $0 - $1.deduction } }
    }

    /// A stored outcome of the engine as of a month.
    public struct Outcome: Sendable, Equatable {
        public var employee: String, scheme: String, kind: String
        /// number | money | text | flag
        public var valueType: String
        public var value: String
        public var amount: Decimal?
        public var rules: [String]
        public var explanation: String
        public init(employee: String, scheme: String, kind: String, valueType: String, value: String, amount: Decimal?, rules: [String], explanation: String) {
            self.employee = employee; self.scheme = scheme; self.kind = kind; self.valueType = valueType; self.value = value; self.amount = amount
            self.rules = rules; self.explanation = explanation
        }

        /// Whether the line above should see it: a condition that holds (a run of low months, a
        /// transfer to consider, an eligibility), a duty (an analysis to hand in, a rectification)
        /// or a fine — whatever the scheme's policies decided.
        public var needsAttention: Bool {
            switch valueType {
            case "flag": return value == "true"
            case "money": return (amount ?? 0) < 0
            case "text": return value.hasSuffix("天内") || value == "须提交"
            default: return false
            }
        }
        /// What a person reads as the line's name: the engine's own kinds by their Chinese names, a
        /// scheme's own outcome by its policy's label (the start of its explanation).
        public var label: String {
            if let l = Forms.kindLabels[kind] { return l }
            if let head = explanation.split(separator: "：", maxSplits: 1).first, head.count <= 30, head.count < explanation.count { return String(head) }
            return kind
        }

        /// A level, its bonus, the stars and theirs: what the star board shows.
        public var onStarBoard: Bool { kind.hasPrefix("level") || kind.hasPrefix("star") }
    }

    /// A correction paid in the ledger's month as a difference (R-100-02).
    public struct Correction: Sendable, Equatable {
        public var employee: String, name: String, period: String, at: String, actor: String, reason: String
        public var beforeTotal: String?, afterTotal: String?, beforePay: String?, afterPay: String?, beforeMoney: String?, afterMoney: String?
        public var difference: Decimal
        public init(employee: String, name: String, period: String, at: String, actor: String, reason: String, beforeTotal: String?, afterTotal: String?,
                    beforePay: String?, afterPay: String?, beforeMoney: String?, afterMoney: String?, difference: Decimal) {
            self.employee = employee; self.name = name; self.period = period; self.at = at; self.actor = actor; self.reason = reason
            self.beforeTotal = beforeTotal; self.afterTotal = afterTotal; self.beforePay = beforePay; self.afterPay = afterPay
            self.beforeMoney = beforeMoney; self.afterMoney = afterMoney; self.difference = difference
        }
    }

    /// A person on the star board with their latest published month.
    public struct BoardLine: Sendable {
        public var person: Person, period: String?, total: String?
        public init(person: Person, period: String?, total: String?) { self.person = person; self.period = period; self.total = total }
    }

    /// Everything a form is built from.
    public struct Input: Sendable {
        public var kind: Kind
        public var title: String
        /// The months of the form (one, or a year's twelve).
        public var periods: [String]
        /// The year or month the title names.
        public var label: String
        public var rows: [Row]
        /// month → 工号 → that person's outcomes as of the month
        public var outcomes: [String: [String: [Outcome]]]
        public var corrections: [Correction]
        public var board: [BoardLine]
        public init(kind: Kind, title: String, periods: [String], label: String, rows: [Row], outcomes: [String: [String: [Outcome]]] = [:],
                    corrections: [Correction] = [], board: [BoardLine] = []) {
            self.kind = kind; self.title = title; self.periods = periods; self.label = label; self.rows = rows; self.outcomes = outcomes
            self.corrections = corrections; self.board = board
        }
    }

    /// The outcome kinds the engine itself emits, by name.
    static let kindLabels = ["level": "等级", "level_bonus": "等级奖金", "star": "星级", "rank_reward": "名次奖惩", "rectification": "限期整改",
                             "transfer_review": "调岗评估", "promotion_eligible": "晋升资格", "excellent": "评优", "advanced_team": "先进班组",
                             "excellent_team": "优秀班组"]

    typealias Cell = XLSXWriter.Cell

    /// A number cell, as shown (two decimals at most).
    public static func num(_ f: Fixed?) -> XLSXWriter.Cell { f.map { .number($0.format()) } ?? .empty }

    /// A money cell with two decimals.
    public static func yuan(_ d: Decimal?) -> XLSXWriter.Cell { d.map { .number($0.yuan) } ?? .empty }

    /// A mean, rounded half up to two decimals.
    public static func mean(_ xs: [Fixed]) -> XLSXWriter.Cell {
        guard !xs.isEmpty else { return .empty }
        return num(Fixed.divide(xs.reduce(.zero, +), Fixed(xs.count))?.rounded(2))
    }

    /// Competition ranks ("1224") of totals sorted best first, in one pass.
    public static func competitionRanks<T: Equatable>(_ sortedTotals: [T]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(sortedTotals.count)
        for (k, t) in sortedTotals.enumerated() { out.append(k > 0 && sortedTotals[k - 1] == t ? out[k - 1] : k + 1) }
        return out
    }

    /// Grades in the order of their best total, best first.
    static func orderedGrades(_ rows: [Row]) -> [String] {
        var best: [String: Fixed] = [:]
        for r in rows { if let g = r.grade { best[g] = max(best[g] ?? r.total, r.total) } }
        return best.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }

    /// A payroll line of the ledger (R-001-13): the sheet's pay, the fines and rewards of its money
    /// lines and of the outcomes the scheme's policies decided (R-100-03), and the corrections
    /// settled in the month (R-100-02) — what the 工资表 pays, in the XLSX and on the printed page.
    public struct LedgerLine: Sendable {
        public var row: Row
        public var base: Decimal?
        public var paid: Decimal?
        public var fines: Decimal
        public var rewards: Decimal
        public var difference: Decimal
        /// What is paid: the performance pay, the fines and rewards, the corrections' difference.
        public var total: Decimal { (paid ?? 0) + fines + rewards + difference }
    }

    /// The ledger's lines, in the rows' order, and the rows held out of it: a sheet still waiting
    /// for a rater's decision is not paid (R-100-04).
    public static func ledger(_ input: Input) -> (lines: [LedgerLine], held: [Row]) {
        let outs = input.outcomes[input.periods.first ?? ""] ?? [:]
        var difference: [String: Decimal] = [:]
        for c in input.corrections { difference[c.employee, default: 0] += c.difference }
        var lines: [LedgerLine] = [], held: [Row] = []
        for r in input.rows {
            guard let sheet = r.sheet else { continue }
            if sheet.pay?.provisional == true { held.append(r); continue }
            var fines = Decimal(0), rewards = Decimal(0)
            for m in sheet.money where m.amount != 0 { if m.amount < 0 { fines += m.amount } else { rewards += m.amount } }
            for o in outs[r.person.number] ?? [] {
                guard let a = o.amount, a != 0 else { continue }
                if a < 0 { fines += a } else { rewards += a }
            }
            lines.append(LedgerLine(row: r, base: sheet.pay?.base, paid: sheet.pay?.paid, fines: fines, rewards: rewards,
                                    difference: difference[r.person.number] ?? 0))
        }
        return (lines, held)
    }

    /// The form's sheets.
    public static func build(_ input: Input) -> [XLSXWriter.Sheet] {
        let rows = input.rows, periods = input.periods, title = input.title, label = input.label, f = input.kind
        func person(_ r: Row) -> [Cell] { [.text(r.person.number), .text(r.person.name), .text(r.person.department), .text(r.person.team ?? "")] }
        // names people gave, never translated (`XLSXWriter.Sheet.nameColumns`): `person`'s 姓名, 部门, 班组
        let personNames: Set<Int> = [1, 2, 3]
        func outcomes(_ period: String) -> [String: [Outcome]] { input.outcomes[period] ?? [:] }
        switch f {
        case .monthlyRecord:
            var detail: [[Cell]] = [], summary: [[Cell]] = []
            // the 得分/金额 column holds points, and yuan on the money lines and outcomes
            var moneyRows: [Int: [Int: XLSXWriter.NumberFormat]] = [:]
            let outs = outcomes(periods[0])
            for r in rows {
                guard let sheet = r.sheet else { continue }
                let base = person(r) + [.text(r.period), .text("\(r.scheme) v\(r.schemeVersion)")]
                for i in sheet.items {
                    detail.append(base + [.text(i.label), .text(i.rules.joined(separator: ",")), num(i.points), num(i.max), .text(i.explanation)])
                }
                for m in sheet.money {
                    moneyRows[detail.count] = [8: .money]
                    detail.append(base + [.text("\(m.label)（元）"), .text(m.rules.joined(separator: ",")), yuan(m.amount), .empty, .text(m.explanation)])
                }
                for f in r.deductions {
                    detail.append(base + [.text("评分责任扣分（漏扣 \(f.column) \(f.instances) 次）"), .text("R-001-15"), num(Fixed.zero - f.deduction), .empty,
                                          .text("该项每次 \(f.perInstance) 分 × 2 × \(f.instances)：\(f.note)")])
                }
                for o in outs[r.person.number] ?? [] {
                    if o.amount != nil { moneyRows[detail.count] = [8: .money] }
                    detail.append(base + [.text("结果：\(o.label)"), .text(o.rules.joined(separator: ",")), o.amount.map { yuan($0) } ?? .text(o.value), .empty, .text(o.explanation)])
                }
                for fl in sheet.flags {
                    detail.append(base + [.text("⚑ 待处理 \(fl.item ?? fl.code)"), .text(fl.rules.joined(separator: ",")), .empty, .empty, .text(fl.message)])
                }
                summary.append(person(r) + [.text(r.period), num(r.total), num(sheet.max), .text(r.grade ?? ""),
                                            yuan(sheet.pay?.paid), yuan(sheet.moneyTotal), .text(sheet.flags.isEmpty ? "" : "\(sheet.flags.count) 项待处理")])
            }
            return [
                .init(name: "月度考核記錄", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "方案", "考核项目", "规则", "得分/金额", "满分", "依据与计算"], rows: detail,
                      nameColumns: personNames, formats: [8: .points, 9: .points], cellFormats: moneyRows),
                .init(name: "汇总", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "总分", "满分", "等级", "绩效工资(元)", "奖惩合计(元)", "待处理"], rows: summary,
                      nameColumns: personNames, formats: [5: .points, 6: .points, 8: .money, 9: .money]),
            ]
        case .yearEndRecord:
            var byPerson: [String: [Row]] = [:]
            for r in rows { byPerson[r.person.number, default: []].append(r) }
            // each person's conclusions as of their last published month of the year (R-001-14's
            // eligibility and the like, as the scheme's policies decided them)
            let asOf = input.outcomes
            var out: [[Cell]] = []
            for list in byPerson.values.sorted(by: { ($0[0].person.departmentCode, $0[0].person.number) < ($1[0].person.departmentCode, $1[0].person.number) }) {
                let r0 = list[0]
                var months = [Fixed?](repeating: nil, count: 12)
                for r in list { if let m = Int(r.period.suffix(2)) { months[m - 1] = r.total } }
                let scored = months.compactMap { $0 }
                let last = list.map(\.period).max() ?? ""
                let conclusions = (asOf[last]?[r0.person.number] ?? []).filter { $0.valueType == "flag" }.map(\.explanation)
                out.append(person(r0) + months.map { num($0) } + [
                    .number(String(scored.count)), mean(scored), num(scored.max()), num(scored.min()),
                    .text(last), .text(conclusions.isEmpty ? "—" : conclusions.joined(separator: "；")),
                ])
            }
            let header = ["工号", "姓名", "部门", "班组"] + (1...12).map { "\($0)月" } + ["考核月数", "月均分", "最高", "最低", "截至", "结论（按方案规则）"]
            var formats: [Int: XLSXWriter.NumberFormat] = [17: .points, 18: .points, 19: .points]
            for k in 4..<16 { formats[k] = .points }
            return [.init(name: "年終考核記錄", title: title, header: header, rows: out, nameColumns: personNames, formats: formats)]
        case .departmentStats, .annualStats:
            let grades = orderedGrades(rows)
            func stats(_ rs: [Row]) -> [Cell] {
                let totals = rs.map(\.total)
                let people = Set(rs.map { $0.person.number }).count
                return [.number(String(people)), .number(String(rs.count)), mean(totals), num(totals.max()), num(totals.min())]
                    + grades.map { g in .number(String(rs.filter { $0.grade == g }.count)) }
            }
            let header = (f == .departmentStats ? ["部门", "期间"] : ["部门"]) + ["人数", "考核人次", "平均分", "最高分", "最低分"] + grades.map { "等级：\($0)" }
            var out: [[Cell]] = []
            let depts = Dictionary(grouping: rows, by: { $0.person.departmentCode }).sorted { $0.key < $1.key }
            for (_, rs) in depts {
                let name = Cell.text(rs[0].person.department)
                if f == .departmentStats {
                    let byPeriod = Dictionary(grouping: rs, by: { $0.period })
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
            // the department's name (部门)
            // 平均分, 最高分, 最低分
            let first = f == .departmentStats ? 4 : 3
            return [.init(name: f == .departmentStats ? "月年統計" : "年度統計", title: title, header: header, rows: out, nameColumns: [0],
                          formats: [first: .points, first + 1: .points, first + 2: .points])]
        case .ranking:
            var out: [[Cell]] = []
            let outs = outcomes(periods[0])
            for (key, rs) in Dictionary(grouping: rows, by: { $0.scheme }).sorted(by: { $0.key < $1.key }) {
                let sorted = rs.sorted { ($1.total, $0.person.number) < ($0.total, $1.person.number) }
                let ranks = competitionRanks(sorted.map(\.total))
                for (k, r) in sorted.enumerated() {
                    // the rank money and duties the scheme's ranking policies gave (R-000-12, R-001-16/17 …)
                    let notes = (outs[r.person.number] ?? []).filter { $0.scheme == key && (($0.kind == "rank_reward" && ($0.amount ?? 0) != 0) || $0.needsAttention) }
                    out.append([.number(String(ranks[k]))] + person(r) + [.text(key), num(r.total), .text(r.grade ?? ""),
                                                                          .text(notes.map(\.explanation).joined(separator: "；"))])
                }
            }
            // `person` after the rank
            return [.init(name: "排名", title: title, header: ["名次", "工号", "姓名", "部门", "班组", "方案", "总分", "等级", "奖惩与要求（按方案规则）"], rows: out,
                          nameColumns: Set(personNames.map { $0 + 1 }), formats: [6: .points])]
        case .starBoard:
            struct Line { var l: BoardLine; var level: String?; var stars: Int?; var money: Decimal; var why: [String] }
            var lines: [Line] = []
            for l in input.board {
                let mine = l.period.flatMap { input.outcomes[$0]?[l.person.number] } ?? []
                let level = mine.first { $0.kind == "level" }?.value
                let stars = mine.first { $0.kind == "star" }.flatMap { Fixed($0.value) }.map { Int($0.raw / Fixed.scale) }
                // the board's own outcomes: the level with its bonus and the stars with theirs (rank money is the ranking's)
                let board = mine.filter(\.onStarBoard)
                let money = board.compactMap(\.amount).reduce(0, +)
                lines.append(Line(l: l, level: level, stars: stars, money: money, why: board.map(\.explanation)))
            }
            // most stars, then the larger level bonus, then 工号: the order comes from the figures the engine computed
            lines.sort { (-($0.stars ?? -1), -$0.money, $0.l.person.number) < (-($1.stars ?? -1), -$1.money, $1.l.person.number) }
            let out: [[Cell]] = lines.map { x in
                let p = x.l.person
                return [.text(p.number), .text(p.name), .text(p.department), .text(p.team ?? ""), .text(x.level ?? (x.l.period == nil ? "未考核" : "—")),
                        x.stars.map { .number(String($0)) } ?? .empty, .text(String(repeating: "★", count: max(x.stars ?? 0, 0))),
                        x.money == 0 ? .empty : yuan(x.money), .text(x.l.period ?? ""), x.l.total.map { .number($0) } ?? .empty, .text(x.why.joined(separator: "；"))]
            }
            return [.init(name: "星星榜", title: title, header: ["工号", "姓名", "部门", "班组", "级别", "星级", "星星", "等级/星级奖金(元)", "期间", "得分", "依据"], rows: out,
                          nameColumns: personNames, formats: [7: .money, 9: .points])]
        case .ledger:
            var detail: [[Cell]] = [], summary: [[Cell]] = [], held: [[Cell]] = [], diffs: [[Cell]] = []
            let outs = outcomes(periods[0])
            let corrections = input.corrections
            // the lines' figures are `ledger`'s, which the printed 工资表 reads too
            let (lines, heldRows) = ledger(input)
            for r in heldRows {
                // R-100-04: a sheet still waiting for a rater's decision is not paid; it is listed with why
                let base = [.text(r.person.number), .text(r.person.name), .text(r.person.department), .text(r.period)] as [Cell]
                let why = (r.sheet?.flags ?? []).map(\.message).joined(separator: "；")
                held.append(base + [yuan(r.sheet?.pay?.paid), .text("待评分人裁定，暂缓发放（R-100-04）：\(why)")])
            }
            for line in lines {
                let r = line.row
                guard let sheet = r.sheet else { continue }
                let base = [.text(r.person.number), .text(r.person.name), .text(r.person.department), .text(r.period)] as [Cell]
                for m in sheet.money where m.amount != 0 {
                    detail.append(base + [.text(m.label), .text(m.rules.joined(separator: ",")), yuan(m.amount), .text(m.explanation)])
                }
                // money the scheme's policies decided over the months: level bonuses, rank money, star money (R-100-03)
                for o in outs[r.person.number] ?? [] {
                    guard let a = o.amount, a != 0 else { continue }
                    detail.append(base + [.text(o.label), .text(o.rules.joined(separator: ",")), yuan(a), .text(o.explanation)])
                }
                if let p = sheet.pay {
                    detail.append(base + [.text("绩效工资"), .text(p.rules.joined(separator: ",")), yuan(p.paid), .text(p.explanation)])
                }
                summary.append(base + [yuan(line.base), yuan(line.paid), yuan(line.fines), yuan(line.rewards), line.difference == 0 ? .empty : yuan(line.difference),
                                       yuan(line.total), .text(r.locked ? "已锁定" : "已发布，未锁定")])
            }
            for c in corrections {
                diffs.append([.text(c.employee), .text(c.name), .text(c.period), .text(c.at), .text(c.actor), .text(c.reason),
                              .text("\(c.beforeTotal ?? "—") → \(c.afterTotal ?? "—")"), .text("\(c.beforePay ?? "—") → \(c.afterPay ?? "—")"),
                              .text("\(c.beforeMoney ?? "—") → \(c.afterMoney ?? "—")"), yuan(c.difference)])
            }
            // `base`'s 姓名 and 部门; the corrections' 姓名
            let baseNames: Set<Int> = [1, 2]
            return [
                .init(name: "汇总", title: title, header: ["工号", "姓名", "部门", "期间", "绩效工资基数(元)", "应发绩效工资(元)", "罚款合计(元)", "奖励合计(元)", "更正差额(元)", "合计(元)", "状态"], rows: summary,
                      nameColumns: baseNames, formats: [4: .money, 5: .money, 6: .money, 7: .money, 8: .money, 9: .money]),
                .init(name: "明细", title: title, header: ["工号", "姓名", "部门", "期间", "项目", "规则", "金额(元)", "计算"], rows: detail, nameColumns: baseNames,
                      formats: [6: .money]),
                .init(name: "暂缓发放", title: title, header: ["工号", "姓名", "部门", "期间", "绩效工资(元，暂定)", "原因"], rows: held, nameColumns: baseNames,
                      formats: [4: .money]),
                .init(name: "更正差额", title: title, header: ["工号", "姓名", "更正期间", "更正时间", "更正人", "原因", "总分", "绩效工资(元)", "奖惩(元)", "差额(元)"], rows: diffs,
                      nameColumns: [1], formats: [9: .money]),
            ]
        case .results:
            var columns: [String] = [], labels: [String: String] = [:]
            for r in rows { for i in (r.sheet?.items ?? []) where labels[i.id] == nil { columns.append(i.id); labels[i.id] = i.label } }
            let out: [[Cell]] = rows.map { r in
                let pts = Dictionary((r.sheet?.items ?? []).map { ($0.id, $0.points) }, uniquingKeysWith: { a, _ in a })
                return person(r) + [.text(r.period), .text(r.scheme), .number(String(r.schemeVersion)), num(r.total),
                                    num(r.sheet?.max), .text(r.grade ?? ""), .text(r.sheet?.complete == false ? "否" : "是")]
                    + columns.map { num(pts[$0] ?? nil) }
            }
            var formats: [Int: XLSXWriter.NumberFormat] = [7: .points, 8: .points]
            for k in columns.indices { formats[11 + k] = .points }
            return [.init(name: "结果", title: title, header: ["工号", "姓名", "部门", "班组", "期间", "方案", "版本", "总分", "满分", "等级", "完整"]
                                    + columns.map { "\(labels[$0]!)(\($0))" }, rows: out, nameColumns: personNames, formats: formats)]
        }
    }

}
