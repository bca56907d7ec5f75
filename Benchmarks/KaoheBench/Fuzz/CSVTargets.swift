import Foundation
import KaoheCore

/// Structure-aware CSV mutations: very wide rows and headers, very long cells, unterminated
/// quotes, NUL bytes, byte-order marks, huge numbers and `%` cells, duplicate headers and rows,
/// very many rows, other line ends; and the generic byte mutations.
struct CSVMutator {
    /// Values a cell is set to (numbers, dates, periods, grades … of the target).
    let values: [[UInt8]]
    let bytes: ByteMutator
    let maxLength: Int

    init(values: [[UInt8]], maxLength: Int) {
        self.values = values
        self.maxLength = maxLength
        bytes = ByteMutator(tokens: Bytes.b([",", "\"", "\"\"", "\n", "\r\n", "\r", "%", "\u{0}", "\t", ";", ",,,,", "\"a\"\"b\"", "9e12", "1e400", "\u{FEFF}",
                                             "2026-10", "employee_id", "工号"]) + values, maxLength: maxLength)
    }

    static let numbers = Bytes.b(["9e12", "9000000000000", "9223372036854.775807", "9223372036854.775808", "-9223372036854.775808", "9223372036854.775",
                                  "9223372036855", "4611686018427.387904", "1e400", "-1e400", "1e-400", "1e99", "1e18", "99999999999999999999",
                                  "0.0000001", "0.0000005", "1,234,567.5", "1,2,3", "-0", "+5", "1e3", "1E+12", "∞", "NaN", "inf", "%", "100%", "35%",
                                  "-35%", "1e400%", "35 %", "%%", "９９", "٣", "0x1F", "1_000", " 12 ", "12.", ".5", "-.5", "1..2", "--1", "1e", "1e+",
                                  "e5", "¥88", "1,234.50元", "0.35", "0", "-1", "3600.0000001", "100000000.01"])
    static let texts = Bytes.b(["2026-02-30", "2026-02-29", "2028-02-29", "9999-12-31", "1899-12-31", "2026年10月5日", "20261005", "2026/10/5 25:61",
                                "2026-10-05T14:03:22", "2026-10-05 14:03:99", "2026-13", "2026-Q5", "2026-H3", "2026-W99", "0000", "2026-", "-2026-10",
                                "2026-10-", "99999999-01", "2026-1", "202610", "2026.10", "2026年10月", "优秀", "有待改进", "", " ", "\"\"", "E100000",
                                "员工", "=1+1", "@SUM(A1)", "\u{FEFF}x", "\t", "a\u{0}b", "\"unterminated", "x\"y"])

    /// One or two mutations; returns the first one's name.
    func mutate(_ b: inout [UInt8], _ r: inout FuzzRandom, splice other: [UInt8]?) -> StaticString {
        var kind: StaticString = "csv:bytes"
        let n = r.oneIn(5) ? 2 + r.below(3) : 1
        for k in 0..<n {
            let op = once(&b, &r, other)
            if k == 0 { kind = op }
        }
        if b.count > maxLength { b.removeLast(b.count - maxLength) }
        return kind
    }

