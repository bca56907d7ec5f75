import Foundation
import Testing
import ZIPFoundation
@testable import KaoheCore

/// Issue 13: every parser refuses a hostile input with an error naming the place, in bounded
/// time and memory — each case here once crashed, hung or wrapped a number.
@Suite("Hostile input: parsers that cannot be crashed")
struct HostileInputTests {
    func refusal(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    // MARK: XLSX

    @Test("cell references beyond Excel's sheet are refused, not an arithmetic overflow")
    func hugeCellReferences() throws {
        for ref in ["ZZZZZZZZZZZZZZZZZZZZ99999999999999999999", "A99999999999999999999", "XFE1", "A1048577", "A0", "1A"] {
            let data = try handWorkbook(sheet: #"<row r="1"><c r="\#(ref)" t="inlineStr"><is><t>工号</t></is></c></row>"#)
            let e = try #require(refusal { _ = try Grid.read(data, file: "bad.xlsx") }, "\(ref) accepted")
            #expect(e.contains("bad.xlsx") && e.contains("无效的单元格引用"), "\(ref): \(e)")
            #expect(e.count < 400, "the error quotes a short prefix only")
        }
        // the last cell Excel has is still read
        let ok = try handWorkbook(sheet: #"<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c></row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>1</t></is></c></row>"#)
        #expect(try Grid.read(ok, file: "ok.xlsx").rows.first?.line == 1_048_576)
    }

    @Test("a negative style index, a date serial of 1e308 or NaN, an empty merge reference: refused or read as typed, never a crash")
    func malformedCells() throws {
        let negStyle = try handWorkbook(sheet: #"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2" s="-5"><v>3</v></c></row>"#)
        #expect(try Grid.read(negStyle, file: "s.xlsx").rows[0].cells == ["3"])
        for v in ["1e308", "-1e300", "NaN", "inf", "99999999999"] {
            let d = try handWorkbook(sheet: #"<row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c></row><row r="2"><c r="A2" s="1"><v>\#(v)</v></c></row>"#, cellXfs: [0, 14])
            let g = try Grid.read(d, file: "d.xlsx")
            #expect(g.rows[0].cells[0] == v, "a serial no calendar has is kept as typed: \(v)")
        }
        let emptyMerge = try handWorkbook(sheet: #"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref=""/></mergeCells><sheetData>"#)
        _ = refusal { _ = try Grid.read(emptyMerge, file: "m.xlsx") }
    }

    /// A workbook whose one sheet is `size` bytes of XML that deflates to almost nothing.
    func bomb(size: Int) throws -> Data {
        let a = try Archive(data: Data(), accessMode: .create)
        func add(_ p: String, _ d: Data) throws {
            try a.addEntry(with: p, type: .file, uncompressedSize: Int64(d.count), compressionMethod: .deflate) { pos, n in d.subdata(in: Int(pos)..<Int(pos) + n) }
        }
        try add("xl/workbook.xml", Data(#"<workbook xmlns:r="r"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>"#.utf8))
        try add("xl/_rels/workbook.xml.rels", Data(#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#.utf8))
        var sheet = Data("<worksheet><sheetData>".utf8)
        sheet.append(Data(repeating: UInt8(ascii: " "), count: size))
        sheet.append(Data("</sheetData></worksheet>".utf8))
        try add("xl/worksheets/sheet1.xml", sheet)
        return a.data!
    }

    @Test("a zip bomb is refused by its unpacked size and ratio before it is held in memory")
    func zipBomb() throws {
        let data = try bomb(size: 80 << 20)
        #expect(data.count < 1 << 20, "80 MB of spaces deflate to \(data.count) bytes")
        let e = try #require(refusal { _ = try Grid.read(data, file: "bomb.xlsx") })
        #expect(e.contains("bomb.xlsx") && e.contains("解压后过大"), "\(e)")
        // 2 MB at a ratio of about 1000: also refused
        let e2 = try #require(refusal { _ = try Grid.read(try bomb(size: 2 << 20), file: "bomb2.xlsx") })
        #expect(e2.contains("解压后过大"), "\(e2)")
    }

    @Test("a workbook larger than the upload limit is refused before it is opened")
    func workbookTooLarge() {
        var d = Data([0x50, 0x4B, 0x03, 0x04])
        d.append(Data(count: InputLimits.workbookBytes))
        let e = refusal { _ = try Grid.read(d, file: "big.xlsx") }
        #expect(e?.contains("工作簿过大") == true, "\(e ?? "accepted")")
    }

    @Test("a run of ampersands in a cell stays linear (the entity scan looks a few characters ahead)")
    func ampersands() throws {
        let amps = String(repeating: "&", count: 100_000)
        let d = try handWorkbook(sheet: #"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>\#(amps)&amp;</t></is></c></row>"#)
        let g = try Grid.read(d, file: "a.xlsx")
        #expect(g.rows[0].cells[0].count == 100_001)
    }

    // MARK: CSV

    @Test("a row of a million columns is refused at the limit, naming the row")
    func millionColumns() throws {
        let header = "工号,姓名\n"
        let row = String(repeating: "1,", count: 1_000_000) + "1\n"
        let e = try #require(refusal { _ = try Grid.read(Data((header + row).utf8), file: "wide.csv") })
        #expect(e.contains("wide.csv") && e.contains("第 2 行") && e.contains("字段过多"), "\(e)")
        let engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
        let e2 = try #require(refusal { _ = try EvidenceCSV.read(Data(("employee_id," + row).utf8), file: "wide.csv", engine: engine) })
        #expect(e2.contains("字段过多"), "\(e2)")
    }

    @Test("a 50 MB cell is refused and the error quotes at most a short prefix of it")
    func hugeCell() throws {
        let cell = String(repeating: "A", count: 50 << 20)
        let e = try #require(refusal { _ = try Grid.read(Data("工号,姓名\n1,\(cell)\n".utf8), file: "cell.csv") })
        #expect(e.contains("过长"), "\(e)")
        #expect(e.utf8.count < 600, "error of \(e.utf8.count) bytes")
        let quoted = try #require(refusal { _ = try Grid.read(Data("工号,姓名\n1,\"\(cell)\"\n".utf8), file: "cell.csv") })
        #expect(quoted.contains("过长") && quoted.utf8.count < 600)
    }

    @Test("an error message quoting a long value keeps a prefix and says how long it was")
    func errorsQuoteAPrefix() {
        let long = String(repeating: "长", count: 5_000)
        let e = InputError(file: "f.csv", row: 3, column: long, message: "“\(long)” 不是数字")
        #expect(e.message.count < 200 && e.message.contains("5000"), "\(e.message)")
        #expect((e.column?.count ?? 0) < 120)
        #expect(InputError(file: "f.csv", message: "“12a” 不是数字").message == "“12a” 不是数字", "short values are untouched")
    }

    // MARK: expressions and schemes

    @Test("20,000 nested parentheses and 100,000 minus signs are refused with a position, not a stack overflow")
    func deepFormulas() {
        for f in [String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000),
                  String(repeating: "-", count: 100_000) + "1",
                  String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500),
                  String(repeating: "-", count: 300) + "1",
                  String(repeating: "min(", count: 300) + "1" + String(repeating: ")", count: 300)] {
            do { _ = try ExpressionParser.parse(f); Issue.record("accepted \(f.prefix(20))") } catch {
                #expect(error.message.contains("过长") || error.message.contains("过深"), "\(error.message)")
            }
        }
        // a long flat sum is fine, and so is ordinary nesting
        #expect(throws: Never.self) { _ = try ExpressionParser.parse(Array(repeating: "a", count: 450).joined(separator: " + ")) }
        #expect(throws: Never.self) { _ = try ExpressionParser.parse("clamp(10 * (a - (b / (c + 1))), 0, max(1, -(-2)))") }
    }

    @Test("a scheme nested a million brackets deep, too large or with YAML anchors is refused before the YAML parser")
    func hostileSchemes() {
        func problem(_ text: String) -> String? {
            do { _ = try SchemeLoader.decode(text, format: .yaml); return nil } catch { return error.description }
        }
        #expect(problem("id: x\nname: " + String(repeating: "[", count: 10_000))?.contains("嵌套过深") == true)
        #expect(problem("id: x\nname: " + String(repeating: "[", count: 1_000_000))?.contains("过大") == true)
        #expect(problem("id: x\nitems:\n" + String(repeating: "- ", count: 5_000) + "x\n")?.contains("缩进过深") == true)
        #expect(problem("{\"id\": " + String(repeating: "[", count: 100_000) + "}")?.contains("嵌套过深") == true)
        #expect(problem("id: x\nname: \"" + String(repeating: "a", count: 200 << 10) + "\"")?.contains("过大") == true)
        let laughs = "a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c]\n"
        #expect(problem(laughs)?.contains("锚点") == true)
        // `&&` in a formula and `&` inside a quoted label are not anchors
        #expect(SchemeLoader.anchorLine("formula: \"a > 1 && b < 2\"\nx: a && b\nlabel: 'R&D'\n") == nil)
    }

    @Test("a star level over 0 months (or a level window of 0) is refused naming the field; it once crashed the outcome engine")
    func emptyOutcomeWindows() throws {
        let url = try #require(Presets.files().first { $0.lastPathComponent == "inbound-line.yaml" })
        let text = try String(contentsOf: url, encoding: .utf8)
        let bad = text.replacingOccurrences(of: "min: 90, months: 0", with: "min: 90, months: 0").replacingOccurrences(of: "months: 6", with: "months: 0")
        #expect(bad != text)
        let engine = try ScoringEngine(scheme: try SchemeLoader.decode(bad, format: .yaml))
        do { _ = try OutcomeEngine(engine: engine); Issue.record("accepted") } catch {
            #expect(error.description.contains("months") && error.description.contains("1–120"), "\(error.description)")
        }
    }

    // MARK: arithmetic

    @Test("an input of 9e12 orders gives an overflow flag on the sheet, never a wrapped rate")
    func overflowIsAFlag() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
        var row = PresetsEcommerceTests.perfect
        row["orders"] = "9000000000000"; row["inquiries"] = "1"
        let r = try engine.score(row, employee: "E1", period: "2026-10")
        let flags = r.flags("overflow")
        #expect(!flags.isEmpty, "flags: \(r.flags.map(\.code))")
        #expect(flags.first?.message.contains("超出") == true)
        let text = "\(r.items.map { "\($0.explanation)" })"
        #expect(!text.contains("-3890459611768") && !text.contains("−3,890"), "\(text)")
    }

    @Test("Fixed arithmetic is checked: nil past the range, and the operators stop at the largest magnitude instead of wrapping")
    func checkedFixed() {
        let big = Fixed(raw: Int64.max - 1)
        #expect(Fixed.adding(big, Fixed(raw: 10)) == nil)
        #expect(Fixed.multiplying(Fixed(9_000_000_000_000), Fixed(100)) == nil)
        #expect(Fixed.quotient(Fixed(9_000_000_000_000), Fixed(raw: 1)) == nil)
        #expect(Fixed.quotient(Fixed(1), .zero) == nil)
        #expect((big + Fixed(raw: 10)).raw == Int64.max)
        #expect((Fixed(9_000_000_000_000) * Fixed(-100)).raw == -Int64.max)
        #expect(Fixed(raw: Int64.max).rounded(2).raw > 0, "rounding at the edge does not trap")
        #expect(Fixed.adding(Fixed(2), Fixed(3)) == Fixed(5))
        #expect(Fixed.multiplying(Fixed("2.5")!, Fixed(4)) == Fixed(10))
        // the expression language reports it
        let e = try! ExpressionParser.parse("a * 100").bind { $0 == "a" ? 0 : nil }
        #expect(throws: EvalError.overflow("a * 100")) { let _: Fixed = try e.evaluate { (_: Int) -> Fixed? in Fixed(9_000_000_000_000) } }
        let p = FixedProgram(e)
        #expect(p.run { _ in Fixed(9_000_000_000_000) } == nil, "the compiled program defers to the tree, which reports it")
    }
}
