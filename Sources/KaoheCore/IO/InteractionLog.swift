import Foundation

/// One employee-period's metrics aggregated from an interaction log.
public struct LogTotals: Sendable, Equatable {
    public var employee: String
    public var period: String
    /// Log rows for this employee-period.
    public var rows: Int
    /// First line of the file that names the employee (for messages such as an unknown 工号).
    public var firstLine: Int
    /// metric id → value as text (`37`, `28.5`, `12.35`)
    public var values: [String: String]
}

/// What an aggregated log gives: totals per employee-period, the column mapping used and what
/// was understood on the way (shown in the preview).
public struct LogSummary: Sendable {
    public var file: String
    public var rows: Int
    public var totals: [LogTotals]
    public var map: ColumnMap
    public var notices: [String]
    public var periods: [String] { Array(Set(totals.map(\.period))).sorted() }
}

/// Aggregates a raw interaction log (one row per chat, call or order) into the metrics of a
/// scheme's `interaction_log`, streaming: rows are folded into per employee-period
/// accumulators as they are read, so a 1,000,000-row file needs memory for the agents, not for
/// the rows. Every bad cell is an `InputError` naming file, row and column; nothing is returned
/// unless the whole file is good.
public final class LogAggregator {
    let spec: LogSpec
    let file: String
    let sheet: String?
    let calendar: PeriodCalendar
    let period: String?
    public let map: ColumnMap
    let header: [String]

    // file column of agent / time; per log column: file column and kind
    let agentCol: Int
    let timeCol: Int?
    let numericCols: [(file: Int, name: String)]      // numeric log columns used, parsed once per row
    struct Agg {
        var function: LogAggregate.Function
        var value: Int       // index in numericCols, or -1
        var condText: Int    // file column of a text condition, or -1
        var condValues: [[UInt8]]
        var condNumber: Int  // index in numericCols of a number condition, or -1
        var above: Int64
    }
    let aggs: [Agg]
    /// Aggregates computed (those whose columns the file has) and those skipped, with why.
    let kept: [LogAggregate]
    let skipped: [String]

    // state
    var agentIndex: [String: Int] = [:]
    var agentNames: [String] = []
    var agentFirstLine: [Int] = []
    var slotOf: [Int: Int] = [:]          // agent * 65536 + month index → slot
    var slotKeys: [(agent: Int, month: Int)] = []
    var rowsPerSlot: [Int] = []
    var sums: [Int64] = []                // slot * aggs.count + k
    var counts: [Int64] = []
    public private(set) var rows = 0
    var labels: [Int: String] = [:]
    var numbers: [Int64]
    var present: [Bool]

    public init(scheme: Scheme, header: [String], file: String, sheet: String? = nil, saved: [String: String] = [:],
                chosen: [String: String] = [:], period: String? = nil) throws(InputError) {
        guard let spec = scheme.interactionLog else {
            throw InputError(file: file, message: "方案 “\(scheme.id)” 没有定义交互日志的汇总方式 (interaction_log) — the scheme does not say how a log becomes its metrics")
        }
        self.spec = spec; self.file = file; self.sheet = sheet; self.calendar = scheme.calendar; self.period = period
        self.header = header
        var targets = spec.targets
        if spec.time != nil, period != nil, let k = targets.firstIndex(where: { $0.id == "time" }) { targets[k].required = false }
        let map = try ColumnMap.resolve(header: header, targets: targets, saved: saved, chosen: chosen, file: file, sheet: sheet)
        self.map = map
        if !map.missing.isEmpty {
            let names = map.missing.map { id in
                let t = targets.first { $0.id == id }!
                return "\(id)（\(t.labels.prefix(3).joined(separator: " / "))）"
            }
            throw InputError(file: file, sheet: sheet, row: 1,
                             message: "缺少必需的列 missing required columns: \(names.joined(separator: ", "))；文件的列 the file has: \(header.joined(separator: ", "))")
        }
        guard let a = map.column("agent") else { throw InputError(file: file, row: 1, column: "agent", message: "缺少客服工号列 missing the agent column") }
        agentCol = a
        timeCol = map.column("time")
        if timeCol == nil && period == nil {
            throw InputError(file: file, sheet: sheet, row: 1, message: "日志没有时间列，请指定期间 the log has no time column: give the period")
        }
        var numeric: [(Int, String)] = []
        func numericIndex(_ col: String) -> Int {
            let f = map.column(col)!
            if let k = numeric.firstIndex(where: { $0.0 == f }) { return k }
            numeric.append((f, col)); return numeric.count - 1
        }
        var aggs: [Agg] = []
        var kept: [LogAggregate] = [], skipped: [String] = []
        for g in spec.aggregate {
            let needs = [g.column, g.where.map(\.column)].compactMap { $0 }.filter { $0 != "agent" }
            if let absent = needs.first(where: { map.column($0) == nil }) {
                skipped.append("\(g.metric)（缺列 no column \(absent)）"); continue
            }
            kept.append(g)
            var agg = Agg(function: g.function, value: -1, condText: -1, condValues: [], condNumber: -1, above: 0)
            if let c = g.column { agg.value = numericIndex(c) }
            if let w = g.where {
                if let list = w.in { agg.condText = w.column == "agent" ? a : map.column(w.column)!; agg.condValues = list.map { Array($0.utf8) } }
                else { agg.condNumber = numericIndex(w.column); agg.above = (w.above ?? .zero).raw }
            }
            aggs.append(agg)
        }
        self.aggs = aggs
        self.kept = kept
        self.skipped = skipped
        numericCols = numeric.map { (file: $0.0, name: $0.1) }
        numbers = [Int64](repeating: 0, count: numeric.count)
        present = [Bool](repeating: false, count: numeric.count)
    }

