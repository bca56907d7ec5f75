import Foundation
import Testing
@testable import KaoheCore

/// Seeds 000 and 004: 物業客服部 (R-000-01..09), 網店客服 (R-000-10..12), 售後客服 (R-004-01).
@Suite("Preset property-cs: worked examples")
struct PresetPropertyCSTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("property-cs")) }

    @Test("R-000-01: 德 20 勤 20 能 30 績 30, four sub-items each, equal split (Decision)")
    func structure() throws {
        let s = engine.scheme
        #expect(s.sections.map(\.max) == [20, 20, 30, 30].map { Fixed($0) })
        #expect(s.sections.allSatisfy { $0.items.count == 4 })
        #expect(s.sections[2].items.allSatisfy { $0.max == Fixed("7.5")! })
        #expect(engine.attainableMax == 100)
        #expect(s.decisions.contains { $0.rules == ["R-000-01"] })
    }

    @Test("R-000-02: deduction from full marks; 其它 row; floors per sub-item; R-000-08 bonus after scoring")
    func deductions() throws {
        let clean = try engine.score(["commendation.manager": "0"])
        #expect(clean.total == 100)
        let r = try engine.score([
            "de_service_attitude.complaint": "1", "de_service_attitude.unfriendly": "1", // 5 + 2 > 5 → floored at 0
            "qin_attendance.leave": "2.5",                                              // 2.5 days × 0.5 = 1.25
            "neng_business.other": "3",                                                 // 其它: 3 points
            "commendation.manager": "8",
        ])
        #expect(r.item("de_service_attitude")?.points == 0)
        #expect(r.item("qin_attendance")?.points == Fixed("3.75")!)
        #expect(r.item("neng_business")?.points == Fixed("4.5")!)
        #expect(r.section("de")?.points == 15)
        #expect(r.total == Fixed("98.75")!)   // 100 − 5 − 1.25 − 3 + 8
        #expect(r.item("neng_business")?.explanation.contains("其它") == true || r.item("neng_business")?.explanation.contains("其他") == true)
    }

    @Test("R-000-08: a periodic total may exceed 100 (cap 110)")
    func bonusAbove100() throws {
        #expect(try engine.score(["commendation.manager": "10"]).total == 110)
    }

    @Test("R-000-09: bad consequences are flagged for an additional punishment, points unchanged")
    func punishmentFlag() throws {
        let r = try engine.score(["commendation.manager": "0", "punishment.bad_consequence": "1", "de_discipline.violation": "1"])
        #expect(r.total == 97)
        #expect(!r.flags.filter { $0.rules.contains("R-000-09") }.isEmpty)
    }

    @Test("R-000-05 / R-000-08: year-end = 20% checks + 30% monthly + 50% year-end; above 100 → 優秀員工")
    func yearEnd() throws {
        let oe = try OutcomeEngine(engine: engine)
        var recs: [OutcomeRecord] = []
        let months: [(String, String, String)] = [("2026-10", "5", "95"), ("2026-11", "0", "95"), ("2026-12", "0", "95")]
        var rows: [ScoringRow] = []
        for (p, bonus, checks) in months {
            var v = ["commendation.manager": bonus, "checks": checks]
            if p == "2026-12" { v["de_discipline.violation"] = "1"; v["year_end"] = "110" }
            rows.append(ScoringRow(employee: "E1", period: p, team: nil, values: try engine.evidence(v)))
        }
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let o = oe.evaluate(recs).outcomes
        // monthly totals 105, 100, 97 → average 100.666…; 0.2 × 95 + 0.3 × 100.666667 + 0.5 × 110 = 19 + 30.2 + 55 = 104.2
        let c = try #require(o.first { $0.kind == "year_end_composite" })
        #expect(c.value == .number(Fixed("104.2")!))
        #expect(o.first { $0.kind == "excellent" }?.value == .text("優秀員工"))
    }
}

