import Foundation
import Testing
@testable import KaoheCore

/// Seed 002 presets and the weighted template of seed 001: worked examples by hand.
@Suite("Preset star-agent: worked examples")
struct PresetStarAgentTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("star-agent")) }

    static let perfect: [String: String] = [
        "exam_score": "100", "callbacks": "10", "callback_score_total": "100", "peer_review": "2", "etiquette_item": "8", "ability_item": "10",
        "volume_rate": "100", "praise_letter": "0", "objective_reviewer": "0",
        "violations": "0", "dispatch_refusals": "0", "absences": "0", "errors": "0", "user_complaints": "0",
        "justified_complaints": "0", "praises": "0", "major_events": "0", "missed_training": "0",
    ]
    func score(_ c: [String: String]) throws -> SheetResult { try engine.score(Self.perfect.merging(c) { $1 }) }

    @Test("R-002-25: the eight bases top out at 92; the validator says so")
    func attainable92() throws {
        #expect(engine.attainableMax == 92)
        #expect(engine.problems.contains { $0.message.contains("92") && $0.rules.contains("R-002-25") })
        #expect(try score(["volume_rate": "150"]).total == 92)
        #expect(try score(["volume_rate": "150", "praise_letter.count": "1", "praise_letter": "8"]).total == 100)
    }

    @Test("R-002-24: at quota 8; +0.5 per 1% above (max 12); −0.5 per 1% below (min 5, Decision)")
    func businessVolume() throws {
        for (v, p) in [("100", "8"), ("104", "10"), ("107.5", "11.75"), ("120", "12"), ("96", "6"), ("94.5", "5.25"), ("80", "5")] {
            #expect(try score(["volume_rate": v]).item("volume_item")?.points == Fixed(p)!, "\(v)%")
        }
    }

    @Test("R-002-20: daily checks by the offence list; sick leave 0.3 a day; floored at 0")
    func dailyChecks() throws {
        let r = try score(["daily_checks.sick_leave": "2.5", "daily_checks.late_early": "1", "daily_checks.taboo": "1"])
        #expect(r.item("daily_checks")?.points == Fixed("9.25")!)  // 20 − 0.75 − 2 − 8
        #expect(try score(["daily_checks.absent": "1", "daily_checks.absent_error": "1"]).item("daily_checks")?.points == 0)
    }

    @Test("R-002-21: a justified complaint reaching the station −20; praise letter +5..8")
    func majorEvents() throws {
        #expect(try score(["major_events_deduction.complaint_to_station": "1", "volume_rate": "120"]).total == 72)
        #expect(try score(["praise_letter.count": "1", "praise_letter": "6"]).total == 94)   // 8-point volume: 88 + 6
    }

    @Test("R-002-37: the call-back survey feeds the satisfaction base — 20 calls scored 183 in all → 91.5 % → 9.15 of 10")
    func callBackSurvey() throws {
        let r = try score(["callbacks": "20", "callback_score_total": "183", "callbacks_solved": "18", "callbacks_satisfied": "15", "callbacks_charged": "3"])
        // 183 ÷ 20 × 10 = 91.5 %; × 10 points = 9.15
        #expect(r.item("satisfaction_item")?.points == Fixed("9.15")!)
        let why = try #require(r.item("satisfaction_item")?.explanation)
        #expect(why.contains("用户满意度（回访打分平均 × 10） 91.5%（= 回访服务打分合计（每户 1–10 分） 183 ÷ 回访户数 20 × 10）"), "\(why)")
        #expect(why.contains("问题解决率 90%") && why.contains("态度满意率 75%") && why.contains("回访「已收费」户数 3"), "\(why)")
        #expect(why.contains("R-002-37"))
        // no call-back made: a zero denominator for the rater to decide, never 0 points
        let none = try score(["callbacks": "0", "callback_score_total": "0"])
        #expect(none.item("satisfaction_item")?.points == nil && !none.flags("zero_denominator").isEmpty)
    }

    @Test("R-002-22a: 5 to 8 points per praise letter — two letters of 6 and 7 give 13")
    func praiseLettersPerLetter() throws {
        // 88 regular (volume at quota → 8) + 6 + 7 = 101 (a total above 100 needs bonus points, R-002-25)
        let two = try score(["praise_letter.count": "2", "praise_letter": "13"])
        #expect(two.item("praise_letter")?.points == 13)
        #expect(two.total == 101)
        #expect(two.item("praise_letter")?.explanation.contains("用户特殊表扬信 2 封，共 13 分（每封 5～8 分）") == true,
                "\(two.item("praise_letter")?.explanation ?? "")")
        // two letters can give 10 to 16: 17 is refused for correction, so is 4 for one letter, and points without a letter
        for (n, v, says) in [("2", "17", "2 封应为 10～16 分"), ("1", "4", "1 封应为 5～8 分"), ("0", "6", "封数为 0")] {
            let r = try score(["praise_letter.count": n, "praise_letter": v])
            #expect(r.item("praise_letter")?.points == nil, "\(n) × \(v)")
            #expect(r.flags("out_of_range").first?.message.contains(says) == true, "\(r.flags)")
            #expect(!r.complete)
        }
        #expect(try score([:]).item("praise_letter")?.points == 0)
        // a section item cannot be marked per occurrence: its maximum would not be fixed
        let bad = #"{"id":"e","name":"测试","sections":[{"id":"s","label":"维度","max":8,"items":[{"id":"a","label":"甲","kind":"manual","max":8,"each":{"min":5,"max":8},"rule":"R-002-22a"}]}]}"#
        let scheme = try JSONDecoder().decode(Scheme.self, from: Data(bad.utf8))
        #expect(SchemeValidator.validate(scheme).contains { $0.path == "sections[0].items[0].each" && $0.severity == .error })
    }

    func levels(_ months: [(String, String, [String: String])]) throws -> [Outcome] {
        let oe = try OutcomeEngine(engine: engine)
        var recs: [OutcomeRecord] = []
        let rows = try months.map { ScoringRow(employee: $0.0, period: $0.1, team: "T1", values: try engine.evidence(Self.perfect.merging($0.2) { $1 })) }
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        return oe.evaluate(recs).outcomes
    }

    @Test("R-002-26: three months ≥ 95 at a quarter end → 星级 (100 yuan); exactly 85 → 一级")
    func levelRating() throws {
        let s95 = ["volume_rate": "120", "objective_reviewer": "3"]   // 92 + 3 = 95
        let o = try levels([("A", "2026-07", s95), ("A", "2026-08", s95), ("A", "2026-09", s95)])
        #expect(o.first { $0.kind == "level" }?.value == .text("星级"))
        #expect(o.first { $0.kind == "level_bonus" }?.value == .money(100))
        // 85 exactly: perfect with volume at quota (8 → 88) and ability 7 → 85
        let e85 = ["ability_item": "7"]
        let o2 = try levels([("B", "2026-07", e85), ("B", "2026-08", e85), ("B", "2026-09", e85)])
        #expect(o2.first { $0.kind == "level" }?.value == .text("一级"))
    }

    @Test("R-002-21: a major complaint in the quarter vetoes the quarter's rating")
    func quarterVeto() throws {
        let s95 = ["volume_rate": "120", "objective_reviewer": "3"]
        let o = try levels([("A", "2026-07", s95), ("A", "2026-08", s95.merging(["major_events": "1"]) { $1 }), ("A", "2026-09", s95)])
        #expect(o.first { $0.kind == "level" }?.value == .text("普通"))
        #expect(o.first { $0.kind == "level" }?.explanation.contains("R-002-21") == true)
    }

    @Test("R-002-21: a major event in a quarter's first month vetoes that month's 一级 and its 60 yuan")
    func quarterVetoFirstMonth() throws {
        // perfect with volume 104 % → 10: 30 + 10 + 20 + 2 + 8 + 10 + 10 = 90 each month → 一级 (≥ 85)
        let s90 = ["volume_rate": "104"]
        let clean = try levels([("A", "2025-11", s90), ("A", "2025-12", s90), ("A", "2026-01", s90)])
        #expect(clean.first { $0.kind == "level" }?.value == .text("一级"))
        #expect(clean.first { $0.kind == "level_bonus" }?.value == .money(60))
        // the same with a major complaint in January: no rating in January, no level bonus
        let o = try levels([("A", "2025-11", s90), ("A", "2025-12", s90), ("A", "2026-01", s90.merging(["major_events": "1"]) { $1 })])
        let level = o.first { $0.kind == "level" }
        #expect(level?.value == .text("普通"))
        #expect(o.first { $0.kind == "level_bonus" } == nil)
        #expect(level?.explanation.contains("2026-01（重大用户投诉或重大业务差错 1）") == true, "\(level?.explanation ?? "")")
        #expect(level?.explanation.contains("R-002-21") == true)
    }

    @Test("R-002-26 (4.2.1.1): 星级 also needs every item ≥ 85 % of its points; else the run is 一级")
    func starLevelNeedsEveryItemAt85() throws {
        let s95 = ["volume_rate": "120", "objective_reviewer": "3"]   // 92 + 3 = 95, every item at 100 %
        // August: 礼仪意识 6 of 8 = 75 % < 85 %, made up by a 5-point praise letter: 92 − 2 + 5 = 95
        let low = ["volume_rate": "120", "etiquette_item": "6", "praise_letter.count": "1", "praise_letter": "5"]
        let o = try levels([("A", "2026-07", s95), ("A", "2026-08", low), ("A", "2026-09", s95)])
        let level = o.first { $0.kind == "level" }
        #expect(level?.value == .text("一级"))                           // 95, 95, 95 ≥ 85
        #expect(o.first { $0.kind == "level_bonus" }?.value == .money(60))
        let why = level?.explanation ?? ""
        #expect(why.contains("2026-08「礼仪意识」得分率 75% 未达 85%") && why.contains("不评「星级」"), "\(why)")
        // exactly 85 % passes: 礼仪意识 6.8 of 8, one praise letter of 5 → 92 − 1.2 + 5 = 95.8
        let edge = ["volume_rate": "120", "etiquette_item": "6.8", "praise_letter.count": "1", "praise_letter": "5"]
        let o2 = try levels([("B", "2026-07", s95), ("B", "2026-08", edge), ("B", "2026-09", s95)])
        #expect(o2.first { $0.kind == "level" }?.value == .text("星级"))
        #expect(o2.first { $0.kind == "level_bonus" }?.value == .money(100))
    }

    @Test("R-002-26 (4.2.1.1): 星级 needs no error or omission and no violation in the run")
    func starLevelNeedsNoFaultOrViolation() throws {
        let s95 = ["volume_rate": "120", "objective_reviewer": "3"]
        let o = try levels([("A", "2026-07", s95), ("A", "2026-08", s95), ("A", "2026-09", s95.merging(["violations": "1"]) { $1 })])
        let level = o.first { $0.kind == "level" }
        #expect(level?.value == .text("一级"))
        #expect(o.first { $0.kind == "level_bonus" }?.value == .money(60))
        #expect(level?.explanation.contains("2026-09 不满足「差错或遗漏 = 0 且 违纪违规 = 0」") == true, "\(level?.explanation ?? "")")
        #expect(level?.explanation.contains("违纪违规 1") == true)
        let o2 = try levels([("B", "2026-07", s95.merging(["errors": "1"]) { $1 }), ("B", "2026-08", s95), ("B", "2026-09", s95)])
        #expect(o2.first { $0.kind == "level" }?.value == .text("一级"))
    }

    @Test("R-002-27: 先进班组 needs every member clean and an average exam ≥ 85")
    func advancedTeam() throws {
        let oe = try OutcomeEngine(engine: engine)
        var recs: [OutcomeRecord] = []
        var rows: [ScoringRow] = []
        for p in ["2026-08", "2026-09", "2026-10"] {
            rows.append(ScoringRow(employee: "A", period: p, team: "T1", values: try engine.evidence(Self.perfect.merging(["exam_score": "90"]) { $1 })))
            rows.append(ScoringRow(employee: "B", period: p, team: "T1", values: try engine.evidence(Self.perfect.merging(["exam_score": "80"]) { $1 })))
            rows.append(ScoringRow(employee: "C", period: p, team: "T2", values: try engine.evidence(Self.perfect.merging(["exam_score": "95", "errors": p == "2026-10" ? "1" : "0"]) { $1 })))
        }
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let t = oe.evaluate(recs).teams
        // T1: average exam 85 exactly → advanced, three months running → 优秀班组
        #expect(t.first { $0.team == "T1" && $0.kind == "advanced_team" }?.value == .flag(true))
        #expect(t.first { $0.team == "T1" && $0.kind == "excellent_team" }?.value == .flag(true))
        #expect(t.first { $0.team == "T2" && $0.kind == "advanced_team" }?.value == .flag(false))
    }
}

