import Foundation
import Testing
@testable import KaoheCore

/// The forms as pure functions of typed results and stored outcomes (issue 14 §1, R-100-03,
/// R-100-04): no database, no HTTP — the figures are the engine's, the conclusions the outcomes'.
@Suite("Forms from typed results and outcomes")
struct FormsTests {
    static let engine = try! ScoringEngine(scheme: try! yamlScheme(TypedResultTests.roundingScheme))

    static func person(_ n: String, team: String = "一组") -> Forms.Person {
        Forms.Person(number: n, name: "员工\(n.suffix(2))", department: "客服一部", departmentCode: "01", team: team)
    }

    static func row(_ n: String, mark: String, pay: String = "1000", period: String = "2026-10", provisional: Bool = false) throws -> Forms.Row {
        var sheet = try engine.score(["mark": mark, "performance_pay": pay])
        if provisional { sheet.pay?.provisional = true; sheet.flags.append(Flag(code: "band_gap", rules: ["R-001-03"], item: "mark", message: "落在档位空档，须评分人裁定")) }
        return Forms.Row(person: person(n), period: period, scheme: "rounding", schemeVersion: 1, storedTotal: sheet.total.rounded(2), grade: sheet.grade,
                         sheet: sheet, locked: false)
    }

    static func outcome(_ n: String, _ kind: String, _ type: String, _ value: String, amount: String? = nil, _ why: String) -> Forms.Outcome {
        Forms.Outcome(employee: n, scheme: "rounding", kind: kind, valueType: type, value: value, amount: amount.flatMap { Decimal(string: $0) },
                      rules: ["R-000-12"], explanation: why)
    }

    static func texts(_ s: XLSXWriter.Sheet) -> [[String]] {
        s.rows.map { $0.map { c in
            switch c { case .text(let t), .number(let t), .date(let t): return t; case .empty: return "" }
        } }
    }

    @Test("ledger: outcome money is paid with the sheet's pay; a provisional sheet is held out with its reason; a correction is a difference line")
    func ledger() throws {
        let rows = [try Self.row("101001", mark: "95"), try Self.row("101002", mark: "80", provisional: true)]
        let outcomes = ["2026-10": ["101001": [Self.outcome("101001", "level_bonus", "money", "60.00", amount: "60.00", "「一级」等级奖金 60.00 元/月（R-002-26）"),
                                               Self.outcome("101001", "level", "text", "一级", "评为「一级」")]]]
        let correction = Forms.Correction(employee: "101001", name: "员工01", period: "2026-09", at: "2026-10-03 09:30", actor: "人事", reason: "漏计表扬",
                                          beforeTotal: "88", afterTotal: "90", beforePay: "880.00", afterPay: "1000.00", beforeMoney: "0.00", afterMoney: "0.00",
                                          difference: Decimal(120))
        let sheets = Forms.build(.init(kind: .ledger, title: "工资表", periods: ["2026-10"], label: "2026-10", rows: rows, outcomes: outcomes, corrections: [correction]))
        #expect(sheets.map(\.name) == ["汇总", "明细", "暂缓发放", "更正差额"])
        let summary = Self.texts(sheets[0])
        // 101001: pay 1000.00 (≥ 90 is paid in full) + the level bonus 60.00 + the correction 120.00 = 1180.00
        #expect(summary == [["101001", "员工01", "客服一部", "2026-10", "1000.00", "1000.00", "0.00", "60.00", "120.00", "1180.00", "已发布，未锁定"]], "\(summary)")
        let detail = Self.texts(sheets[1])
        #expect(detail.contains { $0[0] == "101001" && $0[4] == "等级奖金" && $0[6] == "60.00" && $0[7].contains("R-002-26") })
        #expect(!detail.contains { $0[4] == "等级" }, "a level without money is not a payroll line")
        // a scheme's own outcome is named by its policy's label, the start of its explanation
        #expect(Self.outcome("1", "sales_rank_low", "money", "-100.00", amount: "-100.00", "月度销售额最低：末位，扣 100.00 元").label == "月度销售额最低")
        #expect(Self.outcome("1", "odd_kind", "flag", "true", "no label here").label == "odd_kind")
        // R-100-04: the sheet waiting for a rater's decision is not paid, and says why
        let held = Self.texts(sheets[2])
        #expect(held.count == 1 && held[0][0] == "101002" && held[0][5].contains("R-100-04") && held[0][5].contains("档位空档"), "\(held)")
        #expect(!summary.contains { $0[0] == "101002" })
        let diffs = Self.texts(sheets[3])
        #expect(diffs == [["101001", "员工01", "2026-09", "2026-10-03 09:30", "人事", "漏计表扬", "88 → 90", "880.00 → 1000.00", "0.00 → 0.00", "120.00"]])
    }

