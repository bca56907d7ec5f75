import Foundation

/// A field an import can fill, with the names a file may give it: its id (`orders`) and its
/// labels (订单数, “Orders”); `aliases` are names found only when nothing else matches (the label
/// of the item that scores a metric: 销售额 for 订单总金额), shown as doubtful.
public struct MappingTarget: Sendable, Equatable {
    /// How a header may reach the field without a person choosing it.
    public enum Reach: Sendable, Equatable {
        /// by id, label or alias
        case any
        /// by its exact id only: a rater's marks, named by id in a file written for this system
        case id
        /// never automatically, only by a choice or the source's saved mapping: a rater's override
        case chosen
    }
    public var id: String
    public var labels: [String]
    public var required: Bool
    public var aliases: [String]
    /// The kind of value, checked against a unit in the header (`(元)` needs money).
    public var kind: ValueKind?
    public var reach: Reach
    public init(id: String, labels: [String], required: Bool = false, aliases: [String] = [], kind: ValueKind? = nil, reach: Reach = .any) {
        self.id = id; self.labels = labels; self.required = required; self.aliases = aliases; self.kind = kind; self.reach = reach
    }

    /// The name a person reads: the first Chinese label, else the first label, else the id.
    public var name: String { labels.first { $0.unicodeScalars.contains { $0.value >= 0x3400 } } ?? labels.first ?? id }
}

/// How a file's columns map to an import's fields. Headers are matched, in this order, by an
/// explicit choice, by the mapping saved for the source (so next month's file maps itself), by
/// id, by label, then by alias; case, spaces, `_`/`-`, full-width forms and a unit in brackets
/// (`平均响应时间(秒)`, `退款总额（元）`) do not matter, but a unit must fit the field's kind
/// (`(元)` a money field, `(%)` a percentage). A rater's override is never matched automatically.
public struct ColumnMap: Sendable, Equatable {
    public enum How: String, Sendable, Codable { case chosen, saved, id, label, alias }
    public struct Match: Sendable, Equatable {
        public var column: Int
        public var header: String
        public var target: String
        public var how: How
    }
    /// The `ignore` target: a column chosen to be skipped.
    public static let ignore = "-"

    public var matches: [Match]
    /// Headers that map to nothing (reported; their cells are not imported).
    public var unmapped: [String]
    /// Required fields no column maps to.
    public var missing: [String]
    /// Optional fields no column maps to.
    public var absent: [String]
    /// Unmapped headers skipped by a choice or the saved mapping, with how (`chosen`, `saved`).
    public var skipped: [String: How] = [:]
    /// Unmapped headers whose name matched a field whose kind the header's unit contradicts:
    /// header → that field (`完成率(元)` and a percentage).
    public var refused: [String: String] = [:]

    /// Each field's name as a person reads it (`MappingTarget.name`), for the notices.
    public var names: [String: String] = [:]

    /// What the matching did, by name, for the reader of a preview: a column matched by name or
    /// by the source's saved choice, one matched by its item's name (to confirm), one whose unit
    /// does not fit, and the columns not imported.
    public var notices: [String] {
        func name(_ id: String) -> String { names[id] ?? id }
        var out: [String] = []
        for m in matches {
            switch m.how {
            case .label: out.append("文件的列「\(m.header)」按名称对应到「\(name(m.target))」")
            case .saved: out.append("文件的列「\(m.header)」按上次保存的选择对应到「\(name(m.target))」")
            case .alias: out.append("文件的列「\(m.header)」按考核项目的名称对应到「\(name(m.target))」，请确认")
            case .chosen, .id: break
            }
        }
        for (h, t) in refused.sorted(by: { $0.key < $1.key }) { out.append("文件的列「\(h)」的单位与「\(name(t))」不符，未导入") }
        if !unmapped.isEmpty { out.append("未导入的列 columns not imported: \(unmapped.joined(separator: ", "))") }
        return out
    }

    /// Column index of a field.
    public func column(_ target: String) -> Int? { matches.first { $0.target == target }?.column }

    /// The mapping to save for the source: header → field (ignored columns as `-`).
    public var saved: [String: String] {
        var m: [String: String] = [:]
        for x in matches { m[x.header] = x.target }
        for u in unmapped { m[u] = Self.ignore }
        return m
    }

