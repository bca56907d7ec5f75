import Foundation
import Testing
@testable import KaoheCore

/// Seed 003 presets: 接线 (R-003-20) with stars and quotas (R-003-02), 回访 (R-003-21),
/// collection stars (R-003-30), centre scorecard (R-003-40). Worked examples by hand.
@Suite("Preset inbound-line: worked examples")
struct PresetInboundLineTests {
    let engine: ScoringEngine
    init() throws { engine = try ScoringEngine(scheme: try Presets.scheme("inbound-line")) }

    static let month: [String: String] = [
        "completion": "90", "order_rate": "18.5", "market_order_rate": "20", "big_order_rate": "5", "market_big_order_rate": "8",
        "recording_review": "8", "responsibility": "4", "lates": "2", "bonus": "0", "errors": "0", "complaints": "0", "error_rate": "0",
    ]
    func score(_ c: [String: String]) throws -> SheetResult { try engine.score(Self.month.merging(c) { $1 }) }

    @Test("R-003-20: a month by hand")
    func month() throws {
        let r = try score([:])
        #expect(r.item("task")?.points == 45)            // 90% × 50
        #expect(r.item("order")?.points == 19)           // 1.5 points below → one whole step
        #expect(r.item("big_order")?.points == 7)        // 3 points below
        #expect(r.item("attendance")?.points == 3)       // late twice
        #expect(r.total == 86)
        #expect(try score(["bonus": "3"]).total == 89)
        #expect(try score(["bonus": "5", "completion": "150", "order_rate": "20", "big_order_rate": "9", "recording_review": "10", "responsibility": "5", "lates": "0"]).total == 105)
    }

    @Test("R-003-20: completion capped at 50; at the market average full marks; far below floored at 0")
    func edges() throws {
        #expect(try score(["completion": "120"]).item("task")?.points == 50)
        #expect(try score(["order_rate": "20"]).item("order")?.points == 20)
        #expect(try score(["order_rate": "25"]).item("order")?.points == 20)
        #expect(try score(["order_rate": "5", "market_order_rate": "30"]).item("order")?.points == 0)
        for (n, p) in [("0", 5), ("1", 4), ("2", 3), ("3", 0), ("4", 0)] as [(String, Fixed)] {
            #expect(try score(["lates": n]).item("attendance")?.points == p, "\(n) lates")
        }
    }

