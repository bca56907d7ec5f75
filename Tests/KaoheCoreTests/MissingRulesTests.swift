import Foundation
import Testing
@testable import KaoheCore

/// Rules that were notes only (issue 18, missing rules): probation months (R-001-19, R-002-30).
/// Every expected figure is worked out by hand from the seed text in the comments.
@Suite("Missing rules: probation months")
struct ProbationMonthsTests {
    @Test("R-001-19 「转正后」: probation months are not counted and a run starts again after them")
    func probationMonthsDoNotCount() throws {
        let t = try PresetsEcommerceTests()
        // net sales 150,000 − 0 < 200,000 in every weak month; the perfect month nets 250,000 − 5,000 = 245,000
        let weak = ["sales_amount": "150000", "refund_amount": "0"]
        let probation = weak.merging(["probation": "1"]) { $1 }
        let o = try t.history([
            // A: June and July in probation, August and September weak, October good: only two counted months → no flag
            // (counting the probation months it would be June–September, four in a row)
            ("A", "2026-06", probation), ("A", "2026-07", probation), ("A", "2026-08", weak), ("A", "2026-09", weak), ("A", "2026-10", [:]),
            // B: July in probation, then August, September, October weak: three months after 转正 → flagged
            ("B", "2026-07", probation), ("B", "2026-08", weak), ("B", "2026-09", weak), ("B", "2026-10", weak),
        ]).outcomes
        #expect(o.first { $0.employeeId == "A" && $0.kind == "sales_not_up_to_standard" } == nil)
        let b = o.first { $0.employeeId == "B" && $0.kind == "sales_not_up_to_standard" }
        #expect(b?.value == .flag(true))
        let why = b?.explanation ?? ""
        #expect(why.contains("连续 3 个月（2026-08、2026-09、2026-10）"), "\(why)")
        #expect(why.contains("2026-07 满足「probation == 1」，不计入"), "\(why)")
        #expect(why.contains("R-001-19"))
    }

    /// company-monthly months: 86.9 each (see PresetCompanyMonthlyTests.month) + 1 per contribution (R-002-33).
    func company(_ rows: [(String, String, String, [String: String])]) throws -> [Outcome] {
        let engine = try ScoringEngine(scheme: try Presets.scheme("company-monthly"))
        let oe = try OutcomeEngine(engine: engine)
        var scored: [ScoringRow] = []
        for (e, p, team, v) in rows {
            let values = PresetCompanyMonthlyTests.month.merging(["is_manager": "0"]) { $1 }.merging(v) { $1 }
            scored.append(ScoringRow(employee: e, period: p, team: team, values: try engine.evidence(values)))
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(scored) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        return oe.evaluate(recs).outcomes
    }

    @Test("R-002-30: probationers are 未考核 — not in the year's result, the manager's department result or the promotion ranking")
    func probationersAreNotAssessed() throws {
        var rows: [(String, String, String, [String: String])] = []
        for m in ["2026-02", "2026-03"] {
            rows.append(("M", m, "D1", ["contributions": "3", "is_manager": "1"]))   // 89.9
            rows.append(("S1", m, "D1", ["contributions": "0"]))                      // 86.9
            rows.append(("S2", m, "D1", ["contributions": "1"]))                      // 87.9
            rows.append(("P", m, "D1", ["contributions": "8", "probation": "1"]))     // 94.9, in probation both months
        }
        rows.append(("Q", "2026-02", "D2", ["contributions": "8", "probation": "1"]))  // 94.9 in probation
        rows.append(("Q", "2026-03", "D2", ["contributions": "0"]))                    // 86.9 after 转正
        let o = try company(rows)
        // P: listed as 未考核 with the reason, and no other outcome
        let p = o.one("P", "not_assessed")
        #expect(p?.value == .text("未考核"))
        #expect(p?.explanation.contains("试用期未满三个月") == true && p?.explanation.contains("R-002-30") == true, "\(p?.explanation ?? "")")
        #expect(o.filter { $0.employeeId == "P" }.map(\.kind) == ["not_assessed"])
        // M's department result: S1 and S2 only, (86.9 + 87.9) ÷ 2 = 87.4 (with P it would be 269.7 ÷ 3 = 89.9);
        // 0.6 × 87.4 + 0.4 × 89.9 = 52.44 + 35.96 = 88.4
        let m = o.one("M", "manager_result")
        #expect(m?.value == .number(Fixed("88.4")!))
        #expect(m?.explanation.contains("所辖 2 人平均总分，不含本人）87.4 × 60%") == true, "\(m?.explanation ?? "")")
        // Q's year: February (probation) is left out, the annual result is March's 86.9 (not (94.9 + 86.9) ÷ 2 = 90.9)
        #expect(o.one("Q", "annual_result")?.value == .number(Fixed("86.9")!))
        #expect(o.one("Q", "not_assessed") == nil)
        // promotion review, February: M 89.9 (1st), S2 87.9 (2nd), S1 86.9 (3rd) — P and Q not ranked;
        // March: M 1st, S2 2nd, S1 and Q 86.9 3rd together → S1 top three twice, 12 months in post → eligible
        #expect(o.one("S1", "promotion_eligible")?.value == .flag(true))
        #expect(o.one("Q", "promotion_eligible")?.value == .flag(false))   // not ranked in February
    }

    @Test("exclude_months and not_assessed are checked like every setting")
    func settingsAreChecked() throws {
        var scheme = try Presets.scheme("company-monthly")
        let i = try #require(scheme.outcomes.firstIndex { $0.kind == "not_assessed" })
        scheme.outcomes[i].params["reasn"] = .string("x")
        #expect(throws: SchemeProblems.self) { try OutcomeEngine(engine: try ScoringEngine(scheme: scheme)) }
        var s2 = try Presets.scheme("company-monthly")
        s2.outcomes[0].params["exclude_months"] = .string("probaton == 1")
        #expect(throws: SchemeProblems.self) { try OutcomeEngine(engine: try ScoringEngine(scheme: s2)) }
    }
}