@Suite("Preset callcentre-agent: worked examples")
struct PresetCallCentreAgentTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("callcentre-agent")) }

    func qa(_ counts: [String: Int]) -> [String: String] {
        var v: [String: String] = [:]
        for (g, n) in counts { v["qa_score.\(g)"] = "\(n)" }
        return v
    }

    @Test("R-002-14: the ten grades are entered once; the QA score and the service pay read the same counts")
    func gradesEnteredOnce() throws {
        #expect(engine.inputs.filter { $0.column.hasPrefix("service_pay.") }.isEmpty)
        #expect(throws: InputError.self) { try engine.score(["qa_score.you": "10", "service_pay.you": "10"]) }
        // 7 优, 3 良 once: score (700 + 255) / 10 = 95.5, pay 7 × 50 + 3 × 30 = 440
        let r = try engine.score(qa(["you": 7, "liang": 3]))
        #expect(r.item("qa_score")?.points == Fixed("95.5")!)
        #expect(r.moneyLine("service_pay")?.amount == Decimal(440))
        // a `from` naming no earlier multiple-graded item is an error at its path
        var s = engine.scheme
        if case .graded(var g) = s.money[0].rule { g.from = "qa_scor"; s.money[0].rule = .graded(g) }
        #expect(throws: SchemeProblems.self) { try ScoringEngine(scheme: s) }
    }

    @Test("R-002-14: 10 recordings: score is the average, service pay the sum")
    func serviceQuality() throws {
        let r = try engine.score(qa(["you": 6, "liang": 3, "zhong": 1]))
        #expect(r.item("qa_score")?.points == Fixed("92.5")!)     // (600 + 255 + 70) / 10
        #expect(r.moneyLine("service_pay")?.amount == Decimal(390)) // 300 + 90 + 0
        #expect(r.grade == "良")
    }

    @Test("R-002-14: one 劣 cancels the month's service pay (Decision)")
    func lieCancels() throws {
        let r = try engine.score(qa(["you": 6, "liang": 2, "cha": 1, "lie": 1]))
        #expect(r.moneyLine("service_pay")?.amount == Decimal(0))
        #expect(r.moneyLine("service_pay")?.explanation.contains("劣") == true)
        let negative = try engine.score(qa(["cha": 9, "lie": 1]))
        #expect(negative.moneyLine("service_pay")?.amount == Decimal(-90))
        let nine = try engine.score(qa(["you": 9]))
        #expect(!nine.flags("grade_count").isEmpty)
    }

    @Test("R-002-10 / R-002-11 / R-002-15 / R-002-36: fines with repeats, praise, attendance")
    func ledger() throws {
        var v = qa(["you": 10])
        v["agent_fines.leave_post"] = "2"        // −50 then −100
        v["agent_fines.verified_complaint"] = "1" // −100
        v["praise.letter"] = "1"                 // +50
        v["praise.media"] = "1"                  // +100
        v["lead_fines.handover_late"] = "1"      // −20 (double)
        v["attendance.late_30_60"] = "1"         // −20
        v["daily_wage"] = "200"; v["absent_days"] = "1"; v["leave_half_days"] = "1" // −400, −100
        let r = try engine.score(v)
        #expect(r.moneyLine("agent_fines")?.amount == Decimal(-250))
        #expect(r.moneyLine("praise")?.amount == Decimal(150))
        #expect(r.moneyLine("lead_fines")?.amount == Decimal(-20))
        #expect(r.moneyLine("absence_deduction")?.amount == Decimal(-400))
        #expect(r.moneyLine("leave_deduction")?.amount == Decimal(-100))
        // 500 service pay − 250 + 150 − 20 − 20 − 400 − 100
        #expect(r.moneyTotal == Decimal(-140))
    }

    @Test("R-002-36: sick leave with a note 100 % of the day's wage; personal leave at most 3 days; overtime past 21:00; two days' absence")
    func attendanceRules() throws {
        var v = qa(["you": 10])
        v["daily_wage"] = "200"; v["sick_days"] = "2"; v["leave_half_days"] = "6"; v["attendance.after_overtime"] = "1"
        let r = try engine.score(v)
        // 病假 2 天 × 200 × 100 % = −400; 事假 6 个半天 × 200 × 50 % = −600; late after overtime: no fine
        #expect(r.moneyLine("sick_deduction")?.amount == Decimal(-400))
        #expect(r.moneyLine("leave_deduction")?.amount == Decimal(-600))
        #expect(r.moneyLine("attendance")?.amount == 0)
        #expect(r.moneyLine("attendance")?.explanation.contains("前晚加班至21点后") == true, "\(r.moneyLine("attendance")?.explanation ?? "")")
        // 3 days and a half of personal leave: refused at the cell, not scored
        var over = v; over["leave_half_days"] = "7"
        #expect(throws: InputError.self) { try engine.score(over) }
        // 旷工二日按自动离职处理: two days (not only in a row) flag the month for HR; one day does not
        let oe = try OutcomeEngine(engine: engine)
        var recs: [OutcomeRecord] = []
        let rows = try [("A", "2"), ("B", "1")].map { e, d in
            ScoringRow(employee: e, period: "2026-10", team: "T", values: try engine.evidence(qa(["you": 10]).merging(["daily_wage": "200", "absent_days": d]) { $1 }))
        }
        engine.scoreAll(rows) { r, x in if let rec = oe.record(r, values: x) { recs.append(rec) } }
        let o = oe.evaluate(recs).outcomes
        #expect(o.one("A", "resignation_review")?.value == .flag(true))
        #expect(o.one("A", "resignation_review")?.rules == ["R-002-36"])
        #expect(o.one("B", "resignation_review") == nil || o.one("B", "resignation_review")?.value == .flag(false))
    }
}

