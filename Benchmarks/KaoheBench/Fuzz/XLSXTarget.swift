import Foundation
import KaoheCore
import ZIPFoundation

/// `xlsx`: `Grid.read` (which runs `XLSXReader.table`), sometimes `XLSXReader.sheetNames` and a
/// named sheet, then `EvidenceTable.read` on what was accepted (the import path), on mutated
/// workbooks. Seeds: Kaohe's own XLSXWriter (from the CSV seeds, with and without a merged title
/// row), a hand-made workbook as Excel saves one (shared strings, number formats, formulas,
/// booleans) and any .xlsx of the corpus. Mutations: the XML parts (cell references, style and
/// shared-string indexes, numbers in date cells, truncated tags, deep nesting, entities, DOCTYPE),
/// the ZIP bytes and header fields, and generated archives (zip bombs, lying sizes, symlinks,
/// many entries).
final class XLSXTarget: FuzzTarget {
    let name = "xlsx"
    struct Seed {
        var parts: [(path: String, bytes: [UInt8])]
        var zip: [UInt8]
        /// sheet names for `table(sheet:)`
        var sheets: [String]
    }
    private var seeds: [Seed] = []
    private let corpus: FuzzCorpus
    private let engine: ScoringEngine?
    private var input: [UInt8] = []
    private var part: [UInt8] = []
    private var zip = ZipWriter()
    private var sheet: String?
    private var sheetNamesToo = false
    private var bombCache: (compressed: [UInt8], crc: UInt32, size: Int)?
    private var bombTried = false
    private let zipMutator = ByteMutator(tokens: [[0x50, 0x4B, 3, 4], [0x50, 0x4B, 1, 2], [0x50, 0x4B, 5, 6], [0x50, 0x4B, 6, 6], [0x50, 0x4B, 6, 7],
                                                  [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0], [0xFF, 0xFF], [8, 0], [0x0E, 0]],
                                         maxLength: 8 << 20)
    private let xmlBytes = ByteMutator(tokens: XML.junk, maxLength: 8 << 20)

    var seedCount: Int { seeds.count }

    init(_ corpus: FuzzCorpus) {
        self.corpus = corpus
        engine = corpus.ecommerce.map { corpus.engines[$0].engine }
        // Kaohe's writer, from CSV seeds (a few of each preset, with and without a title row)
        var done = 0
        for (k, s) in corpus.csvSeeds.enumerated() where done < 8 {
            guard s.bytes.first != 0xFF && s.bytes.first != 0xFE, let grid = try? Grid.read(Data(s.bytes), file: "seed.csv") else { continue }
            let sheet = XLSXWriter.Sheet(name: k % 2 == 0 ? "月度记录" : "Sheet1", title: k % 2 == 0 ? "电商客服月绩效考核表 2026-10" : nil,
                                         header: grid.header, rows: grid.rows.map { $0.cells.map(Self.cell) })
            var sheets = [sheet]
            if k % 3 == 0 { sheets.append(XLSXWriter.Sheet(name: "备注", header: ["说明"], rows: [[.text("第二个工作表 a second sheet")]])) }
            if let d = try? XLSXWriter(sheets: sheets).data() { add(Data(d)) }
            done += 1
        }
        // the interaction log as a workbook
        if let log = corpus.logSeeds.first, let grid = try? Grid.read(Data(log), file: "log.csv"),
           let d = try? XLSXWriter(sheets: [XLSXWriter.Sheet(name: "聊天记录", header: grid.header, rows: grid.rows.map { $0.cells.map(Self.cell) })]).data() {
            add(d)
        }
        seeds.append(Self.excelLike())
        for f in corpus.files(withExtensions: ["xlsx"]) { add(Data(f.bytes)) }
    }

    /// A cell as the writer would get it from a typed grid.
    static func cell(_ s: String) -> XLSXWriter.Cell {
        if s.isEmpty { return .empty }
        if !s.hasSuffix("%"), Fixed(s) != nil, !s.contains(",") { return .number(s) }
        if s.count == 10, s.split(separator: "-").count == 3, s.first?.isNumber == true { return .date(s) }
        return .text(s)
    }

    /// A seed from a workbook's bytes (the parts as the archive has them).
    private func add(_ data: Data) {
        guard let archive = try? Archive(data: data, accessMode: .read) else { return }
        var parts: [(path: String, bytes: [UInt8])] = []
        for entry in archive {
            var d = Data()
            guard (try? archive.extract(entry, skipCRC32: true) { d.append($0) }) != nil else { continue }
            parts.append((entry.path, [UInt8](d)))
        }
        guard !parts.isEmpty else { return }
        var names: [String] = []
        if let wb = parts.first(where: { $0.path == "xl/workbook.xml" }) {
            let text = String(decoding: wb.bytes, as: UTF8.self)
            var rest = text[...]
            while let r = rest.range(of: "<sheet name=\"") {
                let after = rest[r.upperBound...]
                guard let end = after.firstIndex(of: "\"") else { break }
                names.append(String(after[..<end]))
                rest = after[end...]
            }
        }
        seeds.append(Seed(parts: parts, zip: [UInt8](data), sheets: names))
    }

