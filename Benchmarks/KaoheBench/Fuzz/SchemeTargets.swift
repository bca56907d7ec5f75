import Foundation
import KaoheCore

/// Formulas built to stress a recursive-descent parser and a recursive evaluator.
enum FormulaGenerator {
    static let literals = ["9" + String(repeating: "9", count: 999), "9223372036854.775807", "9223372036854.775808", "0." + String(repeating: "0", count: 1000) + "1",
                           "99999999999999999999%", "1.2.3", ".", "..", "9223372036854.775807 * 9223372036854.775807", "floor(0 - 9223372036854.775807)",
                           "floor(-9223372036854.5)", "floor(x)", "round(9223372036854.9)", "round(x, 99999999)", "round(-9223372036854.775807, 2)", "round(x, -1)",
                           "abs(0 - 9223372036854.775807 - 1)", "1 / 0.000001", "9223372036854 * 1000000", "x / (x - x)", "group_avg(x) / group_count()",
                           "clamp(x, 9223372036854.775807, -9223372036854.775807)", "min()", "max(" + Array(repeating: "x", count: 40).joined(separator: ",") + ")",
                           "if(x, 1)", "group_sum(1 + 1)", "group_avg(group_avg(x))", "not not not x", "x %", "50% * x", "1e3", "0x10", "x.y.z", "订单数 / 咨询总数 × 100",
                           "x ÷ 0", "x − −x", "x ≤ 1 ≥ 0", "(x", "x)", "", " ", "\u{0}", "x\u{0}y", "if(x > 0, 1 / 0, 0)"]

    /// A generated formula and its kind.
    static func make(_ r: inout FuzzRandom) -> (String, StaticString) {
        let depths = [100, 1_000, 20_000]
        switch r.below(7) {
        case 0:
            let n = r.pick(depths)
            let open = String(repeating: "(", count: n), close = String(repeating: ")", count: r.oneIn(5) ? n - 1 : n)
            return (open + (r.oneIn(2) ? "1" : "x") + close, "expr:nested-parens")
        case 1:
            let n = r.pick([1_000, 100_000])
            let sign = r.pick(["-", "−", "!", "not ", "- "])
            return (String(repeating: sign, count: n) + "x", "expr:unary-chain")
        case 2:
            let n = r.pick([1_000, 20_000, 100_000])
            let op = r.pick(["1+", "x * ", "x and ", "x or ", "1/", "x - ", "x×", "x == "])
            return (String(repeating: op, count: n) + "1", "expr:operator-chain")
        case 3:
            let n = r.pick(depths)
            let f = r.pick(["abs(", "floor(", "round(", "min(", "if(1,1,", "clamp(x,0,", "max(x,"])
            return (String(repeating: f, count: n) + "x" + String(repeating: ")", count: n), "expr:nested-calls")
        case 4:
            let n = r.pick([1_000, 100_000])
            return ("min(" + String(repeating: "1,", count: n) + "1)", "expr:many-arguments")
        case 5:
            let n = r.pick([1_000, 20_000])
            var s = "v0"
            for k in 1..<n { s += "+v\(k)" }
            return (s, "expr:many-names")
        default:
            return (r.pick(literals), "expr:edge-literal")
        }
    }
}

/// The result of an evaluation, comparable (the tree evaluator and the compiled program must agree).
enum EvalOutcome: Equatable, CustomStringConvertible {
    case value(Fixed)
    case error(EvalError)
    var description: String {
        switch self {
        case .value(let f): return f.description
        case .error(let e): return "\(e)"
        }
    }
}

/// `expression`: `ExpressionParser.parse`, then the expression's names, binding to slots, the
/// tree evaluator (`Expr.evaluate` over `Fixed`) and the compiled `FixedProgram` with the same
/// random values (they must agree: a difference is a failure), and the formula text the
/// explanations print. Seeds: every formula of the presets and test fixtures, mutated; and
/// generated formulas (20,000 nested parentheses, 100,000 unary minus signs, long operator
/// chains, many names, edge literals).
final class ExpressionTarget: FuzzTarget {
    let name = "expression"
    private let seeds: [[UInt8]]
    private let mutator: ByteMutator
    private var input: [UInt8] = []
    private var valueSeed: UInt64 = 0
    private var slots: [String: Int] = [:]
    private var values: [Fixed?] = []

