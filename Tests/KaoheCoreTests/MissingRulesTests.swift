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

/// R-003-10 星级话务员 in inbound-line: quarterly stars from the monthly totals (Decision: quarter
/// average ≥ 80 一星, ≥ 85 二星, ≥ 90 三星), worked by hand.
@Suite("Missing rules: 星级话务员 (R-003-10)")
struct StarOperatorTests {
    /// An inbound-line month of total 50 + completion ÷ 2: order and big-order rates at the market
    /// average (20 + 10), recording 10, responsibility 5, no late (5), completion × 50 (≤ 100 %).
    static func month(_ total: Int, _ extra: [String: String] = [:]) -> [String: String] {
        PresetInboundLineTests.month.merging([
            "completion": "\(2 * (total - 50))", "order_rate": "20", "market_order_rate": "20", "big_order_rate": "8", "market_big_order_rate": "8",
            "recording_review": "10", "responsibility": "5", "lates": "0", "bonus": "0",
        ]) { $1 }.merging(extra) { $1 }
    }

    static func months(_ from: String, _ count: Int) -> [String] {
        let start = MonthIndex(from)!
        return (0..<count).map { (start + $0).label }
    }

    let oe: OutcomeEngine
    let records: [OutcomeRecord]

    init() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("inbound-line"))
        let oe = try OutcomeEngine(engine: engine)
        var rows: [ScoringRow] = []
        var plan: [(String, String, Int, [String: String])] = []
        // A: 92 every month of 2026 and the first half of 2027, 86 in 2027 Q3, a verified complaint in October 2027
        for m in Self.months("2026-01", 18) { plan.append(("A", m, 92, [:])) }
        for m in Self.months("2027-07", 3) { plan.append(("A", m, 86, [:])) }
        plan.append(("A", "2027-10", 92, ["verified_complaints": "1"]))
        for m in ["2027-11", "2027-12"] { plan.append(("A", m, 92, [:])) }
        // B: unstarred, a verified complaint in February 2026, then 92 in Q2
        for m in Self.months("2026-01", 6) { plan.append(("B", m, 92, m == "2026-02" ? ["verified_complaints": "1"] : [:])) }
        // C: 80 in Q1 (exactly 一星's 80), 78 in Q2
        for m in Self.months("2026-01", 3) { plan.append(("C", m, 80, [:])) }
        for m in Self.months("2026-04", 3) { plan.append(("C", m, 78, [:])) }
        for (e, p, t, extra) in plan {
            rows.append(ScoringRow(employee: e, period: p, team: "T1", values: try engine.evidence(Self.month(t, extra))))
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        self.oe = oe
        records = recs
    }

    func outcomes(_ asOf: String) -> [Outcome] { oe.evaluate(records, asOf: MonthIndex(asOf)).outcomes }

    @Test("the month helper scores 50 + completion ÷ 2")
    func helper() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("inbound-line"))
        // task 84 % × 50 = 42, order 20, big order 10, recording 10, responsibility 5, attendance 5 = 92
        #expect(try engine.score(Self.month(92)).total == 92)
        #expect(try engine.score(Self.month(86)).total == 86)
        #expect(try engine.score(Self.month(78)).total == 78)
    }

    @Test("R-003-10: one star a quarter from 一星, 100 / 200 / 300 once, 三星 moves the salary a step, four quarters at 三星 another")
    func ladder() throws {
        // 2026 Q1: (92 + 92 + 92) ÷ 3 = 92 ≥ 90 meets 三星, but the first rating is 一星 → 100 yuan
        var o = outcomes("2026-03")
        #expect(o.one("A", "star_operator")?.value == .number(1))
        #expect(o.one("A", "star_operator")?.explanation.contains("每季度最多升一星，初评从一星级开始") == true)
        #expect(o.one("A", "star_operator")?.explanation.contains("R-003-10") == true)
        #expect(o.one("A", "star_operator_bonus")?.value == .money(100))
        #expect(o.one("A", "salary_step") == nil)
        // Q2: 二星 → 200
        o = outcomes("2026-06")
        #expect(o.one("A", "star_operator")?.value == .number(2))
        #expect(o.one("A", "star_operator")?.explanation.contains("由「一星级明星话务员」升一星为「二星级明星话务员」") == true)
        #expect(o.one("A", "star_operator_bonus")?.value == .money(200))
        // Q3: 三星 → 300 and one salary step
        o = outcomes("2026-09")
        #expect(o.one("A", "star_operator")?.value == .number(3))
        #expect(o.one("A", "star_operator_bonus")?.value == .money(300))
        #expect(o.one("A", "salary_step")?.value == .number(1))
        #expect(o.one("A", "salary_step")?.explanation.contains("上调一档") == true)
        // Q4: still 三星 — the title only, no one-off bonus, no step (2 quarters at 三星)
        o = outcomes("2026-12")
        #expect(o.one("A", "star_operator")?.value == .number(3))
        #expect(o.one("A", "star_operator_bonus")?.value == .money(0))
        #expect(o.one("A", "star_operator_bonus")?.explanation.contains("不再发放一次性奖励") == true)
        #expect(o.one("A", "salary_step") == nil)
        // 2027 Q1: 3 quarters at 三星, nothing more
        #expect(outcomes("2027-03").one("A", "salary_step") == nil)
        // 2027 Q2: 2026 Q3, Q4, 2027 Q1, Q2 — four quarters at 三星 → another step
        o = outcomes("2027-06")
        #expect(o.one("A", "salary_step")?.value == .number(1))
        #expect(o.one("A", "salary_step")?.explanation.contains("连续 4 个季度保持「三星级明星话务员」（2026 年第 3 季度–2027 年第 2 季度）") == true, "\(o.one("A", "salary_step")?.explanation ?? "")")
        // 2027 Q3: (86 × 3) ÷ 3 = 86, 二星's 85 but not 三星's 90 → down one star to 二星, no bonus
        o = outcomes("2027-09")
        #expect(o.one("A", "star_operator")?.value == .number(2))
        #expect(o.one("A", "star_operator")?.explanation.contains("降一星为「二星级明星话务员」") == true)
        #expect(o.one("A", "star_operator_bonus") == nil)
    }

    @Test("R-003-10: a verified complaint removes the star at once; an unstarred operator loses the quarter's eligibility")
    func veto() throws {
        // October 2027, mid-quarter: the complaint is known, 二星 is removed (一经查实则取消)
        var o = outcomes("2027-10")
        #expect(o.one("A", "star_operator")?.value == .number(0))
        #expect(o.one("A", "star_operator")?.explanation.contains("一票否决：取消「二星级明星话务员」称号") == true)
        #expect(outcomes("2027-12").one("A", "star_operator")?.value == .number(0))
        // B: no star in 2026 Q1 and a complaint in February → no rating, eligibility lost for the quarter
        o = outcomes("2026-03")
        #expect(o.one("B", "star_operator")?.value == .number(0))
        #expect(o.one("B", "star_eligible")?.value == .flag(false))
        #expect(o.one("B", "star_eligible")?.explanation.contains("2026-02（用户有理由投诉（经查实） 1）") == true, "\(o.one("B", "star_eligible")?.explanation ?? "")")
        #expect(o.one("B", "star_operator_bonus") == nil)
        // Q2 (ineligible_quarters: 1): rated again, 一星 first → 100
        o = outcomes("2026-06")
        #expect(o.one("B", "star_operator")?.value == .number(1))
        #expect(o.one("B", "star_operator_bonus")?.value == .money(100))
        #expect(o.one("B", "star_eligible") == nil)
    }

    @Test("R-003-10: exactly the minimum meets it; falling short of 一星 leaves no star; mid-quarter the last star holds")
    func shortfall() throws {
        // C, Q1: 3 × 80 = 240 = 3 × 80 → 一星, 100 yuan
        #expect(outcomes("2026-03").one("C", "star_operator_bonus")?.value == .money(100))
        // May: the quarter is not over, 一星 holds
        let may = outcomes("2026-05").one("C", "star_operator")
        #expect(may?.value == .number(1) && may?.explanation.contains("尚未结束") == true)
        // Q2: 78 average < 80 → down one star: none
        let june = outcomes("2026-06").one("C", "star_operator")
        #expect(june?.value == .number(0))
        #expect(june?.explanation.contains("降一星为普通话务员（无星级）") == true, "\(june?.explanation ?? "")")
    }

    @Test("R-003-10: the settings are checked")
    func settings() throws {
        let cases: [(String, JSONValue)] = [("keep_runs", .number(4)), ("veto", .string("verified_complaint > 0"))]
        for (key, value) in cases {
            var scheme = try Presets.scheme("inbound-line")
            let i = try #require(scheme.outcomes.firstIndex { $0.kind == "quarter_star" })
            scheme.outcomes[i].params[key] = value
            #expect(throws: SchemeProblems.self, "\(key)") { try OutcomeEngine(engine: try ScoringEngine(scheme: scheme)) }
        }
        var scheme = try Presets.scheme("inbound-line")
        let i = try #require(scheme.outcomes.firstIndex { $0.kind == "quarter_star" })
        scheme.outcomes[i].params["stars"] = .array([.object(["stars": .number(2), "label": .string("二星"), "min": .number(85)])])
        #expect(throws: SchemeProblems.self) { try OutcomeEngine(engine: try ScoringEngine(scheme: scheme)) }
    }
}

