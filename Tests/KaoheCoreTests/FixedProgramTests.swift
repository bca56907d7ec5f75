import Testing
@testable import KaoheCore

/// The compiled program must agree with the expression tree on every value and every error.
@Suite("Compiled expressions agree with the tree evaluator")
struct FixedProgramTests {
    static let formulas = [
        "a + b * c", "(a + b) * c", "a - b - c", "-a * 3 + b / 4", "a / b * 100",
        "a > b and b >= c", "a < b or not (c == 1)", "a != b and !(c)", "not a",
        "min(a, b, c)", "max(a, b, 9)", "clamp(a, 0, 12)", "abs(a - b)", "floor(a / 3)", "round(a / 7, 2)", "round(a / 7)",
        "if(b == 0, 0, a / b)", "if(a > b, a, b) * 2", "a == 0 or b / a > 1", "a != 0 and b / a > 1",
        "clamp(10 - a / 10, 0, 8)", "round(a * 1.005, c)", "min(a) + max(b)", "a and b or c",
    ]
    static let values: [Fixed?] = [0, 1, -1, 2, Fixed("2.5")!, 7, 12, 100, Fixed("-0.001")!, nil]

    func bind(_ text: String) throws -> Expr {
        try ExpressionParser.parse(text).bind { ["a", "b", "c"].firstIndex(of: $0) }
    }

    @Test(arguments: formulas)
    func sameResultsAndErrors(text: String) throws {
        let e = try bind(text)
        let p = FixedProgram(e)
        var checked = 0
        for a in Self.values { for b in Self.values { for c in Self.values.prefix(4) {
            let vals = [a, b, c]
            let tree: Result<Fixed, EvalError> = Result { () throws(EvalError) -> Fixed in try e.evaluate { (i: Int) -> Fixed? in vals[i] } }
            let prog: Result<Fixed, EvalError> = Result { () throws(EvalError) -> Fixed in try p.evaluate { (i: Int) -> Fixed? in vals[i] } }
            switch (tree, prog) {
            case (.success(let x), .success(let y)): #expect(x == y, "\(text) at a=\(String(describing: a)) b=\(String(describing: b)) c=\(String(describing: c))")
            case (.failure(let x), .failure(let y)): #expect("\(x)" == "\(y)", "\(text)")
            default: Issue.record("\(text): tree \(tree) program \(prog) at \(vals)")
            }
            checked += 1
        } } }
        #expect(checked == 400)
    }

    @Test func programRunsWithoutTheTreeForPlainArithmetic() throws {
        let p = FixedProgram(try bind("a / b * 100"))
        #expect(p.run { [Fixed(18), Fixed(60)][$0] } == 30)
        // a zero denominator or a missing value leaves the decision to the tree (which reports it)
        #expect(p.run { [Fixed(18), Fixed(0)][$0] } == nil)
        #expect(p.run { [Fixed(18), nil][$0] } == nil)
        #expect(throws: EvalError.self) { try p.evaluate { [Fixed(18), Fixed(0)][$0] } }
    }
}
