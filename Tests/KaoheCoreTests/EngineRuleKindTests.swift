import Foundation
import Testing
@testable import KaoheCore

/// Worked examples on Fixtures/all-kinds.yaml, one rule kind at a time, computed by hand.
@Suite("Scoring engine: every rule kind")
struct EngineRuleKindTests {
    let engine: ScoringEngine
    init() throws { engine = try fixtureEngine("all-kinds.yaml") }

    /// A complete row for all-kinds; tests override single values.
    func row(_ overrides: [String: String] = [:]) -> [String: String] {
        var r = ["attitude.self": "8", "attitude.manager": "9", "orders": "18", "inquiries": "60", "response_time": "45",
                 "bad_reviews": "2", "completion": "87", "order_rate": "30", "market_order_rate": "32.5", "volume": "104",
                 "evaluation": "优秀", "performance_pay": "3000"]
        for (k, v) in overrides { r[k] = v }
        return r
    }

    @Test("R-000-11: self 30% + manager 70%")
    func raterWeighting() throws {
        let r = try engine.score(row())
        // 8 × 0.3 + 9 × 0.7 = 2.4 + 6.3 = 8.7
        #expect(r.item("attitude")?.points == Fixed("8.7")!)
        #expect(r.item("attitude")?.explanation.contains("R-000-11") == true)
    }

    @Test("R-000-11: a missing rater mark leaves the item unscored and flagged")
    func missingMark() throws {
        var values = row(); values["attitude.self"] = nil
        let r = try engine.score(values)
        #expect(r.item("attitude")?.points == nil)
        #expect(r.flags("missing_mark").first?.message.contains("自评") == true)
        #expect(!r.complete)
    }

    @Test("R-002-20: deductions from full marks, repeat price, days, 其它, floor at 0")
    func deductionList() throws {
        // late 1 × 2 = 2; leave 0.5 day × 3 = 1.5 → 10 − 3.5 = 6.5
        #expect(try engine.score(row(["daily.late": "1", "daily.leave": "0.5"])).item("daily")?.points == Fixed("6.5")!)
        // post 3 times: first 2, then 4 each → 2 + 4 × 2 = 10 → 0
        #expect(try engine.score(row(["daily.post": "3"])).item("daily")?.points == 0)
        // attire 1 (5) + late 2 (4) + other 3 = 12 > 10 → floored at 0, never negative
        let r = try engine.score(row(["daily.attire": "1", "daily.late": "2", "daily.other": "3"]))
        #expect(r.item("daily")?.points == 0)
        #expect(r.item("daily")?.explanation.contains("扣完为止") == true)
        // nothing recorded → full marks
        #expect(try engine.score(row()).item("daily")?.points == 10)
    }

    @Test("R-001-03, R-001-10: conversion bands, boundaries go to the better band")
    func bandBoundaries() throws {
        func conv(_ orders: Int, _ inquiries: Int) throws -> Fixed? {
            try engine.score(row(["orders": "\(orders)", "inquiries": "\(inquiries)"])).item("conversion")?.points
        }
        #expect(try conv(10, 100) == 1)   // 10 %: 0–20 → −4 → 1
        #expect(try conv(20, 100) == 2)   // exactly 20: 0–20 (−4) or 20–30 (−3) → better: −3 → 2
        #expect(try conv(30, 100) == 3)   // exactly 30: better band 30–50 (−2) → 3
        #expect(try conv(50, 100) == 3)   // exactly 50: only 30–50 → 3
        #expect(try conv(60, 100) == 5)   // exactly 60: ≥ 60 → 0 deduction
        #expect(try conv(18, 60) == 3)    // 18 / 60 = 30 % exactly (fixed-point, no 29.999…)
        #expect(try conv(0, 100) == 1)    // 0 %: lowest band
    }