    /// Three identical months for each employee of a team; totals from recording and responsibility.
    /// `settings` change the star policy (`quota_compare: at_most`); `extra` adds an employee's inputs.
    func stars(_ people: [(String, recording: String, responsibility: String, lates: String)],
               settings: [String: JSONValue] = [:], extra: [String: [String: String]] = [:]) throws -> [Outcome] {
        var engine = self.engine
        if !settings.isEmpty {
            var scheme = try Presets.scheme("inbound-line")
            guard let i = scheme.outcomes.firstIndex(where: { $0.kind == "star" }) else { Issue.record("inbound-line has no star policy"); return [] }
            scheme.outcomes[i].params.merge(settings) { $1 }
            engine = try ScoringEngine(scheme: scheme)
        }
        let oe = try OutcomeEngine(engine: engine)
        var rows: [ScoringRow] = []
        for p in ["2026-07", "2026-08", "2026-09"] {
            for (e, rec, resp, lates) in people {
                let v = Self.month.merging(["completion": "60", "order_rate": "20", "big_order_rate": "8", "recording_review": rec, "responsibility": resp, "lates": lates]) { $1 }
                    .merging(extra[e] ?? [:]) { $1 }
                rows.append(ScoringRow(employee: e, period: p, team: "T1", values: try engine.evidence(v)))
            }
        }
        var recs: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let x = oe.record(r, values: v) { recs.append(x) } }
        return oe.evaluate(recs).outcomes.filter { $0.kind == "star" }
    }

    static let others = (1...6).map { ("O\($0)", recording: "2", responsibility: "0", lates: "3") }   // 60 + 2 = 62 → 一星

    @Test("R-003-02: strict as printed — 三星 < 30% of a team of 10 is two places; the third and fourth qualifiers fall to 二星")
    func quotaCutsAQualifier() throws {
        // 60 (business) + recording + responsibility + 5 (attendance): 78, 77, 76, 75.5
        // 三星: fewer than 10 × 30% = 3 → 2 places (A, B); 二星: fewer than 10 × 50% = 5 → 4 places (C, D)
        let o = try stars([("A", "8", "5", "0"), ("B", "8", "4", "0"), ("C", "8", "3", "0"), ("D", "7.5", "3", "0")] + Self.others)
        let star = { (e: String) in o.first { $0.employeeId == e }?.value }
        #expect(star("A") == .number(3) && star("B") == .number(3))
        #expect(star("C") == .number(2) && star("D") == .number(2))
        let why = o.first { $0.employeeId == "C" }?.explanation ?? ""
        #expect(why.contains("超出名额") && why.contains("10 人 × 30% = 3，人数须少于 3") && why.contains("为 2 个名额"), "\(why)")
        #expect(star("O1") == .number(1))
    }

    @Test("R-003-02: quota_compare: at_most keeps the ≤ reading — three 三星, the fourth falls to 二星")
    func quotaAtMost() throws {
        let o = try stars([("A", "8", "5", "0"), ("B", "8", "4", "0"), ("C", "8", "3", "0"), ("D", "7.5", "3", "0")] + Self.others,
                          settings: ["quota_compare": .string("at_most")])
        let star = { (e: String) in o.first { $0.employeeId == e }?.value }
        #expect(star("A") == .number(3) && star("B") == .number(3) && star("C") == .number(3))
        #expect(star("D") == .number(2))
        #expect(o.first { $0.employeeId == "D" }?.explanation.contains("向下取整为 3 个名额") == true)
    }

    @Test("R-003-02: a tie at the quota edge takes no place (the quota is a ceiling)")
    func tieAtTheEdge() throws {
        // 78, 77, 77, 76: the two 三星 places end between B and C, who tie at 77 → only A takes one
        let o = try stars([("A", "8", "5", "0"), ("B", "8", "4", "0"), ("C", "8", "4", "0"), ("D", "8", "3", "0")] + Self.others)
        let star = { (e: String) in o.first { $0.employeeId == e }?.value }
        #expect(star("A") == .number(3))
        #expect(star("B") == .number(2) && star("C") == .number(2) && star("D") == .number(2))
        #expect(o.first { $0.employeeId == "B" }?.explanation.contains("同分") == true)
    }

    @Test("R-003-02: score ranges are minimums — a 75.5 failing 三星's error test falls to 二星")
    func failedErrorTestFallsThrough() throws {
        // E: 60 + 7.5 + 3 + 5 = 75.5 (70–79), sections 60/80, 7.5/10, 8/10 ≥ 75 %, items ≥ 60 %;
        // team of 7: 三星 fewer than 2.1 → 2 places, 二星 fewer than 3.5 → 3 places
        let people = [("E", recording: "7.5", responsibility: "3", lates: "0")] + Self.others
        let clean = try stars(people)
        #expect(clean.first { $0.employeeId == "E" }?.value == .number(3))
        // 差错和客人投诉率 12% is not < 10%: not 三星, and 75.5 ≥ 66 over 3 months → 二星
        let o = try stars(people, extra: ["E": ["error_rate": "12"]])
        #expect(o.first { $0.employeeId == "E" }?.value == .number(2))
        #expect(o.first { $0.employeeId == "O1" }?.value == .number(1))
    }
}