    public static func normalise(_ s: String) -> String {
        var t = s.precomposedStringWithCompatibilityMapping.lowercased() // full-width → half-width
        // a trailing unit in brackets: (秒) (元) (%) [s]
        if let open = t.lastIndex(where: { $0 == "(" || $0 == "[" }), t.last == ")" || t.last == "]", open != t.startIndex {
            t = String(t[..<open])
        }
        return String(t.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "_" && $0 != "-" && $0 != "·" && $0 != "." }.map(Character.init))
    }

    /// The unit a header gives in trailing brackets: `销售额(元)` → `元`, `转化率（%）` → `%`.
    public static func unit(_ header: String) -> String? {
        let t = header.precomposedStringWithCompatibilityMapping.lowercased().trimmingCharacters(in: .whitespaces)
        guard t.last == ")" || t.last == "]", let open = t.lastIndex(where: { $0 == "(" || $0 == "[" }), open != t.startIndex else { return nil }
        let u = t[t.index(after: open)..<t.index(before: t.endIndex)].trimmingCharacters(in: .whitespaces)
        return u.isEmpty ? nil : u
    }

    /// Whether a header's unit fits a field's kind: yuan a money field, `%` a percentage, a time
    /// or a count a number or count; any other unit (or a field of no stated kind) fits.
    public static func fits(unit u: String, kind: ValueKind?) -> Bool {
        guard let kind else { return true }
        switch u {
        case "元", "¥", "rmb", "cny", "yuan": return kind == .money
        case "%", "百分比", "percent": return kind == .percent
        case "秒", "s", "sec", "分钟", "min", "小时", "h", "天", "日", "单", "次", "件", "个", "人", "条", "笔":
            return kind == .number || kind == .count
        default: return true
        }
    }

    /// Maps `header` to `targets`. `chosen` and `saved` are header → field id (or `-` to
    /// ignore). Throws when two columns claim one field or a choice names an unknown field;
    /// missing required fields are returned in `missing` for the caller to report with the rest.
    public static func resolve(header: [String], targets: [MappingTarget], saved: [String: String] = [:],
                               chosen: [String: String] = [:], file: String, sheet: String? = nil) throws(InputError) -> ColumnMap {
        let ids = Set(targets.map(\.id))
        var byId: [String: String] = [:], byLabel: [String: String] = [:], byAlias: [String: String?] = [:]
        var kinds: [String: ValueKind] = [:]
        for t in targets {
            if let k = t.kind { kinds[t.id] = k }
            guard t.reach != .chosen else { continue }
            byId[normalise(t.id)] = t.id
            guard t.reach == .any else { continue }
            for l in t.labels { byLabel[normalise(l)] = byLabel[normalise(l)] ?? t.id }
        }
        for t in targets where t.reach == .any {
            // an alias two fields share means neither
            for a in t.aliases { let k = normalise(a); if let other = byAlias[k], other != t.id { byAlias[k] = .some(nil) } else { byAlias[k] = t.id } }
        }
        var matches: [Match] = []
        var unmapped: [String] = []
        var skipped: [String: How] = [:]
        var refused: [String: String] = [:]
        var taken: [String: String] = [:] // target → header
        for (k, h) in header.enumerated() where !h.isEmpty {
            var found: (String, How)?
            if let c = chosen[h] {
                guard c == ignore || ids.contains(c) else {
                    throw InputError(file: file, sheet: sheet, row: 1, column: h, message: "映射到未知字段 mapped to an unknown field “\(c)”; 可选 allowed: \(targets.map(\.id).joined(separator: ", "))")
                }
                found = (c, .chosen)
            } else if let s = saved[h], s == ignore || ids.contains(s) {
                found = (s, .saved)
            } else if let t = byId[normalise(h)] {
                found = (t, .id)
            } else if let t = byLabel[normalise(h)] ?? (byAlias[normalise(h)] ?? nil) {
                let how: How = byLabel[normalise(h)] != nil ? .label : .alias
                // a unit in the header must fit: `销售额(元)` is no points field
                if let u = unit(h), !fits(unit: u, kind: kinds[t]) { refused[h] = t } else { found = (t, how) }
            }
            guard let (target, how) = found, target != ignore else {
                unmapped.append(h)
                if let f = found { skipped[h] = f.1 }
                continue
            }
            if let other = taken[target] {
                throw InputError(file: file, sheet: sheet, row: 1, column: h,
                                 message: "与列 “\(other)” 都对应字段 \(target) — both this column and “\(other)” map to \(target); choose one")
            }
            taken[target] = h
            matches.append(Match(column: k, header: h, target: target, how: how))
        }
        let missing = targets.filter { $0.required && taken[$0.id] == nil }.map(\.id)
        let absent = targets.filter { !$0.required && taken[$0.id] == nil }.map(\.id)
        return ColumnMap(matches: matches, unmapped: unmapped, missing: missing, absent: absent, skipped: skipped, refused: refused,
                         names: Dictionary(targets.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }))
    }
}