    @Test("R-001-03: a value in the 50–60% gap is flagged for a rater, never scored 0")
    func bandGapIsFlagged() throws {
        let r = try engine.score(row(["orders": "55", "inquiries": "100"]))
        #expect(r.item("conversion")?.points == nil)
        #expect(r.flags("band_gap").count == 1)
        #expect(r.flags("band_gap")[0].rules.contains("R-001-03"))
        #expect(!r.complete)
        // the rater decides 3 points: the item is scored and the flag is gone
        let decided = try engine.score(row(["orders": "55", "inquiries": "100", "conversion.override": "3"]))
        #expect(decided.item("conversion")?.points == 3)
        #expect(decided.flags("band_gap").isEmpty)
        // worded as a decision, not as an error (issue 17 §3)
        let why = decided.item("conversion")?.explanation ?? ""
        #expect(why.contains("按数据无法得出分数，评分人裁定为 3 分") && !why.contains("（无法计算）"), "\(why)")
        // overruling a computed figure says what the data gave
        let overruled = try engine.score(row(["orders": "70", "inquiries": "100", "conversion.override": "2"]))
        #expect(overruled.item("conversion")?.explanation.contains("评分人裁定为 2 分（按数据计算为 5 分）") == true, "\(overruled.item("conversion")?.explanation ?? "")")
    }

    @Test("R-001-10: the boundary side is a scheme setting")
    func boundarySetting() throws {
        let bands = """
              - {min: 0, max: 20, value: 4}
              - {min: 20, max: 30, value: 3}
              - {min: 30, value: 0}
        """
        func points(_ boundary: String, _ rate: String) throws -> Fixed? {
            try ScoringEngine(scheme: try yamlScheme(bandedScheme(boundary: boundary, bands: bands))).score(["rate": rate]).item("b")?.points
        }
        #expect(try points("better", "20") == 2)
        #expect(try points("worse", "20") == 1)
        #expect(try points("lower", "20") == 2)  // [20, 30) holds 20
        #expect(try points("upper", "20") == 1)  // (0, 20] holds 20
        #expect(try points("worse", "25") == 2)  // inside a band the setting does not matter
    }

    @Test("R-001-12: a zero denominator is flagged, not divided and not 0")
    func zeroDenominator() throws {
        let r = try engine.score(row(["orders": "0", "inquiries": "0"]))
        #expect(r.item("conversion")?.points == nil)
        let f = r.flags("zero_denominator")
        #expect(f.count == 1 && f[0].rules.contains("R-001-12") && f[0].item == "conversion")
        #expect(f[0].message.contains("咨询总数"))
    }

    @Test("R-001-06: 2 points per bad review, floored at 0 (扣完为止)")
    func perOccurrence() throws {
        #expect(try engine.score(row(["bad_reviews": "0"])).item("bad_review")?.points == 10)
        #expect(try engine.score(row(["bad_reviews": "3"])).item("bad_review")?.points == 4)
        #expect(try engine.score(row(["bad_reviews": "5"])).item("bad_review")?.points == 0)
        #expect(try engine.score(row(["bad_reviews": "6"])).item("bad_review")?.points == 0)
    }

    @Test("R-003-20: completion rate × max, capped")
    func ratio() throws {
        #expect(try engine.score(row(["completion": "87"])).item("completion_item")?.points == Fixed("17.4")!)
        #expect(try engine.score(row(["completion": "100"])).item("completion_item")?.points == 20)
        #expect(try engine.score(row(["completion": "140"])).item("completion_item")?.points == 20)
        #expect(try engine.score(row(["completion": "0"])).item("completion_item")?.points == 0)
    }

    @Test("R-003-20: −1 per whole percentage point below the market average")
    func relative() throws {
        #expect(try engine.score(row(["order_rate": "32.5"])).item("order_rate_item")?.points == 20)
        #expect(try engine.score(row(["order_rate": "40"])).item("order_rate_item")?.points == 20)
        #expect(try engine.score(row(["order_rate": "31.6"])).item("order_rate_item")?.points == 20) // 0.9 below: no whole point
        #expect(try engine.score(row(["order_rate": "30"])).item("order_rate_item")?.points == 18)   // 2.5 below → 2 steps
        #expect(try engine.score(row(["order_rate": "0"])).item("order_rate_item")?.points == 0)     // 32 steps, floored at 0
    }

