import Foundation
import Testing
@testable import KaoheCore

/// 电商客服月绩效考核表 (seed 001, R-001-01..19): worked examples computed by hand.
@Suite("Preset ecommerce-monthly: worked examples")
struct PresetsEcommerceTests {
    let engine: ScoringEngine

    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly")) }

    /// A perfect month: every KPI in its best band, every mark full, 优秀 → 100.
    static let perfect: [String: String] = [
        "inquiries": "100", "orders": "65", "inquiry_orders": "60", "inquiry_paid": "58", "paid_orders": "60", "refund_orders": "1",
        "response_time": "30", "churn_rate": "20", "sales_amount": "250000", "refund_amount": "5000", "paid_amount": "240000",
        "void_orders": "0", "return_rate": "3", "bad_reviews": "0", "wrong_shipments": "0", "shipment_loss": "0", "complaints": "0",
        "reminder_days": "0", "sales_target": "200000", "performance_pay": "3000",
        "communication": "5", "knowledge": "5", "attitude": "5", "efficiency": "5", "initiative": "5", "evaluation": "优秀",
    ]

    func score(_ change: [String: String]) throws -> SheetResult {
        try engine.score(Self.perfect.merging(change) { $1 }, employee: "E1", period: "2026-10")
    }

    @Test("a typical month, every row by hand")
    func typicalMonth() throws {
        let r = try score([
            "inquiries": "100", "orders": "35",            // 35% → 30–50% band, −2 → 3
            "response_time": "100",                        // boundary 51–100 / 100–200 → better band, −1 → 4
            "churn_rate": "40",                            // boundary <40 / 40–60 → better band, 0 → 5
            "void_orders": "2",                            // 10 × own ÷ average (alone: 10) − 2 → 8
            "refund_orders": "6", "paid_orders": "60",     // 退款率 10% → boundary → better band, −3 → 7
            "bad_reviews": "3",                            // 10 − 3 × 2 → 4
            "wrong_shipments": "1", "shipment_loss": "120", // 5 − 1 → 4; −50 and −120 yuan
            "evaluation": "标准",                           // 4
            "communication": "4", "knowledge": "4", "attitude": "4", "efficiency": "4", "initiative": "4",
            "discipline.late": "1",                        // 5 − 1 → 4
            "return_rate": "13",                           // > 12% → −50 yuan
            "penalties.wrong_shipment_error": "1",
        ])
        #expect(r.item("conversion")?.points == 3)
        #expect(r.item("response")?.points == 4)
        #expect(r.item("churn")?.points == 5)
        #expect(r.item("sales")?.points == 10)
        #expect(r.item("order_volume")?.points == 8)
        #expect(r.item("returns")?.points == 7)
        #expect(r.item("bad_review")?.points == 4)
        #expect(r.item("wrong_shipment")?.points == 4)
        #expect(r.item("complaint")?.points == 5)
        #expect(r.item("evaluation")?.points == 4)
        #expect(r.item("discipline")?.points == 4)
        #expect(r.section("quality")?.points == 24)
        #expect(r.section("kpi")?.points == 54)
        #expect(r.total == 78)
        #expect(r.grade == "按比例")
        // 70 ≤ 78 < 90: 3000 × 78% (R-001-13)
        #expect(r.pay?.paid == Decimal(2340))
        #expect(r.moneyTotal == Decimal(-220))
        #expect(r.moneyLine("shipment_loss_charge")?.amount == Decimal(-120))
        #expect(r.moneyLine("return_penalty")?.amount == Decimal(-50))
        // each KPI row shows the rate it used (R-001-02)
        #expect(r.item("conversion")?.explanation.contains("35%") == true)
        #expect(r.item("conversion")?.explanation.contains("R-001-03") == true)
        #expect(r.item("returns")?.explanation.contains("10%") == true)
        #expect(r.complete)
    }

