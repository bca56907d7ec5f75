import Foundation
import Testing
@testable import KaoheCore

/// Builds scored histories for the outcome fixtures and evaluates the policies.
struct History {
    let engine: ScoringEngine
    let outcomes: OutcomeEngine
    var rows: [ScoringRow] = []

    init(_ fixture: String) throws {
        engine = try fixtureEngine(fixture)
        outcomes = try OutcomeEngine(engine: engine)
    }

    /// A fixture with the first outcome policy's settings changed (`quota_compare: strict` …).
    init(_ fixture: String, policy settings: [String: JSONValue]) throws {
        var scheme = try fixtureScheme(fixture)
        scheme.outcomes[0].params.merge(settings) { $1 }
        engine = try ScoringEngine(scheme: scheme)
        outcomes = try OutcomeEngine(engine: engine)
    }

    /// Adds a month for an employee of the outcomes fixture with the given total (bonus above 100).
    mutating func add(_ e: String, _ period: String, total: Fixed, team: String? = nil, _ extra: [String: String] = [:]) throws {
        var v = extra
        let regular = Swift.min(total, 100)
        let work = Swift.min(regular, 60)
        v["work_mark"] = work.description
        v["attitude_mark"] = (regular - work).description
        if total > 100 { v["bonus"] = (total - 100).description }
        rows.append(ScoringRow(employee: e, period: period, team: team, values: try engine.evidence(v)))
    }

    /// Adds a month for the stars fixture: every section at `total` percent.
    mutating func addStars(_ e: String, _ period: String, total: Fixed, team: String = "T1", _ extra: [String: String] = [:]) throws {
        var v = extra
        v["business_mark"] = (total * Fixed("0.4")!).description
        v["efficiency_mark"] = (total * Fixed("0.3")!).description
        v["attitude_mark"] = (total * Fixed("0.3")!).description
        rows.append(ScoringRow(employee: e, period: period, team: team, values: try engine.evidence(v)))
    }

    func evaluate(asOf: String? = nil) -> (outcomes: [Outcome], teams: [TeamOutcome]) {
        var records: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, values in if let rec = outcomes.record(r, values: values) { records.append(rec) } }
        return outcomes.evaluate(records, asOf: asOf.flatMap(MonthIndex.init))
    }
}

extension Array where Element == Outcome {
    func of(_ e: String, _ kind: String) -> [Outcome] { filter { $0.employeeId == e && $0.kind == kind } }
    func one(_ e: String, _ kind: String) -> Outcome? { let x = of(e, kind); return x.count == 1 ? x[0] : nil }
}

@Suite("Outcomes over time")
struct OutcomeTests {
    // MARK: ranking

    @Test("R-000-12: ties share a rank; first +100, last −100; bottom two rectify within 7 days")
    func monthlyRanking() throws {
        var h = try History("outcomes.yaml")
        for (e, t) in [("A", 90), ("B", 85), ("C", 85), ("D", 60)] { try h.add(e, "2026-03", total: Fixed(t)) }
        let o = h.evaluate().outcomes
        #expect(o.one("A", "rank")?.value == .text("1/4"))
        #expect(o.one("B", "rank")?.value == .text("2/4"))
        #expect(o.one("C", "rank")?.value == .text("2/4"))
        #expect(o.one("B", "rank")?.explanation.contains("并列") == true)
        #expect(o.one("D", "rank")?.value == .text("4/4"))
        let rewards = o.filter { $0.kind == "rank_reward" && $0.rules == ["R-000-12"] }
        #expect(rewards.map(\.employeeId).sorted() == ["A", "D"])
        #expect(o.first { $0.employeeId == "A" && $0.kind == "rank_reward" }?.value == .money(100))
        #expect(o.first { $0.employeeId == "D" && $0.kind == "rank_reward" }?.value == .money(-100))
        // bottom two: D (4th) and the tied pair B, C (2nd): nobody ranks below D; one person below B and C
        #expect(Set(o.filter { $0.kind == "rectification_plan" }.map(\.employeeId)) == ["B", "C", "D"])
        #expect(o.one("D", "rectification_plan")?.explanation.contains("7 天") == true)
    }

    @Test("R-000-12: last place three months in a row flags a transfer review; a gap month does not")
    func transferReview() throws {
        var h = try History("outcomes.yaml")
        for m in ["2026-01", "2026-02", "2026-03"] {
            try h.add("A", m, total: 90)
            try h.add("D", m, total: 50)
        }
        try h.add("E", "2026-01", total: 40)  // E last in January only: D is not last in January
        let o = h.evaluate().outcomes
        #expect(o.one("D", "transfer_review") == nil)
        var h2 = try History("outcomes.yaml")
        for m in ["2026-01", "2026-02", "2026-03"] {
            try h2.add("A", m, total: 90)
            try h2.add("D", m, total: 50)
        }
        let o2 = h2.evaluate().outcomes
        #expect(o2.one("D", "transfer_review")?.value == .flag(true))
        #expect(o2.one("A", "transfer_review") == nil)
    }