    @Test("R-002-24: 8 at quota, ±0.5 per 1%, clamped to 5…12")
    func target() throws {
        func vol(_ v: String) throws -> Fixed? { try engine.score(row(["volume": v])).item("volume_item")?.points }
        #expect(try vol("100") == 8)
        #expect(try vol("104") == 10)
        #expect(try vol("108") == 12)
        #expect(try vol("120") == 12)
        #expect(try vol("96") == 6)
        #expect(try vol("94") == 5)
        #expect(try vol("50") == 5)
        #expect(try vol("101.5") == Fixed("8.75")!)
    }

    @Test("R-001-11: supervisor's grade by label or id")
    func gradedSingle() throws {
        #expect(try engine.score(row(["evaluation": "也还好"])).item("evaluation")?.points == 3)
        #expect(try engine.score(row(["evaluation": "B"])).item("evaluation")?.points == 4)
        #expect(throws: InputError.self) { try engine.score(row(["evaluation": "很好"])) }
    }

    @Test func formulaItemClampedToItsRange() throws {
        #expect(try engine.score(row(["response_time": "45"])).item("speed")?.points == Fixed("5.5")!)
        #expect(try engine.score(row(["response_time": "0"])).item("speed")?.points == 8)
        #expect(try engine.score(row(["response_time": "150"])).item("speed")?.points == 0)
    }

    @Test("a formula's explanation names each input by its label with its value, and its range in words (issue 17 §3)")
    func formulaExplainedWithLabels() throws {
        // clamp(10 - response_time / 10, 0, 8) at 45: 10 − 4.5 = 5.5, within 0–8
        let how = try #require(try engine.score(row(["response_time": "45"])).item("speed")?.explanation)
        #expect(how.contains("(10 - 平均响应时间 45 秒 ÷ 10)（限于 0～8） = 5.5 分"), "\(how)")
        #expect(!how.contains("response_time") && !how.contains("clamp"), "\(how)")
        // past the cap: the figure and the points taken
        let fast = try #require(try engine.score(row(["response_time": "0"])).item("speed")?.explanation)
        #expect(fast.contains("(10 - 平均响应时间 0 秒 ÷ 10)（限于 0～8） = 8 分"), "\(fast)")
    }

    @Test("R-000-08, R-001-18: bonus on top of the total, veto −10 per instance")
    func bonusAndVeto() throws {
        let base = try engine.score(row())
        // soft 8.7 + 10; kpi 3 + 6 + 17.4 + 18 + 10 + 5 + 5.5 = 64.9 → 83.6
        #expect(base.total == Fixed("83.6")!)
        let bonus = try engine.score(row(["commendation.manager": "10", "attitude.self": "10", "attitude.manager": "10",
                                         "volume": "108", "completion": "100", "order_rate": "40", "orders": "60",
                                         "response_time": "10", "bad_reviews": "0"]))
        // 20 + (5 + 10 + 20 + 20 + 12 + 5 + 8 = 80) = 100, + 10 bonus = 110: above 100 (R-000-08)
        #expect(bonus.total == 110)
        #expect(bonus.max == 100)
        let veto = try engine.score(row(["veto.gambling": "1", "veto.fighting": "2"]))
        // 83.6 − 3 × 10 = 53.6
        #expect(veto.total == Fixed("53.6")!)
        #expect(veto.item("veto")?.points == -30)
        #expect(veto.item("veto")?.explanation.contains("R-001-18") == true)
    }

    @Test("R-001-13: pay bands at 69.99, 70, 89.99, 90")
    func payBands() throws {
        // drive the total with the commendation bonus on a fixed base of 83.6 − veto
        func paid(_ values: [String: String]) throws -> Decimal? { try engine.score(row(values)).pay?.paid }
        // 83.6: 3000 × 83.6 / 100 = 2508
        #expect(try paid([:]) == 2508)
        // 83.6 + 6.4 = 90 → full 3000
        #expect(try paid(["commendation.manager": "6.4"]) == 3000)
        // 83.6 + 6.39 = 89.99 → 3000 × 0.8999 = 2699.70
        #expect(try paid(["commendation.manager": "6.39"]) == Decimal(string: "2699.7")!)
        // 83.6 − 20 + 6.4 = 70 → 2100
        #expect(try paid(["veto.gambling": "2", "commendation.manager": "6.4"]) == 2100)
        // 69.99 → failed month, 0
        #expect(try paid(["veto.gambling": "2", "commendation.manager": "6.39"]) == 0)
    }