/// Cell values as people type them, normalised for the engine: dates in several formats,
/// percentages as `35%`, `0.35` or `35`, numbers with thousands separators or a currency sign.
public enum CellValue {
    /// `2026-10-05`, `2026/10/5`, `2026.10.05`, `2026年10月5日`, `20261005`, optionally followed
    /// by a time (`14:03`, `14:03:22`) → (`YYYY-MM-DD`, seconds since midnight or nil).
    public static func date(_ s: String) -> (day: String, seconds: Int?)? {
        var t = s.trimmingCharacters(in: .whitespaces)
        var time: Int?
        if let sp = t.firstIndex(where: { $0 == " " || $0 == "T" }) {
            let rest = t[t.index(after: sp)...].trimmingCharacters(in: .whitespaces)
            let hms = rest.split(separator: ":").map { Int($0.prefix(2)) }
            guard hms.count >= 2, hms.allSatisfy({ $0 != nil }) else { return nil }
            let h = hms[0]!, m = hms[1]!, sec = hms.count > 2 ? hms[2]! : 0
            guard (0..<24).contains(h), (0..<60).contains(m), (0..<61).contains(sec) else { return nil }
            time = h * 3600 + m * 60 + sec
            t = String(t[..<sp])
        }
        var parts: [Int]
        if t.count == 8, t.allSatisfy(\.isASCII), let v = Int(t) {
            parts = [v / 10000, v / 100 % 100, v % 100]
        } else {
            let cleaned = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-").replacingOccurrences(of: "日", with: "")
            let p = cleaned.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map { Int($0) }
            guard p.count == 3, p.allSatisfy({ $0 != nil }) else { return nil }
            parts = p.map { $0! }
        }
        let (y, m, d) = (parts[0], parts[1], parts[2])
        guard (1900...2999).contains(y), (1...12).contains(m), d >= 1, d <= PeriodCalendar.daysIn(year: y, month: m) else { return nil }
        return (String(format: "%04d-%02d-%02d", y, m, d), time)
    }

    /// A number as the engine reads it: `1,234.50` → `1234.50`, `¥88` → `88`; `35%` stays.
    public static func number(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespaces)
        for sym in ["¥", "￥", "元"] where t.contains(sym) { t = t.replacingOccurrences(of: sym, with: "") }
        if t.contains(","), t.range(of: #"^-?\d{1,3}(,\d{3})+(\.\d+)?%?$"#, options: .regularExpression) != nil {
            t = t.replacingOccurrences(of: ",", with: "")
        }
        return t
    }

    /// How a file writes a percentage column, decided from all its cells: with `%` signs, as
    /// fractions (every value between 0 and 1, at least one not 0 or 1: `0.35` means 35 %), or
    /// as percentage points (`35`).
    public enum PercentStyle: String, Sendable { case signed = "35%", fraction = "0.35", points = "35" }

    public static func percentStyle(_ cells: [String]) -> PercentStyle {
        let values = cells.map { number($0) }.filter { !$0.isEmpty }
        if values.contains(where: { $0.hasSuffix("%") }) { return .signed }
        let numbers = values.compactMap { Double($0) }
        if !numbers.isEmpty, numbers.allSatisfy({ $0 >= 0 && $0 <= 1 }), numbers.contains(where: { $0 > 0 && $0 < 1 }) { return .fraction }
        return .points
    }

    /// A percentage cell in percentage points (`0.35` → `35` when the column is written as fractions).
    public static func percent(_ s: String, style: PercentStyle) -> String {
        let t = number(s)
        if t.hasSuffix("%") { return String(t.dropLast()).trimmingCharacters(in: .whitespaces) }
        guard style == .fraction, let f = Fixed(t) else { return t }
        return (f * Fixed(100)).format()
    }
}