    var seedCount: Int { seeds.count }

    static let tokens = Bytes.b(["(", ")", "-", "−", "not ", "!", "+", "*", "×", "/", "÷", "<", "<=", ">=", "==", "!=", "≤", "≥", " and ", " or ", "&&", "||",
                                 ",", "，", "%", ".", "9223372036854.775807", "0.0000005", "1e3", "min(", "max(", "clamp(", "if(", "abs(", "floor(", "round(",
                                 "group_sum(", "group_avg(", "group_count()", "x", "订单数", "_", "a.b", "\u{0}", " ", "\t", "\n", "\u{3000}", "（", "）"])

    init(_ corpus: FuzzCorpus) {
        seeds = corpus.formulas.map { Array($0.utf8) }
        mutator = ByteMutator(tokens: Self.tokens, maxLength: 1 << 20)
    }

    func prepare(_ r: inout FuzzRandom) -> StaticString {
        valueSeed = r.next()
        input.removeAll(keepingCapacity: true)
        let kind: StaticString
        switch r.below(10) {
        case 0, 1, 2:
            let (f, k) = FormulaGenerator.make(&r)
            input.append(contentsOf: f.utf8)
            kind = k
        case 3:
            // two formulas joined by an operator
            let a = r.pick(seeds), b = r.pick(seeds)
            let op = r.pick([" + ", " * ", " / ", " and ", " < ", ", "])
            input.append(contentsOf: Bytes.of("("))
            input.append(contentsOf: a)
            input.append(contentsOf: Bytes.of(")" + op + "("))
            input.append(contentsOf: b)
            input.append(contentsOf: Bytes.of(")"))
            kind = "expr:splice"
        case 4:
            input.append(contentsOf: r.pick(seeds))
            kind = "expr:seed"
        default:
            input.append(contentsOf: r.pick(seeds))
            let other: [UInt8]? = r.oneIn(3) ? r.pick(seeds) : nil
            mutator.mutate(&input, &r, splice: other)
            kind = "expr:mutated"
        }
        return kind
    }

    func inputBytes() -> [UInt8] { input }

    func load(_ selector: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) {
        valueSeed = UInt64(selector)
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: bytes)
    }

    func libFuzzerSeeds() -> [[UInt8]] { seeds.enumerated().map { [UInt8(truncatingIfNeeded: $0.offset)] + $0.element } }

    /// Values a metric can hold, edges first.
    static let edges: [Int64] = [0, 1, -1, 1_000_000, -1_000_000, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, Int64.max / 2,
                                 4_611_686_018_427_387_904, 9_223_372_036_854_000_000, -9_223_372_036_854_500_000, 500_000, 5_000, 100_000_000,
                                 999_999_999_999_999, -500_000]

    static func value(_ g: inout FuzzRandom) -> Fixed? {
        switch g.below(8) {
        case 0: return nil
        case 1, 2, 3: return Fixed(raw: g.pick(edges))
        case 4: return Fixed(raw: Int64(bitPattern: g.next()))
        default: return Fixed(raw: Int64(g.below(200_000_000)) - 50_000_000)
        }
    }

    func execute() -> FuzzOutcome {
        let text = String(decoding: input, as: UTF8.self)
        let expr: Expr
        do { expr = try ExpressionParser.parse(text) } catch { return .refused }
        _ = expr.names
        slots.removeAll(keepingCapacity: true)
        let bound: Expr
        do {
            bound = try expr.bind { name in
                if let s = self.slots[name] { return s }
                let s = self.slots.count
                self.slots[name] = s
                return s
            }
        } catch { return .refused }
        var g = FuzzRandom(seed: valueSeed)
        values.removeAll(keepingCapacity: true)
        for _ in 0..<slots.count { values.append(Self.value(&g)) }
        let vals = values
        let program = FixedProgram(bound)
        let tree = Self.tree(bound, vals)
        let compiled = Self.compiled(program, vals)
        _ = bound.text
        if tree != compiled {
            return .mismatch("tree evaluator gives \(tree), FixedProgram gives \(compiled) for “\(text.prefix(120))”")
        }
        return .accepted
    }

    static func tree(_ e: Expr, _ vals: [Fixed?]) -> EvalOutcome {
        do {
            let v: Fixed = try e.evaluate { (s: Int) -> Fixed? in s >= 0 && s < vals.count ? vals[s] : nil }
            return .value(v)
        } catch {
            return .error(error)
        }
    }

    static func compiled(_ p: FixedProgram, _ vals: [Fixed?]) -> EvalOutcome {
        do {
            let v = try p.evaluate { (s: Int) -> Fixed? in s >= 0 && s < vals.count ? vals[s] : nil }
            return .value(v)
        } catch {
            return .error(error)
        }
    }
}