@Suite("Preset online-shop-cs: worked examples")
struct PresetOnlineShopTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("online-shop-cs")) }

    static let month: [String: String] = [
        "inquiries": "200", "orders": "100", "valid_orders": "95", "paid_orders": "90", "refund_orders": "9",
        "abnormal_orders": "1", "complaints": "0", "response_time": "30", "churn_rate": "20",
        "sales_amount": "90000", "sales_target": "100000",
        "task_completion.self": "90",
        "report_timeliness.manager": "4", "report_truthfulness.manager": "5", "report_quality.manager": "5",
    ]

    @Test("R-000-10 / R-000-11: a month by hand; the self-assessment 30 % and the store manager's 70 % weigh the whole sheet")
    func month() throws {
        let r = try engine.score(Self.month)
        #expect(r.item("conversion")?.points == 12)        // 50% on the boundary → better band
        #expect(r.item("response")?.points == 10)          // 30 s → better band
        #expect(r.item("churn")?.points == 15)
        #expect(r.item("sales")?.points == Fixed("13.5")!) // 90% × 15
        #expect(r.item("valid")?.points == Fixed("4.75")!)
        #expect(r.item("payment")?.points == Fixed("4.5")!)
        #expect(r.item("refund")?.points == 3)             // 10% → boundary → −2
        #expect(r.item("aov")?.points == 5)
        #expect(r.item("abnormal")?.points == 3)           // 1% → −2
        #expect(r.item("report_timeliness")?.points == 4)    // the manager's mark
        #expect(r.item("task_completion")?.points == 90)     // the employee's own
        // the manager's assessment: service 12 + 10 + 15 = 37, orders 13.5 + 4.75 + 4.5 + 3 + 5 = 30.75,
        // other 5 + 3 = 8, management 4 + 5 + 5 = 14 → 89.75 of 100; total 0.3 × 90 + 0.7 × 89.75 = 89.825
        #expect(r.section("service")?.points == 37 && r.section("orders")?.points == Fixed("30.75")! && r.section("management")?.points == 14)
        #expect(r.total == Fixed("89.825")!)
    }

    @Test("R-000-11: the seed's weights on the whole sheet — self 90, store manager 80 → 83")
    func wholeSheetWeights() throws {
        // manager's assessment 80: service 12 + 10 + 5 (churn 50 % → 5) = 27, orders 30.75, other 5 + 5 = 10,
        // management 2.25 + 5 + 5 = 12.25 → 80; 0.3 × 90 + 0.7 × 80 = 27 + 56 = 83
        let r = try engine.score(Self.month.merging(["churn_rate": "50", "abnormal_orders": "0", "report_timeliness.manager": "2.25"]) { $1 })
        let manager = r.sections.filter { $0.id != "self_assessment" }.reduce(Fixed.zero) { $0 + $1.points }
        #expect(manager == 80)
        #expect(r.total == 83)
        #expect(engine.scheme.decisions.contains { $0.rules == ["R-000-11"] && $0.text.contains("自評 90、店長考核 80 → 83") })
        // the employee marks only the self-assessment; the store manager every management item
        let selfColumns = engine.inputs.filter { $0.rater == "self" }.map(\.column)
        #expect(selfColumns == ["task_completion.self"])
    }

    @Test("R-000-12: first +100, last −100, bottom two rectify within a week, ties explained")
    func ranking() throws {
        let oe = try OutcomeEngine(engine: engine)
        var recs: [OutcomeRecord] = []
        let marks: [(String, String)] = [("A", "5"), ("B", "3"), ("C", "3"), ("D", "0")]
        let rows = try marks.map { e, m in
            ScoringRow(employee: e, period: "2026-10", team: nil, values: try engine.evidence(Self.month.merging(["report_quality.manager": m]) { $1 }))
        }
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        let o = oe.evaluate(recs).outcomes
        #expect(o.first { $0.employeeId == "A" && $0.kind == "rank_reward" }?.value == .money(100))
        #expect(o.first { $0.employeeId == "D" && $0.kind == "rank_reward" }?.value == .money(-100))
        #expect(o.first { $0.employeeId == "B" && $0.kind == "rank" }?.explanation.contains("并列") == true)
        #expect(Set(o.filter { $0.kind == "rectification_plan" }.map(\.employeeId)) == ["B", "C", "D"])
    }
}

@Suite("Preset after-sales: worked examples")
struct PresetAfterSalesTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("after-sales")) }

    static let met: [String: String] = [
        "order_total": "1000000", "base_pay": "3500", "indicator_bonus": "800",
        "refund_rate": "3", "refund_rate_target": "3", "refund_hours": "20", "refund_hours_target": "24",
        "disputes": "0", "disputes_target": "1", "dsr": "4.8", "dsr_target": "4.8",
        "internal_complaints": "0", "internal_complaints_target": "0",
    ]

    @Test("R-004-01: pay = order total × 0.3% + indicator bonus + base pay; targets met exactly count as met")
    func allMet() throws {
        let r = try engine.score(Self.met)
        #expect(r.moneyLine("commission")?.amount == Decimal(3000))
        #expect(r.moneyLine("bonus")?.amount == Decimal(800))
        #expect(r.moneyLine("base")?.amount == Decimal(3500))
        #expect(r.moneyTotal == Decimal(7300))
        #expect(r.total == 100)
    }

    @Test("R-004-01: one indicator missing its target zeroes the whole indicator bonus")
    func gateCloses() throws {
        let r = try engine.score(Self.met.merging(["dsr": "4.79"]) { $1 })
        #expect(r.moneyLine("bonus")?.amount == Decimal(0))
        #expect(r.moneyLine("bonus")?.explanation.contains("DSR") == true)
        #expect(r.moneyTotal == Decimal(6500))
        #expect(r.total == 80)
        let odd = try engine.score(Self.met.merging(["order_total": "123456.78"]) { $1 })
        #expect(odd.moneyLine("commission")?.amount == Decimal(string: "370.37"))
    }

    @Test("R-004-01: the gate is department-wide — one store indicator missed in any row zeroes everyone's bonus")
    func gateIsDepartmentWide() throws {
        // 售后一部: three agents; the store's DSR is entered as 4.79 on C's row only → the whole department
        // misses the DSR target; 售后二部 meets every target and keeps its bonus
        let rows = try [("A", "售后一部", Self.met), ("B", "售后一部", Self.met), ("C", "售后一部", Self.met.merging(["dsr": "4.79"]) { $1 }),
                        ("D", "售后二部", Self.met)].map { e, team, v in
            ScoringRow(employee: e, period: "2026-10", team: team, values: try engine.evidence(v))
        }
        let r = Dictionary(uniqueKeysWithValues: engine.scoreAll(rows).map { ($0.employeeId, $0) })
        for e in ["A", "B", "C"] {
            #expect(r[e]?.moneyLine("bonus")?.amount == 0, "\(e)")
            #expect(r[e]?.moneyTotal == Decimal(6500), "\(e)")          // 3000 commission + 3500 base, no 800 bonus
            #expect(r[e]?.item("dsr_ok")?.points == 0, "\(e)")
            let why = r[e]?.moneyLine("bonus")?.explanation ?? ""
            #expect(why.contains("全部門DSR評分達標") && why.contains("组内最低DSR評分 4.79"), "\(why)")
        }
        #expect(r["D"]?.moneyLine("bonus")?.amount == Decimal(800))
        #expect(r["D"]?.total == 100)
        // before: per row, A and B would have kept 800 each
    }
}
