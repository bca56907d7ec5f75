import Foundation

/// A fast RFC 4180 CSV reader over bytes: quoted fields, doubled quotes, CR/LF/CRLF line ends,
/// a UTF-8 byte-order mark. Calls back once per record with the fields as byte ranges, so a
/// caller can parse numbers without building strings.
public struct CSVReader {
    public struct Malformed: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "第 \(line) 行 row \(line): \(message)" }
    }

    /// Calls `record(line, fields)` for each non-empty record; `fields` are slices of `data`
    /// (quoted fields are unescaped into a scratch buffer). Returns when done or throws.
    public static func forEachRecord(_ data: UnsafeBufferPointer<UInt8>, separator comma: UInt8 = UInt8(ascii: ","),
                                     _ record: (Int, [UnsafeBufferPointer<UInt8>]) throws -> Void) throws {
        var i = 0
        let n = data.count
        if n >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF { i = 3 }
        var line = 1
        var fields: [UnsafeBufferPointer<UInt8>] = []
        fields.reserveCapacity(64)
        // quoted fields with escapes are copied here; kept alive until the record is handed over
        var scratch: [UnsafeMutableBufferPointer<UInt8>] = []
        defer { for s in scratch { s.deallocate() } }
        guard let base = data.baseAddress else { return }
        while i < n {
            fields.removeAll(keepingCapacity: true)
            for s in scratch { s.deallocate() }
            scratch.removeAll(keepingCapacity: true)
            let recordLine = line
            var endOfRecord = false
            while !endOfRecord {
                if i < n && data[i] == UInt8(ascii: "\"") {
                    // quoted field
                    i += 1
                    let start = i
                    var hasEscape = false
                    while true {
                        guard i < n else { throw Malformed(line: recordLine, message: "引号未闭合 unterminated quoted field") }
                        let c = data[i]
                        if c == UInt8(ascii: "\"") {
                            if i + 1 < n && data[i + 1] == UInt8(ascii: "\"") { hasEscape = true; i += 2; continue }
                            break
                        }
                        if c == 10 { line += 1 }
                        i += 1
                    }
                    let end = i
                    i += 1 // closing quote
                    if end - start > InputLimits.cellBytes { throw tooLong(recordLine, fields.count, end - start) }
                    if hasEscape {
                        let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: end - start)
                        var k = 0, j = start
                        while j < end {
                            buf[k] = data[j]; k += 1
                            j += (data[j] == UInt8(ascii: "\"") ? 2 : 1)
                        }
                        scratch.append(buf)
                        fields.append(UnsafeBufferPointer(start: buf.baseAddress, count: k))
                    } else {
                        fields.append(UnsafeBufferPointer(start: base + start, count: end - start))
                    }
                    if i < n && data[i] != comma && data[i] != 10 && data[i] != 13 {
                        throw Malformed(line: recordLine, message: "引号后有多余字符 text after a closing quote")
                    }
                } else {
                    let start = i
                    while i < n {
                        let c = data[i]
                        if c == comma || c == 10 || c == 13 { break }
                        i += 1
                    }
                    if i - start > InputLimits.cellBytes { throw tooLong(recordLine, fields.count, i - start) }
                    fields.append(UnsafeBufferPointer(start: base + start, count: i - start))
                }
                if fields.count > InputLimits.csvColumns {
                    throw Malformed(line: recordLine, message: "字段过多 more than \(InputLimits.csvColumns) fields in one row: is this the right file and separator?")
                }
                if i >= n { endOfRecord = true }
                else if data[i] == comma { i += 1; if i >= n { fields.append(UnsafeBufferPointer(start: base + i, count: 0)); endOfRecord = true } }
                else {
                    if data[i] == 13 { i += 1; if i < n && data[i] == 10 { i += 1 } } else { i += 1 }
                    line += 1
                    endOfRecord = true
                }
            }
            if fields.count == 1 && fields[0].count == 0 { continue } // blank line
            try record(recordLine, fields)
        }
    }

    static func tooLong(_ line: Int, _ column: Int, _ bytes: Int) -> Malformed {
        Malformed(line: line, message: "第 \(column + 1) 个字段过长 field \(column + 1) holds \(bytes) bytes; the limit is \(InputLimits.cellBytes)")
    }

    /// Parses a whole text into rows of strings (for small files and tests).
    public static func rows(_ text: String) throws -> [[String]] {
        var out: [[String]] = []
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { p in
            try forEachRecord(UnsafeBufferPointer(p)) { _, fields in
                out.append(fields.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        return out
    }
}

/// Reads a scoring input CSV into parsed rows for an engine: `employee_id` required, `period`,
/// `team` and `name` optional, every other column must be an input of the scheme.
/// All-or-nothing: the first bad cell throws an `InputError` naming file, row and column.
public struct EvidenceCSV {
    /// `date` (YYYY-MM-DD) places a row in its period by the scheme's month boundaries (R-002-31).
    public static let reserved = ["employee_id", "period", "team", "name", "date"]

    public static func read(_ data: Data, file: String, engine: ScoringEngine, period defaultPeriod: String? = nil) throws(InputError) -> [ScoringRow] {
        if data.isEmpty { throw InputError(file: file, message: "文件为空 the file is empty") }
        if data.prefix(8192).contains(0) { throw InputError(file: file, message: "不是文本文件（含二进制内容）— this is not a CSV text file") }
        if String(data: data, encoding: .utf8) == nil {
            throw InputError(file: file, message: "文件不是 UTF-8 编码 the file is not UTF-8 (save it as “CSV UTF-8”)")
        }
        var rows: [ScoringRow] = []
        var result: Result<Void, InputError> = .success(())
        do {
            try data.withUnsafeBytes { raw in
                let buf = raw.bindMemory(to: UInt8.self)
                var header: [Int] = []      // per column: -1 employee, -2 period, -3 team, -4 ignored, -5 date, else input index
                let calendar = engine.scheme.calendar
                var seen = Set<String>()
                var keys = Set<String>()
                let slotCount = engine.slotCount
                var template = [Fixed?](repeating: nil, count: slotCount)
                for inp in engine.inputs { if let d = inp.whenEmpty { template[inp.slot] = d } }
                try CSVReader.forEachRecord(buf) { line, fields in
                    if header.isEmpty {
                        var names: [String] = []
                        for f in fields {
                            let name = trimmed(f)
                            guard seen.insert(name).inserted else {
                                throw InputError(file: file, row: line, column: name, message: "列名重复 duplicate column")
                            }
                            names.append(name)
                            switch name {
                            case "employee_id": header.append(-1)
                            case "period": header.append(-2)
                            case "team": header.append(-3)
                            case "name": header.append(-4)
                            case "date": header.append(-5)
                            default:
                                guard let idx = engine.columnIndex[name] else {
                                    throw InputError(file: file, row: line, column: name,
                                                     message: "未知的列 unknown column: 方案 “\(engine.scheme.id)” 没有这一输入（见 kaohe presets show \(engine.scheme.id)）")
                                }
                                header.append(idx)
                            }
                        }
                        if !names.contains("employee_id") {
                            throw InputError(file: file, row: line, column: "employee_id", message: "缺少必需的 employee_id 列 missing required column")
                        }
                        return
                    }
                    guard fields.count == header.count else {
                        throw InputError(file: file, row: line, message: "有 \(fields.count) 个字段，表头有 \(header.count) 个 — \(fields.count) fields, header has \(header.count)")
                    }
                    var values = template
                    var emp = "", period: String? = defaultPeriod, team: String?
                    var dated: String?
                    for (k, f) in fields.enumerated() {
                        let h = header[k]
                        switch h {
                        case -1: emp = trimmed(f)
                        case -2:
                            let p = trimmed(f)
                            guard Period.isValid(p) else {
                                throw InputError(file: file, row: line, column: "period", message: "“\(p)” 不是有效期间 is not a period (YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY)")
                            }
                            period = p
                        case -3: team = trimmed(f)
                        case -4: break
                        case -5:
                            let d = trimmed(f)
                            guard let p = calendar.period(ofDate: d) else {
                                throw InputError(file: file, row: line, column: "date", message: "“\(d)” 不是有效日期 is not a date (YYYY-MM-DD)")
                            }
                            dated = p
                        default:
                            let input = engine.inputs[h]
                            if f.count == 0 { continue }
                            do {
                                if input.kind != .grade, let v = Fixed.parse(f) {
                                    let text = String(decoding: f, as: UTF8.self)
                                    if f.last == UInt8(ascii: "%") && input.kind != .percent {
                                        throw InputError(column: input.column, message: "“\(text)” 带百分号，但该列不是百分比 has a % sign but the column is not a percentage")
                                    }
                                    values[input.slot] = try engine.check(v, text: text, input: input)
                                } else {
                                    values[input.slot] = try engine.parse(Substring(String(decoding: f, as: UTF8.self)), input: input)
                                }
                            } catch let e as InputError {
                                throw InputError(file: file, row: line, column: input.column, message: e.message)
                            }
                        }
                    }
                    if emp.isEmpty { throw InputError(file: file, row: line, column: "employee_id", message: "工号为空 employee_id is empty") }
                    if let d = dated {
                        if header.contains(-2), let p = period, p != d {
                            throw InputError(file: file, row: line, column: "date",
                                             message: "日期属于期间 \(d)（每月 \(calendar.startDay) 日起算，R-002-31），与 period 列 \(p) 不一致 — the date falls in \(d), not \(p)")
                        }
                        period = d
                    }
                    let key = emp + "\u{1}" + (period ?? "")
                    guard keys.insert(key).inserted else {
                        throw InputError(file: file, row: line, column: "employee_id",
                                         message: "重复的员工-期间 duplicate employee-period: \(emp)\(period.map { " / \($0)" } ?? "")")
                    }
                    rows.append(ScoringRow(employee: emp, period: period, team: team, values: values))
                }
            }
        } catch let e as InputError {
            result = .failure(e)
        } catch let m as CSVReader.Malformed {
            result = .failure(InputError(file: file, row: m.line, message: m.message))
        } catch {
            result = .failure(InputError(file: file, message: "\(error)"))
        }
        if case .failure(let e) = result { throw e }
        if rows.isEmpty { throw InputError(file: file, message: "没有数据行 no data rows after the header") }
        return rows
    }
}

/// The field as text without surrounding spaces and tabs.
@inline(__always) func trimmed(_ f: UnsafeBufferPointer<UInt8>) -> String {
    var a = 0, b = f.count
    while a < b && (f[a] == 32 || f[a] == 9) { a += 1 }
    while b > a && (f[b - 1] == 32 || f[b - 1] == 9) { b -= 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: f[a..<b]), as: UTF8.self)
}

/// Period labels: `2026-03` (month), `2026-Q1`, `2026-H1`, `2026`, `2026-W05`.
public enum Period {
    public static func isValid(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p[0].count == 4, p[0].allSatisfy({ $0.isASCII && $0.isNumber }), let y = Int(p[0]), y >= 1900, y <= 2999 else { return false }
        if p.count == 1 { return true }
        guard p.count == 2 else { return false }
        let t = p[1]
        // digits only: no sign, no spaces (Int("+1") would take them)
        let digits = t.dropFirst()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        if let m = Int(t), t.count == 2, t.allSatisfy({ $0.isASCII && $0.isNumber }) { return (1...12).contains(m) }
        if t.first == "Q", digits.count == 1, let q = Int(digits) { return (1...4).contains(q) }
        if t.first == "H", digits.count == 1, let h = Int(digits) { return (1...2).contains(h) }
        if t.first == "W", (1...2).contains(digits.count), let w = Int(digits) { return (1...53).contains(w) }
        return false
    }

    /// The kind of a valid period: `2026-11` a month, `2026-Q4` a quarter, `2026-H2` a half-year,
    /// `2026` a year, `2026-W07` a week.
    public static func kind(_ s: String) -> PeriodKind? {
        guard isValid(s) else { return nil }
        guard let dash = s.firstIndex(of: "-") else { return .year }
        switch s[s.index(after: dash)] {
        case "Q": return .quarter
        case "H": return .halfyear
        case "W": return .week
        default: return .month
        }
    }

    /// The period of `kind` a month falls in: `2026-11` → `2026-Q4`, `2026-H2`, `2026`; nil for
    /// anything but a month, or a week.
    public static func containing(_ month: String, _ kind: PeriodKind) -> String? {
        guard Self.kind(month) == .month, let m = Int(month.suffix(2)) else { return nil }
        let y = month.prefix(4)
        switch kind {
        case .month: return month
        case .quarter: return "\(y)-Q\((m - 1) / 3 + 1)"
        case .halfyear: return "\(y)-H\(m <= 6 ? 1 : 2)"
        case .year: return String(y)
        case .week: return nil
        }
    }
}

extension EvidenceCSV {
    /// One row of evidence as the file wrote it (for storing evidence as entered), from
    /// `EvidenceTable.read`.
    public struct RawRow: Sendable {
        public var line: Int
        public var employee: String
        public var period: String?
        public var team: String?
        /// Input columns with a non-empty cell.
        public var values: [String: String]
    }
}
