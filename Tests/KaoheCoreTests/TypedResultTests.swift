import Foundation
import Testing
@testable import KaoheCore

/// The typed result's stored form (issue 14 §1), grade and pay from one rounded total and
/// provisional pay (R-100-04).
@Suite("Typed results: stored form, one rounded total, provisional pay")
struct TypedResultTests {
    let engine: ScoringEngine

    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly")) }

    func sheet(_ change: [String: String]) throws -> SheetResult {
        try engine.score(PresetsEcommerceTests.perfect.merging(change) { $1 }, employee: "E1", period: "2026-10")
    }

    /// The typical month of `PresetsEcommerceTests.typicalMonth`: 78 points, 按比例, pay 2340,
    /// fines of −50 and −120 yuan.
    static let typical: [String: String] = [
        "inquiries": "100", "orders": "35", "response_time": "100", "churn_rate": "40", "void_orders": "2",
        "refund_orders": "6", "paid_orders": "60", "bad_reviews": "3", "wrong_shipments": "1", "shipment_loss": "120",
        "evaluation": "标准", "communication": "4", "knowledge": "4", "attitude": "4", "efficiency": "4", "initiative": "4",
        "discipline.late": "1", "return_rate": "13", "penalties.wrong_shipment_error": "1",
    ]

    static let name = "E1 2026-10 ecommerce-monthly"

    /// A stored sheet written by hand: every number a string of its exact text.
    static let stored = """
    {"employee_id": "E1", "period": "2026-10", "team": null, "total": "89.996", "max": "100", "grade": "全额",
     "complete": true,
     "sections": [{"id": "s", "label": "维度", "points": "89.996", "max": "100", "rules": []}],
     "items": [{"id": "mark", "label": "评分", "rules": ["R-100-04"], "section": "s", "points": "89.996", "max": "100",
                "explanation": "评分 90 / 100 分"}],
     "money": [{"item": "fine", "label": "罚款", "rules": ["R-002-10"], "amount": "-120.00", "explanation": "合计 -120.00 元"}],
     "pay": {"base": "3000", "paid": "3000.00", "rules": ["R-001-13"], "explanation": "得分 ≥ 90：base", "provisional": false},
     "flags": []}
    """

    /// `stored` with one piece replaced (the piece must be there).
    func storedWith(_ piece: String, _ replacement: String) -> String {
        #expect(Self.stored.contains(piece), "\(piece)")
        return Self.stored.replacingOccurrences(of: piece, with: replacement)
    }

