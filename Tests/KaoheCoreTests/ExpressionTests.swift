import Testing
@testable import KaoheCore

@Suite("Expression language (R-001-12)")
struct ExpressionTests {
    func eval(_ text: String, _ vars: [String: Fixed] = [:]) throws -> Fixed {
        let names = Array(vars.keys)
        let e = try ExpressionParser.parse(text).bind { names.firstIndex(of: $0) }
        return try e.evaluate { (i: Int) -> Fixed? in vars[names[i]] }
    }

    @Test func precedenceAndParentheses() throws {
        #expect(try eval("1 + 2 * 3") == 7)
        #expect(try eval("(1 + 2) * 3") == 9)
        #expect(try eval("10 - 4 - 3") == 3)
        #expect(try eval("-2 * 3 + 10 / 4") == Fixed("-3.5")!)
        #expect(try eval("3 × 4 ÷ 2") == 6)
        #expect(try eval("35%") == Fixed("0.35")!)
    }

    @Test func formulaOfR00112() throws {
        #expect(try eval("orders / inquiries * 100", ["orders": 18, "inquiries": 60]) == 30)
        #expect(try eval("实付款总金额 / 下单数", ["实付款总金额": Fixed("1234.5")!, "下单数": 10]) == Fixed("123.45")!)
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try eval("3 > 2 and 2 >= 2") == 1)
        #expect(try eval("3 < 2 or not (1 == 1)") == 0)
        #expect(try eval("1 != 2 && !(0)") == 1)
    }

    @Test func functions() throws {
        #expect(try eval("min(4, 2, 9)") == 2)
        #expect(try eval("max(4, 2, 9)") == 9)
        #expect(try eval("clamp(15, 0, 12)") == 12)
        #expect(try eval("clamp(-1, 0, 12)") == 0)
        #expect(try eval("abs(-2.5)") == Fixed("2.5")!)
        #expect(try eval("floor(2.7)") == 2)
        #expect(try eval("round(2.345, 2)") == Fixed("2.35")!)
        #expect(try eval("if(2 > 1, 10, 20)") == 10)
    }

    @Test func divisionByZeroIsReportedNotZero() {
        #expect(throws: EvalError.divisionByZero(numerator: "orders", denominator: "inquiries")) {
            try eval("orders / inquiries", ["orders": 5, "inquiries": 0])
        }
    }

    @Test func ifEvaluatesOnlyTheChosenBranch() throws {
        #expect(try eval("if(n == 0, 0, a / n)", ["a": 5, "n": 0]) == 0)
    }

    @Test func missingValueIsReported() {
        let e = try! ExpressionParser.parse("a + b").bind { ["a", "b"].firstIndex(of: $0) }
        #expect(throws: EvalError.missing("b")) { try e.evaluate { (i: Int) -> Fixed? in i == 0 ? 1 : nil } }
    }

    @Test func parseErrorsNameThePosition() {
        func position(_ text: String) -> Int? {
            do { _ = try ExpressionParser.parse(text); return nil } catch { return error.position }
        }
        #expect(position("1 + ") == 5)
        #expect(position("(1 + 2") == 7)
        #expect(position("1 + 2)") == 6)
        #expect(position("foo(1)") == 1)
        #expect(position("clamp(1, 2)") == 1)
        #expect(position("2 $ 3") == 3)
        #expect(position("") == 1)
    }

    @Test func unknownNameIsAnErrorAtItsPosition() {
        do {
            _ = try ExpressionParser.parse("orders / inquries").bind { $0 == "orders" ? 0 : nil }
            Issue.record("expected an error")
        } catch {
            #expect(error.position == 10)
            #expect(error.message.contains("inquries"))
        }
    }

    @Test func decimalEvaluationForMoney() throws {
        let e = try ExpressionParser.parse("total * 0.3%").bind { $0 == "total" ? 0 : nil }
        let v: Decimal = try e.evaluate { _ in Decimal(string: "123456.78")! }
        #expect(v == Decimal(string: "370.37034")!)
        #expect(v.yuan == "370.37")
    }
}

import Foundation