    func fail(_ line: Int, _ col: Int?, _ message: String) -> InputError {
        InputError(file: file, sheet: sheet, row: line, column: col.map { header[$0] }, message: message)
    }

    /// Folds one data row in (fields in file column order).
    public func add(line: Int, fields: [UnsafeBufferPointer<UInt8>]) throws(InputError) {
        guard fields.count >= header.count else {
            throw fail(line, nil, "只有 \(fields.count) 个字段，表头有 \(header.count) 个 — \(fields.count) fields, the header has \(header.count)")
        }
        rows += 1
        let agent = trimmed(fields[agentCol])
        if agent.isEmpty { throw fail(line, agentCol, "客服工号为空 the agent is empty") }
        var month: Int
        if let t = timeCol {
            guard let m = Self.month(fields[t], calendar) else {
                throw fail(line, t, "“\(trimmed(fields[t]))” 不是日期或时间 is not a date (2026-10-05, 2026/10/5 14:03, 2026年10月5日 …)")
            }
            month = m
            if let p = period, label(m) != p {
                throw fail(line, t, "日期属于期间 \(label(m))，不是所导入的 \(p) — the row falls in \(label(m)), not \(p)")
            }
        } else {
            month = MonthIndex(period!)?.value ?? 0
        }
        for (k, c) in numericCols.enumerated() {
            let f = fields[c.file]
            if f.isEmpty || f.allSatisfy({ $0 == 32 || $0 == 9 }) { present[k] = false; continue }
            guard let v = Fixed.parse(f) else { throw fail(line, c.file, "“\(trimmed(f))” 不是数字 is not a number") }
            numbers[k] = v.raw; present[k] = true
        }
        var ai: Int
        if let i = agentIndex[agent] { ai = i } else {
            ai = agentNames.count; agentIndex[agent] = ai; agentNames.append(agent); agentFirstLine.append(line)
        }
        let key = ai &* 65536 &+ month
        let slot: Int
        if let s = slotOf[key] { slot = s } else {
            slot = slotKeys.count; slotOf[key] = slot; slotKeys.append((ai, month)); rowsPerSlot.append(0)
            sums.append(contentsOf: repeatElement(0, count: aggs.count)); counts.append(contentsOf: repeatElement(0, count: aggs.count))
        }
        rowsPerSlot[slot] += 1
        let base = slot * aggs.count
        for (k, g) in aggs.enumerated() {
            var match = true
            if g.condText >= 0 {
                let f = fields[g.condText]
                match = g.condValues.contains { Self.equalTrimmed(f, $0) }
            } else if g.condNumber >= 0 {
                match = present[g.condNumber] && numbers[g.condNumber] > g.above
            }
            switch g.function {
            case .count: if match { counts[base + k] += 1 }
            case .percent: if match { counts[base + k] += 1 }
            case .sum, .mean:
                if match && present[g.value] {
                    let (s, o) = sums[base + k].addingReportingOverflow(numbers[g.value])
                    if o { throw fail(line, numericCols[g.value].file, "合计超出范围 the total is too large") }
                    sums[base + k] = s; counts[base + k] += 1
                }
            case .max, .min:
                if match && present[g.value] {
                    let v = numbers[g.value]
                    if counts[base + k] == 0 || (g.function == .max ? v > sums[base + k] : v < sums[base + k]) { sums[base + k] = v }
                    counts[base + k] += 1
                }
            }
        }
    }