    /// A workbook as Excel saves it: shared strings (with a phonetic run), number formats for
    /// percent, date, time and a custom date-time, formulas with saved values, a boolean, an
    /// inline string, a merged title row, columns out of order and a row gap.
    static func excelLike() -> Seed {
        let shared = ["工号", "转化率", "日期", "公式", "通过", "员工", "<&>"]
        let sst = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"7\" uniqueCount=\"7\">"
            + shared.map { "<si><t>\(XML.escape($0))</t></si>" }.joined()
            + "<si><r><t>客服</t></r><r><t>姓名</t></r><rPh sb=\"0\" eb=\"2\"><t>kefu</t></rPh></si></sst>"
        let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy/m/d\\ h:mm"/><numFmt numFmtId="165" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>\
        <cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="21"/><xf numFmtId="9"/></cellXfs></styleSheet>
        """
        let sheet = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>\
        <row r="1"><c r="A1" t="s"><v>7</v></c></row>\
        <row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>3</v></c><c r="E2" t="s"><v>4</v></c><c r="F2" t="s"><v>5</v></c></row>\
        <row r="3"><c r="A3"><v>101001</v></c><c r="B3" s="1"><v>0.35</v></c><c r="C3" s="2"><v>46300</v></c><c r="D3"><f>B3*100</f><v>35.000000000000007</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" t="inlineStr"><is><t>王芳</t></is></c></row>\
        <row r="5"><c r="B5" s="6"><v>0.125</v></c><c r="A5" t="inlineStr"><is><t xml:space="preserve"> 101002 </t></is></c><c r="C5" s="3"><v>46300.5</v></c><c r="D5" t="str"><f>"x"</f><v>x</v></c><c r="E5" t="b"><v>0</v></c><c r="F5" s="4"><v>46301</v></c></row>\
        <row><c s="5"><v>0.75</v></c><c><v>1.5E+3</v></c><c t="s"><v>6</v></c></row>\
        </sheetData><mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells></worksheet>
        """
        let parts: [(path: String, bytes: [UInt8])] = [
            ("[Content_Types].xml", Bytes.of("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>")),
            ("_rels/.rels", Bytes.of("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
            ("xl/workbook.xml", Bytes.of("<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><workbookPr date1904=\"0\"/><sheets><sheet name=\"十月\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"空\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>")),
            ("xl/_rels/workbook.xml.rels", Bytes.of("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Target=\"/xl/worksheets/sheet2.xml\"/><Relationship Id=\"rId3\" Target=\"styles.xml\"/></Relationships>")),
            ("xl/sharedStrings.xml", Bytes.of(sst)),
            ("xl/styles.xml", Bytes.of(styles)),
            ("xl/worksheets/sheet1.xml", Bytes.of(sheet)),
            ("xl/worksheets/sheet2.xml", Bytes.of("<worksheet><sheetData/></worksheet>")),
        ]
        var z = ZipWriter()
        for (k, p) in parts.enumerated() { if k % 2 == 0 { z.addDeflated(p.path, p.bytes) } else { z.addStored(p.path, p.bytes) } }
        z.finish()
        return Seed(parts: parts, zip: z.bytes, sheets: ["十月", "空"])
    }

    // MARK: - inputs

    func prepare(_ r: inout FuzzRandom) -> StaticString {
        sheetNamesToo = r.oneIn(8)
        sheet = nil
        let seed = r.pick(seeds)
        if r.oneIn(10), !seed.sheets.isEmpty { sheet = r.oneIn(4) ? "没有这个" : r.pick(seed.sheets) }
        let roll = r.below(100)
        if roll < 62 { return mutatePart(seed, &r) }
        if roll < 80 {
            input.removeAll(keepingCapacity: true)
            input.append(contentsOf: seed.zip)
            let other: [UInt8]? = r.oneIn(4) ? r.pick(seeds).zip : nil
            zipMutator.mutate(&input, &r, splice: other)
            return "zip:bytes"
        }
        if roll < 90 { return zipField(seed, &r) }
        return special(seed, &r)
    }

    func inputBytes() -> [UInt8] { input }

    /// libFuzzer: bit 0 of the selector also reads the sheet names, bits 1–3 name a sheet (or
    /// none, or a missing one); with bit 7 the input is the workbook's parts as text
    /// (`@@part:PATH` lines, each followed by the part), stored in a ZIP here, so that libFuzzer
    /// mutates the XML rather than compressed bytes; without it the input is the archive itself.
    static let loadSheets: [String?] = [nil, nil, "Sheet1", "月度记录", "十月", "没有这个", "备注", "空"]
    static let partMark = Bytes.of("@@part:")

    func load(_ selector: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) {
        sheetNamesToo = selector & 1 == 1
        sheet = Self.loadSheets[Int(selector >> 1) & 7]
        input.removeAll(keepingCapacity: true)
        guard selector & 0x80 != 0 else { input.append(contentsOf: bytes); return }
        zip.reset()
        let b = Array(bytes)
        var starts: [Int] = []
        var from = 0
        while let k = Bytes.find(Self.partMark, in: b, from: from) { starts.append(k); from = k + Self.partMark.count }
        for (n, s) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : b.count
            let header = s + Self.partMark.count
            let nl = b[header..<end].firstIndex(of: 10) ?? end
            let path = String(decoding: b[header..<nl], as: UTF8.self)
            zip.addStored(path, nl < end ? Array(b[(nl + 1)..<end]) : [])
        }
        zip.finish()
        input.append(contentsOf: zip.bytes)
    }

    func libFuzzerSeeds() -> [[UInt8]] {
        var out: [[UInt8]] = []
        for s in seeds {
            out.append([0] + s.zip)
            var text: [UInt8] = [0x80]
            for p in s.parts { text += Self.partMark + Bytes.of(p.path) + [10] + p.bytes }
            out.append(text)
        }
        return out
    }

    /// Index of the part to mutate: mostly a worksheet, then shared strings, styles, the workbook, its rels.
    private func choosePart(_ s: Seed, _ r: inout FuzzRandom) -> Int {
        let roll = r.below(20)
        let want = roll < 11 ? "xl/worksheets/" : roll < 14 ? "xl/sharedStrings" : roll < 17 ? "xl/styles" : roll < 19 ? "xl/workbook.xml" : "xl/_rels/"
        let matching = s.parts.indices.filter { s.parts[$0].path.hasPrefix(want) }
        if !matching.isEmpty { return r.pick(matching) }
        return r.below(s.parts.count)
    }

    private func mutatePart(_ s: Seed, _ r: inout FuzzRandom) -> StaticString {
        let i = choosePart(s, &r)
        part.removeAll(keepingCapacity: true)
        part.append(contentsOf: s.parts[i].bytes)
        var kind: StaticString = "xml:bytes"
        let ops = r.oneIn(6) ? 2 + r.below(3) : 1
        for k in 0..<ops {
            let op: StaticString
            if r.oneIn(4) {
                let path = s.parts[i].path
                let other = r.pick(seeds).parts.first { $0.path == path }?.bytes
                xmlBytes.mutate(&part, &r, splice: other)
                op = "xml:bytes"
            } else {
                op = XML.mutate(&part, &r)
            }
            if k == 0 { kind = op }
        }
        if part.count > 8 << 20 { part.removeLast(part.count - (8 << 20)) }
        zip.reset()
        let drop = r.oneIn(40) ? r.below(s.parts.count) : -1
        for (j, p) in s.parts.enumerated() where j != drop {
            let bytes = j == i ? part : p.bytes
            if j == i && r.oneIn(4) { zip.addDeflated(p.path, bytes) } else { zip.addStored(p.path, bytes) }
        }
        if r.oneIn(40) { zip.addStored(s.parts[i].path, Bytes.of("<worksheet><sheetData/></worksheet>")) }   // the same name twice
        zip.finish()
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: zip.bytes)
        return drop >= 0 ? "xml:part-missing" : kind
    }

    /// A header field of a local header, central directory entry or end record set to an edge value.
    private func zipField(_ s: Seed, _ r: inout FuzzRandom) -> StaticString {
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: s.zip)
        var sigs: [(at: Int, kind: UInt8)] = []
        var i = 0
        while i + 4 <= input.count {
            if input[i] == 0x50 && input[i + 1] == 0x4B && [1, 3, 5].contains(input[i + 2]) && input[i + 3] == input[i + 2] + 1 { sigs.append((i, input[i + 2])) }
            i += 1
        }
        guard !sigs.isEmpty else { return "zip:field" }
        for _ in 0..<(1 + r.below(3)) {
            let sig = r.pick(sigs)
            // (offset, width) of the fields that matter per record
            let fields: [(Int, Int)]
            switch sig.kind {
            case 3: fields = [(4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2)]
            case 1: fields = [(4, 2), (6, 2), (8, 2), (10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (38, 4), (42, 4)]
            default: fields = [(8, 2), (10, 2), (12, 4), (16, 4), (20, 2)]
            }
            let (off, width) = r.pick(fields)
            let at = sig.at + off
            guard at + width <= input.count else { continue }
            let v: UInt32
            switch r.below(8) {
            case 0: v = 0
            case 1: v = 0xFFFF_FFFF
            case 2: v = 0x7FFF_FFFF
            case 3: v = 0x8000_0000
            case 4: v = 1
            case 5: v = width == 2 ? UInt32(r.pick([8, 12, 14, 99, 0x0809, 0x0001, 0x0008])) : 0xA1FF_0000   // methods, flags / symlink mode
            default: v = UInt32(truncatingIfNeeded: r.next())
            }
            for k in 0..<width { input[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
        }
        return "zip:field"
    }

    /// Archives built on purpose: bombs, lying or huge declared sizes, symlinks, many entries,
    /// odd names, empty and half archives.
    private func special(_ s: Seed, _ r: inout FuzzRandom) -> StaticString {
        zip.reset()
        let sheetIndex = s.parts.firstIndex { $0.path.hasPrefix("xl/worksheets/") } ?? 0
        let sheetPath = s.parts[sheetIndex].path
        func others(except: Int) { for (j, p) in s.parts.enumerated() where j != except { zip.addStored(p.path, p.bytes) } }
        let kind: StaticString
        switch r.below(10) {
        case 0, 1, 2:
            guard let b = bomb(tail: s.parts[sheetIndex].bytes) else { return mutatePart(s, &r) }
            others(except: sheetIndex)
            var e = ZipWriter.Entry(name: Array(sheetPath.utf8), method: 8, crc: b.crc, compressedSize: UInt32(truncatingIfNeeded: b.compressed.count),
                                    uncompressedSize: UInt32(truncatingIfNeeded: b.size))
            switch r.below(3) {
            case 0: kind = "zip:bomb"
            case 1: e.uncompressedSize = 4096; kind = "zip:bomb-lying-size"
            default:
                zip.add(ZipWriter.Entry(name: Array("xl/sharedStrings.xml".utf8), method: 8, crc: b.crc,
                                        compressedSize: UInt32(truncatingIfNeeded: b.compressed.count), uncompressedSize: UInt32(truncatingIfNeeded: b.size)),
                        payload: b.compressed)
                kind = "zip:bomb-twice"
            }
            zip.add(e, payload: b.compressed)
        case 3:
            // a small stored sheet whose header declares 4 GiB, or 2^36 / 2^62 bytes through ZIP64
            others(except: sheetIndex)
            let data = s.parts[sheetIndex].bytes
            var e = ZipWriter.Entry(name: Array(sheetPath.utf8), method: 0, crc: FuzzCRC32.checksum(data),
                                    compressedSize: UInt32(truncatingIfNeeded: data.count), uncompressedSize: 0xFFFF_FFFF)
            if !r.oneIn(3) {
                e.compressedSize = 0xFFFF_FFFF
                e.extra = ZipWriter.zip64Extra(uncompressed: r.oneIn(2) ? 1 << 36 : 1 << 62, compressed: UInt64(data.count))
            }
            zip.add(e, payload: data)
            kind = "zip:declared-huge"
        case 4:
            // the workbook part as a symlink whose stored size is 4 GiB
            let wb = s.parts.firstIndex { $0.path == "xl/workbook.xml" } ?? 0
            others(except: wb)
            let data = s.parts[wb].bytes
            zip.add(ZipWriter.Entry(name: Array(s.parts[wb].path.utf8), method: 0, crc: FuzzCRC32.checksum(data),
                                    compressedSize: r.oneIn(2) ? 0xFFFF_FFF0 : UInt32(data.count), uncompressedSize: UInt32(data.count),
                                    externalAttributes: 0o120777 << 16), payload: data)
            kind = "zip:symlink"
        case 5:
            // very many entries before the real parts
            let n = r.pick([1_000, 20_000, 65_535])
            let empty: [UInt8] = []
            for k in 0..<n { zip.addStored("xl/media/image\(k).png", empty) }
            others(except: -1)
            kind = "zip:many-entries"
        case 6:
            // names a careless extractor would follow: traversal, absolute, backslashes, NUL, very long
            let odd = ["../../../../tmp/kaohe-fuzz", "/xl/workbook.xml", "xl\\workbook.xml", "xl/workbook.xml\u{0}.txt", String(repeating: "a/", count: 30_000) + "x.xml", "xl/worksheets/"]
            for (k, n) in odd.enumerated() { zip.addStored(n, k == 5 ? [] : s.parts[sheetIndex].bytes) }
            others(except: -1)
            kind = "zip:odd-names"
        case 7:
            // an entry compressed with an unknown method, or encrypted, or with a data descriptor flag
            others(except: sheetIndex)
            let data = s.parts[sheetIndex].bytes
            var e = ZipWriter.Entry(name: Array(sheetPath.utf8), method: 0, crc: FuzzCRC32.checksum(data),
                                    compressedSize: UInt32(truncatingIfNeeded: data.count), uncompressedSize: UInt32(truncatingIfNeeded: data.count))
            switch r.below(3) {
            case 0: e.method = UInt16(r.pick([12, 14, 93, 99]))
            case 1: e.flags |= 1
            default: e.flags |= 8; e.crc = 0; e.compressedSize = 0; e.uncompressedSize = 0
            }
            zip.add(e, payload: data)
            kind = "zip:method-flags"
        case 8:
            // a truncated deflate stream with an intact directory
            others(except: sheetIndex)
            let data = s.parts[sheetIndex].bytes
            var z = ZipWriter.deflate(data) ?? data
            if z.count > 2 { z.removeLast(1 + r.below(z.count - 1)) }
            zip.add(ZipWriter.Entry(name: Array(sheetPath.utf8), method: 8, crc: FuzzCRC32.checksum(data),
                                    compressedSize: UInt32(truncatingIfNeeded: z.count), uncompressedSize: UInt32(truncatingIfNeeded: data.count)), payload: z)
            kind = "zip:truncated-deflate"
        default:
            switch r.below(4) {
            case 0: kind = "zip:empty"        // an end record only
            case 1: zip.addStored("xl/workbook.xml", []); kind = "zip:empty-workbook"
            case 2: others(except: s.parts.firstIndex { $0.path == "xl/workbook.xml" } ?? -1); kind = "zip:no-workbook"
            default:
                zip.finish()
                input.removeAll(keepingCapacity: true)
                input.append(contentsOf: zip.bytes.prefix(4))   // "PK\u{5}\u{6}": only a signature
                input.append(contentsOf: s.zip.prefix(r.below(s.zip.count)))
                return "zip:half"
            }
        }
        zip.finish()
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: zip.bytes)
        return kind
    }

    /// The bomb: `bombMiB` MiB of spaces before a real worksheet, deflated once per run.
    private func bomb(tail: [UInt8]) -> (compressed: [UInt8], crc: UInt32, size: Int)? {
        if !bombTried {
            bombTried = true
            bombCache = ZipWriter.bomb(spaces: corpus.bombMiB << 20, tail: tail)
        }
        return bombCache
    }

    // MARK: - execution

    func execute() -> FuzzOutcome {
        let data = Data(input)
        if sheetNamesToo { _ = try? XLSXReader.sheetNames(data, file: "fuzz.xlsx") }
        guard let grid = try? Grid.read(data, file: "fuzz.xlsx", sheet: sheet) else { return .refused }
        if let engine { _ = try? EvidenceTable.read(grid, engine: engine) }
        return .accepted
    }
}

/// XML-aware mutations of the workbook parts.
enum XML {
    static func b(_ a: [String]) -> [[UInt8]] { a.map { Array($0.utf8) } }

    static let cellRefs = b(["ZZZZZZZZZZZZZZZZZZZZ99999999999999999999", "A99999999999999999999", "XFD1048576", "XFE1", "A0", "", "1A", "$A$1",
                             "A-1", "AAAAAAAAAAAAAA1", "ZZZZZZZZZZZZ1", "AAAAAAA1", "A1048577", "a1", "A 1", "Ａ１", "B9223372036854775807", "A1:B2",
                             "A1A1", "\u{0}", "A1\u{0}"])
    static let rowNumbers = b(["0", "-1", "1", "9223372036854775807", "99999999999999999999", "1048577", "", "x", "2147483648", "2"])
    static let styleIndexes = b(["-1", "99999999999999999999", "4", "3", "2", "1", "-9223372036854775808", "2147483648", "1e3", "", "0x1", "6", "5"])
    static let cellTypes = b(["s", "str", "inlineStr", "b", "e", "n", "d", "x", "", "S"])
    static let numbers = b(["1e308", "-1e300", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "9223372036854775807", "-9223372036854775808",
                            "9223372036854775808", "2958466", "2958465.99999999", "-693594", "-1", "0.99999999999", "1.7976931348623157e308",
                            "4.9e-324", "", " ", "0x10", "1,5", "99999999999999999999999", "-0", "2147483648", "1e-308", "60", "0.5", "-0.5",
                            "1E+308", "12345678901234567890.5", "1e15", "-1e15", "9.2233720368547758E+18", "-9.2233720368547758E+18", "1e17"])
    static let sharedIndexes = b(["-1", "4294967296", "99999999999999999999", "1e3", "0", "1", "2", "9223372036854775807", " 0", "", "7", "8"])
    static let mergeRefs = b(["", ":", "A1:", ":B2", "A1:ZZZZZZZZZZZZZZZ1", "A1:XFD1048576", "B2:A1", "A1", "A1:B1", "A2:C2", "A1:A1:A1", "::::",
                              "ZZZZZZZZZZZZZZZZZZZZZ1:A1", "A99999999999999999999:B1"])
    static let formatCodes = b(["yyyy-mm-dd", "[h]:mm:ss", "0.00%", "&quot;", "\\", "[", "yyyy年m月d日", "hh:mm", "d", "s", "General", "0%&quot;",
                                "[Red]yyyy", "\\\\\\", "&quot;&quot;&quot;yyyy", "[$-F800]dddd", "mm:ss.0", "ＹＹＹＹ"])
    static let numFmtIds = b(["14", "22", "10", "9", "46", "21", "-1", "999999999999999999999", "164", "165", "0", "", "47", "18"])
    static let sheetTargets = b(["", "/", "/etc/passwd", "../../../../etc/passwd", "worksheets/sheet99.xml", "worksheets/sheet1.xml",
                                 "/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml", "sharedStrings.xml", "styles.xml", "workbook.xml",
                                 "worksheets/../worksheets/sheet1.xml", "%2e%2e/x", "worksheets/sheet2.xml"])
    static let sheetNames = b(["", "Sheet1", "十月", "a/b", String(repeating: "长", count: 10_000), "&amp;", "月度记录"])
    static let entityTexts = b(["&", "&amp", "&#x110000;", "&#xD800;", "&#99999999999;", "&#0;", "&lt;&gt;&amp;&quot;&apos;", "&unknown;", "&#x;", "&#;",
                                "&&&&&&&&", "&#x41;&#65;", "&lol9;", "&#x1F600;", "&#xFFFFFFFFFF;", "&#-1;"])
    static let junk = b(["<![CDATA[", "<!--", "<?", "<", ">", "</", "/>", "\"", "'", "<c", "<c r=\"A1\"", "<v>", "</v>", "<is><t>", "<row>", "</row>",
                         "<f>", "]]>", "-->", "<!DOCTYPE x [<!ENTITY a \"b\">]>", "<x:c r=\"B2\">", "\u{FEFF}", "<!---->", "</c>", "<si>", "</si>",
                         "<t>", "</t>", "<rPh>", "<mergeCell ref=\"\"/>", "&", "=", " s=\"-1\"", " t=\"s\"", " r=\"A99999999999999999999\""])
    static let nestTokens = b(["<x>", "<row>", "<c>", "<is><t>", "<si>", "<a:b:c:d>", "<v>", "<c r=\"A1\">", "<rPh>", "<sheetData>"])
    static let laughs = b(["""
    <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
    """, "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>", "<!DOCTYPE x SYSTEM \"http://127.0.0.1:1/x.dtd\">",
         "<!DOCTYPE x [<!ELEMENT x ANY><!ATTLIST c r CDATA \"A1\">]>"])

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// One XML-aware mutation; returns its name.
    static func mutate(_ p: inout [UInt8], _ r: inout FuzzRandom) -> StaticString {
        let room = Swift.max(1, (4 << 20) - p.count)
        switch r.below(17) {
        case 0:
            if replaceAttribute(&p, Bytes.of("<c r=\""), cellRefs, &r) { return "xml:cell-ref" }
            insertCell(&p, "<c r=\"\(String(decoding: r.pick(cellRefs), as: UTF8.self))\"><v>1</v></c>", &r)
            return "xml:cell-ref"
        case 1:
            if !replaceAttribute(&p, Bytes.of("<row r=\""), rowNumbers, &r) { insertAfter(&p, Bytes.of("<sheetData>"), Bytes.of("<row r=\"9223372036854775807\"/><row/>"), &r) }
            return "xml:row-number"
        case 2:
            if !replaceAttribute(&p, Bytes.of(" s=\""), styleIndexes, &r) { addCellAttribute(&p, " s=\"\(String(decoding: r.pick(styleIndexes), as: UTF8.self))\"", &r) }
            return "xml:style-index"
        case 3:
            if !replaceAttribute(&p, Bytes.of(" t=\""), cellTypes, &r) { addCellAttribute(&p, " t=\"\(String(decoding: r.pick(cellTypes), as: UTF8.self))\"", &r) }
            return "xml:cell-type"
        case 4:
            _ = replaceBetween(&p, Bytes.of("<v>"), Bytes.of("</v>"), r.oneIn(3) ? sharedIndexes : numbers, &r)
            return "xml:value"
        case 5:
            // a date-, time- or percent-styled cell (styles 1–6 in the seeds) holding an extreme number
            let style = r.pick(["1", "2", "3", "4", "5", "6", "-1"])
            insertCell(&p, "<c r=\"Z3\" s=\"\(style)\"><v>\(String(decoding: r.pick(numbers), as: UTF8.self))</v></c>", &r)
            return "xml:styled-number"
        case 6:
            let cells = ["<c r=\"Z3\" t=\"s\"><v>\(String(decoding: r.pick(sharedIndexes), as: UTF8.self))</v></c>", "<c r=\"Z3\" t=\"b\"><v>2</v></c>",
                         "<c r=\"Z3\" t=\"e\"><v>#DIV/0!</v></c>", "<c r=\"Z3\"><f>1/0</f></c>", "<c r=\"Z3\" t=\"s\"/>", "<c r=\"Z3\"><v></v></c>",
                         "<c r=\"Z3\" t=\"inlineStr\"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c>", "<c><v>1</v></c>", "<c r=\"Z3\"><v>1<!---->2</v></c>",
                         "<c r=\"Z3\" t=\"inlineStr\"><is><t>\(String(repeating: "长", count: 1 + r.below(100_000)))</t></is></c>"]
            insertCell(&p, r.pick(cells), &r)
            return "xml:odd-cell"
        case 7:
            // cut inside or after a tag
            guard !p.isEmpty, let lt = Bytes.findAround([UInt8(ascii: "<")], in: p, from: r.below(p.count)) else { return "xml:truncate" }
            p.removeSubrange(Swift.min(p.count, lt + r.below(12))...)
            return "xml:truncate"
        case 8:
            let t = r.pick(nestTokens)
            let n = r.many(max: Bytes.fit(t.count, room: room))
            if !insertAfter(&p, Bytes.of("<sheetData>"), Bytes.repeated(t, n), &r) { p.insert(contentsOf: Bytes.repeated(t, n), at: r.below(p.count + 1)) }
            return "xml:nesting"
        case 9:
            let e = r.pick(entityTexts)
            let payload = r.oneIn(3) ? Bytes.repeated(e, r.many(max: Bytes.fit(e.count, room: room))) : e
            if !insertAfter(&p, Bytes.of("<t>"), payload, &r) && !insertAfter(&p, Bytes.of("<v>"), payload, &r) { p.insert(contentsOf: payload, at: r.below(p.count + 1)) }
            return "xml:entities"
        case 10:
            let dtd = r.pick(laughs)
            let at = Bytes.find(Bytes.of("?>"), in: p).map { $0 + 2 } ?? 0
            p.insert(contentsOf: dtd, at: Swift.min(at, p.count))
            _ = insertAfter(&p, Bytes.of("<t>"), Bytes.of("&lol9;&xxe;"), &r)
            return "xml:doctype"
        case 11:
            repeatElement(&p, open: r.oneIn(2) ? Bytes.of("<c ") : Bytes.of("<row "), close: r.oneIn(2) ? Bytes.of("</c>") : Bytes.of("</row>"), room: room, &r)
            return "xml:repeat"
        case 12:
            let ref = String(decoding: r.pick(mergeRefs), as: UTF8.self)
            let merge = Bytes.of("<mergeCells count=\"1\"><mergeCell ref=\"\(ref)\"/></mergeCells>")
            if !replaceAttribute(&p, Bytes.of("<mergeCell ref=\""), mergeRefs, &r) {
                if let end = Bytes.find(Bytes.of("</worksheet>"), in: p) { p.insert(contentsOf: merge, at: end) } else { p.append(contentsOf: merge) }
            }
            return "xml:merge"
        case 13:
            if r.oneIn(2) { _ = replaceAttribute(&p, Bytes.of("formatCode=\""), formatCodes, &r) } else { _ = replaceAttribute(&p, Bytes.of("numFmtId=\""), numFmtIds, &r) }
            return "xml:number-format"
        case 14:
            switch r.below(3) {
            case 0: _ = replaceAttribute(&p, Bytes.of("Target=\""), sheetTargets, &r)
            case 1: _ = replaceAttribute(&p, Bytes.of("<sheet name=\""), sheetNames, &r)
            default: _ = replaceAttribute(&p, Bytes.of("r:id=\""), b(["", "rId99", "rId1", "rId2\" r:id=\"rId1"]), &r)
            }
            return "xml:workbook"
        case 15:
            // comments, CDATA and processing instructions, terminated or not
            let bits = b(["<!--", "<!-- x -->", "<![CDATA[x]]>", "<![CDATA[", "<?x", "<?x?>", "<!", "<!-", "<![CDATA[<c r=\"A1\"><v>1</v></c>]]>"])
            p.insert(contentsOf: r.pick(bits), at: r.below(p.count + 1))
            return "xml:markup"
        default:
            // the same attribute twice, attributes without quotes or values
            let bits = b([" r=\"A1\" r=\"B1\"", " r=A1", " r", " =\"x\"", " r=\"A1", " s='2'", " t=\"s\" t=\"b\"", " xml:space=\"preserve\""])
            addCellAttribute(&p, String(decoding: r.pick(bits), as: UTF8.self), &r)
            return "xml:attributes"
        }
    }

    /// Replaces the value of an `attr="…` found at or after a random position.
    @discardableResult
    static func replaceAttribute(_ p: inout [UInt8], _ attr: [UInt8], _ values: [[UInt8]], _ r: inout FuzzRandom) -> Bool {
        guard let at = Bytes.findAround(attr, in: p, from: r.below(p.count + 1)) else { return false }
        let vs = at + attr.count
        var ve = vs
        while ve < p.count && p[ve] != UInt8(ascii: "\"") { ve += 1 }
        p.replaceSubrange(vs..<ve, with: r.pick(values))
        return true
    }

    /// Replaces the text between `open` and `close`.
    static func replaceBetween(_ p: inout [UInt8], _ open: [UInt8], _ close: [UInt8], _ values: [[UInt8]], _ r: inout FuzzRandom) -> Bool {
        guard let at = Bytes.findAround(open, in: p, from: r.below(p.count + 1)) else { return false }
        let vs = at + open.count
        let ve = Bytes.find(close, in: p, from: vs) ?? p.count
        p.replaceSubrange(vs..<ve, with: r.pick(values))
        return true
    }

    /// Inserts `what` right after an occurrence of `marker`.
    @discardableResult
    static func insertAfter(_ p: inout [UInt8], _ marker: [UInt8], _ what: [UInt8], _ r: inout FuzzRandom) -> Bool {
        guard let at = Bytes.findAround(marker, in: p, from: r.below(p.count + 1)) else { return false }
        p.insert(contentsOf: what, at: at + marker.count)
        return true
    }

    /// Inserts a cell at the start of a row (after `<row …>`), or into `<sheetData>`, or anywhere.
    static func insertCell(_ p: inout [UInt8], _ cell: String, _ r: inout FuzzRandom) {
        let c = Bytes.of(cell)
        if let at = Bytes.findAround(Bytes.of("<row"), in: p, from: r.below(p.count + 1)), let gt = Bytes.find([UInt8(ascii: ">")], in: p, from: at) {
            if gt > 0 && p[gt - 1] == UInt8(ascii: "/") {
                p.replaceSubrange((gt - 1)...gt, with: Bytes.of(">") + c + Bytes.of("</row>"))
            } else {
                p.insert(contentsOf: c, at: gt + 1)
            }
        } else if !insertAfter(&p, Bytes.of("<sheetData>"), Bytes.of("<row>") + c + Bytes.of("</row>"), &r) {
            p.insert(contentsOf: c, at: r.below(p.count + 1))
        }
    }

    /// Adds an attribute to a `<c …>` start tag (before its `>` or `/>`).
    static func addCellAttribute(_ p: inout [UInt8], _ attr: String, _ r: inout FuzzRandom) {
        guard let at = Bytes.findAround(Bytes.of("<c "), in: p, from: r.below(p.count + 1)) ?? Bytes.findAround(Bytes.of("<c>"), in: p, from: 0),
              var gt = Bytes.find([UInt8(ascii: ">")], in: p, from: at) else { return }
        if gt > 0 && p[gt - 1] == UInt8(ascii: "/") { gt -= 1 }
        p.insert(contentsOf: Bytes.of(attr), at: gt)
    }

    /// Repeats one element (`<c …>…</c>` or `<row …>…</row>`) many times in place.
    static func repeatElement(_ p: inout [UInt8], open: [UInt8], close: [UInt8], room: Int, _ r: inout FuzzRandom) {
        guard let at = Bytes.findAround(open, in: p, from: r.below(p.count + 1)) else { return }
        let end: Int
        if let c = Bytes.find(close, in: p, from: at) { end = c + close.count }
        else if let sc = Bytes.find(Bytes.of("/>"), in: p, from: at) { end = sc + 2 } else { return }
        let element = Array(p[at..<end])
        p.insert(contentsOf: Bytes.repeated(element, r.many(max: Bytes.fit(element.count, room: room))), at: end)
    }
}
