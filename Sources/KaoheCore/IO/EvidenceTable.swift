import Foundation

/// Evidence per employee-period from a user's file as it is (issue 5): CSV in any encoding or
/// XLSX, headers matched to the scheme's inputs by id or label (or a saved mapping), values as
/// people type them (`35%`, `0.35`, `1,234.50`, `2026/10/5`, a month typed into Excel). The whole
/// file is checked before anything is returned; each error names file, sheet, row and column.
public enum EvidenceTable {
    /// Fields every evidence file may have besides the scheme's inputs. The period goes by the
    /// names platforms give it (统计月份, 账期, 统计周期 …); a date column's day gives its month by
    /// the scheme's month boundary (R-002-31).
    public static let fixedTargets: [MappingTarget] = [
        MappingTarget(id: "employee_id", labels: ["工号", "员工工号", "員工工號", "员工编号", "编号", "客服工号", "employee", "employee id", "employee no", "staff id", "agent"], required: true),
        MappingTarget(id: "period", labels: ["期间", "期間", "考核期间", "考核月份", "月份", "统计月份", "統計月份", "统计周期", "統計週期", "统计期间", "統計期間",
                                             "账期", "帳期", "结算月份", "业务月份", "数据月份", "所属月份", "考核周期", "月度", "年月", "period", "month"]),
        MappingTarget(id: "date", labels: ["日期", "统计日期", "統計日期", "业务日期", "数据日期", "date"]),
        MappingTarget(id: "name", labels: ["姓名", "员工姓名", "客服姓名", "客服昵称", "name"]),
        MappingTarget(id: "team", labels: ["班组", "班組", "组别", "小组", "team"]),
    ]

    /// The scheme's inputs as mapping targets: a metric also answers to the label of the one item
    /// that scores it (销售额 → 订单总金额, as an alias); a rater's own column (`quality.lead`) is
    /// found by id only and a rater's override (`….override`) never automatically.
    public static func targets(_ engine: ScoringEngine) -> [MappingTarget] {
        let s = engine.scheme
        let metricIds = Set(s.metrics.map(\.id)), named = metricIds.union(s.derived.map(\.id))
        var aliases: [String: [String]] = [:]
        for item in s.sections.flatMap(\.items) + s.adjustments + s.money {
            var used = Set<String>()
            if let m = item.rule.metric { used.insert(m) }
            if case .formula(let f) = item.rule { used.formUnion(identifiers(f.formula).filter { named.contains($0) }) }
            if used.count == 1, let m = used.first, metricIds.contains(m) { aliases[m, default: []].append(item.label) }
        }
        return fixedTargets + engine.inputs.map { i in
            // a mark without raters (a sheet of marks, `服务质量`) keeps its label; a header with a
            // unit never reaches it (a mark is points: `(元)` does not fit)
            let reach: MappingTarget.Reach = i.column.hasSuffix(".override") ? .chosen : (i.rater != nil ? .id : .any)
            return MappingTarget(id: i.column, labels: [i.label], aliases: aliases[i.column] ?? [], kind: i.kind, reach: reach)
        }
    }

    /// The names in a formula (`clamp(10 * sales_amount / group_avg(sales_amount), 0, 10)` →
    /// clamp, sales_amount, group_avg).
    static func identifiers(_ formula: String) -> Set<String> {
        var out = Set<String>(), word = ""
        for ch in formula + " " {
            if ch == "_" || (ch.isASCII && (ch.isLetter || (ch.isNumber && !word.isEmpty))) { word.append(ch) } else {
                if !word.isEmpty { out.insert(word) }
                word = ""
            }
        }
        return out
    }

    public struct Result: Sendable {
        public var rows: [EvidenceCSV.RawRow]
        public var map: ColumnMap
        public var notices: [String]
    }

