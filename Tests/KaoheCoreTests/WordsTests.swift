import Foundation
import Testing
@testable import KaoheCore

/// Issue 19 §1 (numbers first, words when printed): a writer that prints no words scores muted —
/// the same numbers, grades, money, pay and flag codes, with no explanation text made.
@Suite("Scoring without words: the numbers of the CSV unchanged, no text made")
struct WordsTests {
    /// Rows of `kaohe bench`'s generator (what shared/bench scores): marks and evaluations,
    /// vetoes, penalties, overrides left empty; three teams, two periods.
    static let csv = """
    employee_id,period,team,inquiries,orders,inquiry_orders,inquiry_paid,paid_orders,refund_orders,response_time,churn_rate,sales_amount,refund_amount,paid_amount,void_orders,return_rate,exchange_orders,bad_reviews,wrong_shipments,shipment_loss,complaints,reminder_days,sales_target,performance_pay,probation,communication,knowledge,attitude,efficiency,initiative,discipline.late,discipline.leave,discipline.spot_check,conversion.override,response.override,churn.override,sales.override,order_volume.override,returns.override,evaluation,veto.embezzlement,veto.extortion,veto.misappropriation,veto.fighting,veto.crowds,veto.gambling,penalties.wrong_shipment_error,shipment_loss_charge.override,reminder_penalty.override,return_penalty.override
    E100000,2026-10,T0,443,20,459,143,20,106,1987.7,76.6,114490.36,238802.16,224989.93,341,71.5,190,98,403,120064.95,480,28,64431.5,67258.89,0,3,1,3.4,4.5,1,,,,,,,,,,也还好,,,,,,,,,,
    E100001,2026-10,T1,338,279,41,413,332,326,2499.8,8.3,26827.78,70854.51,105882.56,282,12.3,97,496,27,283754.8,165,3,61669.03,87761.5,1,1.2,1.4,4.3,2.6,1.9,,,,,,,,,,优秀,,,,1,,0,1,,,
    E100002,2026-10,T2,158,161,46,31,263,388,2893.9,33.3,14472.07,294320.94,66070.17,389,33.3,479,251,192,235382.6,480,4,194737.86,28944.35,1,2.1,0.5,1,1.3,3.8,,0,2,,,,,,,有待改进,,,,,,,,,,
    E100003,2026-10,T3,295,276,325,211,339,210,2916.5,39.6,98529.77,236253.5,177177.33,90,94.1,144,254,255,173335.76,432,3,218661.11,22952.5,0,0.9,0.4,4.1,4.2,1.7,1,,,,,,,,,一般,,,,,,1,,,,
    E100004,2026-11,T4,59,307,367,369,46,455,2792.4,47.9,289817,74458.38,96097.94,445,17.2,295,72,194,150706.49,32,30,298477.53,98083.03,1,3.2,0.7,4.5,0.2,0.3,1,,,,,,,,,标准,,1,,,,2,,,,
    E100005,2026-11,T5,387,105,455,236,366,208,163.2,91.2,114223.52,264250.47,185400.48,146,2.3,50,438,43,242313.83,241,28,172128.42,23499.57,0,3.2,4.7,5,3.9,0.2,,,,,,,,,,也还好,2,,,,,,2,,,
    E100006,2026-10,T6,116,104,406,2,8,445,2213.4,68.1,231961.74,238350.76,249242.93,271,38.1,343,419,98,58783.4,200,23,198062.92,17372.22,1,0.3,2.1,4.3,4.5,4.9,,,2,,,,,,,标准,,2,,,,1,1,,,
    """

    @Test("muted and unmuted scoring give the same totals, items, money, pay, grades and flag codes; muted results carry no text")
    func sameNumbers() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
        let rows = try EvidenceCSV.read(Data(Self.csv.utf8), file: "in.csv", engine: engine)
        let spoken = engine.scoreAll(rows)
        let muted = Words.muting(true) { engine.scoreAll(rows) }
        #expect(spoken.count == 7 && muted.count == 7)
        for (a, b) in zip(spoken, muted) {
            #expect(a.total == b.total && a.grade == b.grade && a.complete == b.complete, "\(a.employeeId) \(a.period ?? "")")
            #expect(a.items.map(\.points) == b.items.map(\.points) && a.money.map(\.amount) == b.money.map(\.amount))
            #expect(a.pay?.paid == b.pay?.paid && a.pay?.base == b.pay?.base)
            #expect(a.flags.map(\.code) == b.flags.map(\.code))
            #expect(a.items.allSatisfy { !$0.explanation.isEmpty }, "spoken results explain every item")
            #expect(b.items.allSatisfy { $0.explanation.isEmpty } && b.money.allSatisfy { $0.explanation.isEmpty }, "muted results make no text")
        }
        // the words come back after muting, on the same thread
        #expect(!Words.muted && engine.scoreAll(rows) == spoken)
    }

    @Test("the CSV written on every core without words is byte for byte the CSV written with them")
    func sameCSV() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
        // enough rows for several chunks on every worker
        let lines = Self.csv.split(separator: "\n").map(String.init)
        let many = ([lines[0]] + (0..<3000).map { i in
            // the sample rows again under other ids and teams (team averages and ranks change with them)
            let r = lines[1 + i % (lines.count - 1)]
            return "X\(i)," + r.drop { $0 != "," }.dropFirst().replacingOccurrences(of: ",T", with: ",T\(i % 4)", options: [], range: nil)
        }).joined(separator: "\n")
        let rows = try EvidenceCSV.read(Data(many.utf8), file: "many.csv", engine: engine)
        func csv(words: Bool) -> [UInt8] {
            var out = ByteSink()
            let hasPay = engine.hasPay
            engine.scoreAll(rows, chunk: 256, words: words, render: { (r: SheetResult, _: [Fixed?], o: inout ByteSink, _: inout [Never]) in
                ResultWriter.csv(r, hasPay: hasPay, into: &o)
            }, consume: { chunk, _ in out.bytes += chunk.bytes })
            return out.bytes
        }
        let spoken = csv(words: true), muted = csv(words: false)
        #expect(spoken.count > 100_000 && spoken == muted)
    }
}
