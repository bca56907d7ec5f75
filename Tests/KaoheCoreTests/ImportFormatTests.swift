import Foundation
import Testing
import ZIPFoundation
@testable import KaoheCore

/// A workbook written by hand (not by our writer), to test the reader on what Excel produces:
/// shared strings, styles, formulas, merged cells, error values.
func handWorkbook(sheet: String, shared: [String] = [], numFmts: String = "", cellXfs: [Int] = [0]) throws -> Data {
    let a = try Archive(data: Data(), accessMode: .create)
    func add(_ p: String, _ t: String) throws {
        let d = Data(t.utf8)
        try a.addEntry(with: p, type: .file, uncompressedSize: Int64(d.count), compressionMethod: .deflate) { pos, n in d.subdata(in: Int(pos)..<Int(pos) + n) }
    }
    try add("[Content_Types].xml", "<Types/>")
    try add("xl/workbook.xml", #"<workbook xmlns:r="r"><sheets><sheet name="十月" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
    try add("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#)
    try add("xl/sharedStrings.xml", "<sst>" + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>")
    try add("xl/styles.xml", "<styleSheet><numFmts>\(numFmts)</numFmts><cellXfs>" + cellXfs.map { "<xf numFmtId=\"\($0)\"/>" }.joined() + "</cellXfs></styleSheet>")
    try add("xl/worksheets/sheet1.xml", "<worksheet><sheetData>\(sheet)</sheetData></worksheet>")
    return a.data!
}

@Suite("Files as users have them: encodings, XLSX, column mapping, typed values")
struct ImportFormatTests {
    @Test("GB18030, UTF-8 with BOM and UTF-16 text are read; binary and .xls are refused by name")
    func encodings() throws {
        let text = "工号,订单数\n101001,37\n"
        let gb = try #require(text.data(using: TextInput.gb18030))
        #expect(gb != Data(text.utf8))
        let g = try Grid.read(gb, file: "十月.csv")
        #expect(g.header == ["工号", "订单数"] && g.rows[0].cells == ["101001", "37"])
        #expect(g.notices.contains { $0.contains("GB18030") })
        let bom = try Grid.read(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8), file: "bom.csv")
        #expect(bom.header == ["工号", "订单数"] && bom.notices.isEmpty)
        let u16 = try #require("工号\t订单数\n101001\t37\n".data(using: .utf16LittleEndian))
        let t = try Grid.read(Data([0xFF, 0xFE]) + u16, file: "unicode.txt")
        #expect(t.rows[0].cells == ["101001", "37"])
        for (data, words) in [(Data(), "empty"), (Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1]), "binary"),
                              (Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]), ".xls"), (Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]), "XLSX")] {
            do { _ = try Grid.read(data, file: "x.csv"); Issue.record("accepted \(words)") } catch {
                #expect(error.file == "x.csv" && error.description.contains(words), "\(error)")
            }
        }
        // neither UTF-8 nor GB18030: a lone lead byte at the end
        #expect(throws: InputError.self) { try Grid.read(Data("工号,a\n1,".utf8) + Data([0x81]), file: "bad.csv") }
    }

    @Test("CSV rows: a short row names its line; blank lines are skipped; a duplicate header is refused")
    func csvShape() throws {
        let g = try Grid.read(Data("a,b\n1,2\n\n3,4,\n".utf8), file: "f.csv")
        #expect(g.rows.map(\.line) == [2, 4] && g.rows[1].cells == ["3", "4"])
        do { _ = try Grid.read(Data("a,b\n1,2\n3\n".utf8), file: "f.csv"); Issue.record("short row accepted") } catch { #expect(error.row == 3) }
        do { _ = try Grid.read(Data("a,a\n1,2\n".utf8), file: "f.csv"); Issue.record("duplicate header accepted") } catch { #expect(error.column == "a") }
        do { _ = try Grid.read(Data("a,b\n".utf8), file: "f.csv"); Issue.record("no rows accepted") } catch { #expect(error.message.contains("no data rows")) }
    }

    @Test("XLSX written by Kaohe reads back: Chinese text, numbers, dates, title row skipped")
    func xlsxRoundTrip() throws {
        let w = XLSXWriter(sheets: [
            .init(name: "月度记录", title: "员工月绩效考核记录表 2026-10", header: ["工号", "姓名", "得分", "日期"],
                  rows: [[.text("101001"), .text("艾丽 & <鲍勃>"), .number("87.5"), .date("2026-10-05")],
                         [.text("101002"), .text("长长长长长长长长长长的名字"), .number("-3"), .empty]]),
            .init(name: "a/b:c*?[x]", header: ["x"], rows: [[.number("1")]]),
        ])
        let data = try w.data()
        #expect(try XLSXReader.sheetNames(data, file: "out.xlsx") == ["月度记录", "a_b_c___x_"])
        let g = try Grid.read(data, file: "out.xlsx")
        #expect(g.sheet == "月度记录" && g.header == ["工号", "姓名", "得分", "日期"])
        #expect(g.rows.map(\.line) == [3, 4])
        #expect(g.rows[0].cells == ["101001", "艾丽 & <鲍勃>", "87.5", "2026-10-05"])
        #expect(g.rows[1].cells == ["101002", "长长长长长长长长长长的名字", "-3", ""])
        #expect(g.notices.contains { $0.contains("title row") })
        do { _ = try Grid.read(data, file: "out.xlsx", sheet: "没有"); Issue.record("unknown sheet accepted") } catch {
            #expect(error.sheet == "没有" && error.message.contains("月度记录"))
        }
        // widths: the long Chinese name counts double
        let xml = XLSXWriter.sheetXML(w.sheets[0])
        #expect(xml.contains(#"<col min="2" max="2" width="28" customWidth="1"/>"#))
    }

    @Test("XLSX as Excel saves it: shared strings, percent and date formats, formulas with saved values")
    func xlsxFromExcel() throws {
        let sheet = """
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
        <row r="2"><c r="A2"><v>101001</v></c><c r="B2" s="1"><v>0.35</v></c><c r="C2" s="2"><v>46300</v></c><c r="D2"><f>B2*100</f><v>35.000000000000007</v></c></row>
        <row r="4"><c r="A4" t="inlineStr"><is><t>101002</t></is></c><c r="B4" s="1"><v>0.125</v></c><c r="C4" s="3"><v>46300.5</v></c><c r="D4" t="str"><f>"x"</f><v>x</v></c></row>
        """
        let data = try handWorkbook(sheet: sheet, shared: ["工号", "转化率", "日期", "公式"],
                                    numFmts: #"<numFmt numFmtId="164" formatCode="yyyy/m/d\ h:mm"/>"#, cellXfs: [0, 10, 14, 164])
        let g = try Grid.read(data, file: "excel.xlsx")
        #expect(g.sheet == "十月" && g.header == ["工号", "转化率", "日期", "公式"])
        #expect(g.rows[0].line == 2 && g.rows[0].cells == ["101001", "35%", "2026-10-05", "35"])
        #expect(g.rows[1].line == 4 && g.rows[1].cells == ["101002", "12.5%", "2026-10-05 12:00:00", "x"])
        #expect(g.notices.contains { $0.contains("D2") && $0.contains("formula") })
    }

    @Test("XLSX refused with the cell named: formula without a value, error value, merged header")
    func xlsxRefusals() throws {
        let head = #"<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c><c r="B1" t="inlineStr"><is><t>订单数</t></is></c></row>"#
        let noValue = try handWorkbook(sheet: head + #"<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f>SUM(C1:C9)</f></c></row>"#)
        do { _ = try Grid.read(noValue, file: "f.xlsx"); Issue.record("accepted") } catch {
            #expect(error.row == 2 && error.column == "B" && error.sheet == "十月" && error.message.contains("saved value"))
        }
        let errorValue = try handWorkbook(sheet: head + #"<row r="3"><c r="A3"><v>1</v></c><c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>"#)
        do { _ = try Grid.read(errorValue, file: "f.xlsx"); Issue.record("accepted") } catch {
            #expect(error.row == 3 && error.column == "B" && error.message.contains("#DIV/0!"))
        }
        let mergedXML = head + #"<row r="2"><c r="A2"><v>1</v></c></row>"#
        let a = try Archive(data: try handWorkbook(sheet: mergedXML), accessMode: .update)
        let merged = "<worksheet><sheetData>\(mergedXML)</sheetData><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>"
        try a.remove(a["xl/worksheets/sheet1.xml"]!)
        try a.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(merged.utf8.count)) { p, n in Data(merged.utf8).subdata(in: Int(p)..<Int(p) + n) }
        do { _ = try Grid.read(a.data!, file: "f.xlsx"); Issue.record("accepted") } catch {
            #expect(error.row == 1 && error.message.contains("A1:B1") && error.message.contains("merged header"))
        }
    }

    @Test("headers map by id, by label (unit in brackets, full-width, spaces ignored) or by the saved mapping")
    func columnMapping() throws {
        let targets = [MappingTarget(id: "employee_id", labels: ["工号"], required: true),
                       MappingTarget(id: "response_time", labels: ["平均响应时间"]), MappingTarget(id: "orders", labels: ["订单数"]),
                       MappingTarget(id: "refunds", labels: ["退款订单数"])]
        let m = try ColumnMap.resolve(header: ["工 号", "平均响应时间（秒）", "ORDERS", "店铺"], targets: targets, file: "f.csv")
        #expect(m.matches.map(\.target) == ["employee_id", "response_time", "orders"])
        #expect(m.matches.map(\.how) == [.label, .label, .id])
        #expect(m.unmapped == ["店铺"] && m.missing.isEmpty && m.absent == ["refunds"])
        // next month: the saved mapping maps a renamed column and skips the shop column
        let next = try ColumnMap.resolve(header: ["工号", "首响", "店铺", "退款单"], targets: targets,
                                         saved: ["首响": "response_time", "店铺": "-", "退款单": "refunds"], file: "f.csv")
        #expect(next.column("response_time") == 1 && next.column("refunds") == 3 && next.unmapped == ["店铺"])
        #expect(next.saved == ["工号": "employee_id", "首响": "response_time", "退款单": "refunds", "店铺": "-"])
        do { _ = try ColumnMap.resolve(header: ["订单数", "orders"], targets: targets, file: "f.csv"); Issue.record("two columns for one field") } catch {
            #expect(error.column == "orders" && error.message.contains("订单数"))
        }
        do { _ = try ColumnMap.resolve(header: ["x"], targets: targets, chosen: ["x": "nope"], file: "f.csv"); Issue.record("unknown choice") } catch {
            #expect(error.column == "x" && error.message.contains("nope"))
        }
        #expect(try ColumnMap.resolve(header: ["订单数"], targets: targets, file: "f.csv").missing == ["employee_id"])
    }

    @Test("dates, periods, numbers and percentages as people type them")
    func typedValues() {
        for s in ["2026-10-05", "2026/10/5", "2026.10.05", "2026年10月5日", "20261005", " 2026-10-05 "] {
            #expect(CellValue.date(s)?.day == "2026-10-05", "\(s)")
        }
        #expect(CellValue.date("2026/10/5 14:03")?.seconds == 14 * 3600 + 3 * 60)
        #expect(CellValue.date("2026-10-05T08:00:09")?.seconds == 8 * 3600 + 9)
        for s in ["2026-02-29", "2026-13-01", "2026-10", "05/10/2026", "yesterday", "2026-10-05 25:00"] { #expect(CellValue.date(s) == nil, "\(s)") }
        #expect(CellValue.date("2024-02-29")?.day == "2024-02-29")
        for (s, p) in [("2026-10", "2026-10"), ("2026/10", "2026-10"), ("2026年10月", "2026-10"), ("202610", "2026-10"), ("2026-10-01", "2026-10"),
                       ("2026-q4", "2026-Q4"), ("2026", "2026")] {
            #expect(EvidenceTable.period(s) == p, "\(s)")
        }
        #expect(EvidenceTable.period("2026-13") == nil && EvidenceTable.period("十月") == nil)
        #expect(CellValue.number("¥1,234.50") == "1234.50" && CellValue.number("12,5") == "12,5")
        #expect(CellValue.percentStyle(["35%", "40"]) == .signed)
        #expect(CellValue.percentStyle(["0.35", "1", ""]) == .fraction)
        #expect(CellValue.percentStyle(["35", "0.5"]) == .points)
        #expect(CellValue.percentStyle(["0", "1"]) == .points)
        #expect(CellValue.percent("0.35", style: .fraction) == "35" && CellValue.percent("35%", style: .signed) == "35")
        #expect(CellValue.percent("0.5", style: .points) == "0.5")
    }

    @Test("evidence by label from a platform export: percent fractions, periods normalised, errors at the cell")
    func evidenceTable() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
        let csv = """
        工号,姓名,月份,咨询总数,订单数,平均响应时间(秒),客户流失率,店铺
        101001,艾丽,2026年10月,200,70,28,0.05,旗舰店
        101002,鲍勃,2026年10月,150,30,55.5,0.125,旗舰店
        """
        let r = try EvidenceTable.read(try Grid.read(Data(csv.utf8), file: "export.csv"), engine: engine)
        #expect(r.rows.count == 2 && r.rows[0].period == "2026-10")
        #expect(r.rows[0].values == ["inquiries": "200", "orders": "70", "response_time": "28", "churn_rate": "5"])
        #expect(r.rows[1].values["churn_rate"] == "12.5")
        #expect(r.map.unmapped == ["店铺"])
        #expect(r.notices.contains { $0.contains("客户流失率") && $0.contains("fractions") })
        #expect(r.notices.contains { $0.contains("2026年10月 → 2026-10") })
        let bad = csv.replacingOccurrences(of: "150,30,55.5", with: "150,三十,55.5")
        do { _ = try EvidenceTable.read(try Grid.read(Data(bad.utf8), file: "export.csv"), engine: engine); Issue.record("accepted") } catch {
            #expect(error.file == "export.csv" && error.row == 3 && error.column == "订单数")
        }
        let dup = csv + "\n101001,艾丽,2026-10,1,1,1,0.1,x"
        do { _ = try EvidenceTable.read(try Grid.read(Data(dup.utf8), file: "export.csv"), engine: engine); Issue.record("accepted") } catch {
            #expect(error.row == 4 && error.message.contains("row 2"))
        }
        let noPeriod = "工号,订单数\n101001,3\n"
        do { _ = try EvidenceTable.read(try Grid.read(Data(noPeriod.utf8), file: "p.csv"), engine: engine); Issue.record("accepted") } catch {
            #expect(error.row == 2 && error.message.contains("period"))
        }
        #expect(try EvidenceTable.read(try Grid.read(Data(noPeriod.utf8), file: "p.csv"), engine: engine, period: "2026-11").rows[0].period == "2026-11")
    }
}
