import Foundation

/// The small, safe expression language of derived metrics, formula items, gates and pay
/// (R-001-12). Numbers, names, `+ - * /` (also `× ÷`), parentheses, comparisons
/// (`< <= > >= == !=`), `and or not` (also `&& || !`), and the functions
/// `min max clamp if abs floor round group_sum group_avg group_count`.
///
/// There are no loops, no assignments and no access to anything but the values handed in.
/// Division by zero is a reported result (``EvalError/divisionByZero``), never a crash and never 0.
public indirect enum Expr: Sendable, Equatable {
    case number(Fixed)
    case name(String, position: Int)
    case slot(Int, name: String)
    case negate(Expr)
    case not(Expr)
    case binary(BinaryOp, Expr, Expr, position: Int)
    case call(Function, [Expr], position: Int)

    public enum BinaryOp: String, Sendable {
        case add = "+", sub = "-", mul = "*", div = "/"
        case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
        case and = "and", or = "or"

        /// The operator in an explanation a person reads: × ÷ ≤ ≥ ≠, 且, 或.
        var spoken: String {
            switch self {
            case .mul: "×"
            case .div: "÷"
            case .le: "≤"
            case .ge: "≥"
            case .eq: "="
            case .ne: "≠"
            case .and: "且"
            case .or: "或"
            default: rawValue
            }
        }

        /// Binding strength: `or` < `and` < comparisons < `+ -` < `× ÷`.
        var precedence: Int {
            switch self {
            case .or: 1
            case .and: 2
            case .lt, .le, .gt, .ge, .eq, .ne: 3
            case .add, .sub: 4
            case .mul, .div: 5
            }
        }
    }

    public enum Function: String, Sendable, CaseIterable {
        case min, max, clamp, `if`, abs, floor, round
        case groupSum = "group_sum", groupAvg = "group_avg", groupCount = "group_count"
        /// the lowest and highest value in the group (R-004-01: one store indicator missed anywhere
        /// in the department zeroes everyone's bonus — `group_max(refund_rate) <= target`)
        case groupMin = "group_min", groupMax = "group_max"

        /// Aggregates over the rows scored together (period and team), not over one row's values.
        public var isGroup: Bool {
            switch self { case .groupSum, .groupAvg, .groupCount, .groupMin, .groupMax: true; default: false }
        }

        /// The function's name in an explanation a person reads.
        public var spoken: String {
            switch self {
            case .min: return "较小值"
            case .max: return "较大值"
            case .clamp: return "限于范围"
            case .if: return "如果"
            case .abs: return "绝对值"
            case .floor: return "向下取整"
            case .round: return "四舍五入"
            case .groupSum: return "组内合计"
            case .groupAvg: return "组内平均"
            case .groupCount: return "组内人数"
            case .groupMin: return "组内最低"
            case .groupMax: return "组内最高"
            }
        }

        var arity: ClosedRange<Int> {
            switch self {
            case .min, .max: return 1...32
            case .clamp, .if: return 3...3
            case .abs, .floor: return 1...1
            case .round: return 1...2
            case .groupSum, .groupAvg, .groupMin, .groupMax: return 1...1
            case .groupCount: return 0...0
            }
        }
    }

    /// Every name the expression reads, in order of first use (group aggregates are listed as
    /// `group_sum:x` / `group_avg:x` / `group_count:`).
    public var names: [String] {
        var out: [String] = []
        func walk(_ e: Expr) {
            switch e {
            case .number: break
            case .name(let n, _), .slot(_, let n): if !out.contains(n) { out.append(n) }
            case .negate(let a), .not(let a): walk(a)
            case .binary(_, let a, let b, _): walk(a); walk(b)
            case .call(let f, let args, _):
                if f.isGroup {
                    let key = "\(f.rawValue):\(args.first.flatMap { if case .name(let n, _) = $0 { n } else { nil } } ?? "")"
                    if !out.contains(key) { out.append(key) }
                } else { args.forEach(walk) }
            }
        }
        walk(self)
        return out
    }

    /// Replaces names by slots. `resolve` gets a plain name or a `group_…:name` key and returns
    /// the slot, or nil if unknown (then ``ExpressionError`` names the position).
    public func bind(_ resolve: (String) -> Int?) throws(ExpressionError) -> Expr {
        switch self {
        case .number, .slot: return self
        case .name(let n, let p):
            guard let s = resolve(n) else { throw ExpressionError(message: "未知的指标名称 unknown name “\(n)”", position: p) }
            return .slot(s, name: n)
        case .negate(let a): return .negate(try a.bind(resolve))
        case .not(let a): return .not(try a.bind(resolve))
        case .binary(let op, let a, let b, let p): return .binary(op, try a.bind(resolve), try b.bind(resolve), position: p)
        case .call(let f, let args, let p):
            if f.isGroup {
                var metric = ""
                if let a = args.first {
                    guard case .name(let n, _) = a else {
                        throw ExpressionError(message: "\(f.rawValue) 的参数必须是指标名称 takes a metric name", position: p)
                    }
                    metric = n
                }
                let key = "\(f.rawValue):\(metric)"
                guard let s = resolve(key) else { throw ExpressionError(message: "未知的指标名称 unknown name “\(metric)”", position: p) }
                return .slot(s, name: key)
            }
            var out: [Expr] = []
            for a in args { out.append(try a.bind(resolve)) }
            return .call(f, out, position: p)
        }
    }
}