    @Test("R-001-16: top net sales +500 only above the personal target")
    func topSales() throws {
        var h = try History("outcomes.yaml")
        try h.add("A", "2026-03", total: 80, ["sales": "300000", "sales_target": "250000", "conversion": "30"])
        try h.add("B", "2026-03", total: 80, ["sales": "210000", "sales_target": "200000", "conversion": "30"])
        var o = h.evaluate().outcomes.filter { $0.rules == ["R-001-16"] && $0.kind == "rank_reward" }
        #expect(o.count == 1 && o[0].employeeId == "A" && o[0].value == .money(500))
        var h2 = try History("outcomes.yaml")
        try h2.add("A", "2026-03", total: 80, ["sales": "300000", "sales_target": "350000", "conversion": "30"])
        try h2.add("B", "2026-03", total: 80, ["sales": "210000", "sales_target": "200000", "conversion": "30"])
        o = h2.evaluate().outcomes.filter { $0.rules == ["R-001-16"] && $0.kind == "rank_reward" }
        #expect(o.count == 1 && o[0].value == .money(0))
        #expect(o[0].explanation.contains("未满足条件"))
    }

    @Test("R-000-12: when the whole group ties there is no first or last place")
    func allTied() throws {
        var h = try History("outcomes.yaml")
        try h.add("A", "2026-03", total: 80)
        try h.add("B", "2026-03", total: 80)
        let o = h.evaluate().outcomes
        #expect(o.filter { $0.kind == "rank_reward" && $0.rules == ["R-000-12"] }.isEmpty)
        #expect(o.one("A", "rank")?.explanation.contains("全员并列") == true)
    }

    @Test("R-001-17: lowest sales below 200,000 −100; lowest conversion below 15% −50")
    func lowestPenalties() throws {
        var h = try History("outcomes.yaml")
        try h.add("A", "2026-03", total: 80, ["sales": "300000", "conversion": "20"])
        try h.add("B", "2026-03", total: 80, ["sales": "150000", "conversion": "14.9"])
        let o = h.evaluate().outcomes
        let salesFine = o.first { $0.employeeId == "B" && $0.kind == "rank_reward" && $0.explanation.contains("月销售额最低") }
        #expect(salesFine?.value == .money(-100))
        let convFine = o.first { $0.employeeId == "B" && $0.kind == "rank_reward" && $0.explanation.contains("转化率最低") }
        #expect(convFine?.value == .money(-50))
        // the ranking reads its measure with its unit: a rate with %, sales in yuan (issue 18, CLI contract)
        #expect(o.one("B", "conversion_rank")?.explanation.contains("转化率 14.9%，第 2 名") == true, "\(o.of("B", "conversion_rank"))")
        #expect(o.one("A", "sales_rank")?.explanation.contains("月销售额 300,000 元，第 1 名") == true, "\(o.of("A", "sales_rank"))")
        var h2 = try History("outcomes.yaml")
        try h2.add("A", "2026-03", total: 80, ["sales": "300000", "conversion": "20"])
        try h2.add("B", "2026-03", total: 80, ["sales": "200000", "conversion": "15"])
        let o2 = h2.evaluate().outcomes.filter { $0.employeeId == "B" && $0.kind == "rank_reward" && $0.rules == ["R-001-17"] }
        #expect(o2.count == 2 && o2.allSatisfy { $0.value == .money(0) })   // exactly 200,000 and exactly 15% are not “below”
    }

    // MARK: consecutive periods

    @Test("R-001-14: < 70 three months in a row or four months in the year; 70 itself passes")
    func yearEndEligibility() throws {
        var h = try History("outcomes.yaml")
        let months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
        func add(_ e: String, _ totals: [Int]) throws { for (m, t) in zip(months, totals) { try h.add(e, m, total: Fixed(t)) } }
        try add("P", [69, 70, 69, 69])          // 70 passes: longest run 2, three lows → eligible
        try add("Q", [80, 69, 69, 69])          // three in a row → ineligible
        try add("R", [65, 80, 65, 80, 65, 80, 65])   // four lows, none adjacent → ineligible by count
        try add("S", [65, 80, 65, 80, 65])      // three lows, not consecutive → eligible
        let o = h.evaluate(asOf: "2026-07").outcomes
        #expect(o.one("P", "year_end_ineligible")?.value == .flag(false))
        #expect(o.one("Q", "year_end_ineligible")?.value == .flag(true))
        #expect(o.one("Q", "year_end_ineligible")?.explanation.contains("连续 3 个月") == true)
        #expect(o.one("R", "year_end_ineligible")?.value == .flag(true))
        #expect(o.one("R", "year_end_ineligible")?.explanation.contains("4 个月") == true)
        #expect(o.one("S", "year_end_ineligible")?.value == .flag(false))
    }