    /// Folds in a row of text cells (XLSX, tests).
    public func add(line: Int, cells: [String]) throws(InputError) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for c in cells { let s = bytes.count; bytes.append(contentsOf: c.utf8); ranges.append(s..<bytes.count) }
        try bytes.withUnsafeBufferPointer { (p: UnsafeBufferPointer<UInt8>) throws(InputError) in
            try add(line: line, fields: ranges.map { UnsafeBufferPointer(rebasing: p[$0]) })
        }
    }

    func label(_ month: Int) -> String {
        if let l = labels[month] { return l }
        var m = MonthIndex(year: 2000, month: 1); m.value = month
        labels[month] = m.label
        return m.label
    }

    /// The totals per employee-period, in 工号 then period order.
    public func finish() -> LogSummary {
        var out: [LogTotals] = []
        out.reserveCapacity(slotKeys.count)
        for (slot, key) in slotKeys.enumerated() {
            var values: [String: String] = [:]
            let base = slot * aggs.count
            for (k, g) in kept.enumerated() {
                let n = counts[base + k]
                switch g.function {
                case .count: values[g.metric] = String(n)
                case .percent:
                    let p = Fixed.divide(Fixed(Int(n)) * 100, Fixed(rowsPerSlot[slot])) ?? .zero
                    values[g.metric] = p.format(maxFraction: 2)
                case .sum: values[g.metric] = Fixed(raw: sums[base + k]).format(maxFraction: 2)
                case .mean: if n > 0, let m = Fixed.divide(Fixed(raw: sums[base + k]), Fixed(Int(n))) { values[g.metric] = m.format(maxFraction: 2) }
                case .max, .min: if n > 0 { values[g.metric] = Fixed(raw: sums[base + k]).format(maxFraction: 2) }
                }
            }
            out.append(LogTotals(employee: agentNames[key.agent], period: label(key.month), rows: rowsPerSlot[slot],
                                 firstLine: agentFirstLine[key.agent], values: values))
        }
        out.sort { ($0.employee, $0.period) < ($1.employee, $1.period) }
        var notices: [String] = []
        notices.append("\(rows) 行日志汇总为 \(out.count) 个员工-期间 — \(rows) log rows aggregated into \(out.count) employee-periods")
        notices += map.notices
        if !skipped.isEmpty { notices.append("文件缺少所需列，以下指标未汇总 not aggregated for lack of a column: \(skipped.joined(separator: ", "))") }
        return LogSummary(file: file, rows: rows, totals: out, map: map, notices: notices)
    }

    @inline(__always) static func equalTrimmed(_ f: UnsafeBufferPointer<UInt8>, _ v: [UInt8]) -> Bool {
        var a = 0, b = f.count
        while a < b && (f[a] == 32 || f[a] == 9) { a += 1 }
        while b > a && (f[b - 1] == 32 || f[b - 1] == 9) { b -= 1 }
        guard b - a == v.count else { return false }
        var k = 0
        while k < v.count { if f[a + k] != v[k] { return false }; k += 1 }
        return true
    }

    /// Month index of a date or date-time cell, by the scheme's month boundaries (R-002-31).
    /// Fast path for `YYYY-MM-DD…` / `YYYY/M/D…`; other forms go through `CellValue.date`.
    static func month(_ f: UnsafeBufferPointer<UInt8>, _ cal: PeriodCalendar) -> Int? {
        var i = 0
        while i < f.count && f[i] == 32 { i += 1 }
        func digits(_ maxLen: Int) -> Int? {
            var v = 0, n = 0
            while i < f.count, n < maxLen, f[i] >= 48, f[i] <= 57 { v = v * 10 + Int(f[i] - 48); i += 1; n += 1 }
            return n == 0 ? nil : v
        }
        if f.count - i >= 8, let y = digits(4), i - 0 >= 4, i < f.count, f[i] == 45 || f[i] == 47 {
            let sep = f[i]; i += 1
            if let m = digits(2), i < f.count, f[i] == sep {
                i += 1
                if let d = digits(2), (i == f.count || f[i] == 32 || f[i] == 84), (1...12).contains(m), d >= 1,
                   y >= 1900, y <= 2999, d <= PeriodCalendar.daysIn(year: y, month: m) {
                    return cal.monthIndex(year: y, month: m, day: d).value
                }
                return nil
            }
        }
        guard let (day, _) = CellValue.date(String(decoding: f, as: UTF8.self)) else { return nil }
        let p = day.split(separator: "-").map { Int($0)! }
        return cal.monthIndex(year: p[0], month: p[1], day: p[2]).value
    }
}