    @Test("R-002-10: fines with the repeat price; R-002-15 praise")
    func moneyEvents() throws {
        let r = try engine.score(row(["fines.leave_post": "3", "fines.praise_phone": "2"]))
        // −50 − 100 × 2 + 10 × 2 = −230
        #expect(r.moneyLine("fines")?.amount == -230)
    }

    @Test("R-002-14: QA grades summed; one 劣 cancels the positive service pay")
    func qaGrades() throws {
        let r = try engine.score(row(["qa.you": "3", "qa.liang": "4", "qa.zhong": "2", "qa.cha": "1"]))
        #expect(r.moneyLine("qa")?.amount == 260)
        #expect(r.flags("grade_count").isEmpty)
        let bad = try engine.score(row(["qa.you": "5", "qa.liang": "4", "qa.lie": "1"]))
        #expect(bad.moneyLine("qa")?.amount == 0)
        #expect(bad.flags("grade_cancels").count == 1)
        let short = try engine.score(row(["qa.you": "9"]))
        #expect(short.flags("grade_count").first?.message.contains("9") == true)
    }

    @Test func gradesOfTheTotal() throws {
        #expect(try engine.score(row()).grade == "良好")          // 83.6
        #expect(try engine.score(row(["veto.gambling": "1"])).grade == "合格")   // 73.6
        #expect(try engine.score(row(["commendation.manager": "6.4"])).grade == "优秀") // exactly 90
    }

    @Test func unknownColumnAndOutOfRangeValuesAreErrors() {
        #expect(throws: InputError.self) { try engine.score(row(["nosuch": "1"])) }
        do { _ = try engine.score(row(["completion": "-1"])); Issue.record("expected an error") } catch {
            #expect(error.column == "completion")
        }
        do { _ = try engine.score(row(["order_rate": "140%"])); Issue.record("expected an error") } catch {
            #expect(error.column == "order_rate" && error.message.contains("maximum"))
        }
        do { _ = try engine.score(row(["bad_reviews": "1.5"])); Issue.record("expected an error") } catch {
            #expect(error.message.contains("whole number"))
        }
        do { _ = try engine.score(row(["attitude.self": "11"])); Issue.record("expected an error") } catch {
            #expect(error.column == "attitude.self")
        }
    }

    @Test("every item explanation carries its rule id")
    func explanationsCarryRuleIds() throws {
        let r = try engine.score(row())
        for it in r.items where !it.rules.isEmpty { #expect(it.explanation.contains(it.rules[0]), "\(it.id)") }
        for m in r.money { #expect(m.explanation.contains(m.rules[0]), "\(m.item)") }
        #expect(r.pay?.explanation.contains("R-001-13") == true)
    }

    @Test("property: adding a deduction event never raises a score; total ≤ max + bonus")
    func properties() throws {
        var gen = SyntheticEvidence(seed: 99)
        let offenceColumns = ["daily.attire", "daily.late", "daily.post", "bad_reviews", "veto.gambling"]
        for _ in 0..<300 {
            var values: [String: String] = [:]
            for inp in engine.inputs { let v = gen.value(for: inp); if !v.isEmpty { values[inp.column] = v } }
            let r = try engine.score(values)
            #expect(r.total <= r.max + 10)
            #expect(r.total >= 0)
            for col in offenceColumns {
                var more = values
                more[col] = "\((Int(values[col] ?? "0") ?? 0) + 1)"
                let r2 = try engine.score(more)
                #expect(r2.total <= r.total, "\(col)")
            }
        }
    }
}