@Suite("Preset company-monthly: worked examples")
struct PresetCompanyMonthlyTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("company-monthly")) }

    static func marks(_ item: String, _ v: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: ["superior", "peers", "self", "subordinates", "clients"].map { ("\(item).\($0)", v) })
    }

    static var month: [String: String] {
        var v = marks("daily_work", "35").merging(marks("attitude", "8")) { $1 }.merging(marks("teamwork", "9")) { $1 }
        v.merge(["planned_work.superior": "36", "planned_work.peers": "32", "planned_work.self": "40", "planned_work.subordinates": "34", "planned_work.clients": "30",
                 "base_salary": "3000", "position_salary": "2000", "position_coefficient": "1.2",
                 "sales": "200000", "sales_target": "200000", "sales_minimum": "180000", "contributions": "0", "major_mistakes": "0", "months_in_post": "12"]) { $1 }
        return v
    }

    @Test("R-002-33 / R-002-32: 360° weights and performance pay")
    func month() throws {
        let r = try engine.score(Self.month)
        // 0.5×36 + 0.15×32 + 0.1×40 + 0.15×34 + 0.1×30 = 34.9
        #expect(r.item("planned_work")?.points == Fixed("34.9")!)
        #expect(r.total == Fixed("86.9")!)
        // (3000 + 2000) × 30% × 1.2 = 1800; × 86.9% = 1564.20
        #expect(r.pay?.base == Decimal(1800))
        #expect(r.pay?.paid == Decimal(string: "1564.2"))
    }

    @Test("R-002-33: one rater's mark missing — the other weights re-spread in proportion, and the sheet says so")
    func missingRaterRespread() throws {
        var v = Self.month; v["planned_work.superior"] = nil
        let r = try engine.score(v)
        // without the superior (50 %): (0.15 × 32 + 0.1 × 40 + 0.15 × 34 + 0.1 × 30) ÷ 0.5 = 16.9 ÷ 0.5 = 33.8
        #expect(r.item("planned_work")?.points == Fixed("33.8")!)
        #expect(r.total == Fixed("85.8")!)                 // 86.9 − 34.9 + 33.8
        #expect(r.complete && !r.needsDecision)
        let note = try #require(r.flags("rater_respread").first)
        #expect(note.message.contains("上级未评分") && note.rules.contains("R-002-33"), "\(note.message)")
        #expect(r.item("planned_work")?.explanation.contains("÷ 50% = 33.8 分") == true, "\(r.item("planned_work")?.explanation ?? "")")
        // no mark at all: unscored, waiting
        var none = Self.month
        for k in ["superior", "peers", "self", "subordinates", "clients"] { none["planned_work.\(k)"] = nil }
        let w = try engine.score(none)
        #expect(w.item("planned_work")?.points == nil && !w.flags("missing_mark").isEmpty)
        // a scheme that does not say so waits for the mark (the default)
        var strict = engine.scheme; strict.raterMissing = nil
        #expect(try ScoringEngine(scheme: strict).score(v).item("planned_work")?.points == nil)
    }

    @Test("R-002-32: the pay formula reads in labels and figures; a missing position coefficient is 1, never no pay")
    func missingCoefficientIsOne() throws {
        let with = try engine.score(Self.month)
        let how = try #require(with.pay?.explanation)
        #expect(how.contains("基数 (基本工资 3,000.00 元 + 岗位工资 2,000.00 元) × 0.3 × 岗位系数 1.2 = 1,800.00 元"), "\(how)")
        #expect(!how.contains("base_salary") && !how.contains("position_coefficient"), "\(how)")
        var v = Self.month; v["position_coefficient"] = nil
        let r = try engine.score(v)
        // (3000 + 2000) × 30% × 1 = 1500; × 86.9% = 1303.50
        #expect(r.pay?.base == Decimal(1500))
        #expect(r.pay?.paid == Decimal(string: "1303.5"))
        #expect(r.pay?.explanation.contains("岗位系数 1（未填写时按 1 计）") == true, "\(r.pay?.explanation ?? "")")
        #expect(r.flags.isEmpty, "\(r.flags)")
        #expect(engine.scheme.decisions.contains { $0.rules == ["R-002-32"] && $0.text.contains("按 1 计") })
    }

    @Test("R-002-33: no limit on the sales and contribution points unless the scheme sets one")
    func salesAdjustmentUncapped() throws {
        // 300,000 above the target of 200,000: 30 whole steps of 10,000 → +30; 86.9 + 30 = 116.9
        let above = try engine.score(Self.month.merging(["sales": "500000"]) { $1 })
        #expect(above.item("sales_adjustment")?.points == 30)
        #expect(above.total == Fixed("116.9")!)
        // pay counts the score up to 100 (the preset's recorded decision): 1800 × 100% = 1800
        #expect(above.pay?.paid == Decimal(1800))
        // 180,000 below the minimum of 180,000 → −18; 86.9 − 18 = 68.9
        #expect(try engine.score(Self.month.merging(["sales": "0"]) { $1 }).item("sales_adjustment")?.points == -18)
        // 12 contributions, no mistakes: +12 (the old preset stopped at +10)
        #expect(try engine.score(Self.month.merging(["contributions": "12"]) { $1 }).total == Fixed("98.9")!)
        #expect(try engine.score(Self.month.merging(["major_mistakes": "15"]) { $1 }).total == Fixed("71.9")!)
    }

    @Test("R-002-33: a salesperson with no sales task this month gets no performance pay")
    func noSalesTaskNoPay() throws {
        let r = try engine.score(Self.month.merging(["no_sales_task": "1"]) { $1 })
        #expect(r.total == Fixed("86.9")!)                     // the score stands
        #expect(r.pay?.paid == 0)
        #expect(r.pay?.explanation.contains("不满足「当月有销售任务（业务人员）」") == true, "\(r.pay?.explanation ?? "")")
        #expect(r.pay?.explanation.contains("无绩效工资") == true)
        #expect(r.pay?.explanation.contains("R-002-33") == true)
        // left empty (everyone else): paid as usual
        #expect(try engine.score(Self.month).pay?.paid == Decimal(string: "1564.2"))
        // R-002-30: a probationer under three months is not paid by the scheme (and is listed 未考核 by the outcomes)
        let probation = try engine.score(Self.month.merging(["probation": "1"]) { $1 })
        #expect(probation.pay?.paid == 0)
        #expect(probation.pay?.explanation.contains("不满足「已过试用期") == true && probation.pay?.explanation.contains("R-002-30") == true,
                "\(probation.pay?.explanation ?? "")")
    }

    @Test("R-002-33: sales +1 per whole 10,000 above target, −1 per 10,000 below the minimum")
    func salesAdjustment() throws {
        #expect(try engine.score(Self.month.merging(["sales": "235000"]) { $1 }).total == Fixed("89.9")!)
        #expect(try engine.score(Self.month.merging(["sales": "190000"]) { $1 }).total == Fixed("86.9")!)
        #expect(try engine.score(Self.month.merging(["sales": "160000"]) { $1 }).total == Fixed("84.9")!)
        #expect(try engine.score(Self.month.merging(["contributions": "2", "major_mistakes": "1"]) { $1 }).total == Fixed("87.9")!)
    }

    @Test("R-002-33: a manager's department result is the average of the 9 staff he manages, without himself; staff get no manager composite")
    func managerComposite() throws {
        let oe = try OutcomeEngine(engine: engine)
        // each month is 86.9 (see `month`) + contributions (+1 each, R-002-33)
        var rows = [ScoringRow(employee: "M", period: "2026-03", team: "D1",
                               values: try engine.evidence(Self.month.merging(["contributions": "3", "is_manager": "1"]) { $1 }))]   // 89.9
        for k in 0..<9 {   // S1 … S9: 86.9, 87.9, … 94.9
            rows.append(ScoringRow(employee: "S\(k + 1)", period: "2026-03", team: "D1",
                                   values: try engine.evidence(Self.month.merging(["contributions": "\(k)", "is_manager": "0"]) { $1 })))
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let o = oe.evaluate(recs).outcomes.filter { $0.kind == "manager_result" }
        // staff: 9 × 86.9 + (0 + 1 + … + 8) = 782.1 + 36 = 818.1; ÷ 9 = 90.9
        // M: 0.6 × 90.9 + 0.4 × 89.9 = 54.54 + 35.96 = 90.5 (with himself it would be 0.6 × 90.8 + 35.96 = 90.44)
        #expect(o.map(\.employeeId) == ["M"])
        let m = o.first
        #expect(m?.value == .number(Fixed("90.5")!))
        let why = m?.explanation ?? ""
        #expect(why.contains("部门结果（所辖 9 人平均总分，不含本人）90.9 × 60%") && why.contains("个人结果（2026-03 总分）89.9 × 40%"), "\(why)")
        #expect(why.contains("R-002-33"))
    }

    @Test("R-002-31: the month runs to the 25th inclusive (Decision); the annual result is the average of the months")
    func periodsAndAnnual() throws {
        let header = Self.month.keys.sorted()
        let line = { (e: String, d: String, over: [String: String]) in
            ([e, d] + header.map { Self.month.merging(over) { $1 }[$0]! }).joined(separator: ",")
        }
        let csv = (["employee_id,date," + header.joined(separator: ",")]
                   + [line("E1", "2026-10-25", [:]), line("E1", "2026-10-26", ["attitude.superior": "10", "attitude.peers": "10", "attitude.self": "10", "attitude.subordinates": "10", "attitude.clients": "10"])]).joined(separator: "\n")
        let rows = try EvidenceCSV.read(Data(csv.utf8), file: "m.csv", engine: engine)
        // 「上月25日至本月25日」: 25 October closes October, 26 October opens November
        #expect(rows.map(\.period) == ["2026-10", "2026-11"])
        let october = try #require(engine.scheme.calendar.range(of: "2026-10"))
        #expect(october.start == (2026, 9, 26) && october.end == (2026, 10, 25))
        let oe = try OutcomeEngine(engine: engine)
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let o = oe.evaluate(recs).outcomes
        // 86.9 and 88.9 → 87.9
        #expect(o.first { $0.kind == "annual_result" }?.value == .number(Fixed("87.9")!))
    }
}

@Suite("Preset weighted-template: worked examples")
struct PresetWeightedTemplateTests {
    @Test("R-001-20: five weighted items and configurable grade cut-offs")
    func weighted() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("weighted-template"))
        let top = try engine.score(["satisfaction": "90", "response_time": "30", "quality": "18", "attitude": "13", "workload_rate": "110"])
        #expect(top.total == 96 && top.grade == "优秀")
        let mid = try engine.score(["satisfaction": "89.9", "response_time": "30.5", "quality": "14", "attitude": "12", "workload_rate": "80"])
        #expect(mid.item("satisfaction_item")?.points == 20)
        #expect(mid.item("response_item")?.points == 10)
        #expect(mid.item("workload")?.points == 12)
        #expect(mid.total == 68 && mid.grade == "合格")
        let low = try engine.score(["satisfaction": "60", "response_time": "61", "quality": "20", "attitude": "15", "workload_rate": "166.6"])
        #expect(low.total == 50 && low.grade == "不合格")   // 0 + 0 + 20 + 15 + 15 (capped)
    }
}
