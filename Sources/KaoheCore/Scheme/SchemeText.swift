import Foundation
import Yams

/// The scheme builder's two views of one document (issue 16 §2): the JSON the visual editor edits
/// and the YAML of the advanced tab (and of every stored version). A JSON document is converted
/// as it stands — an unfinished one too (an item without its metric yet), so that switching tabs
/// never loses what was typed; the YAML → JSON direction reads the scheme (the visual editor
/// needs a scheme it understands) and names the problems when it cannot.
public enum SchemeText {
    /// The scheme as the visual editor's JSON document (the format's own keys: `rule`, `at_target` …).
    public static func json(_ scheme: Scheme) throws(SchemeProblems) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.withoutEscapingSlashes]
        do { return String(decoding: try enc.encode(scheme), as: UTF8.self) } catch {
            throw SchemeProblems(problems: [SchemeProblem(.error, "", "无法写出方案 the scheme could not be written: \(error)")])
        }
    }

    /// The JSON document of a YAML text: decoded strictly (unknown keys and kinds are problems at
    /// their path), then written as `json(_:)` writes it.
    public static func json(fromYAML text: String) throws(SchemeProblems) -> String {
        let scheme = try SchemeLoader.decode(text, format: .yaml)
        return try json(scheme)
    }

    /// The YAML text of a JSON document, key order kept; empty lists and nulls are left out, small
    /// mappings of plain values are written on one line (`{id: a, label: 甲}`) as the presets are.
    public static func yaml(fromJSON text: String) throws(SchemeProblems) -> String {
        if let p = refusal(json: text) { throw SchemeProblems(problems: [p]) }
        let parsed: Node?
        do { parsed = try Yams.compose(yaml: text) } catch {
            throw SchemeProblems(problems: [SchemeProblem(.error, "", "JSON 无法读取 the document is not valid JSON: \(error)")])
        }
        guard let root = parsed, case .mapping = root else {
            throw SchemeProblems(problems: [SchemeProblem(.error, "", "方案须是一个 JSON 对象 the document must be a JSON object")])
        }
        var budget = 200_000
        guard let clean = block(root, budget: &budget) else {
            throw SchemeProblems(problems: [SchemeProblem(.error, "", "方案过大 the document has too many parts")])
        }
        do { return try Yams.serialize(node: clean, width: -1, allowUnicode: true) } catch {
            throw SchemeProblems(problems: [SchemeProblem(.error, "", "无法写出 YAML the YAML could not be written: \(error)")])
        }
    }

    /// Refuses, before any parser sees it, a JSON text that is too large, nested too deeply or
    /// not an object (issue 13's limits for scheme texts).
    public static func refusal(json text: String) -> SchemeProblem? {
        if text.utf8.count > InputLimits.schemeBytes {
            return SchemeProblem(.error, "", "方案文本过大 the scheme text is \(text.utf8.count) bytes; the limit is \(InputLimits.schemeBytes)")
        }
        guard text.utf8.first(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }) == UInt8(ascii: "{") else {
            return SchemeProblem(.error, "", "方案须是一个 JSON 对象 the document must be a JSON object")
        }
        var depth = 0, inString = false, escaped = false
        for c in text.utf8 {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > InputLimits.schemeNesting {
                    return SchemeProblem(.error, "", "嵌套过深 brackets nested more than \(InputLimits.schemeNesting) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = Swift.max(0, depth - 1)
            // anchors and aliases are YAML, not JSON (and the "billion laughs")
            case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
                return SchemeProblem(.error, "", "JSON 中出现了不允许的字符 “\(Character(Unicode.Scalar(c)))” outside a string")
            default: break
            }
        }
        return nil
    }

    /// The node in block style, nulls and empty lists dropped; nil when the budget runs out.
    static func block(_ n: Node, budget: inout Int) -> Node? {
        budget -= 1
        guard budget >= 0 else { return nil }
        switch n {
        case .scalar(let s):
            if s.style == .doubleQuoted || s.style == .singleQuoted { return .scalar(s.string.represented()) }
            return Node(s.string, .implicit, .plain)
        case .mapping(let m):
            var pairs: [(Int, Int, Node, Node)] = []
            var flat = true
            for (i, (k, v)) in m.enumerated() {
                if isEmpty(v) { continue }
                guard let kk = block(k, budget: &budget), let vv = block(v, budget: &budget) else { return nil }
                if case .scalar = vv {} else { flat = false }
                pairs.append((order[k.string ?? ""] ?? order.count, i, kk, vv))
            }
            // the format's own order (id and label first, as the presets are written), whatever
            // order the JSON came in; keys it does not know keep theirs, after
            pairs.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            return Node(pairs.map { ($0.2, $0.3) }, .implicit, flat && pairs.count <= 8 ? .flow : .block)
        case .sequence(let q):
            var nodes: [Node] = []
            var flat = true
            for v in q {
                guard let vv = block(v, budget: &budget) else { return nil }
                if case .scalar = vv {} else { flat = false }
                nodes.append(vv)
            }
            return Node(nodes, .implicit, flat ? .flow : .block)
        case .alias:
            return nil
        }
    }

    /// Key order of the YAML written: one list for every part of the format.
    static let order: [String: Int] = {
        let keys = ["id", "name", "label", "kind", "source", "description", "period", "metric", "mode", "target", "lower", "at_target",
                    "average", "direction", "per", "points", "amount", "min", "max", "value", "weight", "paid", "base", "formula", "condition",
                    "text", "effect", "count", "aggregate", "expected", "from", "raters", "each", "offences", "other", "floor", "cap", "repeat",
                    "unit", "default", "cancels", "bands", "above", "below", "limit", "steps", "boundary", "grades", "gate", "checklist",
                    "auto_fail_grade", "shows", "rule", "rater_missing", "metrics", "derived", "sections", "items", "adjustments", "money",
                    "pay", "outcomes", "decisions", "month_start_day", "month_end_day", "interaction_log", "accountability"]
        return Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) })
    }()

    static func isEmpty(_ n: Node) -> Bool {
        switch n {
        case .scalar(let s): return s.style == .plain && (s.string == "null" || s.string.isEmpty)
        case .sequence(let q): return q.isEmpty
        default: return false
        }
    }

    /// A text written plain when YAML reads it back as the same text, quoted otherwise.
    public static func yamlString(_ t: String, flow: Bool) -> String {
        let reserved = ["", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
                        "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"]
        var plain = !reserved.contains(t) && Fixed(t) == nil && !isJSONNumber(t)
        if let f = t.unicodeScalars.first, "-?:,[]{}#&*!|>'\"%@`+. ".unicodeScalars.contains(f) { plain = false }
        if t.hasSuffix(" ") || t.hasSuffix(":") || t.contains(": ") || t.contains(" #") || t.contains("\n") || t.contains("\t") { plain = false }
        if t.first?.isNumber == true { plain = false }
        if flow && t.contains(where: { ",[]{}".contains($0) }) { plain = false }
        if t.unicodeScalars.contains(where: { $0.value < 0x20 }) { plain = false }
        return plain ? t : jsonString(t)
    }

    static func jsonString(_ s: String) -> String {
        var out = ByteSink(capacity: s.utf8.count + 2)
        out.json(s)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    static func isJSONNumber(_ t: String) -> Bool {
        var cs = Array(t.utf8)[...]
        func digits() -> Int { var n = 0; while let c = cs.first, c >= 48 && c <= 57 { cs = cs.dropFirst(); n += 1 }; return n }
        if cs.first == UInt8(ascii: "-") { cs = cs.dropFirst() }
        if cs.first == UInt8(ascii: "0") { cs = cs.dropFirst() } else if digits() == 0 { return false }
        if cs.first == UInt8(ascii: ".") { cs = cs.dropFirst(); if digits() == 0 { return false } }
        if cs.first == UInt8(ascii: "e") || cs.first == UInt8(ascii: "E") {
            cs = cs.dropFirst()
            if cs.first == UInt8(ascii: "+") || cs.first == UInt8(ascii: "-") { cs = cs.dropFirst() }
            if digits() == 0 { return false }
        }
        return cs.isEmpty
    }
}