/// YAML-aware mutations of scheme documents.
enum YAMLMutations {
    static let wrongValues = Bytes.b(["[1, 2]", "{a: 1}", "~", "null", "!!binary aGVsbG8=", ".inf", "-.inf", ".nan", "1e400", "9223372036854775808",
                                      "-9223372036854775809", "9223372036854775807", "9223372036854.775807", "\"\"", "''", "*undefined", "&a", "!!str 1",
                                      "!!int x", "0x7FFFFFFF", "0o777", "1_000", "yes", "no", "2026-10-05", "12:30:00", "|\n  block", ">-", "- x", "？",
                                      "\u{0}", "!!python/object:os.system", "!<tag:yaml.org,2002:str> x", "[", "{", "\"unterminated", "'", "@x", "`x`",
                                      "%x", "? a", "!!timestamp 2001-12-14t21:59:43.10-05:00", "!!float 1e999", "- - -"])
    static let numbers = Bytes.b(["9223372036854.775807", "-9223372036854.775808", "1e400", "0", "-1", "0.0000001", "1e-7", "99999999999999999999", ".nan",
                                  "29", "-0", "4611686018427.387904", "0.1", "100000000000", "1.0000005", "-9223372036854.5", "9223372036854"])
    static let numberKeys = Bytes.b(["max: ", "min: ", "weight: ", "points: ", "month_start_day: ", "run: ", "quota: ", "value: ", "amount: ", "per: ",
                                     "months: ", "place: ", "floor: ", "cap: ", "above: "])
    static let formulaKeys = Bytes.b(["formula: \"", "condition: \"", "paid: \"", "member: \""])

    /// Start and end (before the newline) of the line containing `pos`.
    static func line(_ b: [UInt8], _ pos: Int) -> Range<Int> {
        var s = Swift.min(pos, b.count)
        while s > 0 && b[s - 1] != 10 { s -= 1 }
        var e = s
        while e < b.count && b[e] != 10 { e += 1 }
        return s..<e
    }

