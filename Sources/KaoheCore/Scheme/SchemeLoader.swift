import Foundation
import Yams

/// A problem found in a scheme document: where (`sections[2].items[0].bands[3]`), how bad, what.
public struct SchemeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case error, warning, info
        public static func < (a: Severity, b: Severity) -> Bool {
            let order: [Severity] = [.error, .warning, .info]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }
    public var severity: Severity
    public var path: String
    public var message: String
    public var rules: [String]

    public init(_ severity: Severity, _ path: String, _ message: String, rules: [String] = []) {
        var seen = Set<String>()
        self.severity = severity; self.path = path; self.message = message; self.rules = rules.filter { seen.insert($0).inserted }
    }

    public var description: String {
        let tag = severity == .error ? "错误 error" : severity == .warning ? "警告 warning" : "提示 info"
        let r = rules.isEmpty ? "" : " (\(rules.joined(separator: ", ")))"
        return "\(tag): \(path.isEmpty ? "(文档)" : path): \(message)\(r)"
    }
}

/// The problems that stop a scheme from being used, with the file they came from.
public struct SchemeProblems: Error, Sendable, CustomStringConvertible {
    public var file: String?
    public var problems: [SchemeProblem]
    public init(file: String? = nil, problems: [SchemeProblem]) { self.file = file; self.problems = problems }
    public var description: String {
        problems.map { (file.map { "\($0): " } ?? "") + $0.description }.joined(separator: "\n")
    }
}

public enum SchemeLoader {
    public enum Format: Sendable { case yaml, json }

    /// Guesses the format from the file name, then from the first character.
    public static func format(for name: String, text: String) -> Format {
        if name.lowercased().hasSuffix(".json") { return .json }
        if name.lowercased().hasSuffix(".yaml") || name.lowercased().hasSuffix(".yml") { return .yaml }
        return text.drop(while: { $0.isWhitespace }).first == "{" ? .json : .yaml
    }

    /// Decodes a scheme; any decoding failure becomes one `SchemeProblem` naming its path.
    public static func decode(_ text: String, format: Format, file: String? = nil) throws(SchemeProblems) -> Scheme {
        if let p = precheck(text) { throw SchemeProblems(file: file, problems: [p]) }
        do {
            switch format {
            case .yaml: return try YAMLDecoder().decode(Scheme.self, from: text)
            case .json: return try JSONDecoder().decode(Scheme.self, from: Data(text.utf8))
            }
        } catch {
            throw SchemeProblems(file: file, problems: [problem(from: error)])
        }
    }