    @Test("R-001-19: sales below 200,000 three months running → not up to standard")
    func notUpToStandard() throws {
        var h = try History("outcomes.yaml")
        for (m, s) in [("2026-01", "150000"), ("2026-02", "199999.99"), ("2026-03", "100000")] { try h.add("A", m, total: 80, ["sales": s]) }
        for (m, s) in [("2026-01", "150000"), ("2026-02", "200000"), ("2026-03", "100000")] { try h.add("B", m, total: 80, ["sales": s]) }
        let o = h.evaluate().outcomes
        #expect(o.one("A", "not_up_to_standard")?.value == .flag(true))
        #expect(o.one("B", "not_up_to_standard") == nil)
    }

    @Test("R-001-19: a run crosses the year end (Nov, Dec, Jan); R-001-14's per_year counts only the year evaluated")
    func runsAcrossTheYearEnd() throws {
        var h = try History("outcomes.yaml")
        for m in ["2025-11", "2025-12", "2026-01"] { try h.add("A", m, total: 65, ["sales": "150000"]) }
        let o = h.evaluate(asOf: "2026-01").outcomes
        // R-001-19 (no per_year): sales < 200,000 in 2025-11, 2025-12, 2026-01 — three months in a row
        #expect(o.one("A", "not_up_to_standard")?.value == .flag(true))
        #expect(o.one("A", "not_up_to_standard")?.explanation.contains("连续 3 个月（2025-11、2025-12、2026-01）") == true)
        // R-001-14 (per_year: 4): 2026's year-end bonus reads 2026 only — one month below 70, eligible
        #expect(o.one("A", "year_end_ineligible")?.value == .flag(false))
        #expect(o.one("A", "year_end_ineligible")?.explanation.contains("最长连续 1 个月") == true)
    }

    // MARK: levels

    @Test("R-002-26: three months ≥ 95 at a quarter end → 星级 with 100 yuan; boundaries to the better band")
    func starLevel() throws {
        var h = try History("outcomes.yaml")
        for (m, t) in [("2026-01", 96), ("2026-02", 97), ("2026-03", 95)] { try h.add("X", m, total: Fixed(t)) }
        for (m, t) in [("2026-01", 85), ("2026-02", 85), ("2026-03", 85)] { try h.add("F", m, total: Fixed(t)) }
        for m in ["2026-01", "2026-02", "2026-03"] { try h.add("G", m, total: Fixed("84.99")!) }
        let o = h.evaluate().outcomes
        #expect(o.one("X", "level")?.value == .text("星级"))
        #expect(o.one("X", "level_bonus")?.value == .money(100))
        #expect(o.one("F", "level")?.value == .text("一级"))
        #expect(o.one("F", "level_bonus")?.value == .money(60))
        #expect(o.one("G", "level")?.value == .text("二级"))
        #expect(o.one("G", "level_bonus")?.value == .money(30))
    }

    @Test("R-002-26: 星级 is rated quarterly; between quarter ends the best is 一级")
    func starLevelIsQuarterly() throws {
        var h = try History("outcomes.yaml")
        for m in ["2025-11", "2025-12", "2026-01", "2026-02"] { try h.add("Y", m, total: 96) }
        let o = h.evaluate(asOf: "2026-02").outcomes
        #expect(o.one("Y", "level")?.value == .text("一级"))
        #expect(o.one("Y", "level")?.explanation.contains("季度") == true)
    }

    @Test("R-002-21: a major complaint in the quarter vetoes the quarter's rating")
    func quarterVeto() throws {
        var h = try History("outcomes.yaml")
        try h.add("Z", "2026-01", total: 96)
        try h.add("Z", "2026-02", total: 96, ["major_events": "1"])
        try h.add("Z", "2026-03", total: 96)
        let o = h.evaluate().outcomes
        #expect(o.one("Z", "level")?.value == .text("普通"))
        #expect(o.one("Z", "level")?.explanation.contains("R-002-21") == true)
        #expect(o.one("Z", "level_bonus") == nil)
    }

