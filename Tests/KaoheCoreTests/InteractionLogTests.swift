import Foundation
import Testing
@testable import KaoheCore

@Suite("Interaction logs aggregated into metrics (R-001-12), streaming")
struct InteractionLogTests {
    /// Six chats of two agents, worked by hand below.
    static let log = """
    会话ID,客服工号,开始时间,首次响应时长,结果,订单金额,实付金额,退款金额,备注
    1,101001,2026-10-01 09:00:00,20,下单未付款,100,,,
    2,101001,2026/10/2 10:00,30,已付款,200,200,,"两行
    备注, 带逗号"
    3,101001,2026-10-31 23:59:59,40,退款,300,300,300,
    4,101001,2026-10-15 12:00,,流失,,,,
    5,101002,2026-10-03 08:00,10,咨询,,,,
    6,101002,2026-10-04 08:00,50,流失,,,,

    """

    static func scheme(startDay: Int? = nil) throws -> Scheme {
        var s = try Presets.scheme("ecommerce-monthly")
        s.monthStartDay = startDay
        return s
    }

    @Test("worked example: counts by outcome, mean response, churn share, sums")
    func workedExample() throws {
        let s = try LogAggregator.aggregate(Data(Self.log.utf8), file: "chats.csv", scheme: try Self.scheme())
        #expect(s.rows == 6 && s.periods == ["2026-10"])
        #expect(s.totals.map(\.employee) == ["101001", "101002"])
        let a = s.totals[0], b = s.totals[1]
        #expect(a.rows == 4 && a.firstLine == 2)
        // 101001: 4 chats; orders = 下单未付款 + 已付款 + 退款 = 3; paid = 已付款 + 退款 = 2; one refund;
        // response mean (20 + 30 + 40) / 3 = 30 (the empty cell is not a zero); churn 1 of 4 = 25 %
        #expect(a.values == ["inquiries": "4", "orders": "3", "inquiry_orders": "3", "inquiry_paid": "2", "paid_orders": "2", "refund_orders": "1",
                             "response_time": "30", "churn_rate": "25", "sales_amount": "600", "paid_amount": "500", "refund_amount": "300"])
        // 101002: no orders (the conversion formula then reports 0/2, it is not divided here); mean (10 + 50) / 2 = 30; churn 1 of 2
        #expect(b.values["orders"] == "0" && b.values["response_time"] == "30" && b.values["churn_rate"] == "50" && b.values["sales_amount"] == "0")
        #expect(s.map.unmapped == ["会话ID", "备注"])
        #expect(s.notices.contains { $0.contains("6") && $0.contains("2 employee-periods") })
    }

    @Test("the streaming reader gives the same totals at any block size, across quoted line breaks")
    func streamingEqualsWhole() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kaohe-log-\(UUID().uuidString).csv")
        try Data(Self.log.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let whole = try LogAggregator.aggregate(Data(Self.log.utf8), file: "chats.csv", scheme: try Self.scheme())
        for block in [16, 61, 64, 1000, 1 << 20] {
            let streamed = try LogAggregator.aggregate(path: url.path, scheme: try Self.scheme(), block: block)
            #expect(streamed.totals == whole.totals, "block \(block)")
        }
        // an error in a later block still names its line in the file
        let bad = Self.log.replacingOccurrences(of: "2026-10-04 08:00,50", with: "2026-10-04 08:00,五十")
        try Data(bad.utf8).write(to: url)
        let scheme = try Self.scheme()
        do { _ = try LogAggregator.aggregate(path: url.path, scheme: scheme, block: 32); Issue.record("accepted") } catch {
            #expect(error.row == 8 && error.column == "首次响应时长", "\(error)")
        }
    }

    @Test("month boundaries of the scheme place each chat (R-002-31); a row outside the stated period is refused")
    func periods() throws {
        let s = try LogAggregator.aggregate(Data(Self.log.utf8), file: "chats.csv", scheme: try Self.scheme(startDay: 25))
        // 2026-10-31 falls in the period 25 Oct – 24 Nov, labelled 2026-11
        #expect(s.periods == ["2026-10", "2026-11"])
        #expect(s.totals.first { $0.employee == "101001" && $0.period == "2026-11" }?.values["inquiries"] == "1")
        let scheme = try Self.scheme(startDay: 25)
        do { _ = try LogAggregator.aggregate(Data(Self.log.utf8), file: "chats.csv", scheme: scheme, period: "2026-10"); Issue.record("accepted") } catch {
            #expect(error.row == 5 && error.column == "开始时间" && error.message.contains("2026-11"))
        }
    }

    @Test("bad logs are refused with file, row and column; nothing is returned")
    func badLogs() throws {
        let scheme = try Self.scheme()
        let cases: [(String, Int?, String?, String)] = [
            (Self.log.replacingOccurrences(of: "2026-10-15 12:00", with: "十月十五"), 6, "开始时间", "not a date"),
            (Self.log.replacingOccurrences(of: "5,101002,", with: "5,,"), 7, "客服工号", "empty"),
            (Self.log.replacingOccurrences(of: "客服工号", with: "坐席"), 1, nil, "agent"),
            ("客服工号,开始时间\n", nil, nil, "no data rows"),
        ]
        for (text, row, column, words) in cases {
            do { _ = try LogAggregator.aggregate(Data(text.utf8), file: "chats.csv", scheme: scheme); Issue.record("accepted: \(words)") } catch {
                #expect(error.file == "chats.csv" && error.row == row && error.column == column && error.description.contains(words), "\(error)")
            }
        }
        // a scheme without interaction_log says so
        let star = try Presets.scheme("star-agent")
        do { _ = try LogAggregator.aggregate(Data(Self.log.utf8), file: "chats.csv", scheme: star); Issue.record("accepted") } catch {
            #expect(error.message.contains("interaction_log"))
        }
        // a chosen mapping fixes a renamed agent column
        let renamed = Self.log.replacingOccurrences(of: "客服工号", with: "坐席")
        let s = try LogAggregator.aggregate(Data(renamed.utf8), file: "chats.csv", scheme: scheme, chosen: ["坐席": "agent"])
        #expect(s.totals.count == 2)
    }

    @Test("a GB18030 log from Chinese Excel aggregates the same")
    func gb18030() throws {
        let data = try #require(Self.log.data(using: TextInput.gb18030))
        let s = try LogAggregator.aggregate(data, file: "chats.csv", scheme: try Self.scheme())
        let utf = try LogAggregator.aggregate(Data(Self.log.utf8), file: "chats.csv", scheme: try Self.scheme())
        #expect(s.totals == utf.totals && s.notices.contains { $0.contains("GB18030") })
    }

    @Test("the validator checks interaction_log against the scheme's metrics and columns")
    func validation() throws {
        var s = try Self.scheme()
        s.interactionLog!.aggregate[0].metric = "nope"
        s.interactionLog!.aggregate[6].column = "missing"
        s.interactionLog!.aggregate[7].function = .sum
        let problems = SchemeValidator.validate(s).filter { $0.severity == .error }.map(\.path)
        #expect(problems.contains("interaction_log.aggregate[0].metric"))
        #expect(problems.contains("interaction_log.aggregate[6].column"))
        #expect(problems.contains("interaction_log.aggregate[7].column"))
    }
}