@Suite("Preset call-back: worked examples")
struct PresetCallBackTests {
    @Test("R-003-21: repurchase −1 per 3 points below, churn −1 per point above the market")
    func month() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("call-back"))
        let base: [String: String] = ["completion": "100", "repurchase_rate": "25", "market_repurchase_rate": "30", "churn_rate": "12", "market_churn_rate": "10",
                                      "outbound_rate": "85", "recording": "9", "responsibility": "5", "lates": "1", "bonus": "0"]
        let r = try engine.score(base)
        #expect(r.item("repurchase")?.points == 19)   // 5 below → one whole step of 3
        #expect(r.item("churn")?.points == 18)        // 2 above
        #expect(r.item("outbound")?.points == Fixed("8.5")!)
        #expect(r.total == Fixed("93.5")!)            // 30 + 19 + 18 + 8.5 + 9 + 5 + 4
        #expect(try engine.score(base.merging(["churn_rate": "10"]) { $1 }).item("churn")?.points == 20)
        #expect(try engine.score(base.merging(["churn_rate": "8"]) { $1 }).item("churn")?.points == 20)
        #expect(try engine.score(base.merging(["repurchase_rate": "24"]) { $1 }).item("repurchase")?.points == 18)
        #expect(try engine.score(base.merging(["churn_rate": "45"]) { $1 }).item("churn")?.points == 0)
    }
}

@Suite("Preset collection-stars: worked examples")
struct PresetCollectionStarsTests {
    @Test("R-003-30: stars by collection rate; +500 / +200; performance pay withheld 50% / 100%")
    func stars() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("collection-stars"))
        func r(_ rate: String, complaints: String = "0", duties: String = "1") throws -> SheetResult {
            try engine.score(["collection_rate": rate, "complaints": complaints, "duties_done": duties, "performance_pay": "1000"])
        }
        let five = try r("110")
        #expect(five.grade == "五星" && five.moneyTotal == Decimal(500) && five.pay?.paid == Decimal(1000))
        let four = try r("115", duties: "0")
        #expect(four.grade == "四星" && four.moneyTotal == Decimal(200))
        let complained = try r("120", complaints: "1")
        #expect(complained.grade == "三星" && complained.moneyTotal == Decimal(0) && complained.pay?.paid == Decimal(1000))
        #expect(try r("100").grade == "三星")
        let two = try r("99.99")
        #expect(two.grade == "二星" && two.pay?.paid == Decimal(500))
        #expect(try r("85").grade == "二星")   // Decision: exactly 85 → the better band
        let one = try r("84.99")
        #expect(one.grade == "一星" && one.pay?.paid == Decimal(0))
    }
}

@Suite("Preset centre-scorecard: worked examples")
struct PresetCentreScorecardTests {
    @Test("R-003-40: fifteen sub-items 0–4; the sum gives the stars")
    func scorecard() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("centre-scorecard"))
        let manual = ["courtesy", "proactive", "feedback", "response", "follow_up", "accuracy", "solution_speed", "fit",
                      "completeness", "disclosure", "correction", "overall", "rating"]
        func sheet(_ each: String, yes: Bool) throws -> SheetResult {
            var v = Dictionary(uniqueKeysWithValues: manual.map { ($0, each) })
            v["within_limit"] = yes ? "是" : "否"
            v["recommend"] = yes ? "是" : "否"
            return try engine.score(v)
        }
        let best = try sheet("4", yes: true)
        #expect(best.total == 60 && best.grade == "4星")
        let forty = try sheet("3", yes: false)          // 13 × 3 = 39 → 3星
        #expect(forty.total == 39 && forty.grade == "3星")
        #expect(try sheet("2.5", yes: true).total == Fixed("40.5")! && (try sheet("2.5", yes: true).grade) == "4星")
        #expect(try sheet("0", yes: false).grade == "0星")
        let ten = try engine.score(Dictionary(uniqueKeysWithValues: manual.map { ($0, "0") }).merging(["courtesy": "2", "within_limit": "是", "recommend": "是"]) { $1 })
        #expect(ten.total == 10 && ten.grade == "1星")
    }
}