    @Test("R-002-21: a major event in January vetoes January, February and March, not April")
    func quarterVetoEveryMonth() throws {
        var h = try History("outcomes.yaml")
        for m in ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"] {
            try h.add("Z", m, total: 90, m == "2026-01" ? ["major_events": "1"] : [:])
        }
        // every window is 90, 90, 90 → 一级 (≥ 85), 60 yuan; Q1 2026 has a major event in January,
        // so each month of Q1 is rated 普通 with no level bonus (R-002-21); Q2 is clean again
        for m in ["2026-01", "2026-02", "2026-03"] {
            let o = h.evaluate(asOf: m).outcomes
            #expect(o.one("Z", "level")?.value == .text("普通"), "\(m)")
            #expect(o.one("Z", "level_bonus") == nil, "\(m)")
            let why = o.one("Z", "level")?.explanation ?? ""
            #expect(why.contains("2026-01（重大投诉或差错 1）") && why.contains("R-002-21") && why.contains("一票否决"), "\(m): \(why)")
        }
        let april = h.evaluate(asOf: "2026-04").outcomes
        #expect(april.one("Z", "level")?.value == .text("一级"))          // 2026-02 … 04: 90, 90, 90
        #expect(april.one("Z", "level_bonus")?.value == .money(60))
        // December (Q4 2025: 2025-10 … 12 at 90) is not touched by January's event
        let december = h.evaluate(asOf: "2025-12").outcomes
        #expect(december.one("Z", "level")?.value == .text("一级"))
        #expect(december.one("Z", "level_bonus")?.value == .money(60))
    }

    @Test("R-002-21: an event later in the quarter vetoes the month evaluated once it is known")
    func quarterVetoLaterInTheQuarter() throws {
        var h = try History("outcomes.yaml")
        for m in ["2025-11", "2025-12", "2026-01", "2026-02"] {
            try h.add("Z", m, total: 90, m == "2026-02" ? ["major_events": "1"] : [:])
        }
        // as of January the February event is not in the history: 一级, 60 yuan
        let january = h.evaluate(asOf: "2026-01").outcomes
        #expect(january.one("Z", "level")?.value == .text("一级"))
        #expect(january.one("Z", "level_bonus")?.value == .money(60))
        // as of February the quarter (January and February) has the event: 普通, no bonus
        let february = h.evaluate(asOf: "2026-02").outcomes
        #expect(february.one("Z", "level")?.value == .text("普通"))
        #expect(february.one("Z", "level_bonus") == nil)
        #expect(february.one("Z", "level")?.explanation.contains("2026-02（重大投诉或差错 1）") == true)
    }

    @Test("R-002-26: three consecutive 二级 ratings → 普通 with a rectification deadline")
    func demotionAfterThreeSecondLevels() throws {
        var h = try History("outcomes.yaml")
        for m in ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"] { try h.add("W", m, total: 75) }
        // ratings: March 二级 (1), April 二级 (2), May 二级 (3) → 普通
        let april = h.evaluate(asOf: "2026-04").outcomes
        #expect(april.one("W", "level")?.value == .text("二级"))
        let may = h.evaluate(asOf: "2026-05").outcomes
        #expect(may.one("W", "level")?.value == .text("普通"))
        #expect(may.one("W", "rectification")?.value == .text("30 天内"))
    }

    @Test("R-002-26: justified complaint down one level; three praises up one")
    func downAndUp() throws {
        var h = try History("outcomes.yaml")
        for m in ["2026-01", "2026-02"] { try h.add("V", m, total: 90); try h.add("U", m, total: 80) }
        try h.add("V", "2026-03", total: 90, ["justified_complaints": "1"])
        try h.add("U", "2026-03", total: 80, ["praises": "3"])
        let o = h.evaluate().outcomes
        #expect(o.one("V", "level")?.value == .text("二级"))
        #expect(o.one("U", "level")?.value == .text("一级"))
    }

    @Test("R-002-10: missing mandatory training removes the year's level rating")
    func trainingMissed() throws {
        var h = try History("outcomes.yaml")
        try h.add("T", "2026-01", total: 96)
        try h.add("T", "2026-02", total: 96, ["missed_training": "1"])
        try h.add("T", "2026-03", total: 96)
        let o = h.evaluate().outcomes
        #expect(o.one("T", "level")?.value == .text("普通"))
        #expect(o.one("T", "level")?.explanation.contains("R-002-10") == true)
    }

    // MARK: composites

    @Test("R-000-05, R-000-08: year-end = 20% checks + 30% monthly + 50% year-end; above 100 → 優秀員工")
    func yearEndComposite() throws {
        var h = try History("outcomes.yaml")
        try h.add("A", "2026-01", total: 80, ["checks": "90"])
        try h.add("A", "2026-02", total: 90, ["checks": "80", "year_end": "100"])
        // 0.2 × 85 + 0.3 × 85 + 0.5 × 100 = 17 + 25.5 + 50 = 92.5
        try h.add("B", "2026-01", total: 100, ["checks": "100"])
        try h.add("B", "2026-02", total: 110, ["checks": "100", "year_end": "110"])
        // 0.2 × 100 + 0.3 × 105 + 0.5 × 110 = 20 + 31.5 + 55 = 106.5 > 100
        let o = h.evaluate().outcomes
        #expect(o.one("A", "year_end_composite")?.value == .number(Fixed("92.5")!))
        #expect(o.one("A", "excellent") == nil)
        #expect(o.one("B", "year_end_composite")?.value == .number(Fixed("106.5")!))
        #expect(o.one("B", "excellent")?.value == .text("優秀員工"))
        #expect(o.one("B", "excellent")?.rules == ["R-000-08"])
    }

    // MARK: teams

    @Test("R-002-27: 先进班组 from member conditions and average exam; 优秀班组 after three in a row")
    func teamAwards() throws {
        var h = try History("outcomes.yaml")
        let good = ["violations": "0", "justified_complaints": "0", "errors": "0"]
        for m in ["2026-01", "2026-02", "2026-03"] {
            try h.add("A1", m, total: 80, team: "T1", good.merging(["exam": "90"]) { $1 })
            try h.add("A2", m, total: 80, team: "T1", good.merging(["exam": "80"]) { $1 })   // average 85: passes
            try h.add("B1", m, total: 80, team: "T2", good.merging(["exam": "95"]) { $1 })
            try h.add("B2", m, total: 80, team: "T2", (m == "2026-03" ? ["violations": "1", "justified_complaints": "0", "errors": "0"] : good).merging(["exam": "95"]) { $1 })
            try h.add("C1", m, total: 80, team: "T3", good.merging(["exam": "84.5"]) { $1 })
        }
        let t = h.evaluate().teams
        #expect(t.first { $0.team == "T1" && $0.kind == "advanced_team" }?.value == .flag(true))
        #expect(t.first { $0.team == "T1" && $0.kind == "excellent_team" }?.value == .flag(true))
        #expect(t.first { $0.team == "T2" && $0.kind == "advanced_team" }?.value == .flag(false))
        #expect(t.first { $0.team == "T2" && $0.kind == "advanced_team" }?.explanation.contains("B2") == true)
        #expect(t.first { $0.team == "T3" && $0.kind == "advanced_team" }?.value == .flag(false))
        #expect(!t.contains { $0.team == "T2" && $0.kind == "excellent_team" })
    }

    @Test("R-002-34: top three of the 360° review twice in a row and six months in post")
    func promotion() throws {
        var h = try History("outcomes.yaml")
        let scores: [(String, [Int], Int)] = [("A", [95, 94], 12), ("B", [90, 93], 5), ("C", [88, 70], 20), ("D", [80, 92], 24), ("E", [70, 60], 30)]
        for (e, s, tenure) in scores {
            try h.add(e, "2026-01", total: 80, ["review_360": "\(s[0])", "months_in_post": "\(tenure - 1)"])
            try h.add(e, "2026-02", total: 80, ["review_360": "\(s[1])", "months_in_post": "\(tenure)"])
        }
        // Jan: A 1, B 2, C 3, D 4; Feb: A 1, B 2, D 3, C 4
        let o = h.evaluate().outcomes
        #expect(o.one("A", "promotion_eligible")?.value == .flag(true))
        #expect(o.one("B", "promotion_eligible")?.value == .flag(false))   // tenure 5 < 6
        #expect(o.one("C", "promotion_eligible")?.value == .flag(false))   // 4th in February
        #expect(o.one("D", "promotion_eligible")?.value == .flag(false))   // 4th in January
    }

    // MARK: stars and quotas

    @Test("R-003-02: a quota cuts a qualifier, who falls to the next star (quota_compare: at_most)")
    func quotaCutsAQualifier() throws {
        var h = try History("stars.yaml")
        let months = (1...9).map { String(format: "2026-%02d", $0) }
        for m in months {
            try h.addStars("S1", m, total: 95, ["errors": "0", "complaints": "0"])
            try h.addStars("S2", m, total: 93, ["errors": "0", "complaints": "0"])
            for k in 3...10 { try h.addStars("F\(k)", m, total: 61) }
        }
        // team of 10, the fixture's at_most reading: 五星 quota 10% → 1 place; 四星 20% → 2 places
        let o = h.evaluate().outcomes
        #expect(o.one("S1", "star")?.value == .number(5))
        #expect(o.one("S2", "star")?.value == .number(4))
        #expect(o.one("S2", "star")?.explanation.contains("超出名额") == true)
        #expect(o.one("S2", "star")?.explanation.contains("向下取整") == true)
        #expect(o.one("F3", "star")?.value == .number(1))
    }

    @Test("R-003-02: quotas strict as printed — a team of 10 has no 五星 place; ≤ is quota_compare: at_most")
    func strictQuotas() throws {
        var h = try History("stars.yaml", policy: ["quota_compare": .string("strict")])
        for m in (1...9).map({ String(format: "2026-%02d", $0) }) {
            try h.addStars("S1", m, total: 95, ["errors": "0", "complaints": "0"])
            try h.addStars("S2", m, total: 93, ["errors": "0", "complaints": "0"])
            for k in 3...10 { try h.addStars("F\(k)", m, total: 61) }
        }
        // team of 10 (S1, S2, F3 … F10):
        //   五星 fewer than 10 × 10% = 1 → 0 places: S1 (95 × 9 months) is cut, falls to 四星
        //   四星 fewer than 10 × 20% = 2 → 1 place: S1 (6-month average 95) takes it, S2 (93) is cut
        //   三星 fewer than 10 × 30% = 3 → 2 places: S2 (93 ≥ 70, every section 93% ≥ 75%) → 三星
        //   F3 … F10: 61 < 66 (二星) → 一星 (≥ 60, no quota)
        let o = h.evaluate().outcomes
        #expect(o.one("S1", "star")?.value == .number(4))
        #expect(o.one("S2", "star")?.value == .number(3))
        #expect(o.one("F3", "star")?.value == .number(1))
        let why = o.one("S1", "star")?.explanation ?? ""
        #expect(why.contains("符合「五星」条件但超出名额") && why.contains("10 人 × 10% = 1，人数须少于 1") && why.contains("为 0 个名额"), "\(why)")
        #expect(o.one("S2", "star")?.explanation.contains("为 1 个名额") == true)
        // the same team under at_most (the fixture's own setting): 1 五星 place, S1 五星, S2 四星
        var h2 = try History("stars.yaml")
        h2.rows = h.rows
        let o2 = h2.evaluate().outcomes
        #expect(o2.one("S1", "star")?.value == .number(5))
        #expect(o2.one("S2", "star")?.value == .number(4))
    }

    @Test("R-003-02: strict quotas of a team of 12: 10% × 12 = 1.2 → 1 五星 place")
    func strictQuotaOfAFraction() throws {
        var h = try History("stars.yaml", policy: ["quota_compare": .string("strict")])
        for m in (1...9).map({ String(format: "2026-%02d", $0) }) {
            try h.addStars("S1", m, total: 95, ["errors": "0", "complaints": "0"])
            try h.addStars("S2", m, total: 93, ["errors": "0", "complaints": "0"])
            for k in 3...12 { try h.addStars("F\(k)", m, total: 61) }
        }
        // 五星: fewer than 1.2 → 1 place (S1); 四星: fewer than 2.4 → 2 places (S2)
        let o = h.evaluate().outcomes
        #expect(o.one("S1", "star")?.value == .number(5))
        #expect(o.one("S2", "star")?.value == .number(4))
    }

    @Test func strictQuotasRefuseARoundingTheyDoNotUse() throws {
        do { _ = try History("stars.yaml", policy: ["quota_compare": .string("strict"), "quota_rounding": .string("ceil")]); Issue.record("expected an error") } catch let e as SchemeProblems {
            #expect(e.problems.map(\.path).contains("outcomes[0].quota_rounding"))
        }
        do { _ = try History("stars.yaml", policy: ["quota_compare": .string("at_mostt")]); Issue.record("expected an error") } catch let e as SchemeProblems {
            #expect(e.problems.map(\.path).contains("outcomes[0].quota_compare"))
        }
    }

    @Test("R-003-02: a tie at the quota edge takes no place (quota is a ceiling)")
    func tieAtQuotaEdge() throws {
        var h = try History("stars.yaml")
        for m in (1...9).map({ String(format: "2026-%02d", $0) }) {
            try h.addStars("S1", m, total: 95, ["errors": "0", "complaints": "0"])
            try h.addStars("S2", m, total: 95, ["errors": "0", "complaints": "0"])
            for k in 3...10 { try h.addStars("F\(k)", m, total: 61) }
        }
        let o = h.evaluate().outcomes
        #expect(o.one("S1", "star")?.value == .number(4))
        #expect(o.one("S2", "star")?.value == .number(4))
        #expect(o.one("S1", "star")?.explanation.contains("同分") == true)
    }

    @Test("R-003-02: a star kept, lost and regained")
    func keptLostRegained() throws {
        var h = try History("stars.yaml")
        let totals: [(String, Int)] = [("2026-01", 80), ("2026-02", 80), ("2026-03", 80), ("2026-04", 80), ("2026-05", 65),
                                       ("2026-06", 80), ("2026-07", 80), ("2026-08", 80)]
        for (m, t) in totals {
            try h.addStars("K", m, total: Fixed(t), ["errors": "1"])
            for k in 1...9 { try h.addStars("F\(k)", m, total: 61) }
        }
        // 三星: three months ≥ 70 with every dimension ≥ 75% (errors rule out 四星)
        #expect(h.evaluate(asOf: "2026-03").outcomes.one("K", "star")?.value == .number(3))
        #expect(h.evaluate(asOf: "2026-04").outcomes.one("K", "star")?.value == .number(3))   // kept
        let lost = h.evaluate(asOf: "2026-05").outcomes.one("K", "star")
        #expect(lost?.value == .number(1))                                                     // 65 < 66: down to 一星
        #expect(h.evaluate(asOf: "2026-07").outcomes.one("K", "star")?.value == .number(1))   // window still holds May
        #expect(h.evaluate(asOf: "2026-08").outcomes.one("K", "star")?.value == .number(3))   // regained
    }

    @Test func unknownOutcomeParameterIsAnErrorAtItsPath() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        sections:
          - {id: s, label: 维度, max: 10, items: [{id: a, label: 甲, kind: manual, max: 10, rule: R-000-12}]}
        outcomes:
          - {kind: ranking, rule: R-000-12, by: total, transfer_aftr: 3}
          - {kind: ranking, rule: R-000-12, by: nosuch}
          - {kind: fortune_telling, rule: R-000-12}
        """)
        do { _ = try OutcomeEngine(engine: try ScoringEngine(scheme: s)); Issue.record("expected errors") } catch {
            let paths = error.problems.map(\.path)
            #expect(paths.contains("outcomes[0].transfer_aftr"))
            #expect(paths.contains("outcomes[1].by"))
            #expect(paths.contains("outcomes[2].kind"))
        }
    }

    @Test("R-002-33: applies_to limits who a policy is about; include_self: true averages the whole team")
    func appliesToAndIncludeSelf() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        metrics:
          - {id: is_manager, label: 管理人员, kind: count, max: 1}
        sections:
          - {id: s, label: 维度, max: 100, items: [{id: a, label: 甲, kind: manual, max: 100, rule: R-002-33}]}
        outcomes:
          - {kind: ranking, rule: R-000-12, by: total, applies_to: "is_manager == 0"}
          - kind: composite
            rule: R-002-33
            outcome: with_self
            window: period
            applies_to: "is_manager == 1"
            components:
              - {label: 部门结果, source: group_average, include_self: true, weight: 1}
        """)
        let engine = try ScoringEngine(scheme: s)
        let oe = try OutcomeEngine(engine: engine)
        let rows = try [("M", "90", "1"), ("A", "80", "0"), ("B", "70", "0")].map { e, a, mgr in
            ScoringRow(employee: e, period: "2026-03", team: "T", values: try engine.evidence(["a": a, "is_manager": mgr]))
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let o = oe.evaluate(recs).outcomes
        // the ranking is of A and B only: A 1/2, B 2/2; M has no rank
        #expect(o.one("A", "rank")?.value == .text("1/2"))
        #expect(o.one("B", "rank")?.value == .text("2/2"))
        #expect(o.one("M", "rank") == nil)
        // M only; the team average is of everyone, M too: (90 + 80 + 70) / 3 = 80
        #expect(o.filter { $0.kind == "with_self" }.map(\.employeeId) == ["M"])
        #expect(o.one("M", "with_self")?.value == .number(80))
        #expect(o.one("M", "with_self")?.explanation.contains("所在部门/班组 3 人平均总分，含本人") == true)
    }

    @Test("issue 18: the new outcome settings are checked like the rest (a misspelling is an error at its path)")
    func newSettingsAreChecked() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        sections:
          - {id: s, label: 维度, max: 100, items: [{id: a, label: 甲, kind: manual, max: 100, rule: R-002-26}]}
        outcomes:
          - kind: level
            rule: R-002-26
            levels:
              - {label: 星级, min: 95, items_mn: 0.85}
              - {label: 一级, min: 85, items_min: 85}
              - {label: 普通}
          - kind: composite
            rule: R-002-33
            components:
              - {label: 部门结果, source: group_average, include_slf: false, weight: 0.6}
              - {label: 个人结果, source: latest, include_self: false, weight: 0.4}
          - {kind: ranking, rule: R-000-12, applies_to: "nosuch == 1"}
          - {kind: star, rule: R-003-02, quota_compare: less, stars: [{stars: 1, label: 一星, min: 60}]}
        """)
        do { _ = try OutcomeEngine(engine: try ScoringEngine(scheme: s)); Issue.record("expected errors") } catch {
            let paths = error.problems.map(\.path)
            #expect(paths.contains("outcomes[0].levels[0].items_mn"))
            #expect(paths.contains("outcomes[0].levels[1].items_min"))      // a share 0–1, not 85
            #expect(paths.contains("outcomes[1].components[0].include_slf"))
            #expect(paths.contains("outcomes[1].components[1].include_self")) // only with group_average
            #expect(paths.contains("outcomes[2].applies_to"))
            #expect(paths.contains("outcomes[3].quota_compare"))
        }
    }

    @Test("R-002-31: months from the 25th to the 24th")
    func customPeriodBoundaries() throws {
        let c = try PeriodCalendar(startDay: 25)
        #expect(c.period(year: 2026, month: 1, day: 24) == "2026-01")
        #expect(c.period(year: 2026, month: 1, day: 25) == "2026-02")
        #expect(c.period(year: 2026, month: 12, day: 25) == "2027-01")
        let r = try #require(c.range(of: "2026-03"))
        #expect(r.start == (2026, 2, 25) && r.end == (2026, 3, 24))
        let cal = try PeriodCalendar()
        #expect(cal.range(of: "2028-02")!.end == (2028, 2, 29))
        #expect(throws: InputError.self) { try PeriodCalendar(startDay: 31) }
    }
}

@Suite("Outcome conditions read the sheet's figures (issue 18, engine limits)")
struct OutcomeFigureTests {
    static let scheme = """
    id: figures
    name: 条件读取考核表得分
    period: month
    sections:
      - {id: work, label: 工作, max: 60, items: [{id: work_item, label: 工作业绩, kind: manual, max: 60}]}
      - {id: conduct, label: 态度, max: 40, items: [{id: conduct_item, label: 工作态度, kind: manual, max: 40}]}
    money:
      - {id: fines, label: 违规罚款, kind: events, offences: [{id: late, label: 迟到, amount: -50}]}
    outcomes:
      - {kind: consecutive, label: 态度不足或有罚款, condition: "item.conduct_item < 30 or money.fines < 0", run: 2, outcome: needs_coaching}
      - {kind: consecutive, label: 工作满分, condition: "section.work == 60", run: 1, outcome: full_work}
    """

    @Test("item.<id>, section.<id> and money.<id> in a condition: points and yuan off the sheet, explained by their labels")
    func figuresInConditions() throws {
        let engine = try ScoringEngine(scheme: try yamlScheme(Self.scheme))
        let oe = try OutcomeEngine(engine: engine)
        // A: 态度 28 in March (< 30), a 50-yuan fine in April (no low attitude) → two months in a row;
        // B: 态度 35 both months, no fine → never; B's work is 60 in April → full_work
        let months: [(String, String, [String: String])] = [
            ("A", "2026-03", ["work_item": "50", "conduct_item": "28"]),
            ("A", "2026-04", ["work_item": "50", "conduct_item": "36", "fines.late": "1"]),
            ("B", "2026-03", ["work_item": "55", "conduct_item": "35"]),
            ("B", "2026-04", ["work_item": "60", "conduct_item": "35"]),
        ]
        let rows = try months.map { ScoringRow(employee: $0.0, period: $0.1, team: "T", values: try engine.evidence($0.2)) }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let o = oe.evaluate(recs).outcomes
        #expect(o.one("A", "needs_coaching")?.value == .flag(true), "\(o.of("A", "needs_coaching"))")
        #expect(o.one("B", "needs_coaching").map { $0.value == .flag(false) } ?? true)
        #expect(o.one("B", "full_work")?.value == .flag(true))
        #expect(o.one("A", "full_work").map { $0.value == .flag(false) } ?? true)
        // an unknown figure is an error at its path, naming it
        let bad = Self.scheme.replacingOccurrences(of: "item.conduct_item < 30", with: "item.conduct < 30")
        #expect(throws: SchemeProblems.self) { try OutcomeEngine(engine: try ScoringEngine(scheme: try yamlScheme(bad))) }
        #expect(engine.figureNames == ["item.work_item", "item.conduct_item", "section.work", "section.conduct", "money.fines"])
    }
}