public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// 1-based character position in the formula text.
    public var position: Int
    public var description: String { "第 \(position) 个字符 (position \(position)): \(message)" }
}

/// Why an expression produced no number. The engine turns these into flags.
public enum EvalError: Error, Equatable, Sendable {
    /// R-001-12: a zero denominator is reported, not divided. `numerator`/`denominator` are the
    /// formula texts of the two sides.
    case divisionByZero(numerator: String, denominator: String)
    /// A value the expression needs was not given.
    case missing(String)
    /// The exact result is beyond the range of the numbers (±9.2 × 10¹²): reported on the sheet
    /// as a flag, never a wrapped number. The formula text of the part that overflowed.
    case overflow(String)
}

/// A number type the evaluator can work in: `Fixed` for points and metrics, `Decimal` for money.
public protocol ExprNumber: Comparable, Sendable {
    init(_ fixed: Fixed)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func divideOrNil(_ a: Self, _ b: Self) -> Self?
    /// Checked forms: nil when the exact result does not fit (`checkedQuotient` takes a non-zero divisor).
    static func checkedAdd(_ a: Self, _ b: Self) -> Self?
    static func checkedSub(_ a: Self, _ b: Self) -> Self?
    static func checkedMul(_ a: Self, _ b: Self) -> Self?
    static func checkedQuotient(_ a: Self, _ b: Self) -> Self?
    static func checkedNeg(_ a: Self) -> Self?
    var isZero: Bool { get }
    var wholeFloor: Self { get }
    func roundedTo(_ places: Int) -> Self
}

extension Fixed: ExprNumber {
    public init(_ fixed: Fixed) { self = fixed }
    public static func divideOrNil(_ a: Fixed, _ b: Fixed) -> Fixed? { divide(a, b) }
    public static func checkedAdd(_ a: Fixed, _ b: Fixed) -> Fixed? { adding(a, b) }
    public static func checkedSub(_ a: Fixed, _ b: Fixed) -> Fixed? { subtracting(a, b) }
    public static func checkedMul(_ a: Fixed, _ b: Fixed) -> Fixed? { multiplying(a, b) }
    public static func checkedQuotient(_ a: Fixed, _ b: Fixed) -> Fixed? { quotient(a, b) }
    public static func checkedNeg(_ a: Fixed) -> Fixed? { a.raw == .min ? nil : Fixed(raw: -a.raw) }
    public var isZero: Bool { raw == 0 }
    public var wholeFloor: Fixed { floored }
    public func roundedTo(_ places: Int) -> Fixed { rounded(Swift.min(Swift.max(places, 0), Fixed.digits)) }
}