    @Test("R-001-03 / R-001-10: conversion bands, boundaries to the better band, the 50–60% gap flagged")
    func conversionBands() throws {
        // orders per 1000 inquiries: 199 → 19.9%
        for (orders, points) in [("0", 1), ("199", 1), ("200", 2), ("299", 2), ("300", 3), ("500", 3), ("600", 5), ("1000", 5)] as [(String, Fixed)] {
            let r = try score(["inquiries": "1000", "orders": orders])
            #expect(r.item("conversion")?.points == points, "\(orders)‰")
        }
        let gap = try score(["orders": "55"])
        #expect(gap.item("conversion")?.points == nil)
        #expect(gap.flags("band_gap").count == 1)
        #expect(!gap.complete)
        // the rater decides: 2 points
        let decided = try score(["orders": "55", "conversion.override": "2"])
        #expect(decided.item("conversion")?.points == 2)
        #expect(decided.total == 97)
    }

    @Test("a rater's decision on a money line may be a fine: −50 stays −50 (issue 18, CLI contract)")
    func moneyOverrideMayBeNegative() throws {
        var values = Self.perfect; values["return_rate"] = nil
        let open = try engine.score(values, employee: "E1", period: "2026-10")
        #expect(open.moneyLine("return_penalty")?.amount == 0)
        #expect(open.flags("missing_value").contains { $0.item == "return_penalty" })
        values["return_penalty.override"] = "-50"
        let fined = try engine.score(values, employee: "E1", period: "2026-10")
        #expect(fined.moneyLine("return_penalty")?.amount == -50)
        #expect(fined.moneyLine("return_penalty")?.explanation.contains("评分人裁定为 -50") == true)
        #expect(engine.inputs.first { $0.column == "return_penalty.override" }?.label.contains("罚款填负数") == true)
    }

    @Test("R-001-02 / R-001-07: each KPI row shows its rates — 付款率 by the conversion, 退货率 and 换货率 in the returns row")
    func rowsShowTheirRates() throws {
        let r = try score(["exchange_orders": "3"])
        // 换货率 = 3 ÷ 60 paid orders = 5 %; 付款率 = 58 ÷ 60 = 96.67 %; neither changes a point
        let returns = try #require(r.item("returns")?.explanation)
        #expect(returns.contains("本行数据：月度平均退货率 3%、换货率 5%（R-001-07, R-001-12）"), "\(returns)")
        #expect(r.item("conversion")?.explanation.contains("本行数据：付款率 96.67%") == true, "\(r.item("conversion")?.explanation ?? "")")
        #expect(r.total == 100)
        // no exchange count: the rate reads 无数据 and nothing is flagged
        let none = try score([:])
        #expect(none.item("returns")?.explanation.contains("换货订单数 无数据") == false)
        #expect(none.item("returns")?.explanation.contains("换货率 无数据") == true)
        #expect(none.flags.isEmpty && none.complete)
        // an unknown metric in `shows` is an error at its path
        var s = engine.scheme
        s.sections[0].items[0].shows = ["payment_rat"]
        #expect(throws: SchemeProblems.self) { try ScoringEngine(scheme: s) }
    }

    @Test("R-001-15: the rater's double deduction is a rule of the scheme — a missed bad review (2 points) costs the rater 4")
    func raterAccountability() throws {
        let rule = try #require(engine.scheme.accountability)
        #expect(rule.factor == 2 && rule.rules == ["R-001-15"])
        // R-001-06: 2 points per bad review; one missed → 2 × 2 × 1 = 4; three missed complaints (1 point each) → 6
        #expect(rule.deduction(perInstance: 2, instances: 1) == 4)
        #expect(rule.deduction(perInstance: 1, instances: 3) == 6)
        let text = rule.explain(rater: "组长 王五", employee: "101002 李四", item: "本月差评", perInstance: 2, instances: 1, note: "10月12日差评未扣")
        #expect(text == "评分人 组长 王五 漏扣 101002 李四 的「本月差评」1 次：该项每次 2 分 × 2 × 1 = 扣 4 分（10月12日差评未扣）（R-001-15）")
        // the scheme states it once: no note restating it among the outcomes
        #expect(!engine.scheme.outcomes.contains { $0.rules.contains("R-001-15") })
        // a factor of 0 is refused at its path; a scheme without the entry has no such rule
        var s = engine.scheme; s.accountability?.factor = 0
        #expect(SchemeValidator.validate(s).contains { $0.path == "accountability.factor" && $0.severity == .error })
        #expect(try Presets.scheme("online-shop-cs").accountability == nil)
    }