    func once(_ b: inout [UInt8], _ r: inout FuzzRandom, _ other: [UInt8]?) -> StaticString {
        let room = Swift.max(1, maxLength - b.count)
        switch r.below(18) {
        case 0:
            // a row with very many columns
            let n = r.many(max: Bytes.fit(2, room: room))
            let row = Bytes.of("E999,") + Bytes.repeated(r.oneIn(2) ? Bytes.of(",") : Bytes.of("1,"), n) + [10]
            b.insert(contentsOf: row, at: Self.lineStart(b, r.below(b.count + 1)))
            return "csv:wide-row"
        case 1:
            // a header with very many columns (empty or named)
            let end = b.firstIndex(of: 10) ?? b.count
            let n = r.many(max: Bytes.fit(3, room: room))
            b.insert(contentsOf: r.oneIn(2) ? Bytes.repeated(Bytes.of(","), n) : Bytes.repeated(Bytes.of(",c"), n), at: end > 0 && b[end - 1] == 13 ? end - 1 : end)
            return "csv:wide-header"
        case 2:
            // one very long cell
            let n = r.many(max: room)
            let cell: [UInt8]
            switch r.below(4) {
            case 0: cell = Bytes.repeated(Bytes.of("9"), n)
            case 1: cell = Bytes.of("\"") + Bytes.repeated(Bytes.of("\"\""), Swift.max(1, n / 2)) + Bytes.of("\"")
            case 2: cell = Bytes.repeated(Bytes.of("长"), Swift.max(1, n / 3))
            default: cell = Bytes.of("\"") + Bytes.repeated(Bytes.of("a,\n"), Swift.max(1, n / 3)) + Bytes.of("\"")
            }
            Self.replaceField(&b, cell, &r)
            return "csv:long-cell"
        case 3:
            // an unterminated quote at the start of a field
            if let f = Self.randomField(b, &r) { b.insert(UInt8(ascii: "\""), at: f.lowerBound) } else { b.insert(UInt8(ascii: "\""), at: r.below(b.count + 1)) }
            return "csv:unterminated-quote"
        case 4:
            // NUL bytes: early (a binary file) or after the first 64 KiB, which the sniffers sample
            if r.oneIn(2) || b.count > 70_000 {
                b.insert(0, at: r.below(b.count + 1))
            } else {
                Self.replaceField(&b, Bytes.repeated(Bytes.of("x"), 70_000), &r)
                b.append(contentsOf: Bytes.of("\u{0}\u{0}\n"))
            }
            return "csv:nul"
        case 5:
            let boms: [[UInt8]] = [[0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], [0x84, 0x31, 0x95, 0x33], [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF],
                                   [0xFF, 0xFE, 0x00, 0x00], [0xEF, 0xBB]]
            b.insert(contentsOf: r.pick(boms), at: 0)
            return "csv:bom"
        case 6:
            Self.replaceField(&b, r.pick(Self.numbers), &r)
            return "csv:number"
        case 7:
            if let f = Self.randomField(b, &r) { b.insert(UInt8(ascii: "%"), at: f.upperBound) }
            return "csv:percent"
        case 8:
            // a header name twice
            let end = b.firstIndex(of: 10) ?? b.count
            let header = Array(b[0..<end])
            let names = header.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            if let name = names.isEmpty ? nil : r.pick(names.map { Array($0) }) {
                b.insert(contentsOf: [UInt8(ascii: ",")] + name.filter { $0 != 13 }, at: end > 0 && b[end - 1] == 13 ? end - 1 : end)
            }
            return "csv:duplicate-header"
        case 9:
            // a data row twice
            let s = Self.lineStart(b, r.below(b.count + 1))
            let e = b[s...].firstIndex(of: 10).map { $0 + 1 } ?? b.count
            b.insert(contentsOf: Array(b[s..<e]) + (e == b.count ? [10] : []), at: e)
            return "csv:duplicate-row"
        case 10:
            // very many rows: one data row repeated, the first field numbered so rows stay distinct
            let s = Self.lineStart(b, r.below(b.count + 1))
            let e = b[s...].firstIndex(of: 10) ?? b.count
            var line = Array(b[s..<e])
            if line.last == 13 { line.removeLast() }
            let rest = line.firstIndex(of: UInt8(ascii: ",")).map { Array(line[$0...]) } ?? []
            // at most 2,000: more rows are not a limit but a slower run (a debug build parses a few MB/s)
            let n = r.many(max: Swift.min(2_000, Bytes.fit(line.count + 8, room: room)))
            var block: [UInt8] = []
            block.reserveCapacity(n * (rest.count + 8))
            for k in 0..<n { block.append(contentsOf: Bytes.of("R\(k)")); block.append(contentsOf: rest); block.append(10) }
            if b.last != 10 { b.append(10) }
            b.append(contentsOf: block)
            return "csv:many-rows"
        case 11:
            // other line ends: CR only, CRLF, or none at the end
            switch r.below(3) {
            case 0: for i in b.indices where b[i] == 10 { b[i] = 13 }
            case 1:
                var out: [UInt8] = []
                out.reserveCapacity(b.count + b.count / 16)
                for c in b { if c == 10 { out.append(13) }; out.append(c) }
                b = out
            default: while b.last == 10 || b.last == 13 { b.removeLast() }
            }
            return "csv:line-ends"
        case 12:
            Self.replaceField(&b, r.pick(Self.texts), &r)
            return "csv:cell"
        case 13:
            Self.replaceField(&b, r.pick(values), &r)
            return "csv:value"
        case 14:
            let blanks = Bytes.b(["\n\n\n", " , , \n", ",,,,\n", "\r\n\r\n", "\"\"\n", "\t\n"])
            b.insert(contentsOf: r.pick(blanks), at: Self.lineStart(b, r.below(b.count + 1)))
            return "csv:blank-lines"
        case 15:
            // a field with text after its closing quote, or a quote inside an unquoted field
            let bits = Bytes.b(["\"a\"b", "a\"b", "\"a\"\"", "\"\"\"", "\"a\"\r", "\"\n\""])
            Self.replaceField(&b, r.pick(bits), &r)
            return "csv:quotes"
        default:
            bytes.mutate(&b, &r, splice: other)
            return "csv:bytes"
        }
    }