extension Decimal: ExprNumber {
    public static func divideOrNil(_ a: Decimal, _ b: Decimal) -> Decimal? { b.isZero ? nil : a / b }
    // Decimal does not wrap: an overflow gives NaN
    public static func checkedAdd(_ a: Decimal, _ b: Decimal) -> Decimal? { finite(a + b) }
    public static func checkedSub(_ a: Decimal, _ b: Decimal) -> Decimal? { finite(a - b) }
    public static func checkedMul(_ a: Decimal, _ b: Decimal) -> Decimal? { finite(a * b) }
    public static func checkedQuotient(_ a: Decimal, _ b: Decimal) -> Decimal? { finite(a / b) }
    public static func checkedNeg(_ a: Decimal) -> Decimal? { finite(-a) }
    static func finite(_ d: Decimal) -> Decimal? { d.isNaN ? nil : d }
    public var wholeFloor: Decimal {
        var x = self, r = Decimal()
        NSDecimalRound(&r, &x, 0, .down)
        return r
    }
    public func roundedTo(_ places: Int) -> Decimal { rounded(places) }
}

extension Expr {
    /// Evaluates with `value(slot)` supplying inputs (nil = not given). Comparisons and logic
    /// give 1 or 0; `if` evaluates only the branch it takes, so `if(n == 0, 0, a / n)` guards.
    @inlinable
    public func evaluate<N: ExprNumber>(_ value: (Int) -> N?) throws(EvalError) -> N {
        switch self {
        case .number(let f): return N(f)
        case .name(let n, _): throw .missing(n)
        case .slot(let s, let n):
            guard let v = value(s) else { throw .missing(n) }
            return v
        case .negate(let a):
            guard let r = N.checkedNeg(try a.evaluate(value)) else { throw .overflow(text) }
            return r
        case .not(let a): return try a.evaluate(value).isZero ? N(Fixed.one) : N(Fixed.zero)
        case .binary(let op, let a, let b, _):
            switch op {
            case .and:
                if try a.evaluate(value).isZero { return N(Fixed.zero) }
                return try b.evaluate(value).isZero ? N(Fixed.zero) : N(Fixed.one)
            case .or:
                if !(try a.evaluate(value).isZero) { return N(Fixed.one) }
                return try b.evaluate(value).isZero ? N(Fixed.zero) : N(Fixed.one)
            default: break
            }
            let x = try a.evaluate(value), y = try b.evaluate(value)
            switch op {
            case .add: if let r = N.checkedAdd(x, y) { return r }; throw .overflow(text)
            case .sub: if let r = N.checkedSub(x, y) { return r }; throw .overflow(text)
            case .mul: if let r = N.checkedMul(x, y) { return r }; throw .overflow(text)
            case .div:
                if y.isZero { throw .divisionByZero(numerator: a.text, denominator: b.text) }
                if let q = N.checkedQuotient(x, y) { return q }
                throw .overflow(text)
            case .lt: return N(x < y ? Fixed.one : Fixed.zero)
            case .le: return N(x <= y ? Fixed.one : Fixed.zero)
            case .gt: return N(x > y ? Fixed.one : Fixed.zero)
            case .ge: return N(x >= y ? Fixed.one : Fixed.zero)
            case .eq: return N(x == y ? Fixed.one : Fixed.zero)
            case .ne: return N(x != y ? Fixed.one : Fixed.zero)
            case .and, .or: fatalError("handled above")
            }
        case .call(let f, let args, _):
            switch f {
            case .if:
                return try args[0].evaluate(value).isZero ? try args[2].evaluate(value) : try args[1].evaluate(value)
            case .min:
                var m = try args[0].evaluate(value)
                for a in args.dropFirst() { let v = try a.evaluate(value); if v < m { m = v } }
                return m
            case .max:
                var m = try args[0].evaluate(value)
                for a in args.dropFirst() { let v = try a.evaluate(value); if v > m { m = v } }
                return m
            case .clamp:
                let v = try args[0].evaluate(value), lo = try args[1].evaluate(value), hi = try args[2].evaluate(value)
                return v < lo ? lo : (v > hi ? hi : v)
            case .abs:
                let v = try args[0].evaluate(value)
                guard v < N(Fixed.zero) else { return v }
                if let r = N.checkedNeg(v) { return r }
                throw .overflow(text)
            case .floor: return try args[0].evaluate(value).wholeFloor
            case .round:
                let v = try args[0].evaluate(value)
                let p = args.count > 1 ? try args[1].evaluate(value) : N(Fixed.zero)
                var places = 0
                while N(Fixed(places)) < p && places < 6 { places += 1 }
                return v.roundedTo(places)
            case .groupSum, .groupAvg, .groupCount, .groupMin, .groupMax:
                throw .missing(f.rawValue)
            }
        }
    }

