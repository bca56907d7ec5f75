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
    /// Where in the text (1-based line and column) for a problem of the text itself (a YAML or
    /// JSON syntax error, a full-width colon); nil for a problem of a decoded field (its `path`).
    public var line: Int?
    public var column: Int?

    public init(_ severity: Severity, _ path: String, _ message: String, rules: [String] = [], line: Int? = nil, column: Int? = nil) {
        var seen = Set<String>()
        self.severity = severity; self.path = path; self.message = message; self.rules = rules.filter { seen.insert($0).inserted }
        self.line = line; self.column = column
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

    /// Decodes a scheme; any decoding failure becomes one `SchemeProblem` naming its path — or,
    /// when the text has a typing slip a person can fix (a full-width colon, a tab or full-width
    /// space in the indentation, an unclosed quote or bracket), those slips with line and column.
    public static func decode(_ text: String, format: Format, file: String? = nil) throws(SchemeProblems) -> Scheme {
        if let p = precheck(text) { throw SchemeProblems(file: file, problems: [p]) }
        do {
            switch format {
            case .yaml: return try YAMLDecoder().decode(Scheme.self, from: text)
            case .json: return try JSONDecoder().decode(Scheme.self, from: Data(text.utf8))
            }
        } catch {
            let slips = SchemeTextCheck.slips(text, format: format)
            throw SchemeProblems(file: file, problems: slips.isEmpty ? [problem(from: error, text: text)] : slips)
        }
    }

    /// Loads a file, decodes and validates it (as a preset when `preset`: then an item without a
    /// SPEC rule id is warned of). Errors (not warnings) throw.
    public static func load(path: String, preset: Bool = false) throws(SchemeProblems) -> (Scheme, [SchemeProblem]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemeProblems(file: path, problems: [SchemeProblem(.error, "", "无法读取文件 cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SchemeProblems(file: path, problems: [SchemeProblem(.error, "", "文件不是 UTF-8 文本 not UTF-8 text")])
        }
        let scheme = try decode(text, format: format(for: path, text: text), file: path)
        let problems = SchemeValidator.validate(scheme, preset: preset)
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

    static func problem(from error: Error, text: String? = nil) -> SchemeProblem {
        if let u = error as? UnknownKeyError {
            var p = ""
            for c in u.path { p += c.hasPrefix("[") || c.hasPrefix("Index ") ? (c.hasPrefix("Index ") ? "[\(c.dropFirst(6))]" : c) : (p.isEmpty ? "" : ".") + c }
            let at = p.isEmpty ? "方案的第一层 the top level" : p
            return SchemeProblem(.error, p.isEmpty ? u.key : "\(p).\(u.key)",
                                 "未知的键 unknown key “\(u.key)”；\(at) 处可用的键 allowed here: \(u.allowed.joined(separator: ", "))")
        }
        if let d = error as? DecodingError {
            switch d {
            case .keyNotFound(let k, let ctx):
                let p = pathText(ctx.codingPath)
                return SchemeProblem(.error, p.isEmpty ? k.stringValue : "\(p).\(k.stringValue)", "缺少必填的键 missing required key “\(k.stringValue)”")
            case .typeMismatch(let t, let ctx):
                return SchemeProblem(.error, pathText(ctx.codingPath), "类型不对，应为\(typeLabel(t)) wrong type, expected \(typeName(t))")
            case .valueNotFound(let t, let ctx):
                return SchemeProblem(.error, pathText(ctx.codingPath), "缺少值，应为\(typeLabel(t)) missing value of type \(typeName(t))")
            case .dataCorrupted(let ctx):
                if let u = ctx.underlyingError, u is UnknownKeyError || u is DecodingError || u is YamlError { return problem(from: u, text: text) }
                if let refused = refusedChoice(ctx.debugDescription) {
                    let (type, value) = refused
                    let p = pathText(ctx.codingPath)
                    guard let choices = SchemeChoices.choices(type: type, path: ctx.codingPath, text: text) else {
                        return SchemeProblem(.error, p, "取值无效 invalid value: “\(value)”")
                    }
                    return SchemeProblem(.error, p, "取值无效 invalid value “\(value)”；可选 choose one of: \(SchemeChoices.said(choices))")
                }
                if ctx.codingPath.isEmpty, let u = ctx.underlyingError {
                    // JSON that does not parse: Foundation's own words, with the line where it says one
                    return SchemeProblem(.error, "", "JSON 语法错误 syntax error: \(u.localizedDescription)")
                }
                var msg = ctx.debugDescription
                if let u = ctx.underlyingError { msg += " (\(u))" }
                return SchemeProblem(.error, pathText(ctx.codingPath), "取值无效 invalid value: " + msg)
            @unknown default:
                return SchemeProblem(.error, "", "\(d)")
            }
        }
        if let y = error as? YamlError { return yamlProblem(y) }
        return SchemeProblem(.error, "", "\(error)")
    }

    /// `Cannot initialize Kind from invalid String value deduction` → (`Kind`, `deduction`): the
    /// standard library's words when a raw value names no case.
    static func refusedChoice(_ message: String) -> (String, String)? {
        let head = "Cannot initialize ", mid = " from invalid String value "
        guard message.hasPrefix(head), let r = message.range(of: mid) else { return nil }
        let type = String(message[message.index(message.startIndex, offsetBy: head.count)..<r.lowerBound])
        return (type, String(message[r.upperBound...]))
    }

    /// A YAML parser error said in Chinese, at its line and column (libyaml's English kept after it).
    static func yamlProblem(_ y: YamlError) -> SchemeProblem {
        switch y {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            let at = "第 \(mark.line) 行第 \(mark.column) 列"
            return SchemeProblem(.error, "第 \(mark.line) 行 line \(mark.line)",
                                 "\(at)：YAML 语法错误 syntax error: \(yamlSaid(problem))（\(problem)）",
                                 line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SchemeProblem(.error, "第 \(context.mark.line) 行 line \(context.mark.line)",
                                 "第 \(context.mark.line) 行：同一层有重复的键 duplicate keys: \(duplicates.sorted().joined(separator: ", "))",
                                 line: context.mark.line, column: context.mark.column)
        default:
            return SchemeProblem(.error, "", "YAML 语法错误 syntax error: \(y)")
        }
    }

    /// What libyaml's problem means for a person typing a scheme.
    static func yamlSaid(_ problem: String) -> String {
        let p = problem.lowercased()
        if p.contains("mapping values are not allowed") { return "此处不能出现「键: 值」：检查缩进是否对齐；值里含「: 」时请给值加引号" }
        if p.contains("could not find expected ':'") { return "找不到键后的冒号：键与值之间须写半角冒号加空格「: 」" }
        if p.contains("tab") { return "缩进中有制表符（Tab）：YAML 的缩进只能用空格" }
        if p.contains("cannot start any token") { return "此处的字符不能开始一个值：请给值加引号，或改用空格缩进" }
        if p.contains("did not find expected key") { return "缩进不对齐或缺少键：同一层的键须左对齐" }
        if p.contains("did not find expected ',' or ']'") { return "方括号 [ ] 中缺少半角逗号「,」或右括号「]」" }
        if p.contains("did not find expected ',' or '}'") { return "花括号 { } 中缺少半角逗号「,」或右括号「}」" }
        if p.contains("did not find expected node content") { return "此处缺少值" }
        if p.contains("block sequence entries are not allowed") { return "此处不能开始「- 」列表项：检查缩进" }
        if p.contains("end of stream") || p.contains("found unexpected end") { return "文本意外结束：引号或括号没有闭合" }
        if p.contains("escape") { return "双引号中的反斜杠「\\」转义无效：写成「\\\\」或改用单引号" }
        if p.contains("did not find expected") { return "此处的写法不完整：检查冒号、逗号、括号与缩进" }
        return "无法解析此处的写法"
    }

    /// A Swift type in the reader's words.
    static func typeLabel(_ t: Any.Type) -> String {
        switch typeName(t) {
        case "number": return "数字"
        case "list": return "列表"
        case "text": return "文本"
        default:
            let n = "\(t)"
            if n == "Bool" { return " true 或 false" }
            if n.hasPrefix("Int") { return "整数" }
            return "映射"
        }
    }

    static func typeName(_ t: Any.Type) -> String {
        let n = "\(t)"
        if n.contains("Fixed") { return "number" }
        if n.contains("Array") { return "list" }
        if n.contains("String") { return "text" }
        return n
    }
}

/// The typing slips that break a scheme text and that a person can fix at once, each at its line
/// and column (issue 16 §2): a full-width colon or comma where the format needs a half-width one,
/// a tab or a full-width space in the indentation, a quote or a bracket left open. Read only when
/// the text fails to decode, so a value that merely contains such a character is never flagged.
enum SchemeTextCheck {
    static func slips(_ text: String, format: SchemeLoader.Format) -> [SchemeProblem] {
        var out: [SchemeProblem] = []
        func slip(_ line: Int, _ col: Int, _ zh: String, _ en: String) {
            out.append(SchemeProblem(.error, "第 \(line) 行 line \(line)", "第 \(line) 行第 \(col) 列：\(zh) — line \(line), column \(col): \(en)", line: line, column: col))
        }
        let yaml = format == .yaml
        var open: [(Character, Int, Int)] = []   // flow brackets: which, line, column
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let cs = Array(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            var k = 0
            // the indentation
            while k < cs.count, cs[k] == " " || cs[k] == "\t" || cs[k] == "\u{3000}" {
                if cs[k] == "\u{3000}" { slip(n, k + 1, "行首有全角空格「　」：缩进请用半角空格", "a full-width space in the indentation; indent with ordinary spaces") }
                else if cs[k] == "\t" && yaml { slip(n, k + 1, "缩进中有制表符（Tab）：YAML 的缩进只能用空格", "a tab in the indentation; YAML indents with spaces only") }
                k += 1
            }
            // what was typed since the current key or value began, kept as it goes (a line of
            // 50,000 `- ` must not be read again at every dash): its non-blank characters, the
            // first and the last of them; the text itself is read only for a short token
            var tokenStart = k, seen = 0, first: Character = " ", last: Character = " "
            func restart(_ at: Int) { tokenStart = at; seen = 0; last = " " }
            func add(_ i: Int) {
                guard i < cs.count, !cs[i].isWhitespace else { return }
                if seen == 0 { first = cs[i] }
                seen += 1; last = cs[i]
            }
            func blank() -> Bool { seen == 0 }
            func dash() -> Bool { seen == 1 && first == "-" }
            func key(_ here: Int) -> Bool { seen > 0 && here - tokenStart <= 80 && isKey(String(cs[tokenStart..<here]).trimmingCharacters(in: .whitespaces)) }
            var quote: Character? = nil, quoteAt = 0
            while k < cs.count {
                let c = cs[k]
                let prev = k > 0 ? cs[k - 1] : " "
                if let q = quote {
                    if q == "\"" && c == "\\" { add(k); add(k + 1); k += 2; continue }
                    if c == q {
                        if q == "'" && k + 1 < cs.count && cs[k + 1] == "'" { add(k); add(k + 1); k += 2; continue }
                        quote = nil
                    }
                    add(k); k += 1; continue
                }
                if yaml && c == "#" && (k == 0 || prev == " " || prev == "\t") { break }
                let from = tokenStart
                switch c {
                case "\"", "'":
                    // a quote opens a string only where a value or key starts
                    if !yaml || blank() || dash() { quote = c; quoteAt = k + 1 }
                case "[", "{":
                    if !yaml || !open.isEmpty || blank() || dash() || last == ":" {
                        open.append((c, n, k + 1)); restart(k + 1)
                    }
                case "]", "}":
                    if !open.isEmpty {
                        let want: Character = open.last!.0 == "[" ? "]" : "}"
                        if c != want {
                            slip(n, k + 1, "括号不配对：第 \(open.last!.1) 行第 \(open.last!.2) 列的「\(open.last!.0)」应以「\(want)」结束，这里却是「\(c)」",
                                 "brackets do not match: “\(open.last!.0)” opened at line \(open.last!.1) needs “\(want)”, found “\(c)”")
                            return out
                        }
                        open.removeLast()
                    } else if !yaml {
                        slip(n, k + 1, "多了一个右括号「\(c)」", "a closing “\(c)” with nothing to close")
                        return out
                    }
                case ",":
                    if !open.isEmpty || !yaml { restart(k + 1) }
                case ":":
                    if k + 1 >= cs.count || cs[k + 1] == " " || !yaml { restart(k + 1) }
                    if k + 1 < cs.count, cs[k + 1] == "\u{3000}" {
                        slip(n, k + 2, "冒号后是全角空格「　」：请改为半角空格", "a full-width space after the colon; type an ordinary space")
                    }
                case "-":
                    if yaml, k + 1 < cs.count, cs[k + 1] == " ", blank() { restart(k + 1) }
                case "：":
                    if key(k) {
                        slip(n, k + 1, "「：」是全角冒号，请改为半角冒号「: 」", "“：” is a full-width colon; type a half-width colon and a space “: ”")
                    }
                case "，":
                    if !open.isEmpty, followedByKey(cs, k + 1) {
                        slip(n, k + 1, "「，」是全角逗号，请改为半角逗号「, 」", "“，” is a full-width comma; type a half-width comma “, ”")
                        restart(k + 1)
                    }
                default: break
                }
                // the character joins the token unless the token began after it
                if tokenStart == from { add(k) }
                k += 1
            }
            if let q = quote {
                slip(n, quoteAt, "引号「\(q)」没有闭合：请在值的末尾补上「\(q)」", "the quote “\(q)” is not closed; add “\(q)” at the end of the value")
            }
        }
        for (c, line, col) in open.prefix(1) {
            let want = c == "[" ? "]" : "}"
            slip(line, col, "括号「\(c)」没有闭合：请补上「\(want)」", "the bracket “\(c)” is never closed; add “\(want)”")
        }
        return out
    }

    /// A key as a scheme writes one: `label`, `max_points`, `"label"`.
    static func isKey(_ s: String) -> Bool {
        var w = Substring(s)
        if w.count >= 2, let f = w.first, f == "\"" || f == "'", w.last == f { w = w.dropFirst().dropLast() }
        return !w.isEmpty && w.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// `，label: x` — a key follows (the comma separates entries, it is not part of a value).
    static func followedByKey(_ cs: [Character], _ from: Int) -> Bool {
        var k = from
        while k < cs.count, cs[k] == " " { k += 1 }
        let start = k
        while k < cs.count, cs[k].isASCII && (cs[k].isLetter || cs[k].isNumber || cs[k] == "_") { k += 1 }
        return k > start && k < cs.count && (cs[k] == ":" || cs[k] == "：")
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
