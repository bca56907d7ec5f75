import Foundation

/// A growable byte buffer with JSON/CSV helpers (the writers stream 100,000 sheets without
/// building intermediate strings or dictionaries).
public struct ByteSink {
    public var bytes: [UInt8] = []
    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    @inlinable public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    public mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A JSON string literal.
    public mutating func json(_ s: String) { jsonString(s.utf8) }

    /// A JSON string from explanation bytes (UTF-8, escaped).
    public mutating func json(_ e: Explanation) { jsonString(e.bytes) }

    /// UTF-8 bytes as a JSON string literal: quotes, backslashes and control characters escaped.
    mutating func jsonString<C: Collection>(_ utf8: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        if !utf8.contains(where: { $0 < 32 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 10: raw("\\n")
            case 13: raw("\\r")
            case 9: raw("\\t")
            case 0..<32:
                raw("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(b >> 4)]); bytes.append(hex[Int(b & 15)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Rule ids as a JSON list, `["R-001-03","R-001-10"]`, as `presets show` writes them.
    public mutating func jsonRules(_ rules: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, r) in rules.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            json(r)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func json(_ s: String?) { if let s { json(s) } else { raw("null") } }
    public mutating func number(_ f: Fixed, places: Int = 2) { f.appendFormatted(to: &bytes, maxFraction: places) }
    public mutating func number(_ d: Decimal) { d.appendYuan(to: &bytes, fixedFraction: false) }

    /// A CSV field, quoted when needed.
    public mutating func csv(_ s: String) {
        if s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
            bytes.append(UInt8(ascii: "\""))
            for b in s.utf8 { if b == UInt8(ascii: "\"") { bytes.append(b) }; bytes.append(b) }
            bytes.append(UInt8(ascii: "\""))
        } else { text(s) }
    }

    public mutating func flush(to handle: FileHandle) {
        if !bytes.isEmpty { handle.write(Data(bytes)); bytes.removeAll(keepingCapacity: true) }
    }
}

/// Writes results in the CLI's contract formats (JSON, CSV, terminal table).
public enum ResultWriter {
    static func rules(_ r: [String]) -> String { r.joined(separator: ",") }

    public static func jsonHeader(_ engine: ScoringEngine, into o: inout ByteSink) {
        let s = engine.scheme
        o.raw("{\"scheme\":{\"id\":"); o.json(s.id)
        o.raw(",\"name\":"); o.json(s.name)
        o.raw(",\"source\":"); o.json(s.source)
        o.raw(",\"max\":"); o.number(engine.attainableMax)
        o.raw(",\"declared_max\":"); if let m = s.max { o.number(m) } else { o.raw("null") }
        o.raw("},\"results\":[")
    }

    public static func json(_ r: SheetResult, into o: inout ByteSink, first: Bool) {
        if !first { o.raw(",") }
        o.raw("\n{\"employee_id\":"); o.json(r.employeeId)
        o.raw(",\"period\":"); o.json(r.period)
        if let t = r.team { o.raw(",\"team\":"); o.json(t) }
        o.raw(",\"total\":"); o.number(r.total)
        o.raw(",\"max\":"); o.number(r.max)
        o.raw(",\"grade\":"); o.json(r.grade)
        o.raw(",\"complete\":"); o.raw(r.complete ? "true" : "false")
        o.raw(",\"sections\":[")
        for (i, s) in r.sections.enumerated() {
            if i > 0 { o.raw(",") }
            o.raw("{\"id\":"); o.json(s.id); o.raw(",\"label\":"); o.json(s.label)
            o.raw(",\"points\":"); o.number(s.points); o.raw(",\"max\":"); o.number(s.max); o.raw("}")
        }
        o.raw("],\"items\":[")
        for (i, it) in r.items.enumerated() {
            if i > 0 { o.raw(",") }
            o.raw("{\"id\":"); o.json(it.id)
            o.raw(",\"label\":"); o.json(it.label)
            o.raw(",\"rule\":"); o.jsonRules(it.rules)
            o.raw(",\"points\":"); if let p = it.points { o.number(p) } else { o.raw("null") }
            o.raw(",\"max\":"); if let m = it.max { o.number(m) } else { o.raw("null") }
            o.raw(",\"explanation\":"); o.json(it.explained)
            o.raw("}")
        }
        o.raw("],\"money\":[")
        for (i, m) in r.money.enumerated() {
            if i > 0 { o.raw(",") }
            o.raw("{\"id\":"); o.json(m.item)
            o.raw(",\"label\":"); o.json(m.label)
            o.raw(",\"rule\":"); o.jsonRules(m.rules)
            o.raw(",\"amount\":"); o.number(m.amount)
            o.raw(",\"explanation\":"); o.json(m.explained)
            o.raw("}")
        }
        o.raw("],\"pay\":")
        if let p = r.pay {
            o.raw("{\"base\":"); o.number(p.base); o.raw(",\"paid\":"); o.number(p.paid)
            o.raw(",\"rule\":"); o.jsonRules(p.rules); o.raw(",\"explanation\":"); o.json(p.explained); o.raw("}")
        } else { o.raw("null") }
        o.raw(",\"flags\":[")
        for (i, f) in r.flags.enumerated() {
            if i > 0 { o.raw(",") }
            o.raw("{\"code\":"); o.json(f.code)
            o.raw(",\"rule\":"); o.jsonRules(f.rules)
            o.raw(",\"item\":"); o.json(f.item)
            o.raw(",\"message\":"); o.json(f.message)
            o.raw("}")
        }
        o.raw("]}")
    }

    public static func jsonFooter(into o: inout ByteSink) { o.raw("\n]}\n") }

    /// Closes `results` and adds `"outcomes"` and `"teams"` (multi-period input).
    public static func jsonFooter(outcomes: [Outcome], teams: [TeamOutcome], asOf: String?, into o: inout ByteSink) {
        outcomesOpen(asOf: asOf, into: &o)
        for (i, x) in outcomes.enumerated() { json(x, into: &o, first: i == 0) }
        outcomesClose(teams: teams, into: &o)
    }

    /// Streaming form of the footer: `outcomesOpen`, one `json(_:Outcome…)` per outcome, `outcomesClose`.
    public static func outcomesOpen(asOf: String?, into o: inout ByteSink) {
        o.raw("\n],\"as_of\":"); o.json(asOf)
        o.raw(",\"outcomes\":[")
    }

    public static func json(_ x: Outcome, into o: inout ByteSink, first: Bool) {
        o.raw(first ? "\n" : ",\n")
        o.raw("{\"employee_id\":"); o.json(x.employeeId)
        outcomeFields(x.period, x.kind, x.value, x.rules, x.explanation, into: &o)
    }

    public static func outcomesClose(teams: [TeamOutcome], into o: inout ByteSink) {
        o.raw("],\"teams\":[")
        for (i, x) in teams.enumerated() {
            o.raw(i == 0 ? "\n" : ",\n")
            o.raw("{\"team\":"); o.json(x.team)
            outcomeFields(x.period, x.kind, x.value, x.rules, x.explanation, into: &o)
        }
        o.raw("]}\n")
    }

    /// The fields an employee's and a team's outcome share, and the closing brace.
    static func outcomeFields(_ period: String, _ kind: String, _ v: OutcomeValue, _ rules: [String], _ explanation: String, into o: inout ByteSink) {
        o.raw(",\"period\":"); o.json(period)
        o.raw(",\"kind\":"); o.json(kind)
        o.raw(",\"value\":"); value(v, into: &o)
        o.raw(",\"rule\":"); o.jsonRules(rules)
        o.raw(",\"explanation\":"); o.json(explanation)
        o.raw("}")
    }

    static func value(_ v: OutcomeValue, into o: inout ByteSink) {
        switch v {
        case .number(let f): o.number(f)
        case .money(let d): o.number(d)
        case .text(let s): o.json(s)
        case .flag(let b): o.raw(b ? "true" : "false")
        }
    }

    public static func outcomesTable(_ outcomes: [Outcome], _ teams: [TeamOutcome]) -> String {
        var out = ""
        if !outcomes.isEmpty {
            var rows = [["工号", "期间", "结果", "值", "规则", "说明"]]
            for x in outcomes { rows.append([x.employeeId, x.period, x.kind, x.value.description, x.rules.joined(separator: ","), x.explanation]) }
            out += "\n结果 outcomes\n" + Table.render(rows)
        }
        if !teams.isEmpty {
            var rows = [["班组", "期间", "结果", "值", "规则", "说明"]]
            for x in teams { rows.append([x.team, x.period, x.kind, x.value.description, x.rules.joined(separator: ","), x.explanation]) }
            out += "\n班组 teams\n" + Table.render(rows)
        }
        return out
    }

    public static func csvHeader(_ engine: ScoringEngine, into o: inout ByteSink) {
        var cols = ["employee_id", "period", "total", "max", "grade", "complete"]
        for s in engine.sections { for c in s.items { cols.append(c.item.id) } }
        for c in engine.adjustments { cols.append(c.item.id) }
        for c in engine.money { cols.append(c.item.id) }
        if engine.hasPay { cols += ["pay_base", "pay_paid"] }
        cols.append("flags")
        for (i, c) in cols.enumerated() { if i > 0 { o.raw(",") }; o.csv(c) }
        o.raw("\n")
    }

    /// One result row under `csvHeader`; `hasPay` (the scheme has a pay policy) keeps the two pay
    /// fields, empty when the row has no pay, so every row has the header's width.
    public static func csv(_ r: SheetResult, hasPay: Bool, into o: inout ByteSink) {
        o.csv(r.employeeId); o.raw(","); o.csv(r.period ?? ""); o.raw(",")
        o.number(r.total); o.raw(","); o.number(r.max); o.raw(","); o.csv(r.grade ?? ""); o.raw(",")
        o.raw(r.complete ? "true" : "false")
        for it in r.items { o.raw(","); if let p = it.points { o.number(p) } }
        for m in r.money { o.raw(","); o.number(m.amount) }
        if let p = r.pay { o.raw(","); o.number(p.base); o.raw(","); o.number(p.paid) } else if hasPay { o.raw(",,") }
        o.raw(","); o.csv(r.flags.map(\.code).joined(separator: ";"))
        o.raw("\n")
    }

    /// A terminal table: a summary row per sheet, then (for a few sheets) every item with its
    /// explanation. Columns are aligned by display width (CJK characters count as two).
    public static func table(_ engine: ScoringEngine, _ results: [SheetResult], detailLimit: Int = 5) -> String {
        var rows: [[String]] = [["工号", "期间", "总分", "满分", "等级", "金额(元)", "绩效工资(元)", "标记"]]
        for r in results {
            rows.append([r.employeeId, r.period ?? "", r.total.format(), r.max.format(), r.grade ?? "",
                         r.money.isEmpty ? "" : r.moneyTotal.yuan, r.pay?.paid.yuan ?? "",
                         r.flags.map(\.code).joined(separator: ",")])
        }
        var out = "\(engine.scheme.name)（\(engine.scheme.id)）\n" + Table.render(rows)
        if results.count <= detailLimit {
            for r in results {
                out += "\n\(r.employeeId)\(r.period.map { " \($0)" } ?? "")：总分 \(r.total.format()) / \(r.max.format())\(r.grade.map { "，\($0)" } ?? "")\(r.complete ? "" : "（未完成，待裁定）")\n"
                var rows: [[String]] = [["项目", "得分", "满分", "规则", "说明"]]
                for it in r.items {
                    rows.append([it.label, it.points?.format() ?? "—", it.max?.format() ?? "", it.rules.joined(separator: ","), it.explanation])
                }
                for m in r.money { rows.append([m.label, m.amount.yuan + " 元", "", m.rules.joined(separator: ","), m.explanation]) }
                if let p = r.pay { rows.append(["绩效工资", p.paid.yuan + " 元", "", p.rules.joined(separator: ","), p.explanation]) }
                out += Table.render(rows)
                for f in r.flags { out += "  ⚑ \(f.code) \(f.rules.joined(separator: ",")): \(f.message)\n" }
            }
        }
        return out
    }
}

/// Monospace table layout where East Asian wide characters take two columns.
public enum Table {
    public static func width(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : ($1.properties.generalCategory == .nonspacingMark ? 0 : 1)) }
    }

    static func isWide(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v) || (0x1F300...0x1F64F).contains(v)
    }

    public static func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - width(s))) }

    public static func render(_ rows: [[String]]) -> String {
        guard let cols = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (i, c) in r.enumerated() where i < cols - 1 || cols == 1 { widths[i] = max(widths[i], width(c)) } }
        var out = ""
        for (k, r) in rows.enumerated() {
            var line = ""
            for (i, c) in r.enumerated() { line += i == r.count - 1 ? c : pad(c, widths[i]) + "  " }
            out += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            if k == 0 {
                out += widths.enumerated().map { i, w in String(repeating: "─", count: i == cols - 1 ? max(w, 4) : w) }.joined(separator: "  ") + "\n"
            }
        }
        return out
    }
}