    /// The formula text of this node, for explanations.
    public var text: String {
        switch self {
        case .number(let f): return f.description
        case .name(let n, _), .slot(_, let n): return n
        case .negate(let a): return "-\(a.wrapped)"
        case .not(let a): return "not \(a.wrapped)"
        case .binary(let op, let a, let b, _): return "\(a.wrapped) \(op.rawValue) \(b.wrapped)"
        case .call(let f, let args, _): return "\(f.rawValue)(\(args.map(\.text).joined(separator: ", ")))"
        }
    }

    var wrapped: String {
        if case .binary = self { return "(\(text))" }
        return text
    }
}

/// Recursive-descent parser. Errors name the 1-based character position.
public struct ExpressionParser {
    private let chars: [Character]
    private var i = 0
    /// Nesting of brackets, calls and prefix operators; a chain `a + b + c …` deepens the tree too.
    private var depth = 0

    private mutating func enter() throws(ExpressionError) {
        depth += 1
        if depth > InputLimits.formulaDepth {
            throw ExpressionError(message: "公式嵌套过深 the formula nests more than \(InputLimits.formulaDepth) levels", position: i + 1)
        }
    }

    public static func parse(_ text: String) throws(ExpressionError) -> Expr {
        // bounded before anything is built: the tree's recursion (evaluate, text, bind) stays shallow
        // the byte count first: counting the characters of a hostile 100,000-character text is itself slow
        let bytes = text.utf8.count
        if bytes > 4 * InputLimits.formulaLength || (bytes > InputLimits.formulaLength && text.count > InputLimits.formulaLength) {
            throw ExpressionError(message: "公式过长 the formula is longer than \(InputLimits.formulaLength) characters (\(bytes) bytes)", position: InputLimits.formulaLength + 1)
        }
        var p = ExpressionParser(chars: Array(text))
        p.skipSpace()
        if p.i >= p.chars.count { throw ExpressionError(message: "公式为空 empty formula", position: 1) }
        let e = try p.parseOr()
        p.skipSpace()
        if p.i < p.chars.count {
            throw ExpressionError(message: "多余的内容 unexpected “\(p.chars[p.i])”", position: p.i + 1)
        }
        return e
    }

    private init(chars: [Character]) { self.chars = chars }

    private mutating func skipSpace() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

    private mutating func peekWord() -> String? {
        skipSpace()
        var j = i
        var w = ""
        while j < chars.count && (chars[j].isLetter || chars[j] == "_" || (j > i && chars[j].isNumber)) { w.append(chars[j]); j += 1 }
        return w.isEmpty ? nil : w
    }

    private mutating func eat(_ s: String) -> Bool {
        skipSpace()
        let cs = Array(s)
        guard i + cs.count <= chars.count, Array(chars[i..<i + cs.count]) == cs else { return false }
        if cs.first!.isLetter {
            let next = i + cs.count
            if next < chars.count && (chars[next].isLetter || chars[next].isNumber || chars[next] == "_") { return false }
        }
        i += cs.count
        return true
    }