    /// The value after the first `: ` of a random line, up to `,`, `}` or the line end.
    static func value(_ b: [UInt8], _ r: inout FuzzRandom) -> Range<Int>? {
        guard !b.isEmpty else { return nil }
        for _ in 0..<8 {
            let l = line(b, r.below(b.count))
            var i = l.lowerBound
            // a random `: ` on the line
            var colons: [Int] = []
            while i + 1 < l.upperBound { if b[i] == UInt8(ascii: ":") && b[i + 1] == 32 { colons.append(i + 2) }; i += 1 }
            guard !colons.isEmpty else { continue }
            let vs = r.pick(colons)
            var ve = vs
            var quoted = false
            while ve < l.upperBound {
                let c = b[ve]
                if c == UInt8(ascii: "\"") { quoted.toggle() } else if !quoted && (c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "#")) { break }
                ve += 1
            }
            return vs..<ve
        }
        return nil
    }

    /// The block under a top-level key (`sections:` up to the next unindented line).
    static func block(_ b: [UInt8], key: String) -> Range<Int>? {
        let k = Bytes.of("\n" + key + ":")
        guard let at = Bytes.find(k, in: b) else { return nil }
        var e = at + k.count
        while e < b.count {
            if b[e] == 10 && e + 1 < b.count && b[e + 1] != 32 && b[e + 1] != 10 && b[e + 1] != UInt8(ascii: "#") && b[e + 1] != UInt8(ascii: "-") { break }
            e += 1
        }
        return (at + 1)..<e
    }

    static func mutate(_ b: inout [UInt8], _ r: inout FuzzRandom, json: Bool, generic: ByteMutator, other: [UInt8]?) -> StaticString {
        let room = Swift.max(1, (4 << 20) - b.count)
        switch r.below(json ? 3 : 14) {
        case 0:
            // deep flow nesting [[[[…]]]] or {a: {a: …}} as a value
            let n = r.many(max: Bytes.fit(2, room: room))
            let nest: [UInt8]
            switch r.below(3) {
            case 0: nest = Bytes.repeated(Bytes.of("["), n) + Bytes.repeated(Bytes.of("]"), n)
            case 1: nest = Bytes.repeated(Bytes.of(json ? "{\"a\":" : "{a: "), n) + Bytes.of("1") + Bytes.repeated(Bytes.of("}"), n)
            default: nest = Bytes.repeated(Bytes.of("["), n)   // never closed
            }
            if let v = value(b, &r) { b.replaceSubrange(v, with: nest) } else { b.insert(contentsOf: nest, at: r.below(b.count + 1)) }
            return "yaml:deep-flow"
        case 1, 2:
            generic.mutate(&b, &r, splice: other)
            return "yaml:bytes"
        case 3:
            // deep block nesting: `- - - - x` (a sequence per dash) or indented mappings
            let depth = r.pick([100, 1_000, 50_000])
            var nest: [UInt8]
            if r.oneIn(2) {
                nest = Bytes.of("decisions:\n  ") + Bytes.repeated(Bytes.of("- "), depth) + Bytes.of("x\n")
            } else {
                let d = Swift.min(depth, 1_500)
                nest = Bytes.of("decisions:\n")
                for k in 1...d { nest += Bytes.repeated([32], k) + Bytes.of("a:\n") }
                nest += Bytes.repeated([32], d + 1) + Bytes.of("b: 1\n")
            }
            if let blk = block(b, key: "decisions") { b.replaceSubrange(blk, with: nest) } else { b.append(10); b.append(contentsOf: nest) }
            return "yaml:deep-block"
        case 4:
            // billion laughs through aliases, where the decoder walks: sections × items × offences
            // 60³ = 216,000 offences decoded from about 2 KB: slow, but not a hang that ends the run
            let f = r.pick([10, 30, 60])
            let fan = { (alias: String) -> String in Array(repeating: alias, count: f - 1).joined(separator: ", ") }
            let o = "&o {id: o, label: o, points: 1}"
            let i = "&i {id: i, label: i, kind: deductions, max: 1, rule: R-0, offences: [\(o), \(fan("*o"))]}"
            let s = "sections: [&s {id: s, label: s, max: 1, items: [\(i), \(fan("*i"))]}, \(fan("*s"))]"
            if let blk = block(b, key: "sections") { b.replaceSubrange(blk, with: Bytes.of(s + "\n")) } else { b.append(contentsOf: Bytes.of("\n" + s + "\n")) }
            return "yaml:alias-bomb"
        case 5:
            // one alias repeated very many times (a flat list 100,000 long from a few bytes each)
            let n = r.many(max: Bytes.fit(4, room: room))
            let m = "metrics: [&m {id: m, label: m, kind: count}" + String(repeating: ", *m", count: n) + "]"
            if let blk = block(b, key: "metrics") { b.replaceSubrange(blk, with: Bytes.of(m + "\n")) } else { b.append(contentsOf: Bytes.of("\n" + m + "\n")) }
            return "yaml:alias-fanout"
        case 6:
            // a huge document: one line of a list repeated
            let l = line(b, r.below(b.count + 1))
            let text = Array(b[l]) + [10]
            let n = r.many(max: Bytes.fit(text.count, room: room))
            b.insert(contentsOf: Bytes.repeated(text, n), at: Swift.min(b.count, l.upperBound + 1))
            return "yaml:huge"
        case 7:
            if let v = value(b, &r) { b.replaceSubrange(v, with: r.pick(wrongValues)) }
            return "yaml:wrong-type"
        case 8:
            // full-width punctuation as Chinese input methods type it
            let pairs: [([UInt8], [UInt8])] = [(Bytes.of(": "), Bytes.of("：")), (Bytes.of(": "), Bytes.of("： ")), (Bytes.of(", "), Bytes.of("，")),
                                               (Bytes.of("["), Bytes.of("［")), (Bytes.of("- "), Bytes.of("－ ")), (Bytes.of("{"), Bytes.of("｛"))]
            let (from, to) = r.pick(pairs)
            var at = r.below(b.count + 1)
            for _ in 0..<(r.oneIn(4) ? 1_000_000 : 1) {
                guard let k = Bytes.findAround(from, in: b, from: at) else { break }
                b.replaceSubrange(k..<(k + from.count), with: to)
                at = k + to.count
            }
            return "yaml:full-width"
        case 9:
            // indentation: a tab, one space more or less
            let l = line(b, r.below(b.count + 1))
            switch r.below(3) {
            case 0: if l.lowerBound < b.count && b[l.lowerBound] == 32 { b[l.lowerBound] = 9 } else { b.insert(9, at: l.lowerBound) }
            case 1: b.insert(32, at: l.lowerBound)
            default: if l.lowerBound < b.count && b[l.lowerBound] == 32 { b.remove(at: l.lowerBound) }
            }
            return "yaml:indent"
        case 10:
            let bits = Bytes.b(["%YAML 1.1\n---\n", "%TAG ! tag:x,2000:\n---\n", "--- !!map\n", "\u{FEFF}", "---\n", "# " + String(repeating: "注", count: 100_000) + "\n",
                                "%YAML 9.9\n---\n", "!!seq\n"])
            if r.oneIn(2) { b.insert(contentsOf: r.pick(bits), at: 0) } else { b.append(contentsOf: Bytes.b(["\n---\nsecond: doc\n", "\n...\n", "\n--- |\n  x\n"])[r.below(3)]) }
            return "yaml:directives"
        case 11:
            let bits = Bytes.b(["<<: *m\n", "<<: {id: merged}\n", "<<: [*a, *b]\n", "? complex\n: key\n", "&anchor ", "*alias ", "!custom ", "id: duplicate\nid: again\n"])
            let l = line(b, r.below(b.count + 1))
            b.insert(contentsOf: r.pick(bits), at: l.lowerBound)
            return "yaml:keys"
        case 12:
            // a formula replaced by a generated one (deep parentheses, long chains …)
            guard let at = Bytes.findAround(r.pick(formulaKeys), in: b, from: r.below(b.count + 1)) else { return "yaml:formula" }
            let vs = (Bytes.find([UInt8(ascii: "\"")], in: b, from: at) ?? at) + 1
            let ve = Bytes.find([UInt8(ascii: "\"")], in: b, from: vs) ?? vs
            let (f, _) = FormulaGenerator.make(&r)
            b.replaceSubrange(vs..<Swift.max(vs, ve), with: Array(f.utf8))
            return "yaml:formula"
        default:
            // a number at its edge: maxima, minima, weights, points, start day, quotas
            guard let at = Bytes.findAround(r.pick(numberKeys), in: b, from: r.below(b.count + 1)) else { return "yaml:number" }
            var vs = at
            while vs < b.count && b[vs] != UInt8(ascii: ":") { vs += 1 }
            vs = Swift.min(b.count, vs + 2)
            var ve = vs
            while ve < b.count && b[ve] != UInt8(ascii: ",") && b[ve] != UInt8(ascii: "}") && b[ve] != 10 { ve += 1 }
            b.replaceSubrange(vs..<ve, with: r.pick(numbers))
            return "yaml:number"
        }
    }
}

