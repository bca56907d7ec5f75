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
        guard let root = try? Yams.compose(yaml: text) else { return nil }
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