    @Test("ranking: tied totals share a rank; the notes are the outcomes' own words (rank money, duties), nothing re-stated")
    func ranking() throws {
        let rows = [try Self.row("101001", mark: "95"), try Self.row("101002", mark: "95"), try Self.row("101003", mark: "70")]
        let outcomes = ["2026-10": [
            "101001": [Self.outcome("101001", "rank_reward", "money", "100.00", amount: "100.00", "第一名，奖励 100.00 元（R-000-12）")],
            "101002": [Self.outcome("101002", "rank_reward", "money", "100.00", amount: "100.00", "第一名（并列），奖励 100.00 元（R-000-12）")],
            "101003": [Self.outcome("101003", "rank_reward", "money", "-100.00", amount: "-100.00", "末位，扣 100.00 元（R-000-12）"),
                       Self.outcome("101003", "rectification_plan", "text", "7 天内", "倒数两名：7 天内提交整改计划（R-000-12）"),
                       Self.outcome("101003", "rank", "text", "3/3", "第 3 名")],
        ]]
        let sheet = Forms.build(.init(kind: .ranking, title: "排名", periods: ["2026-10"], label: "2026-10", rows: rows, outcomes: outcomes))[0]
        let t = Self.texts(sheet)
        #expect(t.map { $0[0] } == ["1", "1", "3"])
        #expect(t.map { $0[1] } == ["101001", "101002", "101003"])
        #expect(t[0][8] == "第一名，奖励 100.00 元（R-000-12）")
        #expect(t[2][8] == "末位，扣 100.00 元（R-000-12）；倒数两名：7 天内提交整改计划（R-000-12）", "\(t[2][8])")
        // no money, no note: a ranking with no policies says nothing
        let bare = Self.texts(Forms.build(.init(kind: .ranking, title: "排名", periods: ["2026-10"], label: "2026-10", rows: rows))[0])
        #expect(bare.allSatisfy { $0[8].isEmpty })
    }

    @Test("star board: most stars first, then the larger level bonus; rank money is not a star board figure; a person with no published month is 未考核")
    func starBoard() throws {
        let board = [Forms.BoardLine(person: Self.person("101001"), period: "2026-10", total: "91"),
                     Forms.BoardLine(person: Self.person("101002"), period: "2026-10", total: "88"),
                     Forms.BoardLine(person: Self.person("101003"), period: nil, total: nil),
                     Forms.BoardLine(person: Self.person("101004"), period: "2026-10", total: "95")]
        let outcomes = ["2026-10": [
            "101001": [Self.outcome("101001", "level", "text", "二级", "评为「二级」"), Self.outcome("101001", "level_bonus", "money", "30.00", amount: "30.00", "等级奖金 30.00 元")],
            "101002": [Self.outcome("101002", "level", "text", "一级", "评为「一级」"), Self.outcome("101002", "level_bonus", "money", "60.00", amount: "60.00", "等级奖金 60.00 元"),
                       Self.outcome("101002", "rank_reward", "money", "500.00", amount: "500.00", "销售第一名奖励 500.00 元")],
            "101004": [Self.outcome("101004", "star", "number", "3", "评为「三星」")],
        ]]
        let t = Self.texts(Forms.build(.init(kind: .starBoard, title: "星星榜", periods: [], label: "", rows: [], outcomes: outcomes, board: board))[0])
        #expect(t.map { $0[0] } == ["101004", "101002", "101001", "101003"], "\(t.map { $0[0] })")
        #expect(t[0][5] == "3" && t[0][6] == "★★★")
        #expect(t[1][4] == "一级" && t[1][7] == "60.00" && !t[1][10].contains("500"), "\(t[1])")
        #expect(t[3][4] == "未考核" && t[3][7].isEmpty)
    }

    @Test("year-end record: months, count and mean from the published months; the conclusions are the flag outcomes as of the last of them")
    func yearEnd() throws {
        let rows = [try Self.row("101001", mark: "65", period: "2026-01"), try Self.row("101001", mark: "68", period: "2026-03"),
                    try Self.row("101002", mark: "90", period: "2026-02")]
        let outcomes = ["2026-03": ["101001": [Self.outcome("101001", "year_end_ineligible", "flag", "true", "年终绩效奖金资格：2026 年 3 个月低于 70（R-001-14）")]],
                        "2026-02": ["101002": [Self.outcome("101002", "year_end_ineligible", "flag", "false", "年终绩效奖金资格：未达到（R-001-14）")]]]
        let t = Self.texts(Forms.build(.init(kind: .yearEndRecord, title: "年终", periods: (1...12).map { String(format: "2026-%02d", $0) }, label: "2026", rows: rows, outcomes: outcomes))[0])
        let a = try #require(t.first { $0[0] == "101001" })
        #expect(a[4] == "65" && a[5] == "" && a[6] == "68" && a[16] == "2" && a[17] == "66.5")
        #expect(a[20] == "2026-03" && a[21] == "年终绩效奖金资格：2026 年 3 个月低于 70（R-001-14）")
        let b = try #require(t.first { $0[0] == "101002" })
        #expect(b[21] == "年终绩效奖金资格：未达到（R-001-14）")
    }

    @Test("each form says which of its columns are names people gave (a report page leaves them untranslated): the 姓名, 部门 and 班组 columns")
    func nameColumns() throws {
        let rows = [try Self.row("101001", mark: "95"), try Self.row("101002", mark: "80", provisional: true)]
        for kind in Forms.Kind.allCases {
            let periods = kind.needsYear ? (1...12).map { String(format: "2026-%02d", $0) } : ["2026-10"]
            for s in Forms.build(.init(kind: kind, title: "t", periods: periods, label: kind.needsYear ? "2026" : "2026-10", rows: rows)) {
                // the rule the report page applied to the headers before the forms said so
                let byHeader = Set(s.header.indices.filter { ["姓名", "评分人", "复核人", "记录人", "部门", "班组"].contains(s.header[$0]) })
                #expect(s.nameColumns == byHeader, "\(kind) \(s.name): \(s.nameColumns.sorted()) ≠ \(byHeader.sorted())")
            }
        }
    }
}