    private mutating func parseOr() throws(ExpressionError) -> Expr {
        var l = try parseAnd()
        while true {
            let p = i + 1
            if eat("||") || eat("or") { l = .binary(.or, l, try parseAnd(), position: p) } else { return l }
        }
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expr {
        var l = try parseCmp()
        while true {
            let p = i + 1
            if eat("&&") || eat("and") { l = .binary(.and, l, try parseCmp(), position: p) } else { return l }
        }
    }

    private mutating func parseCmp() throws(ExpressionError) -> Expr {
        let l = try parseAdd()
        skipSpace()
        let p = i + 1
        for (tok, op) in [("<=", Expr.BinaryOp.le), (">=", .ge), ("==", .eq), ("!=", .ne), ("≤", .le), ("≥", .ge), ("<", .lt), (">", .gt)] {
            if eat(tok) { return .binary(op, l, try parseAdd(), position: p) }
        }
        return l
    }

    private mutating func parseAdd() throws(ExpressionError) -> Expr {
        var l = try parseMul()
        while true {
            skipSpace()
            let p = i + 1
            if eat("+") { l = .binary(.add, l, try parseMul(), position: p) }
            else if eat("-") || eat("−") { l = .binary(.sub, l, try parseMul(), position: p) }
            else { return l }
        }
    }

    private mutating func parseMul() throws(ExpressionError) -> Expr {
        var l = try parseUnary()
        while true {
            skipSpace()
            let p = i + 1
            if eat("*") || eat("×") { l = .binary(.mul, l, try parseUnary(), position: p) }
            else if eat("/") || eat("÷") { l = .binary(.div, l, try parseUnary(), position: p) }
            else { return l }
        }
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expr {
        skipSpace()
        try enter(); defer { depth -= 1 }
        if eat("-") || eat("−") { return .negate(try parseUnary()) }
        if eat("!") || eat("not") { return .not(try parseUnary()) }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expr {
        skipSpace()
        let start = i
        guard i < chars.count else { throw ExpressionError(message: "公式不完整 formula ends too early", position: i + 1) }
        let c = chars[i]
        if c == "(" {
            i += 1
            let e = try parseOr()
            guard eat(")") else { throw ExpressionError(message: "缺少右括号 missing “)”", position: i + 1) }
            return e
        }
        if c.isASCII && (c.isNumber || c == ".") {
            var s = ""
            while i < chars.count && chars[i].isASCII && (chars[i].isNumber || chars[i] == ".") { s.append(chars[i]); i += 1 }
            var isPercent = false
            if i < chars.count && chars[i] == "%" { isPercent = true; i += 1 }
            guard let v = Fixed(s) else { throw ExpressionError(message: "不是数字 not a number “\(s)”", position: start + 1) }
            return .number(isPercent ? Fixed.divide(v, Fixed.hundred)! : v)
        }
        if c.isLetter || c == "_" {
            var w = ""
            while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == ".") { w.append(chars[i]); i += 1 }
            skipSpace()
            if i < chars.count && chars[i] == "(" {
                guard let f = Expr.Function(rawValue: w) else {
                    throw ExpressionError(message: "未知的函数 unknown function “\(w)”; 可用 available: \(Expr.Function.allCases.map(\.rawValue).joined(separator: ", "))", position: start + 1)
                }
                i += 1
                var args: [Expr] = []
                skipSpace()
                if !eat(")") {
                    while true {
                        args.append(try parseOr())
                        if eat(",") || eat("，") { continue }
                        guard eat(")") else { throw ExpressionError(message: "缺少右括号 missing “)” after arguments", position: i + 1) }
                        break
                    }
                }
                guard f.arity.contains(args.count) else {
                    throw ExpressionError(message: "\(f.rawValue) 需要 \(f.arity.lowerBound == f.arity.upperBound ? "\(f.arity.lowerBound)" : "\(f.arity.lowerBound)–\(f.arity.upperBound)") 个参数 takes \(f.arity) arguments, got \(args.count)", position: start + 1)
                }
                return .call(f, args, position: start + 1)
            }
            return .name(w, position: start + 1)
        }
        throw ExpressionError(message: "意外的字符 unexpected “\(c)”", position: i + 1)
    }
}