    @Test("number metrics keep their unit in explanations: 平均响应时间 150 秒 (issue 18, CLI contract)")
    func unitsInExplanations() throws {
        let r = try score(["response_time": "150"])
        #expect(r.item("response")?.explanation.contains("平均响应时间 150 秒") == true, "\(r.item("response")?.explanation ?? "")")
    }

    @Test("R-001-04 and R-001-05: response time and churn bands")
    func responseAndChurn() throws {
        for (t, p) in [("0", 5), ("50", 5), ("50.5", 4), ("100", 4), ("100.5", 2), ("200", 2), ("200.01", 0)] as [(String, Fixed)] {
            #expect(try score(["response_time": t]).item("response")?.points == p, "\(t) s")
        }
        for (c, p) in [("39.9", 5), ("40", 5), ("59", 3), ("60", 3), ("80", 2), ("80.1", 0), ("100", 0)] as [(String, Fixed)] {
            #expect(try score(["churn_rate": c]).item("churn")?.points == p, "\(c)%")
        }
    }

    @Test("R-001-12: a zero denominator is reported, not divided")
    func zeroDenominator() throws {
        let r = try score(["inquiries": "0", "orders": "0"])
        #expect(r.item("conversion")?.points == nil)
        #expect(r.flags("zero_denominator").contains { $0.item == "conversion" })
        #expect(r.flags("zero_denominator").first?.message.contains("R-001-12") == true)
        #expect(!r.complete)
    }

    @Test("R-001-06: 2 points per bad review, floored at 0 (扣完为止)")
    func badReviewsFloor() throws {
        #expect(try score(["bad_reviews": "4"]).item("bad_review")?.points == 2)
        #expect(try score(["bad_reviews": "5"]).item("bad_review")?.points == 0)
        #expect(try score(["bad_reviews": "6"]).item("bad_review")?.points == 0)
        #expect(try score(["bad_reviews": "6"]).total == 90)
    }

    @Test("R-001-13: pay at 90, 89.99, 70 and 69.99")
    func payBands() throws {
        let at90 = try score(["communication": "0", "knowledge": "0"])
        #expect(at90.total == 90 && at90.pay?.paid == Decimal(3000))
        let below90 = try score(["communication": "0", "knowledge": "0", "attitude": "4.99"])
        #expect(below90.total == Fixed("89.99")!)
        #expect(below90.pay?.paid == Decimal(string: "2699.7"))
        // marks 0,0,0,0,5 (5), 有待改进 (0), late × 5 (0): 5 + 65 = 70
        let at70 = try score(["communication": "0", "knowledge": "0", "attitude": "0", "efficiency": "0", "evaluation": "有待改进", "discipline.late": "5"])
        #expect(at70.total == 70 && at70.pay?.paid == Decimal(2100))
        let below70 = try score(["communication": "0", "knowledge": "0", "attitude": "0", "efficiency": "0", "initiative": "4.99", "evaluation": "有待改进", "discipline.late": "5"])
        #expect(below70.total == Fixed("69.99")!)
        #expect(below70.pay?.paid == Decimal(0))
        #expect(below70.grade == "不合格")
    }

    @Test("R-001-18: −10 per veto item and instance")
    func veto() throws {
        #expect(try score(["veto.gambling": "1"]).total == 90)
        #expect(try score(["veto.gambling": "1", "veto.fighting": "2"]).total == 70)
    }

    @Test("R-001-17: payment reminders −30 once a month; return rate exactly 12% is not above 12%")
    func penalties() throws {
        #expect(try score(["reminder_days": "3"]).moneyLine("reminder_penalty")?.amount == Decimal(-30))
        #expect(try score(["return_rate": "12"]).moneyLine("return_penalty")?.amount == Decimal(0))
        #expect(try score(["return_rate": "12.01"]).moneyLine("return_penalty")?.amount == Decimal(-50))
    }

