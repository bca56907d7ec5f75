import Testing
@testable import KaoheCore

@Suite("Fixed-point numbers")
struct FixedTests {
    @Test func parsesDecimalTextExactly() {
        #expect(Fixed("0.3")!.raw == 300_000)
        #expect(Fixed("-12.5")!.raw == -12_500_000)
        #expect(Fixed("35%") == Fixed(35))
        #expect(Fixed("1,234.5") == Fixed("1234.5"))
        #expect(Fixed("1e3") == Fixed(1000))
        #expect(Fixed("2.5e-1") == Fixed("0.25"))
        #expect(Fixed(" 7 ") == Fixed(7))
    }

    @Test func rejectsNonNumbers() {
        for bad in ["", "abc", "1.2.3", "--1", "1e", "12a", "%", "１２"] { #expect(Fixed(bad) == nil, "\(bad)") }
    }

    @Test func arithmeticIsExactForDecimals() {
        #expect(Fixed("0.1")! + Fixed("0.2")! == Fixed("0.3")!)
        // 18 / 60 × 100 is exactly the band boundary 30 (R-001-10 depends on this)
        #expect(Fixed.divide(Fixed(18), Fixed(60))! * Fixed(100) == Fixed(30))
        #expect(Fixed("2.5")! * Fixed("0.3")! == Fixed("0.75")!)
    }

    @Test func divisionRoundsHalfAwayFromZeroAtSixDecimals() {
        #expect(Fixed.divide(Fixed(2), Fixed(3))! == Fixed("0.666667")!)
        #expect(Fixed.divide(Fixed(-2), Fixed(3))! == Fixed("-0.666667")!)
        #expect(Fixed.divide(Fixed(1), Fixed(0)) == nil)
    }

    @Test func displayRoundsHalfUpToTwoDecimals() {
        #expect(Fixed("2.345")!.format() == "2.35")
        #expect(Fixed("2.344999")!.format() == "2.34")
        #expect(Fixed("-2.345")!.format() == "-2.35")
        #expect(Fixed("30")!.format() == "30")
        #expect(Fixed("7.50")!.format() == "7.5")
        #expect(Fixed("0.005")!.format() == "0.01")
    }

    @Test func flooring() {
        #expect(Fixed("2.5")!.floored == Fixed(2))
        #expect(Fixed("-2.5")!.floored == Fixed(-3))
        #expect(Fixed(4).floored == Fixed(4))
    }

    @Test func moneyTextHasTwoDecimals() {
        #expect(Fixed("370.3703")!.decimal.yuan == "370.37")
        #expect(Fixed("-100")!.decimal.yuan == "-100.00")
        #expect(Fixed("0.125")!.decimal.yuan == "0.13")
    }
}