    func dec(_ text: String) throws -> Decimal { try #require(Decimal(string: text)) }

    func refusal(_ text: String) -> StoredResultError? {
        do { _ = try SheetResult.decodeStored(text, name: Self.name); return nil } catch { return error }
    }

    // MARK: - the stored form

    @Test("issue 14: a scored sheet survives encode → decode, field by field")
    func roundTrip() throws {
        let sheets = try [sheet(Self.typical), sheet(["orders": "55", "shipment_loss": "120", "wrong_shipments": "1"])]
        for r in sheets {
            let text = try r.encodeStored()
            let back = try SheetResult.decodeStored(text, name: Self.name)
            #expect(back.employeeId == r.employeeId && back.period == r.period && back.team == r.team)
            #expect(back.total == r.total && back.max == r.max && back.grade == r.grade && back.complete == r.complete)
            #expect(back.sections == r.sections)
            #expect(back.items.count == r.items.count)
            for (a, b) in zip(back.items, r.items) {
                #expect(a.id == b.id && a.label == b.label && a.rules == b.rules && a.section == b.section)
                #expect(a.points == b.points && a.max == b.max, "\(a.id)")
                #expect(a.explanation == b.explanation, "\(a.id)")
            }
            #expect(back.money == r.money)
            #expect(back.pay == r.pay)
            #expect(back.flags == r.flags)
            #expect(back == r)
            // a second trip writes the same text
            #expect(try back.encodeStored() == text)
        }
        #expect(!sheets[1].flags.isEmpty)   // the flags of the band gap went round too
    }

    @Test("issue 14: every number is stored as a string of its exact text; −120.00 survives exactly")
    func numbersAsExactText() throws {
        let r = try sheet(Self.typical)
        #expect(r.total == 78 && r.moneyLine("shipment_loss_charge")?.amount == Decimal(-120))
        let text = try r.encodeStored()
        #expect(text.contains(#""total":"78""#))
        #expect(text.contains(#""amount":"-120.00""#))
        #expect(text.contains(#""amount":"-50.00""#))
        #expect(text.contains(#""paid":"2340.00""#))
        #expect(text.contains(#""provisional":false"#))
        #expect(text.contains(#""employee_id":"E1""#))

        let back = try SheetResult.decodeStored(Self.stored, name: Self.name)
        #expect(back.total == Fixed("89.996")!)
        #expect(back.roundedTotal == 90)
        #expect(back.team == nil && back.grade == "全额" && back.complete)
        #expect(back.items.first?.points == Fixed("89.996")!)
        #expect(back.items.first?.explanation == "评分 90 / 100 分")
        #expect(back.money.first?.amount == Decimal(-120))
        #expect(back.pay?.base == Decimal(3000) && back.pay?.paid == Decimal(3000) && back.pay?.provisional == false)
        let again = try back.encodeStored()
        #expect(again.contains(#""total":"89.996""#))
        #expect(again.contains(#""amount":"-120.00""#))
        #expect(again.contains(#""base":"3000.00""#))
        #expect(again.contains(#""team":null"#))
    }

    @Test("exact texts: Fixed.description and Decimal.exactText never round")
    func exactTexts() throws {
        #expect(Fixed("89.996")!.description == "89.996")
        #expect(Fixed("-0.000001")!.description == "-0.000001")
        #expect(Fixed("30")!.description == "30")
        #expect(Decimal(-120).exactText == "-120.00")
        #expect(try dec("350.50").exactText == "350.50")
        #expect(try dec("0.125").exactText == "0.125")
        #expect(try dec("-0.5").exactText == "-0.50")
        #expect(try dec("12345678901234567890.01").exactText == "12345678901234567890.01")
        #expect(Decimal(0).exactText == "0.00")
        #expect(StoredNumber.money("007.500") == Decimal(string: "7.5"))
        // more digits than Decimal holds would be rounded: refused instead
        #expect(StoredNumber.money("1234567890123456789012345678901234567890.5") == nil)
        #expect(StoredNumber.fixed("1.0000001") == nil)
    }

    @Test("issue 14: a number stored as a JSON number, or a text that is not a number, is refused naming the field and the record")
    func badNumbersRefused() throws {
        for bad in [#""total": 12.5"#, #""total": "abc""#, #""total": "90%""#, #""total": "1,234""#, #""total": "1e2""#, "\"total\": \"\""] {
            let e = try #require(refusal(storedWith(#""total": "89.996""#, bad)), "\(bad)")
            #expect(e.name == Self.name && e.field == "total", "\(bad)")
            #expect(e.description.contains("total") && e.description.contains(Self.name), "\(bad)")
        }
        let amount = try #require(refusal(storedWith(#""amount": "-120.00""#, #""amount": -120"#)))
        #expect(amount.field == "money[0].amount")
        let points = try #require(refusal(storedWith(#""section": "s", "points": "89.996""#, #""section": "s", "points": 89.996"#)))
        #expect(points.field == "items[0].points")
        let paid = try #require(refusal(storedWith(#""paid": "3000.00""#, #""paid": "3 000""#)))
        #expect(paid.field == "pay.paid")
    }

    @Test("issue 14: a missing required field is refused; an optional one may be missing")
    func missingFields() throws {
        let complete = try #require(refusal(storedWith(#""complete": true,"#, "")))
        #expect(complete.field == "complete" && complete.description.contains(Self.name))
        let max = try #require(refusal(storedWith(#""total": "89.996", "max": "100","#, #""total": "89.996","#)))
        #expect(max.field == "max")
        let provisional = try #require(refusal(storedWith(#", "provisional": false"#, "")))
        #expect(provisional.field == "pay.provisional")
        let explanation = try #require(refusal(storedWith(#", "explanation": "合计 -120.00 元""#, "")))
        #expect(explanation.field == "money[0].explanation")
        // not a result at all
        let garbage = try #require(refusal("{"))
        #expect(garbage.field == nil && garbage.description.contains(Self.name))
        // optional fields may be missing: no period, no team
        let bare = try SheetResult.decodeStored(storedWith(#""period": "2026-10", "team": null, "#, ""), name: Self.name)
        #expect(bare.period == nil && bare.team == nil)
    }

    // MARK: - R-100-04

    /// One mark of up to 100 points, a pay table and grade bands at 90 and 70.
    static let roundingScheme = """
    id: rounding
    name: 取整测试
    max: 100
    metrics:
      - {id: performance_pay, label: 绩效工资, kind: money}
    sections:
      - id: s
        label: 维度
        max: 100
        items:
          - {id: mark, label: 评分, kind: manual, max: 100, rule: R-100-04}
    pay:
      rule: R-100-04
      base: performance_pay
      bands:
        - {min: 90, paid: "base", label: 全额发放}
        - {min: 70, max: 90, paid: "base * score / 100", label: 按得分百分比发放}
        - {max: 70, paid: "0", label: 不发放}
    grades:
      - {label: 全额, min: 90, rule: R-100-04}
      - {label: 按比例, min: 70, rule: R-100-04}
      - {label: 不合格, rule: R-100-04}
    """

    @Test("R-100-04: 89.996 shows as 90.00 and is graded and paid as 90; 89.994 as 89.99 for both")
    func gradeAndPayFromOneRoundedTotal() throws {
        let rounding = try ScoringEngine(scheme: try yamlScheme(Self.roundingScheme))
        let up = try rounding.score(["mark": "89.996", "performance_pay": "3000"])
        #expect(up.total == Fixed("89.996")!)          // the total is kept as computed
        #expect(up.total.format() == "90" && up.roundedTotal == 90)
        #expect(up.grade == "全额")                     // the ≥ 90 grade …
        #expect(up.pay?.paid == Decimal(3000))          // … and the ≥ 90 pay band
        #expect(up.pay?.explanation.contains("得分 ≥ 90") == true)
        #expect(up.pay?.provisional == false)

        let down = try rounding.score(["mark": "89.994", "performance_pay": "3000"])
        #expect(down.total.format() == "89.99" && down.roundedTotal == Fixed("89.99")!)
        #expect(down.grade == "按比例")                 // both below 90
        #expect(down.pay?.paid == Decimal(string: "2699.7"))   // 3000 × 89.99%
        #expect(down.pay?.explanation.contains("70 ≤ 得分 < 90") == true)

        // exactly at the rounding edge: 89.995 rounds half-up to 90.00
        let edge = try rounding.score(["mark": "89.995", "performance_pay": "3000"])
        #expect(edge.grade == "全额" && edge.pay?.paid == Decimal(3000))
    }

    @Test("R-100-04: pay is provisional while the sheet waits for a rater's decision")
    func provisionalPay() throws {
        let done = try sheet([:])
        #expect(done.complete && !done.needsDecision)
        #expect(done.pay?.provisional == false)

        let gap = try sheet(["orders": "55"])            // 55% falls in the 50–60% gap (R-001-03)
        #expect(!gap.complete && gap.flags("band_gap").count == 1)
        #expect(gap.needsDecision)
        #expect(gap.pay?.provisional == true)
        // the provisional mark is stored with the sheet
        let back = try SheetResult.decodeStored(try gap.encodeStored(), name: Self.name)
        #expect(back.pay?.provisional == true)

        // the rater decides: the flag goes and the pay is final
        let decided = try sheet(["orders": "55", "conversion.override": "2"])
        #expect(decided.complete && decided.flags("band_gap").isEmpty)
        #expect(decided.pay?.provisional == false)

        // a zero denominator waits for a decision too (R-001-12)
        let zero = try sheet(["inquiries": "0", "orders": "0"])
        #expect(!zero.flags("zero_denominator").isEmpty && zero.pay?.provisional == true)

        #expect(Flag(code: "band_gap", rules: [], item: nil, message: "").needsDecision)
        #expect(!Flag(code: "veto", rules: [], item: nil, message: "").needsDecision)
        #expect(!Flag(code: "gate_closed", rules: [], item: nil, message: "").needsDecision)
    }

    // MARK: - outcomes

    @Test("outcomes: stored with numbers as strings; `amount` is the money value")
    func outcomes() throws {
        let reward = Outcome(employeeId: "E1", period: "2026-10", kind: "sales_rank_reward", value: .money(Decimal(500)),
                             rules: ["R-001-16"], explanation: "月度个人销售额第一名奖励 500.00 元")
        #expect(reward.amount == Decimal(500))
        let rank = Outcome(employeeId: "E1", period: "2026-10", kind: "sales_rank", value: .number(1), rules: ["R-001-16"], explanation: "第 1 名")
        #expect(rank.amount == nil)
        let text = try StoredJSON.encode([reward, rank])
        #expect(text.contains(#""value":{"type":"money","value":"500.00"}"#))
        #expect(text.contains(#""value":{"type":"number","value":"1"}"#))
        #expect(try StoredJSON.decode([Outcome].self, from: text, name: "outcomes") == [reward, rank])

        let values: [OutcomeValue] = try [.number(Fixed("-2.5")!), .money(dec("-120.5")), .text("三星"), .flag(true)]
        let teams = values.map { TeamOutcome(team: "一组", period: "2026-10", kind: "k", value: $0, rules: ["R-003-02"], explanation: "说明") }
        #expect(try StoredJSON.decode([TeamOutcome].self, from: try StoredJSON.encode(teams), name: "teams") == teams)
        #expect(try teams[1].amount == dec("-120.5"))

        do {
            _ = try StoredJSON.decode(OutcomeValue.self, from: #"{"type":"number","value":2.5}"#, name: "E1 rank")
            Issue.record("a JSON number was accepted")
        } catch {
            #expect(error.field == "value" && error.description.contains("E1 rank"))
        }
        do {
            _ = try StoredJSON.decode(OutcomeValue.self, from: #"{"type":"percent","value":"2.5"}"#, name: "E1 rank")
            Issue.record("an unknown type was accepted")
        } catch {
            #expect(error.field == "type")
        }
    }
}
