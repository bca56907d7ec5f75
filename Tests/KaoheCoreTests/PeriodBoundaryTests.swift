import Foundation
import Testing
@testable import KaoheCore

/// R-002-31: a company whose month runs from the 25th: dated evidence lands in the right period.
@Suite("R-002-31: month boundaries from the scheme")
struct PeriodBoundaryTests {
    static let scheme = """
    id: m25
    name: 25日起算
    month_start_day: 25
    sections:
      - id: s
        label: 工作业绩
        max: 100
        items: [{id: work, label: 业绩, kind: manual, max: 100, rule: R-002-31}]
    """

    func engine(_ text: String = scheme) throws -> ScoringEngine { try ScoringEngine(scheme: try yamlScheme(text)) }

    func read(_ csv: String) throws(InputError) -> [ScoringRow] {
        try EvidenceCSV.read(Data(csv.utf8), file: "dated.csv", engine: try! engine())
    }

    @Test func datesArePlacedByTheSchemesMonthStart() throws {
        let rows = try read("employee_id,date,work\nA,2026-01-24,80\nB,2026-01-25,90\nC,2026-12-31,70\nD,2024-02-29,60\n")
        #expect(rows.map { $0.period } == ["2026-01", "2026-02", "2027-01", "2024-03"])
    }

    @Test func anImpossibleDateNamesRowAndColumn() {
        #expect { try read("employee_id,date,work\nA,2026-02-30,80\n") } throws: { e in
            let e = e as? InputError
            return e?.row == 2 && e?.column == "date" && e?.message.contains("2026-02-30") == true
        }
    }

    @Test func aDateOutsideTheStatedPeriodIsRejected() {
        // 25 Jan belongs to the period 2026-02, not 2026-01
        #expect { try read("employee_id,period,date,work\nA,2026-01,2026-01-25,80\n") } throws: { e in
            let e = e as? InputError
            return e?.row == 2 && e?.column == "date" && e?.message.contains("2026-02") == true
        }
        #expect((try? read("employee_id,period,date,work\nA,2026-02,2026-01-25,80\n"))?.first?.period == "2026-02")
    }

    @Test func twoDatesInOnePeriodAreADuplicate() {
        #expect { try read("employee_id,date,work\nA,2026-01-25,80\nA,2026-02-10,70\n") } throws: { e in
            (e as? InputError)?.message.contains("重复") == true
        }
    }

    @Test func theStartDayIsValidated() throws {
        let bad = Self.scheme.replacingOccurrences(of: "month_start_day: 25", with: "month_start_day: 31")
        let problems = SchemeValidator.validate(try yamlScheme(bad))
        #expect(problems.contains { $0.severity == .error && $0.path == "month_start_day" })
    }
}

/// The periods a request or a file may name (`Period.isValid`), as the API's schema states them
/// (OpenAPIContract.periodPattern): digits only, no sign or space that `Int` would take.
@Suite("Period names")
struct PeriodNameTests {
    @Test("a year, or a month, quarter, half or week of it; nothing else")
    func periodNames() {
        for ok in ["2026", "2026-10", "2026-01", "2026-Q4", "2026-H2", "2026-W1", "2026-W53", "1900-12", "2999-Q1"] {
            #expect(Period.isValid(ok), "\(ok)")
        }
        for bad in ["2026-Q+1", "2026-H+2", "2026-W+7", "2026-+1", "+202-10", "2026-1", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-W54",
                    "2026-W001", "1899-10", "3000-01", "2026-10-01", "2026-", "", "２０２６-10", "2026-Q 1", "2026-W"] {
            #expect(!Period.isValid(bad), "\(bad)")
        }
    }
}