extension LogAggregator {
    /// Aggregates a whole file given as bytes (CSV in any encoding of `TextInput`, or XLSX).
    public static func aggregate(_ data: Data, file: String, scheme: Scheme, sheet: String? = nil, saved: [String: String] = [:],
                                 chosen: [String: String] = [:], period: String? = nil) throws(InputError) -> LogSummary {
        var notices: [String] = []
        switch try TextInput.sniff(data, file: file) {
        case .xlsx:
            let grid = try Grid.read(data, file: file, sheet: sheet)
            let agg = try LogAggregator(scheme: scheme, header: grid.header, file: file, sheet: grid.sheet, saved: saved, chosen: chosen, period: period)
            for r in grid.rows { try agg.add(line: r.line, cells: r.cells) }
            var s = agg.finish(); s.notices = grid.notices + s.notices
            return s
        case .text(let enc):
            let utf8 = try TextInput.utf8(data, encoding: enc, file: file)
            if enc == .gb18030 { notices.append("文件编码 GB18030 已转换 — the file was GB18030 and has been converted") }
            var agg: LogAggregator?
            var failure: InputError?
            do {
                try utf8.withUnsafeBytes { raw in
                    try CSVReader.forEachRecord(raw.bindMemory(to: UInt8.self), separator: enc == .utf16LE || enc == .utf16BE ? 9 : 44) { line, fields in
                        if let a = agg { try a.add(line: line, fields: fields); return }
                        agg = try LogAggregator(scheme: scheme, header: fields.map(trimmed), file: file, saved: saved, chosen: chosen, period: period)
                    }
                }
            } catch let e as InputError { failure = e } catch let m as CSVReader.Malformed {
                failure = InputError(file: file, row: m.line, message: m.message)
            } catch { failure = InputError(file: file, message: "\(error)") }
            if let failure { throw failure }
            guard let a = agg, a.rows > 0 else { throw InputError(file: file, message: "没有数据行 no data rows after the header") }
            var s = a.finish(); s.notices = notices + s.notices
            return s
        }
    }

    /// Aggregates a CSV file from disk in blocks of `block` bytes, never holding the whole file
    /// (the 1,000,000-row benchmark). XLSX and GB18030 files are read whole.
    public static func aggregate(path: String, scheme: Scheme, sheet: String? = nil, saved: [String: String] = [:], chosen: [String: String] = [:],
                                 period: String? = nil, block: Int = 8 << 20) throws(InputError) -> LogSummary {
        let name = (path as NSString).lastPathComponent
        guard let h = FileHandle(forReadingAtPath: path) else { throw InputError(file: name, message: "找不到文件 no such file: \(path)") }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 65536)) ?? Data()
        let sniff = try TextInput.sniff(head.isEmpty ? Data() : head, file: name)
        guard case .text(let enc) = sniff, enc == .utf8 || enc == .utf8BOM else {
            return try aggregate(try TextInput.read(path: path), file: name, scheme: scheme, sheet: sheet, saved: saved, chosen: chosen, period: period)
        }
        try? h.seek(toOffset: enc == .utf8BOM ? 3 : 0)
        var agg: LogAggregator?
        var carry = Data()
        var lineBase = 0       // lines before the current block
        var done = false
        while !done {
            let chunk = (try? h.read(upToCount: block)) ?? Data()
            done = chunk.isEmpty
            var buf = Data(capacity: carry.count + chunk.count)   // indices from 0
            buf.append(carry); buf.append(chunk)
            // cut after the last newline outside quotes (the rest waits for the next block)
            var cut = buf.count
            if !done {
                var quoted = false, last = -1
                buf.withUnsafeBytes { raw in
                    for (k, c) in raw.enumerated() {
                        if c == 34 { quoted.toggle() } else if c == 10 && !quoted { last = k }
                    }
                }
                cut = last + 1
            }
            let part = buf.prefix(cut)
            carry = Data(buf.suffix(from: cut))
            if part.isEmpty { if done { break } else { continue } }
            if !TextInput.validUTF8(part) {
                throw InputError(file: name, row: lineBase + 1, message: "文件不是有效的 UTF-8 — the text is not valid UTF-8 after line \(lineBase)")
            }
            var failure: InputError?
            var lines = 0
            do {
                try part.withUnsafeBytes { raw in
                    try CSVReader.forEachRecord(raw.bindMemory(to: UInt8.self)) { line, fields in
                        if let a = agg { try a.add(line: lineBase + line, fields: fields); return }
                        agg = try LogAggregator(scheme: scheme, header: fields.map(trimmed), file: name, saved: saved, chosen: chosen, period: period)
                    }
                }
            } catch let e as InputError { failure = e } catch let m as CSVReader.Malformed {
                failure = InputError(file: name, row: lineBase + m.line, message: m.message)
            } catch { failure = InputError(file: name, message: "\(error)") }
            if let failure { throw failure }
            part.withUnsafeBytes { raw in for c in raw where c == 10 { lines += 1 } }
            lineBase += lines
        }
        guard let a = agg, a.rows > 0 else { throw InputError(file: name, message: "没有数据行 no data rows after the header") }
        return a.finish()
    }
}