    /// Start of the line containing `pos`.
    static func lineStart(_ b: [UInt8], _ pos: Int) -> Int {
        var i = Swift.min(pos, b.count)
        while i > 0 && b[i - 1] != 10 { i -= 1 }
        return i
    }

    /// A field (split at commas, quotes ignored) of a random line, mostly not the header.
    static func randomField(_ b: [UInt8], _ r: inout FuzzRandom) -> Range<Int>? {
        guard !b.isEmpty else { return nil }
        let s = r.oneIn(8) ? 0 : lineStart(b, r.below(b.count))
        var e = s
        while e < b.count && b[e] != 10 && b[e] != 13 { e += 1 }
        var starts = [s]
        for i in s..<e where b[i] == UInt8(ascii: ",") { starts.append(i + 1) }
        let k = r.below(starts.count)
        let fs = starts[k]
        let fe = k + 1 < starts.count ? starts[k + 1] - 1 : e
        return fs..<fe
    }

    static func replaceField(_ b: inout [UInt8], _ with: [UInt8], _ r: inout FuzzRandom) {
        if let f = randomField(b, &r) { b.replaceSubrange(f, with: with) } else { b.append(contentsOf: with) }
    }
}

extension Bytes {
    static func b(_ a: [String]) -> [[UInt8]] { a.map { Array($0.utf8) } }
}

/// `csv`: `Grid.read` and `EvidenceTable.read` (the import path), `EvidenceCSV.read` with the
/// engine of the preset the seed belongs to (as `kaohe score` builds it), and for rows it accepts
/// the scoring, the JSON writer and the outcome policies (the rest of `kaohe score`).
final class CSVTarget: FuzzTarget {
    let name = "csv"
    private let corpus: FuzzCorpus
    private let seeds: [FuzzCorpus.CSVSeed]
    private let mutator: CSVMutator
    private var input: [UInt8] = []
    private var engine = 0
    private var period: String?
    private var sink = ByteSink(capacity: 1 << 16)

    var seedCount: Int { seeds.count }

    init(_ corpus: FuzzCorpus) {
        self.corpus = corpus
        seeds = corpus.csvSeeds
        var values: [String] = []
        for e in corpus.engines {
            for inp in e.engine.inputs {
                values.append(inp.column)
                if let g = inp.grades.first { values.append(g) }
                if let m = inp.max { values.append(m.description); values.append((m + Fixed(raw: 1)).description) }
                if let m = inp.min { values.append((m - Fixed(raw: 1)).description) }
            }
        }
        mutator = CSVMutator(values: Bytes.b(Array(Set(values)).sorted()) + CSVMutator.numbers, maxLength: 4 << 20)
    }