/// `scheme`: what `kaohe presets validate` does (SchemeLoader.decode, SchemeValidator.validate,
/// ScoringEngine and OutcomeEngine), the editor's `SchemeLoader.line(of:in:)` for the first
/// problems of a refused document, and for an accepted one a few generated rows scored, written
/// as JSON and run through the outcome policies. Seeds: the presets, the test fixtures and the
/// corpus YAML/JSON, and presets encoded as JSON.
final class SchemeTarget: FuzzTarget {
    let name = "scheme"
    private let seeds: [FuzzCorpus.SchemeSeed]
    private let generic: ByteMutator
    private var input: [UInt8] = []
    private var json = false
    private var valueSeed: UInt64 = 0
    private var sink = ByteSink(capacity: 1 << 16)

    var seedCount: Int { seeds.count }

    init(_ corpus: FuzzCorpus) {
        seeds = corpus.schemeSeeds
        generic = ByteMutator(tokens: Bytes.b([": ", "- ", "\n", "  ", "[", "]", "{", "}", ",", "&a ", "*a", "!!", "#", "\"", "'", "|", ">", "？", "：", "\t",
                                               "~", "null", "1e400", "9223372036854.775807", "formula", "kind: ", "banded", "max: "]),
                              maxLength: 4 << 20)
    }