    public static func read(_ grid: Grid, engine: ScoringEngine, saved: [String: String] = [:], chosen: [String: String] = [:],
                            period defaultPeriod: String? = nil) throws(InputError) -> Result {
        let map = try ColumnMap.resolve(header: grid.header, targets: targets(engine), saved: saved, chosen: chosen, file: grid.file, sheet: grid.sheet)
        if !map.missing.isEmpty {
            throw grid.error(row: 1, "缺少必需的列 missing required column: 工号 / employee_id；文件的列 the file has: \(grid.header.joined(separator: ", "))")
        }
        let inputs = map.matches.compactMap { m -> (Int, InputSpec)? in
            guard let i = engine.columnIndex[m.target] else { return nil }
            return (m.column, engine.inputs[i])
        }
        if inputs.isEmpty { throw grid.error(row: 1, "没有可导入的列 no column matches an input of scheme “\(engine.scheme.id)”") }
        var notices = grid.notices + map.notices
        // percentage columns: one reading per column, decided from all its cells
        var styles: [Int: CellValue.PercentStyle] = [:]
        for (col, input) in inputs where input.kind == .percent {
            let style = CellValue.percentStyle(grid.rows.map { $0.cells[col] })
            styles[col] = style
            if style == .fraction { notices.append("文件的列「\(grid.header[col])」的值是小数，按百分比读取 values read as fractions: 0.35 → 35%") }
        }
        let empCol = map.column("employee_id")!, periodCol = map.column("period"), dateCol = map.column("date"), teamCol = map.column("team")
        let calendar = engine.scheme.calendar
        var out: [EvidenceCSV.RawRow] = []
        var keys: [String: Int] = [:]
        var periodNotice = false
        for (line, cells) in grid.rows {
            let emp = cells[empCol]
            if emp.isEmpty { throw grid.error(row: line, column: grid.header[empCol], "工号为空 the employee number is empty") }
            var period = defaultPeriod
            if let c = periodCol, !cells[c].isEmpty {
                guard let p = Self.period(cells[c], calendar: calendar) else {
                    throw grid.error(row: line, column: grid.header[c], "“\(cells[c])” 不是有效期间 is not a period (2026-10, 2026年10月, 2026-Q4, 2026)")
                }
                if p != cells[c] { periodNotice = true }
                period = p
            }
            if let c = dateCol, !cells[c].isEmpty {
                guard let (day, _) = CellValue.date(cells[c]), let p = calendar.period(ofDate: day) else {
                    throw grid.error(row: line, column: grid.header[c], "“\(cells[c])” 不是有效日期 is not a date (2026-10-05, 2026/10/5, 2026年10月5日)")
                }
                if let q = period, periodCol != nil, q != p {
                    throw grid.error(row: line, column: grid.header[c],
                                     "日期属于期间 \(p)（每月 \(calendar.startDay) 日起算，R-002-31），与期间列 \(q) 不一致 — the date falls in \(p), not \(q)")
                }
                period = p
            }
            guard let period else {
                throw grid.error(row: line, "没有期间：请加期间或日期列，或在导入时指定期间 no period: add a period or date column, or give the period")
            }
            let key = emp + "\u{1}" + period
            if let first = keys[key] {
                throw grid.error(row: line, column: grid.header[empCol], "重复的员工-期间 duplicate employee-period \(emp) / \(period)（第 \(first) 行已有 already on row \(first)）")
            }
            keys[key] = line
            var values: [String: String] = [:]
            for (col, input) in inputs {
                let raw = cells[col]
                if raw.isEmpty { continue }
                let text: String
                switch input.kind {
                case .percent: text = CellValue.percent(raw, style: styles[col] ?? .points)
                case .grade, .text: text = raw
                default: text = CellValue.number(raw)
                }
                do { _ = try engine.parse(Substring(text), input: input) } catch {
                    throw grid.error(row: line, column: grid.header[col], error.message)
                }
                values[input.column] = text
            }
            out.append(EvidenceCSV.RawRow(line: line, employee: emp, period: period, team: teamCol.map { cells[$0] }, values: values))
        }
        if periodNotice { notices.append("期间已规范为 YYYY-MM periods normalised to YYYY-MM (e.g. 2026年10月 → 2026-10)") }
        return Result(rows: out, map: map, notices: notices)
    }

    /// A period cell by the scheme's month boundary: a date (`2026-11-28`) or a range of dates
    /// (`2026-11-01~2026-11-30`, `2026-11-01 至 2026-11-30`) gives the period its first day falls
    /// in (R-002-31); anything else as `period(_:)`.
    public static func period(_ s: String, calendar: PeriodCalendar) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        for sep in ["~", "～", "至", "—", " - ", "到"] where t.contains(sep) {
            let first = t.components(separatedBy: sep)[0].trimmingCharacters(in: .whitespaces)
            if let (day, _) = CellValue.date(first) { return calendar.period(ofDate: day) }
        }
        if let (day, _) = CellValue.date(t) { return calendar.period(ofDate: day) }
        return period(t)
    }

    /// A period as people write it: `2026-10`, `2026/10`, `2026年10月`, `202610`, or a date
    /// (Excel turns a typed `2026-10` into 2026-10-01) → `2026-10`; `2026-Q4`, `2026-H2`, `2026`.
    public static func period(_ s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        if Period.isValid(t) { return t }
        if t.count == 6, let v = Int(t), Period.isValid(String(format: "%04d-%02d", v / 100, v % 100)) { return String(format: "%04d-%02d", v / 100, v % 100) }
        let cleaned = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "").replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
        let p = cleaned.split(separator: "-").compactMap { Int($0) }
        if p.count == 2, cleaned.split(separator: "-").count == 2 {
            let label = String(format: "%04d-%02d", p[0], p[1])
            return Period.isValid(label) ? label : nil
        }
        if let (day, _) = CellValue.date(s) { return String(day.prefix(7)) }
        return nil
    }
}