/// R-003-01 job-grade pay table in inbound-line: the figures of the seed's table, by hand.
@Suite("Missing rules: 职务等级与薪资 (R-003-01)")
struct JobGradePayTests {
    func pay(_ people: [(String, [String: String])], settings: [String: JSONValue] = [:]) throws -> [Outcome] {
        var scheme = try Presets.scheme("inbound-line")
        let i = try #require(scheme.outcomes.firstIndex { $0.kind == "pay_grades" })
        scheme.outcomes[i].params.merge(settings) { $1 }
        let engine = try ScoringEngine(scheme: scheme)
        let oe = try OutcomeEngine(engine: engine)
        let rows = try people.map { ScoringRow(employee: $0.0, period: "2026-10", team: "T1", values: try engine.evidence(StarOperatorTests.month(92, $0.1))) }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        return oe.evaluate(recs).outcomes
    }

    @Test("R-003-01: each grade's fixed pay + performance base; probation 80 % (Decision)")
    func table() throws {
        let o = try pay([("G1", ["job_grade": "1"]), ("G2", ["job_grade": "2"]), ("G3", ["job_grade": "3"]), ("G4", ["job_grade": "4"]), ("G5", ["job_grade": "5"]),
                         ("P2", ["job_grade": "2", "probation": "1"]), ("X", [:])])
        // 1580 + 420 = 2000; 1720 + 480 = 2200; 1860 + 540 = 2400; 2130 + 670 = 2800; 2380 + 820 = 3200
        for (e, total, fixed, perf) in [("G1", 2000, 1580, 420), ("G2", 2200, 1720, 480), ("G3", 2400, 1860, 540), ("G4", 2800, 2130, 670), ("G5", 3200, 2380, 820)] {
            #expect(o.one(e, "grade_pay")?.value == .number(Fixed(total)), "\(e)")
            #expect(o.one(e, "grade_pay_fixed")?.value == .number(Fixed(fixed)), "\(e)")
            #expect(o.one(e, "grade_pay_performance_base")?.value == .number(Fixed(perf)), "\(e)")
        }
        let g2 = o.one("G2", "grade_pay")?.explanation ?? ""
        #expect(g2.contains("二级（A06），固定工资 1720.00 元 + 绩效奖基数 480.00 元 = 2200.00 元") && g2.contains("R-003-01"), "\(g2)")
        // probation: 1720 × 80% = 1376, 480 × 80% = 384, 1376 + 384 = 1760 (= 2200 × 80%)
        #expect(o.one("P2", "grade_pay")?.value == .number(1760))
        #expect(o.one("P2", "grade_pay_fixed")?.value == .number(1376))
        #expect(o.one("P2", "grade_pay_performance_base")?.value == .number(384))
        #expect(o.one("P2", "grade_pay")?.explanation.contains("试用期按转正工资的 80%") == true)
        // no grade: said, no figure
        #expect(o.one("X", "grade_pay")?.value == .text("—"))
    }