    @Test("R-001-07: sales and orders against the department average")
    func salesAgainstTheAverage() throws {
        let rows = try ["A": ("300000", "80", "1"), "B": ("100000", "40", "0")].map { (e, v) in
            ScoringRow(employee: e, period: "2026-10", team: "T", values: try engine.evidence(Self.perfect.merging(["sales_amount": v.0, "orders": v.1, "void_orders": v.2]) { $1 }))
        }
        let rs = engine.scoreAll(rows)
        let a = try #require(rs.first { $0.employeeId == "A" }), b = try #require(rs.first { $0.employeeId == "B" })
        // average 200000: A 10 × 1.5 → capped 10; B 10 × 0.5 → 5
        #expect(a.item("sales")?.points == 10 && b.item("sales")?.points == 5)
        // average 60 orders: A 10 × 80/60 − 1 → capped 10 − … = clamp(13.33 − 1) → 10; B 10 × 40/60 = 6.67
        #expect(a.item("order_volume")?.points == 10)
        #expect(b.item("order_volume")?.points == Fixed("6.666667")!)
    }

    // MARK: outcomes over months

    func history(_ months: [(String, String, [String: String])]) throws -> (outcomes: [Outcome], teams: [TeamOutcome]) {
        let oe = try OutcomeEngine(engine: engine)
        var records: [OutcomeRecord] = []
        let rows = try months.map { ScoringRow(employee: $0.0, period: $0.1, team: "T", values: try engine.evidence(Self.perfect.merging($0.2) { $1 })) }
        engine.scoreAll(rows) { r, v in if let rec = oe.record(r, values: v) { records.append(rec) } }
        return oe.evaluate(records)
    }

    @Test("R-001-16 / R-001-17: top net sales +500 only above target; lowest sales and conversion penalties")
    func rankRewards() throws {
        let o = try history([
            ("A", "2026-10", ["sales_amount": "260000", "refund_amount": "10000", "sales_target": "240000"]),   // net 250000 > 240000
            ("B", "2026-10", ["sales_amount": "190000", "refund_amount": "0", "orders": "14"]),                 // net 190000, 14%
            ("C", "2026-10", ["sales_amount": "230000", "refund_amount": "0"]),
        ]).outcomes
        #expect(o.filter { $0.employeeId == "A" && $0.kind == "rank_reward" }.map(\.value) == [.money(500)])
        let b = o.filter { $0.employeeId == "B" && $0.kind == "rank_reward" }.map(\.value)
        #expect(b.contains(.money(-100)) && b.contains(.money(-50)))
        // first place without beating the target gets nothing
        let o2 = try history([("A", "2026-10", ["sales_target": "300000"]), ("B", "2026-10", ["sales_amount": "100000"])]).outcomes
        #expect(o2.first { $0.employeeId == "A" && $0.kind == "rank_reward" }?.value == .money(0))
    }

    @Test("R-001-14: < 70 three months running (70 passes) → no year-end bonus")
    func yearEndEligibility() throws {
        let low = ["communication": "0", "knowledge": "0", "attitude": "0", "efficiency": "0", "evaluation": "有待改进", "discipline.late": "5", "initiative": "4.99"] // 69.99
        let seventy = low.merging(["initiative": "5"]) { $1 } // 70
        let o = try history([("A", "2026-07", low), ("A", "2026-08", low), ("A", "2026-09", low),
                             ("B", "2026-07", low), ("B", "2026-08", seventy), ("B", "2026-09", low)]).outcomes
        #expect(o.first { $0.employeeId == "A" && $0.kind == "year_end_ineligible" }?.value == .flag(true))
        #expect(o.first { $0.employeeId == "B" && $0.kind == "year_end_ineligible" }?.value == .flag(false))
    }

    @Test("R-001-19: net sales below 200,000 three months running → not up to standard")
    func notUpToStandard() throws {
        let weak = ["sales_amount": "150000", "refund_amount": "0"]
        let o = try history([("A", "2026-07", weak), ("A", "2026-08", weak), ("A", "2026-09", weak), ("A", "2026-10", [:])]).outcomes
        #expect(o.first { $0.kind == "sales_not_up_to_standard" }?.value == .flag(true))
        #expect(o.first { $0.kind == "sales_not_up_to_standard" }?.explanation.contains("2026-07") == true)
    }
}