    func prepare(_ r: inout FuzzRandom) -> StaticString {
        guard !seeds.isEmpty else { input = []; return "yaml:none" }
        valueSeed = r.next()
        let seed = r.pick(seeds)
        json = seed.json
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: seed.bytes)
        if r.oneIn(40) { return "yaml:seed" }
        var kind: StaticString = "yaml:bytes"
        let n = r.oneIn(5) ? 2 + r.below(2) : 1
        for k in 0..<n {
            let other: [UInt8]? = r.oneIn(4) ? r.pick(seeds).bytes : nil
            let op = YAMLMutations.mutate(&input, &r, json: json, generic: generic, other: other)
            if k == 0 { kind = op }
        }
        if input.count > 4 << 20 { input.removeLast(input.count - (4 << 20)) }
        return kind
    }

    func inputBytes() -> [UInt8] { input }

    func load(_ selector: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) {
        json = selector & 1 == 1
        valueSeed = UInt64(selector >> 1)
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: bytes)
    }

    func libFuzzerSeeds() -> [[UInt8]] { seeds.map { [$0.json ? 1 : 0] + $0.bytes } }

    func execute() -> FuzzOutcome {
        // `load(path:)` refuses text that is not UTF-8
        guard let text = String(data: Data(input), encoding: .utf8) else { return .refused }
        let format = SchemeLoader.format(for: json ? "fuzz.json" : "fuzz.yaml", text: text)
        do {
            let (engine, outcomes) = try Self.build(text, format)
            sample(engine, outcomes)
            return .accepted
        } catch {
            // the editor places each problem at its line
            if format == .yaml { for p in error.problems.prefix(3) { _ = SchemeLoader.line(of: p.path, in: text) } }
            return .refused
        }
    }

    static func build(_ text: String, _ format: SchemeLoader.Format) throws(SchemeProblems) -> (ScoringEngine, OutcomeEngine) {
        let scheme = try SchemeLoader.decode(text, format: format, file: "fuzz")
        let problems = SchemeValidator.validate(scheme)
        if problems.contains(where: { $0.severity == .error }) { throw SchemeProblems(file: "fuzz", problems: problems) }
        let engine = try ScoringEngine(scheme: scheme)
        let outcomes = try OutcomeEngine(engine: engine)
        return (engine, outcomes)
    }

    /// Four rows (two employees, two months) with values at the inputs' edges, scored.
    func sample(_ engine: ScoringEngine, _ outcomes: OutcomeEngine) {
        var g = FuzzRandom(seed: valueSeed)
        var rows: [ScoringRow] = []
        for period in ["2026-09", "2026-10"] {
            for e in 0..<2 {
                var values: [String: String] = [:]
                for inp in engine.inputs {
                    switch inp.kind {
                    case .grade: if !inp.grades.isEmpty { values[inp.column] = g.pick(inp.grades) }
                    case .text: values[inp.column] = "x"
                    case .count:
                        var choices = ["0", "1"]
                        if let hi = inp.max, hi.isInteger { choices.append(hi.description) }
                        values[inp.column] = g.pick(choices)
                    default:
                        let choices: [Fixed] = [inp.min ?? .zero, inp.max ?? Fixed(100), .zero, .one]
                        values[inp.column] = g.pick(choices).description
                    }
                }
                guard let slots = try? engine.evidence(values) else { continue }
                rows.append(ScoringRow(employee: "E\(e)", period: period, team: "T", values: slots))
            }
        }
        guard !rows.isEmpty else { return }
        Score.rows(rows, FuzzCorpus.EngineEntry(id: engine.scheme.id, scheme: engine.scheme, engine: engine, outcomes: outcomes), sink: &sink)
    }
}
