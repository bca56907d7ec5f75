import Foundation
import Testing
@testable import KaoheCore

@Suite("CSV evidence: all-or-nothing with file, row and column")
struct CSVInputTests {
    let engine: ScoringEngine
    init() throws { engine = try fixtureEngine("all-kinds.yaml") }

    func read(_ text: String) throws(InputError) -> [ScoringRow] {
        try EvidenceCSV.read(Data(text.utf8), file: "in.csv", engine: engine)
    }

    @Test func readsQuotedFieldsBOMAndCRLF() throws {
        let rows = try read("\u{FEFF}employee_id,name,orders,inquiries\r\nE1,\"张, 三\",18,60\r\n\r\nE2,\"李\"\"四\",1,2\r\n")
        #expect(rows.count == 2)
        #expect(rows[0].employee == "E1")
        let r = engine.scoreAll(rows)
        #expect(r[0].item("conversion")?.points == 3)
    }

    @Test func parserHandlesQuotesAndEmbeddedNewlines() throws {
        let rows = try CSVReader.rows("a,b\n\"x\ny\",\"he said \"\"hi\"\"\"\n,\n")
        #expect(rows == [["a", "b"], ["x\ny", "he said \"hi\""], ["", ""]])
    }

    @Test func unknownColumnNamesFileRowAndColumn() {
        do { _ = try read("employee_id,orderz\nE1,3\n"); Issue.record("expected an error") } catch {
            #expect(error.file == "in.csv" && error.row == 1 && error.column == "orderz")
            #expect(error.description.contains("in.csv") && error.description.contains("orderz"))
        }
    }

    @Test func missingEmployeeIdColumn() {
        do { _ = try read("orders\n3\n"); Issue.record("expected an error") } catch {
            #expect(error.column == "employee_id")
        }
    }

    @Test func nonNumericValueNamesTheCell() {
        do { _ = try read("employee_id,orders\nE1,3\nE2,abc\n"); Issue.record("expected an error") } catch {
            #expect(error.row == 3 && error.column == "orders" && error.message.contains("abc"))
        }
    }

    @Test func duplicateEmployeePeriod() {
        #expect(throws: InputError.self) { try read("employee_id,period,orders\nE1,2026-01,3\nE1,2026-01,4\n") }
        #expect((try? read("employee_id,period,orders\nE1,2026-01,3\nE1,2026-02,4\n"))?.count == 2)
    }

    @Test func impossibleValues() {
        do { _ = try read("employee_id,order_rate\nE1,140%\n"); Issue.record("expected an error") } catch {
            #expect(error.row == 2 && error.column == "order_rate")
        }
        do { _ = try read("employee_id,bad_reviews\nE1,-1\n"); Issue.record("expected an error") } catch {
            #expect(error.column == "bad_reviews")
        }
        do { _ = try read("employee_id,period\nE1,2026-13\n"); Issue.record("expected an error") } catch {
            #expect(error.column == "period")
        }
    }

    @Test func malformedFiles() {
        #expect(throws: InputError.self) { try read("") }
        #expect(throws: InputError.self) { try read("employee_id,orders\n") }
        #expect(throws: InputError.self) { try read("employee_id,orders\nE1,\"3\n") }
        #expect(throws: InputError.self) { try read("employee_id,orders\nE1,3,4\n") }
        #expect(throws: InputError.self) { try read("employee_id,orders,orders\nE1,3,4\n") }
        #expect(throws: InputError.self) { try EvidenceCSV.read(Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 1]), file: "x.csv", engine: engine) }
        #expect(throws: InputError.self) { try EvidenceCSV.read(Data([0x65, 0x2C, 0xC4, 0xE3, 0x0A]), file: "gbk.csv", engine: engine) }
    }

    @Test func groupAverageOverRowsOfTheSamePeriodAndTeam() throws {
        let yaml = """
        id: g
        name: 组内
        metrics:
          - {id: rate, label: 下单率, kind: percent}
        sections:
          - id: s
            label: 维度
            max: 20
            items:
              - {id: r, label: 下单率, kind: relative, max: 20, metric: rate, average: group, rule: R-003-20}
        """
        let e = try ScoringEngine(scheme: try yamlScheme(yaml))
        let rows = try EvidenceCSV.read(Data("employee_id,period,team,rate\nA,2026-01,T1,30\nB,2026-01,T1,40\nC,2026-01,T2,10\nD,2026-02,T1,10\n".utf8), file: "g.csv", engine: e)
        let r = e.scoreAll(rows)
        // T1 in 2026-01: average 35 → A is 5 below → 15; B above → 20; C alone in T2 → 20; D alone in 2026-02 → 20
        #expect(r.map { $0.total } == [15, 20, 20, 20])
        #expect(r[0].item("r")?.explanation.contains("组内平均") == true)
    }
}