    func prepare(_ r: inout FuzzRandom) -> StaticString {
        guard !seeds.isEmpty else { input = []; return "csv:none" }
        let seed = r.pick(seeds)
        engine = seed.engine
        period = r.oneIn(6) ? r.pick(["2026-10", "2026-Q4", "2026", "2026-13"]) : nil
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: seed.bytes)
        if r.oneIn(50) { return "csv:seed" }
        let other: [UInt8]? = r.oneIn(4) ? r.pick(seeds).bytes : nil
        return mutator.mutate(&input, &r, splice: other)
    }

    func inputBytes() -> [UInt8] { input }

    func load(_ selector: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) {
        engine = corpus.engines.isEmpty ? 0 : Int(selector & 0x0F) % corpus.engines.count
        period = Selector.pick(Selector.csvPeriods, selector >> 4)
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: bytes)
    }

    func libFuzzerSeeds() -> [[UInt8]] { seeds.map { [UInt8($0.engine & 0x0F)] + $0.bytes } }

    func execute() -> FuzzOutcome {
        guard !corpus.engines.isEmpty else { return .refused }
        let entry = corpus.engines[engine]
        let data = Data(input)
        var accepted = false
        if let grid = try? Grid.read(data, file: "fuzz.csv") {
            accepted = true
            _ = try? EvidenceTable.read(grid, engine: entry.engine, period: period == "2026-13" ? nil : period)
        }
        if let rows = try? EvidenceCSV.read(data, file: "fuzz.csv", engine: entry.engine, period: period) {
            accepted = true
            Score.rows(Array(rows.prefix(200)), entry, sink: &sink)
        }
        return accepted ? .accepted : .refused
    }
}

/// The rest of `kaohe score` for rows that were accepted: scores, the JSON writer, outcomes.
enum Score {
    static func rows(_ rows: [ScoringRow], _ entry: FuzzCorpus.EngineEntry, sink: inout ByteSink) {
        sink.bytes.removeAll(keepingCapacity: true)
        ResultWriter.jsonHeader(entry.engine, into: &sink)
        var first = true
        var records: [OutcomeRecord] = []
        entry.engine.scoreAll(rows, withValues: { r, values in
            ResultWriter.json(r, into: &sink, first: first)
            first = false
            if let o = entry.outcomes, let rec = o.record(r, values: values) { records.append(rec) }
        })
        ResultWriter.jsonFooter(into: &sink)
        if let o = entry.outcomes, !records.isEmpty {
            let (outcomes, teams) = o.evaluate(records)
            ResultWriter.outcomesOpen(asOf: nil, into: &sink)
            for (k, x) in outcomes.enumerated() { ResultWriter.json(x, into: &sink, first: k == 0) }
            ResultWriter.outcomesClose(teams: teams, into: &sink)
        }
    }
}

/// `log`: `LogAggregator.aggregate` (CSV in any encoding, or XLSX) for the preset with an
/// `interaction_log` (ecommerce-monthly), then the totals scored as the import scores them.
final class LogTarget: FuzzTarget {
    let name = "log"
    private let corpus: FuzzCorpus
    private let seeds: [[UInt8]]
    private let mutator: CSVMutator
    private var input: [UInt8] = []
    private var period: String?
    private var sink = ByteSink(capacity: 1 << 16)
    private let entry: FuzzCorpus.EngineEntry?

    var seedCount: Int { seeds.count }

    static let values = Bytes.b(["2026-10-05 14:03", "2026/10/5 14:03", "2026年10月5日", "20261005", "2026-10-05T25:00", "2026-02-30 10:00", "1899-12-31 00:00",
                                 "2026-1-5", "0000-00-00 00:00:00", "2026-10-05 14:03:99", "2026/10/05", "99999-10-05", "2026-10-05 24:00", "2026-10-5",
                                 "2026-10-25 10:00", "2026-09-30 23:59:59", "下单", "已付款", "退款", "流失", "refund", " 退款 ", "退款\u{0}", "lost",
                                 "9223372036854.775807", "9223372036854.775", "4611686018427.387904", "-9223372036854.775808", "9e12", "-9e12",
                                 "1e400", "0.005", "-0", "101001", String(repeating: "x", count: 10_000), "客服工号", "开始时间", "结果", "订单金额"])