    /// Loads a file, decodes and validates it. Errors (not warnings) throw.
    public static func load(path: String) throws(SchemeProblems) -> (Scheme, [SchemeProblem]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemeProblems(file: path, problems: [SchemeProblem(.error, "", "无法读取文件 cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SchemeProblems(file: path, problems: [SchemeProblem(.error, "", "文件不是 UTF-8 文本 not UTF-8 text")])
        }
        let scheme = try decode(text, format: format(for: path, text: text), file: path)
        let problems = SchemeValidator.validate(scheme)
        if problems.contains(where: { $0.severity == .error }) { throw SchemeProblems(file: path, problems: problems) }
        return (scheme, problems)
    }

    /// Refuses, before any YAML or JSON parser sees it, a text whose size or nesting could exhaust
    /// the server (issue 13): larger than `InputLimits.schemeBytes`, `[`/`{` nested deeper than
    /// `InputLimits.schemeNesting`, indentation deeper than four spaces a level, or YAML anchors
    /// (`&a` … `*a`, the "billion laughs" expansion — no preset or scheme needs them).
    static func precheck(_ text: String) -> SchemeProblem? {
        let limit = InputLimits.schemeNesting
        if text.utf8.count > InputLimits.schemeBytes {
            return SchemeProblem(.error, "", "方案文本过大 the scheme text is \(text.utf8.count) bytes; the limit is \(InputLimits.schemeBytes)")
        }
        var line = 1, depth = 0, quote: UInt8 = 0, atLineStart = true, indent = 0, prev: UInt8 = 10
        var comment = false
        for c in text.utf8 {
            defer { prev = c }
            if c == 10 { line += 1; atLineStart = true; indent = 0; comment = false; if quote == UInt8(ascii: "'") { quote = 0 }; continue }
            if comment { continue }
            if atLineStart {
                // a block sequence `- - - x` nests without indenting: each dash counts as a level
                if c == 32 || c == UInt8(ascii: "-") {
                    indent += 1
                    if indent > 4 * limit { return SchemeProblem(.error, "第 \(line) 行 line \(line)", "缩进过深 indented more than \(4 * limit) spaces") }
                    continue
                }
                atLineStart = false
            }
            if quote != 0 {
                if c == quote && prev != UInt8(ascii: "\\") { quote = 0 }
                continue
            }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                // a quote opens a string only where a value starts (not inside `it's`)
                if prev == 32 || prev == 9 || prev == 10 || prev == UInt8(ascii: "[") || prev == UInt8(ascii: "{") || prev == UInt8(ascii: ",") || prev == UInt8(ascii: ":") { quote = c }
            case UInt8(ascii: "#") where prev == 32 || prev == 9 || prev == 10: comment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return SchemeProblem(.error, "第 \(line) 行 line \(line)", "嵌套过深 brackets nested more than \(limit) levels") }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        if let r = anchorLine(text) {
            return SchemeProblem(.error, "第 \(r) 行 line \(r)", "不支持 YAML 锚点和别名（& 与 *）anchors and aliases are not supported: write the values out")
        }
        return nil
    }

    /// The line of the first YAML anchor (`key: &a …`, `- &a …`, `[&a …`) outside quotes, if any;
    /// `a && b` in a formula is not one.
    static func anchorLine(_ text: String) -> Int? {
        var line = 0
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            guard l.contains("&") else { continue }
            let cs = Array(l)
            var quote: Character? = nil
            for (k, ch) in cs.enumerated() {
                let prev: Character = k > 0 ? cs[k - 1] : " "
                if let q = quote { if ch == q { quote = nil }; continue }
                if ch == "#" && (prev == " " || k == 0) { break }
                let starts = prev == " " || prev == "[" || prev == "," || prev == "{" || prev == "-" || prev == ":"
                if (ch == "\"" || ch == "'") && starts { quote = ch; continue }
                if ch == "&", starts, k + 1 < cs.count, cs[k + 1].isLetter || cs[k + 1].isNumber || cs[k + 1] == "_" { return line }
            }
        }
        return nil
    }

    static func pathText(_ path: [CodingKey]) -> String {
        var s = ""
        for k in path {
            if let i = k.intValue { s += "[\(i)]" } else if k.stringValue.hasPrefix("Index ") {
                s += "[\(k.stringValue.dropFirst(6))]"
            } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s
    }

    static func problem(from error: Error) -> SchemeProblem {
        if let u = error as? UnknownKeyError {
            var p = ""
            for c in u.path { p += c.hasPrefix("[") || c.hasPrefix("Index ") ? (c.hasPrefix("Index ") ? "[\(c.dropFirst(6))]" : c) : (p.isEmpty ? "" : ".") + c }
            return SchemeProblem(.error, p.isEmpty ? u.key : "\(p).\(u.key)",
                                 "未知的键 unknown key “\(u.key)”; 允许 allowed: \(u.allowed.joined(separator: ", "))")
        }
        if let d = error as? DecodingError {
            switch d {
            case .keyNotFound(let k, let ctx):
                let p = pathText(ctx.codingPath)
                return SchemeProblem(.error, p.isEmpty ? k.stringValue : "\(p).\(k.stringValue)", "缺少必填的键 missing required key “\(k.stringValue)”")
            case .typeMismatch(let t, let ctx):
                return SchemeProblem(.error, pathText(ctx.codingPath), "类型不对 wrong type, expected \(typeName(t)): \(ctx.debugDescription)")
            case .valueNotFound(let t, let ctx):
                return SchemeProblem(.error, pathText(ctx.codingPath), "缺少值 missing value of type \(typeName(t))")
            case .dataCorrupted(let ctx):
                if let u = ctx.underlyingError, u is UnknownKeyError || u is DecodingError { return problem(from: u) }
                var msg = ctx.debugDescription
                if let u = ctx.underlyingError { msg += " (\(u))" }
                if msg.contains("Cannot initialize") { msg = "取值无效 invalid value: " + msg }
                return SchemeProblem(.error, pathText(ctx.codingPath), msg)
            @unknown default:
                return SchemeProblem(.error, "", "\(d)")
            }
        }
        if let y = error as? YamlError {
            return SchemeProblem(.error, "", "YAML 语法错误 syntax error: \(y)")
        }
        return SchemeProblem(.error, "", "\(error)")
    }

    static func typeName(_ t: Any.Type) -> String {
        let n = "\(t)"
        if n.contains("Fixed") { return "number" }
        if n.contains("Array") { return "list" }
        if n.contains("String") { return "text" }
        return n
    }
}

extension SchemeLoader {
    /// The line (1-based) of the value a problem path names in YAML text — `sections[1].items[2].max`
    /// — so an editor can show the problem at its place. Where the path goes deeper than the text
    /// (a missing key), the deepest node found; nil when the text does not parse.
    public static func line(of path: String, in text: String) -> Int? {
        // a text the loader refuses unread is not parsed here either (the problem names its line)
        guard precheck(text) == nil, let root = try? Yams.compose(yaml: text) else { return nil }
        var node = root
        var line = root.mark?.line
        for step in pathSteps(path) {
            switch step {
            case .key(let k):
                guard let m = node.mapping else { return line }
                guard let pair = m.first(where: { $0.key.string == k }) else { return line }
                node = pair.value
                line = pair.key.mark?.line ?? line
            case .index(let i):
                guard let s = node.sequence, i >= 0, i < s.count else { return line }
                node = s[i]
                line = node.mark?.line ?? line
            }
        }
        return line
    }

    enum PathStep: Equatable { case key(String), index(Int) }

    /// `sections[1].items[2].max` → key sections, index 1, key items, index 2, key max.
    static func pathSteps(_ path: String) -> [PathStep] {
        var out: [PathStep] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                if let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) { indices.insert(i, at: 0) }
                name = name[..<open]
            }
            if !name.isEmpty { out.append(.key(String(name))) }
            out += indices.map { .index($0) }
        }
        return out
    }
}