    @Test("R-003-01: probation one grade lower (grade_below); 一级 has none below and takes 80 %")
    func gradeBelow() throws {
        let o = try pay([("P3", ["job_grade": "3", "probation": "1"]), ("P1", ["job_grade": "1", "probation": "1"])],
                        settings: ["probation_pay": .string("grade_below")])
        // 三级 in probation is paid as 二级: 1720 + 480 = 2200
        #expect(o.one("P3", "grade_pay")?.value == .number(2200))
        #expect(o.one("P3", "grade_pay")?.explanation.contains("试用期向下套级为 二级（A06）") == true)
        // 一级: 1580 × 80% = 1264, 420 × 80% = 336 → 1600
        #expect(o.one("P1", "grade_pay")?.value == .number(1600))
        #expect(o.one("P1", "grade_pay")?.explanation.contains("已是最低一级") == true)
    }

    @Test("R-003-01: settings are checked")
    func settings() throws {
        #expect(throws: SchemeProblems.self) { try pay([], settings: ["probation_pay": .string("lower")]) }
        #expect(throws: SchemeProblems.self) { try pay([], settings: ["probation_rates": .number(Fixed("0.8")!)]) }
        #expect(throws: SchemeProblems.self) {
            try pay([], settings: ["grades": .array([.object(["grade": .number(1), "label": .string("一级"), "fixd": .number(1580), "performance": .number(420)])])])
        }
    }
}