    init(_ corpus: FuzzCorpus) {
        self.corpus = corpus
        seeds = corpus.logSeeds
        entry = corpus.ecommerce.map { corpus.engines[$0] }
        mutator = CSVMutator(values: Self.values + CSVMutator.numbers, maxLength: 4 << 20)
    }

    func prepare(_ r: inout FuzzRandom) -> StaticString {
        guard !seeds.isEmpty else { input = []; return "log:none" }
        period = r.oneIn(5) ? r.pick(["2026-10", "2026-11", "2026-Q4"]) : nil
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: r.pick(seeds))
        var kind: StaticString = "log:seed"
        if !r.oneIn(50) {
            switch r.below(12) {
            case 0:
                // very many distinct agents and months (memory per agent-period)
                let n = r.many(max: 2_000)
                var block: [UInt8] = []
                block.reserveCapacity(n * 48)
                for k in 0..<n {
                    let m = 1 + k % 12
                    block.append(contentsOf: Bytes.of("\(k),A\(k),20\(10 + k % 90)-\(m < 10 ? "0" : "")\(m)-05 10:00,5,已付款,10,10,\n"))
                }
                if input.last != 10 { input.append(10) }
                input.append(contentsOf: block)
                kind = "log:many-agents"
            case 1:
                // amounts that add up beyond what a total can hold, or sit at its edge
                let amount = r.pick(["9223372036854.775807", "9223372036854.775", "4611686018427.387904", "-9223372036854.775808", "9e12"])
                let n = 1 + r.below(3)
                for k in 0..<n { input.append(contentsOf: Bytes.of("X\(k),101001,2026-10-0\(1 + k) 10:00,5,已付款,\(amount),\(amount),\(amount)\n")) }
                kind = "log:large-amounts"
            case 2:
                // the (mutated) log as a workbook: the XLSX path of the aggregation
                let other: [UInt8]? = r.oneIn(4) ? r.pick(seeds) : nil
                _ = mutator.mutate(&input, &r, splice: other)
                guard let grid = try? Grid.read(Data(input), file: "log.csv"),
                      let d = try? XLSXWriter(sheets: [XLSXWriter.Sheet(name: "log", header: grid.header, rows: grid.rows.map { $0.cells.map(XLSXTarget.cell) })]).data()
                else { return "log:xlsx-unreadable" }
                input.removeAll(keepingCapacity: true)
                input.append(contentsOf: d)
                return "log:xlsx"
            default:
                let other: [UInt8]? = r.oneIn(4) ? r.pick(seeds) : nil
                kind = mutator.mutate(&input, &r, splice: other)
            }
        }
        return kind
    }

    func inputBytes() -> [UInt8] { input }

    func load(_ selector: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) {
        period = Selector.pick(Selector.logPeriods, selector)
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: bytes)
    }

    func libFuzzerSeeds() -> [[UInt8]] { seeds.map { [0] + $0 } }

    func execute() -> FuzzOutcome {
        guard let entry else { return .refused }
        let data = Data(input)
        guard let summary = try? LogAggregator.aggregate(data, file: "fuzz-log", scheme: entry.scheme, period: period) else {
            return .refused
        }
        // the import scores the totals (log metrics are input columns of the scheme)
        let rows = summary.totals.prefix(200).map { EvidenceRow(employee: $0.employee, period: $0.period, values: $0.values) }
        if let results = try? entry.engine.scoreAll(Array(rows)) {
            sink.bytes.removeAll(keepingCapacity: true)
            for (k, res) in results.enumerated() { ResultWriter.json(res, into: &sink, first: k == 0) }
        }
        return .accepted
    }
}
