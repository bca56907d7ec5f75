import Foundation
import Yams

/// One scheme document written either way, YAML or JSON (issue 16 §2: the builder's YAML tab and
/// its form are two views of one document). The conversion goes through the parsed tree, not
/// through `Scheme`: keys keep their order, numbers keep the digits written (`0.30` stays `0.30`,
/// never a binary float), and a document with a mistake in it converts as it is, so the problem
/// can be shown in either view. Comments do not survive a trip through JSON.
public enum SchemeDocument {
    public struct ConversionError: Error, Sendable, CustomStringConvertible {
        public var problems: [SchemeProblem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// `text` written in `from`, rewritten in `to` (the same text when the formats are equal).
    public static func convert(_ text: String, from: SchemeLoader.Format, to: SchemeLoader.Format) throws(ConversionError) -> String {
        if from == to { return text }
        if let p = SchemeLoader.precheck(text) { throw ConversionError(problems: [p]) }
        if from == .json {
            do { _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) } catch {
                let slips = SchemeTextCheck.slips(text, format: .json)
                throw ConversionError(problems: slips.isEmpty ? [SchemeProblem(.error, "", "JSON 语法错误 syntax error: \(error.localizedDescription)")] : slips)
            }
        }
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { return to == .json ? "{}\n" : "" }
            root = n
        } catch {
            let slips = SchemeTextCheck.slips(text, format: from)
            throw ConversionError(problems: slips.isEmpty ? [SchemeLoader.problem(from: error, text: text)] : slips)
        }
        switch to {
        case .json: return json(root, indent: 0, fromJSON: from == .json) + "\n"
        case .yaml: return yamlDocument(root, fromJSON: from == .json)
        }
    }

    // MARK: scalars

    enum Value { case null, bool(String), number(String), string(String) }