/// R-003-30 年度优秀员工 in collection-stars: the most monthly 五星 of the year, by hand.
@Suite("Missing rules: 年度优秀员工 (R-003-30)")
struct AnnualExcellentTests {
    static let five = ["collection_rate": "115", "complaints": "0", "duties_done": "1", "performance_pay": "1000"]   // ≥ 110 %, no complaint, duties done → 五星
    static let three = ["collection_rate": "100", "complaints": "0", "duties_done": "1", "performance_pay": "1000"]  // target met → 三星

    func outcomes(_ fives: [String: Set<Int>], asOf: String, settings: [String: JSONValue] = [:]) throws -> [Outcome] {
        var scheme = try Presets.scheme("collection-stars")
        let i = try #require(scheme.outcomes.firstIndex { $0.kind == "most_in_year" })
        scheme.outcomes[i].params.merge(settings) { $1 }
        let engine = try ScoringEngine(scheme: scheme)
        let oe = try OutcomeEngine(engine: engine)
        var rows: [ScoringRow] = []
        for (e, months) in fives.sorted(by: { $0.key < $1.key }) {
            for m in 1...12 {
                let period = MonthIndex(year: 2026, month: m).label
                rows.append(ScoringRow(employee: e, period: period, team: "T1", values: try engine.evidence(months.contains(m) ? Self.five : Self.three)))
            }
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        return oe.evaluate(recs, asOf: MonthIndex(asOf)).outcomes
    }

    // A: 五星 in January–April (4); B: January, May, June, July (4); C: three months
    static let year: [String: Set<Int>] = ["A": [1, 2, 3, 4], "B": [1, 5, 6, 7], "C": [8, 9, 10]]

    @Test("R-003-30: in December the most monthly 五星 of the year (4, A and B tied) get 年度优秀员工 with pay-rise priority")
    func december() throws {
        let o = try outcomes(Self.year, asOf: "2026-12")
        #expect(o.one("A", "annual_title")?.value == .text("年度优秀员工"))
        #expect(o.one("B", "annual_title")?.value == .text("年度优秀员工"))
        #expect(o.one("C", "annual_title") == nil)
        let why = o.one("A", "annual_title")?.explanation ?? ""
        #expect(why.contains("累计获得月五星级员工 4 次") && why.contains("与 B 并列") && why.contains("享受加薪优先权") && why.contains("R-003-30"), "\(why)")
        #expect(o.one("A", "annual_title_count")?.value == .number(4))
        #expect(o.one("C", "annual_title_count")?.value == .number(3))
        #expect(o.one("B", "annual_title_count")?.explanation.contains("2026-01、2026-05、2026-06、2026-07") == true)
    }

    @Test("R-003-30: before December only the count; ties: none gives the title to nobody; a year without 五星 none")
    func beforeDecemberAndTies() throws {
        let june = try outcomes(Self.year, asOf: "2026-06")
        #expect(june.filter { $0.kind == "annual_title" }.isEmpty)
        #expect(june.one("A", "annual_title_count")?.value == .number(4))
        #expect(june.one("B", "annual_title_count")?.value == .number(3))   // January, May, June
        let none = try outcomes(Self.year, asOf: "2026-12", settings: ["ties": .string("none")])
        #expect(none.one("A", "annual_title")?.value == .text("—"))
        #expect(none.one("A", "annual_title")?.explanation.contains("并列") == true)
        let nobody = try outcomes(["A": [], "B": []], asOf: "2026-12")
        #expect(nobody.filter { $0.kind == "annual_title" }.isEmpty)
        #expect(throws: SchemeProblems.self) { try outcomes([:], asOf: "2026-12", settings: ["tie": .string("all")]) }
    }
}

/// R-004-02 bonus pool by rank shares in after-sales (Decision: 40 % / 30 % / 20 %, the rest 10 %
/// in equal parts, ranked by the order total), every fen by hand.
@Suite("Missing rules: 奖金池按名次分配 (R-004-02)")
struct BonusPoolTests {
    /// `people`: employee and order total; the pool is the department's `bonus_pool`.
    func split(_ people: [(String, String)], pool: String = "1000", settings: [String: JSONValue] = [:]) throws -> (outcomes: [Outcome], teams: [TeamOutcome]) {
        var scheme = try Presets.scheme("after-sales")
        let i = try #require(scheme.outcomes.firstIndex { $0.kind == "bonus_pool" })
        scheme.outcomes[i].params.merge(settings) { $1 }
        let engine = try ScoringEngine(scheme: scheme)
        let oe = try OutcomeEngine(engine: engine)
        var rows: [ScoringRow] = []
        for (e, total) in people {
            let v = PresetAfterSalesTests.met.merging(["order_total": total, "bonus_pool": pool]) { $1 }
            rows.append(ScoringRow(employee: e, period: "2026-10", team: "D1", values: try engine.evidence(v)))
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        return oe.evaluate(recs)
    }

    func share(_ o: [Outcome], _ e: String) -> OutcomeValue? { o.one(e, "pool_share")?.value }

    @Test("R-004-02: 1000 yuan, five people: 400, 300, 200, and the rest's 100 in two equal parts of 50")
    func fivePeople() throws {
        let (o, t) = try split([("A", "500000"), ("B", "400000"), ("C", "300000"), ("D", "200000"), ("E", "100000")])
        #expect(share(o, "A") == .money(400) && share(o, "B") == .money(300) && share(o, "C") == .money(200))
        #expect(share(o, "D") == .money(50) && share(o, "E") == .money(50))
        let a = o.one("A", "pool_share")?.explanation ?? ""
        #expect(a.contains("名次 1 份额 40%：1000.00 × 40% = 400.00 元") && a.contains("R-004-02"), "\(a)")
        #expect(o.one("D", "pool_share")?.explanation.contains("名次 4 起其余 2 人平分 10%，每人 10% ÷ 2 = 5%") == true)
        #expect(t.first { $0.kind == "bonus_pool" }?.explanation.contains("已分 1000.00 元") == true)
    }

    @Test("R-004-02: the rest's 100 ÷ 3 = 33.33 each; the 0.01 left over goes to the first place, and is said")
    func remainderToTheFirst() throws {
        let (o, t) = try split([("A", "600000"), ("B", "500000"), ("C", "400000"), ("D", "300000"), ("E", "200000"), ("F", "100000")])
        // 400 + 300 + 200 + 3 × 33.33 = 999.99; 1000 − 999.99 = 0.01 → A 400.01
        #expect(share(o, "A") == .money(Decimal(string: "400.01")!))
        #expect(share(o, "B") == .money(300) && share(o, "C") == .money(200))
        for e in ["D", "E", "F"] { #expect(share(o, e) == .money(Decimal(string: "33.33")!), "\(e)") }
        let a = o.one("A", "pool_share")?.explanation ?? ""
        #expect(a.contains("另得分以下余数 0.01 元") && a.contains("合计 400.01 元"), "\(a)")
        #expect(o.one("D", "pool_share")?.explanation.contains("= 33.33 元（分以下舍去）") == true)
        let team = t.first { $0.kind == "bonus_pool" }?.explanation ?? ""
        #expect(team.contains("各份取至分后余 0.01 元，按名次先后每人 0.01 元给 A（第 1 名）") && team.contains("已分 1000.00 元"), "\(team)")
        // remainder: kept — A 400.00 and the 0.01 stays in the pool
        let (k, kt) = try split([("A", "600000"), ("B", "500000"), ("C", "400000"), ("D", "300000"), ("E", "200000"), ("F", "100000")],
                                settings: ["remainder": .string("kept")])
        #expect(share(k, "A") == .money(400))
        #expect(kt.first { $0.kind == "bonus_pool" }?.explanation.contains("留在奖金池（remainder: kept）") == true)
    }

    @Test("R-004-02: 1000 ÷ 3 among three equal shares = 333.33 each, 0.01 to the first (by 工号 when all tie)")
    func equalThirds() throws {
        let (o, _) = try split([("A", "100000"), ("B", "100000"), ("C", "100000")], settings: ["shares": .array([]), "rest": .number(1)])
        // all tied: each (100% ÷ 3) × 1000 = 333.333… → 333.33; 1000 − 999.99 = 0.01 to A (first by 工号)
        #expect(share(o, "A") == .money(Decimal(string: "333.34")!))
        #expect(share(o, "B") == .money(Decimal(string: "333.33")!) && share(o, "C") == .money(Decimal(string: "333.33")!))
    }

    @Test("R-004-02: tied second places share the second and third shares; fewer people than shares keep the rest in the pool")
    func tiesAndFewPeople() throws {
        let (o, _) = try split([("A", "500000"), ("B", "400000"), ("C", "400000"), ("D", "200000"), ("E", "100000")])
        // B and C: (30% + 20%) ÷ 2 = 25% → 250 each; D and E: 10% ÷ 2 = 5% → 50 each
        #expect(share(o, "B") == .money(250) && share(o, "C") == .money(250))
        #expect(share(o, "D") == .money(50) && share(o, "A") == .money(400))
        #expect(o.one("B", "pool_share")?.explanation.contains("与 C 并列，共分名次 2–3 的份额 50% ÷ 2 = 25%") == true, "\(o.one("B", "pool_share")?.explanation ?? "")")
        // two people: 400 and 300; the third place's 20% and the rest's 10% (300) stay in the pool
        let (two, t) = try split([("A", "500000"), ("B", "400000")])
        #expect(share(two, "A") == .money(400) && share(two, "B") == .money(300))
        #expect(t.first { $0.kind == "bonus_pool" }?.explanation.contains("未分配的份额 300.00 元留在奖金池") == true)
        // a pool of 0 (the month has none) is not split: no outcome
        let (zero, zt) = try split([("A", "500000")], pool: "0")
        #expect(share(zero, "A") == nil)
        #expect(zt.isEmpty)
    }

    @Test("R-004-02: shares must add up to 1, and settings are checked")
    func settings() throws {
        #expect(throws: SchemeProblems.self) { try split([], settings: ["rest": .number(Fixed("0.2")!)]) }
        #expect(throws: SchemeProblems.self) { try split([], settings: ["remainder": .string("last")]) }
        #expect(throws: SchemeProblems.self) { try split([], settings: ["pools": .number(1000)]) }
        #expect(throws: SchemeProblems.self) { try split([], settings: ["pool": .number(Fixed("10.005")!)]) }
    }
}