    /// What a scalar is: JSON's strings are quoted, so a quoted scalar is text; a plain YAML
    /// scalar is a number, true/false or null when it reads as one.
    static func value(_ s: Node.Scalar, fromJSON: Bool) -> Value {
        if s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded { return .string(s.string) }
        let t = s.string
        if t.isEmpty || t == "~" || t == "null" || t == "Null" || t == "NULL" { return .null }
        if ["true", "True", "TRUE"].contains(t) { return .bool("true") }
        if ["false", "False", "FALSE"].contains(t) { return .bool("false") }
        if isJSONNumber(t) { return .number(t) }
        return .string(t)
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

    // MARK: JSON

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func jsonScalar(_ s: Node.Scalar, fromJSON: Bool) -> String {
        switch value(s, fromJSON: fromJSON) {
        case .null: return "null"
        case .bool(let b): return b
        case .number(let n): return n
        case .string(let t): return jsonString(t)
        }
    }

    static func json(_ n: Node, indent: Int, fromJSON: Bool) -> String {
        let pad = String(repeating: "  ", count: indent), inner = String(repeating: "  ", count: indent + 1)
        switch n {
        case .scalar(let s): return jsonScalar(s, fromJSON: fromJSON)
        case .alias: return "null"
        case .mapping(let m):
            if m.isEmpty { return "{}" }
            let pairs: [String] = m.map { pair in "\(jsonString(pair.key.string ?? "")): \(json(pair.value, indent: indent + 1, fromJSON: fromJSON))" }
            // a small mapping of plain values on one line, as the presets write their metrics
            if m.allSatisfy({ $0.value.scalar != nil }) && pairs.reduce(0, { $0 + $1.count }) <= 100 { return "{" + pairs.joined(separator: ", ") + "}" }
            return "{\n" + pairs.map { inner + $0 }.joined(separator: ",\n") + "\n" + pad + "}"
        case .sequence(let s):
            if s.isEmpty { return "[]" }
            let items = s.map { json($0, indent: indent + 1, fromJSON: fromJSON) }
            if s.allSatisfy({ $0.scalar != nil }) && items.reduce(0, { $0 + $1.count }) <= 100 { return "[" + items.joined(separator: ", ") + "]" }
            return "[\n" + items.map { inner + $0 }.joined(separator: ",\n") + "\n" + pad + "]"
        }
    }

    // MARK: YAML

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

    static func yamlScalar(_ s: Node.Scalar, fromJSON: Bool, flow: Bool) -> String {
        switch value(s, fromJSON: fromJSON) {
        case .null: return "null"
        case .bool(let b): return b
        case .number(let n): return n
        case .string(let t): return yamlString(t, flow: flow)
        }
    }

    static func yamlDocument(_ root: Node, fromJSON: Bool) -> String {
        if case .scalar(let s) = root { return yamlScalar(s, fromJSON: fromJSON, flow: false) + "\n" }
        return yamlBlock(root, indent: 0, fromJSON: fromJSON).joined(separator: "\n") + "\n"
    }

    /// `{id: a, label: 咨询数}` for a short mapping of plain values (the presets' style), else nil.
    static func yamlFlow(_ n: Node, fromJSON: Bool) -> String? {
        switch n {
        case .scalar(let s): return yamlScalar(s, fromJSON: fromJSON, flow: true)
        case .mapping(let m):
            guard m.allSatisfy({ $0.value.scalar != nil || ($0.value.sequence.map { $0.allSatisfy { $0.scalar != nil } } ?? false) }) else { return nil }
            var parts: [String] = []
            for pair in m {
                let k = pair.key, v = pair.value
                guard let value = yamlFlow(v, fromJSON: fromJSON) else { return nil }
                parts.append("\(yamlString(k.string ?? "", flow: true)): \(value)")
            }
            let s = "{" + parts.joined(separator: ", ") + "}"
            return s.count <= 100 ? s : nil
        case .sequence(let q):
            guard q.allSatisfy({ $0.scalar != nil }) else { return nil }
            let s = "[" + q.map { yamlFlow($0, fromJSON: fromJSON) ?? "null" }.joined(separator: ", ") + "]"
            return s.count <= 100 ? s : nil
        case .alias: return nil
        }
    }

    /// The lines of a mapping or sequence at `indent` spaces.
    static func yamlBlock(_ n: Node, indent: Int, fromJSON: Bool) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var out: [String] = []
        switch n {
        case .mapping(let m):
            for pair in m {
                let k = pair.key, v = pair.value
                let key = pad + yamlString(k.string ?? "", flow: false) + ":"
                switch v {
                case .scalar(let s): out.append(key + " " + yamlScalar(s, fromJSON: fromJSON, flow: false))
                case .mapping(let c) where c.isEmpty: out.append(key + " {}")
                case .sequence(let c) where c.isEmpty: out.append(key + " []")
                case .sequence(let c) where c.allSatisfy({ $0.scalar != nil }):
                    if let f = yamlFlow(v, fromJSON: fromJSON) { out.append(key + " " + f) } else { out.append(key); out += yamlBlock(v, indent: indent + 2, fromJSON: fromJSON) }
                default:
                    out.append(key)
                    out += yamlBlock(v, indent: indent + 2, fromJSON: fromJSON)
                }
            }
        case .sequence(let q):
            for v in q {
                if let f = yamlFlow(v, fromJSON: fromJSON), v.sequence == nil || f.count <= 60 {
                    out.append(pad + "- " + f)
                } else if case .mapping(let c) = v, !c.isEmpty {
                    // the first key on the dash's line, the rest under it
                    var lines = yamlBlock(v, indent: indent + 2, fromJSON: fromJSON)
                    lines[0] = pad + "- " + String(lines[0].dropFirst(indent + 2))
                    out += lines
                } else {
                    out.append(pad + "-")
                    out += yamlBlock(v, indent: indent + 2, fromJSON: fromJSON)
                }
            }
        case .scalar(let s): out.append(pad + yamlScalar(s, fromJSON: fromJSON, flow: false))
        case .alias: out.append(pad + "null")
        }
        return out
    }
}
