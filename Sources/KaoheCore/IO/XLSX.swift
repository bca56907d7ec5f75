import Foundation
import ZIPFoundation

// XLSX (Office Open XML spreadsheets) read and written in Swift over ZIPFoundation (DESIGN.md):
// no Swift XLSX package is in the mirror. Only what imports and the record forms need.

/// Reads one worksheet of a workbook into a `Grid`: shared and inline strings, numbers, dates
/// (by the cell's number format), percentages (kept as `35%`), booleans. Formula cells give
/// their saved value (noted in the preview) or are refused when Excel saved none; merged cells
/// and error values (`#DIV/0!`) are refused naming the cells.
public enum XLSXReader {
    public static func sheetNames(_ data: Data, file: String) throws(InputError) -> [String] {
        try Workbook(data, file: file).sheets.map(\.name)
    }

    public static func table(_ data: Data, file: String, sheet wanted: String? = nil) throws(InputError) -> Grid {
        let wb = try Workbook(data, file: file)
        guard !wb.sheets.isEmpty else { throw InputError(file: file, message: "工作簿没有工作表 the workbook has no worksheet") }
        let sheet: (name: String, path: String)
        if let wanted {
            guard let s = wb.sheets.first(where: { $0.name == wanted }) else {
                throw InputError(file: file, sheet: wanted, message: "没有这个工作表 no such worksheet; 有 the workbook has: \(wb.sheets.map(\.name).joined(separator: ", "))")
            }
            sheet = s
        } else { sheet = wb.sheets[0] }
        let xml = try wb.entry(sheet.path)
        func fail(_ cell: String?, _ message: String) -> InputError {
            let (row, col) = cell.flatMap(splitRef) ?? (nil, nil)
            return InputError(file: file, sheet: sheet.name, row: row, column: col, message: message)
        }
        var grid: [Int: [Int: String]] = [:]
        var formulaCells: [String] = []
        var maxCol = -1
        // cell being read
        var ref = "", type = "", style = 0, value: String?, inline = "", hasFormula = false
        var inCell = false, cellOpen = false, inV = false, inIS = false, inT = false, inRPh = false
        var autoRow = 0, autoCol = 0
        var merges: [String] = []
        var cells = 0
        var scanError: InputError?
        XMLScanner.scan(xml) { event in
            switch event {
            case .start(let name, let attrs, let selfClosing):
                switch name {
                case "row":
                    // a row number past the sheet's end stays past it (its cells are refused), never overflows
                    if let r = attrs["r"], let n = Int(r) { autoRow = min(max(n, 0), InputLimits.rows + 1) } else { autoRow = min(autoRow + 1, InputLimits.rows + 1) }
                    autoCol = 0
                case "c":
                    ref = attrs["r"] ?? (columnName(autoCol) + String(autoRow))
                    type = attrs["t"] ?? "n"; style = max(0, Int(attrs["s"] ?? "0") ?? 0)
                    value = nil; inline = ""; hasFormula = false; inCell = !selfClosing; cellOpen = true
                    if selfClosing { autoCol = min(autoCol + 1, InputLimits.columns + 1) }
                case "v" where inCell: inV = !selfClosing
                case "f" where inCell: hasFormula = true
                case "is" where inCell: inIS = true
                case "rPh": inRPh = !selfClosing
                case "t" where inIS && !inRPh: inT = !selfClosing
                case "mergeCell":
                    if let r = attrs["ref"] {
                        guard merges.count < InputLimits.gridCells else { scanError = fail(nil, "合并单元格过多 too many merged cells"); return false }
                        merges.append(r)
                    }
                default: break
                }
            case .text(let s):
                if inV { if value == nil { value = s } else { value!.append(s) } } else if inT { inline += s }
                if (value?.utf8.count ?? 0) > InputLimits.cellBytes || inline.utf8.count > InputLimits.cellBytes {
                    scanError = fail(ref, "单元格过长 the cell is longer than \(InputLimits.cellBytes) bytes"); return false
                }
            case .end(let name):
                switch name {
                case "v": inV = false
                case "t": inT = false
                case "rPh": inRPh = false
                case "is": inIS = false
                case "c":
                    // a closing tag with no cell open (a million `</c>` in a row) is not a cell again
                    guard cellOpen else { return true }
                    inCell = false; cellOpen = false
                    guard let (r, c) = splitRefIndex(ref) else {
                        scanError = fail(nil, "无效的单元格引用 bad cell reference “\(ref)”（最多 \(InputLimits.rows) 行、\(InputLimits.columns) 列 Excel's limits）"); return false
                    }
                    autoCol = min(c + 1, InputLimits.columns + 1)
                    var text: String
                    switch type {
                    case "s":
                        guard let v = value, let i = Int(v), i >= 0, i < wb.sharedStrings.count else {
                            scanError = fail(ref, "共享字符串缺失 missing shared string"); return false
                        }
                        text = wb.sharedStrings[i]
                    case "inlineStr": text = inline
                    case "str": text = value ?? ""
                    case "b": text = value == "1" ? "TRUE" : "FALSE"
                    case "e":
                        scanError = fail(ref, "单元格是错误值 \(value ?? "#ERROR") — the cell holds an Excel error; fix the formula or type the value")
                        return false
                    default:
                        guard let v = value else {
                            if hasFormula { scanError = fail(ref, "公式没有已保存的结果 the formula has no saved value: open the file in Excel and save it again"); return false }
                            text = ""; break
                        }
                        text = wb.format(number: v, style: style)
                    }
                    if hasFormula {
                        if value == nil { scanError = fail(ref, "公式没有已保存的结果 the formula has no saved value: open the file in Excel and save it again"); return false }
                        formulaCells.append(ref)
                    }
                    if text.utf8.count > InputLimits.cellBytes {
                        scanError = fail(ref, "单元格过长 the cell holds \(text.utf8.count) bytes; the limit is \(InputLimits.cellBytes)"); return false
                    }
                    text = text.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !text.isEmpty {
                        cells += 1
                        if cells > InputLimits.gridCells {
                            scanError = fail(ref, "工作表过大 more than \(InputLimits.gridCells) cells: split the file"); return false
                        }
                        grid[r, default: [:]][c] = text; maxCol = max(maxCol, c)
                    }
                default: break
                }
            }
            return true
        }
        if let e = scanError { throw e }
        var rowNumbers = grid.keys.sorted()
        // a title above the header (one text merged across, as Chinese forms have) is skipped
        var titles: [String] = []
        while let first = rowNumbers.first, grid[first]?.count == 1,
              let m = merges.firstIndex(where: { ref in ref.split(separator: ":").compactMap { splitRefIndex(String($0))?.0 }.allSatisfy { $0 == first } }) {
            titles.append(grid[first]!.values.first!)
            merges.remove(at: m)
            rowNumbers.removeFirst()
        }
        guard let headerRow = rowNumbers.first else {
            throw InputError(file: file, sheet: sheet.name, message: "工作表为空 the worksheet is empty")
        }
        for m in merges {
            let parts = m.split(separator: ":").map(String.init)
            guard let first = parts.first, let a = splitRefIndex(first) else { continue }
            let where_ = a.0 == headerRow ? "表头有合并单元格 merged header cells" : "有合并单元格 merged cells"
            throw fail(first, "\(where_) \(InputLimits.quote(m)): 请取消合并，每列一个列名、每格一个值 — unmerge them so that every column has its own name and every cell its own value")
        }
        let width = maxCol + 1
        if width * rowNumbers.count > InputLimits.gridCells {
            throw InputError(file: file, sheet: sheet.name, message: "工作表过大 \(rowNumbers.count) 行 × \(width) 列 rows × columns exceed \(InputLimits.gridCells) cells: remove empty columns far to the right or split the file")
        }
        func line(_ r: Int) -> [String] { (0..<width).map { grid[r]?[$0] ?? "" } }
        var table = Grid(file: file, sheet: sheet.name, header: line(headerRow), rows: [])
        for r in rowNumbers.dropFirst() { table.rows.append((r, line(r))) }
        if !titles.isEmpty { table.notices.append("标题行已跳过 title row skipped: \(titles.joined(separator: " / "))；表头在第 \(headerRow) 行 header on row \(headerRow)") }
        if !formulaCells.isEmpty {
            let shown = formulaCells.prefix(5).joined(separator: ", ") + (formulaCells.count > 5 ? " …" : "")
            table.notices.append("\(formulaCells.count) 个公式单元格取其保存的计算结果 formula cells read as their saved values: \(shown)")
        }
        return table
    }

    /// `A` for 0, `Z` for 25, `AA` for 26.
    public static func columnName(_ index: Int) -> String {
        var n = index + 1, s = ""
        while n > 0 { let r = (n - 1) % 26; s = String(UnicodeScalar(UInt8(65 + r))) + s; n = (n - 1) / 26 }
        return s
    }

    /// `B12` → (12, "B").
    static func splitRef(_ ref: String) -> (Int?, String?)? {
        guard let (r, c) = splitRefIndex(ref) else { return nil }
        return (r, columnName(c))
    }

    /// `B12` → (row 12, column index 1).
    /// Nil for anything that is not a reference inside Excel's sheet (16,384 columns XFD, 1,048,576 rows).
    static func splitRefIndex(_ ref: String) -> (Int, Int)? {
        var col = 0, row = 0, letters = 0, digits = 0
        for u in ref.utf8 {
            if u >= 65 && u <= 90 || u >= 97 && u <= 122 {
                guard digits == 0, letters < 3 else { return nil }
                col = col * 26 + Int(u >= 97 ? u - 96 : u - 64); letters += 1
            }
            else if u >= 48 && u <= 57 { guard digits < 7 else { return nil }; row = row * 10 + Int(u - 48); digits += 1 }
            else if u == 36 { continue } // $A$1
            else { return nil }
        }
        guard letters > 0, row > 0, row <= InputLimits.rows, col <= InputLimits.columns else { return nil }
        return (row, col - 1)
    }

    /// The parts of a workbook a reader needs.
    struct Workbook {
        let archive: ZipReader
        let file: String
        /// Bytes unpacked so far from this workbook (a class so `entry` can count while the
        /// struct is being built).
        final class Counter { var total = 0 }
        let unpacked = Counter()
        var sheets: [(name: String, path: String)] = []
        var sharedStrings: [String] = []
        /// per cellXfs index: .date, .time, .percent or nil
        var styles: [NumberStyle?] = []
        var date1904 = false

        enum NumberStyle { case date, dateTime, time, percent }

        init(_ data: Data, file: String) throws(InputError) {
            self.file = file
            if data.count > InputLimits.workbookBytes {
                throw InputError(file: file, message: "工作簿过大 the workbook is \(data.count / 1_048_576) MB; the limit is \(InputLimits.workbookBytes / 1_048_576) MB")
            }
            // our own reader of the ZIP's directory (ZipReader: ZIPFoundation's reader traps or
            // spins on some damaged files, found by `kaohe fuzz --target xlsx`)
            do { archive = try ZipReader(data) } catch {
                throw InputError(file: file, message: "不是有效的 XLSX 文件 not a valid XLSX workbook (the ZIP container cannot be read)")
            }
            guard archive.entries["xl/workbook.xml"] != nil else {
                throw InputError(file: file, message: "不是 Excel 工作簿 a ZIP file but not an XLSX workbook (no xl/workbook.xml)")
            }
            var rels: [String: String] = [:]
            if archive.entries["xl/_rels/workbook.xml.rels"] != nil {
                XMLScanner.scan(try entry("xl/_rels/workbook.xml.rels", limit: InputLimits.workbookMetaBytes)) { e in
                    if case .start("Relationship", let a, _) = e, let id = a["Id"], let t = a["Target"] {
                        rels[id] = t.hasPrefix("/") ? String(t.dropFirst()) : "xl/" + t
                    }
                    return true
                }
            }
            var found: [(String, String)] = []
            var is1904 = false
            XMLScanner.scan(try entry("xl/workbook.xml", limit: InputLimits.workbookMetaBytes)) { e in
                if case .start(let name, let a, _) = e {
                    if name == "sheet", let n = a["name"] {
                        let rid = a["r:id"] ?? a.first(where: { $0.key.hasSuffix(":id") })?.value ?? ""
                        found.append((n, rels[rid] ?? "xl/worksheets/sheet\(found.count + 1).xml"))
                    } else if name == "workbookPr", let d = a["date1904"] { is1904 = d == "1" || d == "true" }
                }
                return true
            }
            sheets = found.map { (name: $0.0, path: $0.1) }
            date1904 = is1904
            if archive.entries["xl/sharedStrings.xml"] != nil {
                var out: [String] = []
                var cur = "", inSI = false, inT = false, inRPh = false
                XMLScanner.scan(try entry("xl/sharedStrings.xml")) { e in
                    switch e {
                    case .start("si", _, let sc): inSI = !sc; cur = ""; if sc { out.append("") }
                    case .start("rPh", _, let sc): inRPh = !sc
                    case .start("t", _, let sc): inT = inSI && !inRPh && !sc
                    case .text(let s): if inT { cur += s }
                    case .end("t"): inT = false
                    case .end("rPh"): inRPh = false
                    case .end("si"): inSI = false; out.append(cur)
                    default: break
                    }
                    return true
                }
                sharedStrings = out
            }
            if archive.entries["xl/styles.xml"] != nil {
                var custom: [Int: String] = [:]
                var xfs: [Int] = []
                var inCellXfs = false
                XMLScanner.scan(try entry("xl/styles.xml", limit: InputLimits.workbookMetaBytes)) { e in
                    switch e {
                    case .start("numFmt", let a, _):
                        if let id = a["numFmtId"].flatMap({ Int($0) }), let code = a["formatCode"] { custom[id] = code }
                    case .start("cellXfs", _, let sc): inCellXfs = !sc
                    case .end("cellXfs"): inCellXfs = false
                    case .start("xf", let a, _) where inCellXfs: xfs.append(Int(a["numFmtId"] ?? "0") ?? 0)
                    default: break
                    }
                    return true
                }
                styles = xfs.map { Self.style(numFmt: $0, code: custom[$0]) }
            }
        }

        static func style(numFmt id: Int, code: String?) -> NumberStyle? {
            switch id {
            case 9, 10: return .percent
            case 14...17: return .date
            case 22: return .dateTime
            case 18...21, 45...47: return .time
            default: break
            }
            guard let code else { return nil }
            // strip quoted text, escapes and [colour]/[locale] sections before looking for date letters
            var plain = "", quoted = false, bracket = false, escape = false
            for ch in code {
                if escape { escape = false; continue }
                if ch == "\\" { escape = true; continue }
                if ch == "\"" { quoted.toggle(); continue }
                if quoted { continue }
                if ch == "[" { bracket = true; continue }
                if ch == "]" { bracket = false; continue }
                if !bracket { plain.append(ch) }
            }
            let lower = plain.lowercased()
            if lower.contains("%") { return .percent }
            let hasDate = lower.contains("y") || lower.contains("d") || code.contains("年") || code.contains("月") || code.contains("日")
            let hasTime = lower.contains("h") || lower.contains("s")
            if hasDate { return hasTime ? .dateTime : .date }
            if hasTime { return .time }
            return nil
        }

        /// One part unpacked, refused past `InputLimits.workbookPartBytes`, past the ratio of a
        /// zip bomb, or when the parts read so far pass `workbookUnpackedBytes` — counted as the
        /// bytes come out, whatever sizes the archive declares.
        func entry(_ path: String, limit partLimit: Int = InputLimits.workbookPartBytes) throws(InputError) -> Data {
            guard let e = archive.entries[path] else { throw InputError(file: file, message: "工作簿缺少 \(path) — the workbook is incomplete") }
            let packed = max(e.packed, 1)
            let limit = min(partLimit, InputLimits.workbookUnpackedBytes - unpacked.total)
            func tooLarge(_ n: Int) -> Bool { n > limit || (n > 1_048_576 && n / packed > InputLimits.workbookRatio) }
            let out: Data
            do { out = try archive.extract(e, tooLarge: tooLarge) } catch {
                if case .tooLarge = error { throw bomb(path) }
                throw InputError(file: file, message: "工作簿已损坏 the workbook is damaged (\(path))")
            }
            unpacked.total += out.count
            return out
        }

        func bomb(_ path: String) -> InputError {
            InputError(file: file, message: "工作簿解压后过大 \(path) unpacks to more than its limit (\(InputLimits.workbookPartBytes / 1_048_576) MB for a sheet, \(InputLimits.workbookMetaBytes / 1_048_576) MB for the workbook's own parts) (or more than \(InputLimits.workbookRatio)× its packed size): the file is refused")
        }

        /// A numeric cell as text: dates as `YYYY-MM-DD` (with time when it has one),
        /// percentages as `35%`, other numbers with at most 15 significant digits (as Excel shows them).
        func format(number v: String, style: Int) -> String {
            let st = style < styles.count ? styles[style] : nil
            // a serial outside 1900…9999 (or not finite) is not a date Excel could show: kept as typed
            guard let st, let d = Double(v), d.isFinite, st == .percent || (d > -1 && d < 2_958_466) else { return Self.plain(v) }
            switch st {
            case .percent: return Self.plain(String(format: "%.13g", d * 100)) + "%"
            case .date, .dateTime, .time:
                let serial = d + (date1904 ? 1462 : 0)
                let days = Int(serial.rounded(.down))
                let secs = Int(((serial - Double(days)) * 86400).rounded())
                let date = Date(timeIntervalSince1970: Double(days - 25569) * 86400 + Double(secs))
                var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
                let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
                let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
                let time = String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
                if st == .time && days == 0 { return time }
                return secs == 0 && st == .date ? day : (secs == 0 ? day : day + " " + time)
            }
        }

        static func plain(_ v: String) -> String {
            // 0.30000000000000004 → 0.3; integers stay as written
            guard v.contains(".") || v.contains("E") || v.contains("e"), let d = Double(v), d.isFinite, abs(d) < 1e300 else { return v }
            var s = String(format: "%.15g", d)
            if s.contains("e") { s = String(format: "%.15f", d) }
            if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
            return s
        }
    }
}

/// A minimal XML pull scanner for the XLSX parts: start/end tags with attributes and text with
/// the five entities and character references decoded. No DTDs, no namespaces resolution (a
/// prefixed name such as `x:c` is reported without its prefix).
enum XMLScanner {
    enum Event {
        case start(String, [String: String], Bool)
        case end(String)
        case text(String)
    }

    /// Calls `handle` per event until it returns false.
    static func scan(_ data: Data, _ handle: (Event) -> Bool) {
        data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            var i = 0
            func localName(_ s: Int, _ e: Int) -> String {
                var st = s
                for k in s..<e where b[k] == UInt8(ascii: ":") { st = k + 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: b[st..<e]), as: UTF8.self)
            }
            while i < n {
                if b[i] != UInt8(ascii: "<") {
                    let s = i
                    while i < n && b[i] != UInt8(ascii: "<") { i += 1 }
                    let text = decode(UnsafeBufferPointer(rebasing: b[s..<i]))
                    if !handle(.text(text)) { return }
                    continue
                }
                // <? … ?>, <!-- … -->, <![CDATA[ … ]]>
                if i + 1 < n && b[i + 1] == UInt8(ascii: "?") {
                    while i + 1 < n && !(b[i] == UInt8(ascii: "?") && b[i + 1] == UInt8(ascii: ">")) { i += 1 }
                    i += 2; continue
                }
                if i + 3 < n && b[i + 1] == UInt8(ascii: "!") && b[i + 2] == UInt8(ascii: "-") {
                    while i + 2 < n && !(b[i] == UInt8(ascii: "-") && b[i + 1] == UInt8(ascii: "-") && b[i + 2] == UInt8(ascii: ">")) { i += 1 }
                    i += 3; continue
                }
                if i + 8 < n && b[i + 1] == UInt8(ascii: "!") && b[i + 2] == UInt8(ascii: "[") {
                    let s = i + 9
                    var e = s
                    while e + 2 < n && !(b[e] == UInt8(ascii: "]") && b[e + 1] == UInt8(ascii: "]") && b[e + 2] == UInt8(ascii: ">")) { e += 1 }
                    if !handle(.text(String(decoding: UnsafeBufferPointer(rebasing: b[s..<min(e, n)]), as: UTF8.self))) { return }
                    i = e + 3; continue
                }
                if i + 1 < n && b[i + 1] == UInt8(ascii: "/") {
                    let s = i + 2
                    var e = s
                    while e < n && b[e] != UInt8(ascii: ">") && b[e] != 32 { e += 1 }
                    if !handle(.end(localName(s, e))) { return }
                    while e < n && b[e] != UInt8(ascii: ">") { e += 1 }
                    i = e + 1; continue
                }
                // start tag
                var k = i + 1
                let ns = k
                while k < n && !isSpace(b[k]) && b[k] != UInt8(ascii: ">") && b[k] != UInt8(ascii: "/") { k += 1 }
                let name = localName(ns, k)
                var attrs: [String: String] = [:]
                var selfClosing = false
                while k < n {
                    while k < n && isSpace(b[k]) { k += 1 }
                    guard k < n else { break }
                    if b[k] == UInt8(ascii: ">") { k += 1; break }
                    if b[k] == UInt8(ascii: "/") { selfClosing = true; k += 1; continue }
                    let as_ = k
                    while k < n && b[k] != UInt8(ascii: "=") && !isSpace(b[k]) && b[k] != UInt8(ascii: ">") { k += 1 }
                    let an = String(decoding: UnsafeBufferPointer(rebasing: b[as_..<k]), as: UTF8.self)
                    while k < n && (isSpace(b[k]) || b[k] == UInt8(ascii: "=")) { k += 1 }
                    guard k < n, b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'") else { continue }
                    let q = b[k]; k += 1
                    let vs = k
                    while k < n && b[k] != q { k += 1 }
                    attrs[an] = decode(UnsafeBufferPointer(rebasing: b[vs..<min(k, n)]))
                    k += 1
                }
                i = k
                if !handle(.start(name, attrs, selfClosing)) { return }
                if selfClosing && !handle(.end(name)) { return }
            }
        }
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }

    static func decode(_ s: UnsafeBufferPointer<UInt8>) -> String {
        guard s.contains(UInt8(ascii: "&")) else { return String(decoding: s, as: UTF8.self) }
        let text = String(decoding: s, as: UTF8.self)
        var out = "", i = text.startIndex
        while i < text.endIndex {
            // an entity is at most a few characters: look no further (a run of `&` stays linear)
            if text[i] == "&", let semi = text[i...].prefix(12).firstIndex(of: ";") {
                let ent = text[text.index(after: i)..<semi]
                var rep: String?
                switch ent {
                case "amp": rep = "&"
                case "lt": rep = "<"
                case "gt": rep = ">"
                case "quot": rep = "\""
                case "apos": rep = "'"
                default:
                    if ent.hasPrefix("#x"), let v = UInt32(ent.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { rep = String(Character(u)) }
                    else if ent.hasPrefix("#"), let v = UInt32(ent.dropFirst()), let u = Unicode.Scalar(v) { rep = String(Character(u)) }
                }
                if let rep { out += rep; i = text.index(after: semi); continue }
            }
            out.append(text[i]); i = text.index(after: i)
        }
        return out
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // characters XML 1.0 forbids (control characters other than tab, LF, CR) are dropped
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

/// Writes workbooks with real cells: numbers as numbers (points as `0.00`, money as `"¥"#,##0.00`
/// where the form says which), dates as dates, text as text, a bold header row frozen and
/// repeated on every printed page, column widths fitted to the content (Chinese characters count
/// double), one worksheet per form.
public struct XLSXWriter {
    /// How a number cell is shown: points with two decimals, yuan with the sign, thousands
    /// separators and two decimals. The cell's value stays the exact number.
    public enum NumberFormat: Sendable, Equatable {
        case points, money

        /// The cell style (`cellXfs` index) of the writer's `styles.xml`.
        var style: Int {
            switch self {
            case .points: return 4
            case .money: return 5
            }
        }
    }

    public enum Cell: Sendable, Equatable {
        case text(String)
        /// a decimal number as text (`"87.5"`), written as a numeric cell
        case number(String)
        /// `YYYY-MM-DD`
        case date(String)
        case empty
    }

    public struct Sheet: Sendable {
        public var name: String
        public var header: [String]
        public var rows: [[Cell]]
        /// A title line above the header (the form's name, period, department).
        public var title: String?
        /// The columns (indices into `header`) whose cells are names people gave — a person's, a
        /// department's, a team's: data shown as written, never translated (a report page marks them
        /// `translate="no"`). Set by the code that builds the columns (`Forms.build`).
        public var nameColumns: Set<Int>
        /// The number format of a column's number cells (by index into `header`); none: general.
        public var formats: [Int: NumberFormat]
        /// A cell's own format where a column mixes points and money (row index → column → format).
        public var cellFormats: [Int: [Int: NumberFormat]]
        public init(name: String, title: String? = nil, header: [String], rows: [[Cell]], nameColumns: Set<Int> = [],
                    formats: [Int: NumberFormat] = [:], cellFormats: [Int: [Int: NumberFormat]] = [:]) {
            self.name = name; self.title = title; self.header = header; self.rows = rows; self.nameColumns = nameColumns
            self.formats = formats; self.cellFormats = cellFormats
        }

        /// The format of the number cell at `row`, `column`.
        public func format(row: Int, column: Int) -> NumberFormat? { cellFormats[row]?[column] ?? formats[column] }

        /// The rows the header takes (the title line and the header): frozen and printed on every page.
        var headerRows: Int { title == nil ? 1 : 2 }
    }

    public var sheets: [Sheet] = []
    public init(sheets: [Sheet] = []) { self.sheets = sheets }

    /// The workbook's bytes.
    public func data() throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        var names: [String] = []
        for s in sheets {
            var n = Self.sheetName(s.name)
            var k = 2
            while names.contains(n) { n = String(Self.sheetName(s.name).prefix(28)) + "(\(k))"; k += 1 }
            names.append(n)
        }
        func add(_ path: String, _ text: String) throws {
            let d = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(d.count), modificationDate: Date(timeIntervalSince1970: 1_767_225_600),
                                 compressionMethod: .deflate) { pos, size in d.subdata(in: Int(pos)..<Int(pos) + size) }
        }
        var types = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
        """
        for k in sheets.indices {
            types += "<Override PartName=\"/xl/worksheets/sheet\(k + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        types += "</Types>"
        try add("[Content_Types].xml", types)
        try add("_rels/.rels", """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """)
        var wb = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
        """
        var rels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        """
        for (k, n) in names.enumerated() {
            wb += "<sheet name=\"\(XMLScanner.escape(n))\" sheetId=\"\(k + 1)\" r:id=\"rId\(k + 1)\"/>"
            rels += "<Relationship Id=\"rId\(k + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(k + 1).xml\"/>"
        }
        wb += "</sheets>"
        // the title and header rows printed on every page (Excel's and LibreOffice's print titles)
        wb += "<definedNames>"
        for (k, n) in names.enumerated() {
            let quoted = "'" + n.replacingOccurrences(of: "'", with: "''") + "'"
            wb += "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"\(k)\">\(XMLScanner.escape(quoted))!$1:$\(sheets[k].headerRows)</definedName>"
        }
        wb += "</definedNames></workbook>"
        rels += "<Relationship Id=\"rId\(names.count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>"
        try add("xl/workbook.xml", wb)
        try add("xl/_rels/workbook.xml.rels", rels)
        // styles: 0 default, 1 bold header, 2 date, 3 bold title, 4 points (0.00, built-in format 2),
        // 5 money ("¥"#,##0.00, format 165)
        try add("xl/styles.xml", """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="&quot;¥&quot;#,##0.00"/></numFmts>\
        <fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>\
        <fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
        <fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """)
        for (k, s) in sheets.enumerated() { try add("xl/worksheets/sheet\(k + 1).xml", Self.sheetXML(s)) }
        guard let d = archive.data else { throw InputError(message: "无法生成工作簿 cannot build the workbook") }
        return d
    }

    static func sheetName(_ s: String) -> String {
        let cleaned = String(s.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        let n = String(cleaned.prefix(31))
        return n.isEmpty ? "Sheet" : n
    }

    static func sheetXML(_ s: Sheet) -> String {
        let width = max(s.header.count, s.rows.map(\.count).max() ?? 0)
        var widths = s.header.map { Table.width($0) }
        widths += [Int](repeating: 4, count: max(0, width - widths.count))
        for r in s.rows.prefix(2000) {
            for (k, c) in r.enumerated() {
                let w: Int
                switch c {
                case .text(let t): w = Table.width(t.split(separator: "\n").map(String.init).max(by: { $0.count < $1.count }) ?? "")
                // "¥" and the thousands separators of money
                case .number(let t): w = t.count + (s.formats[k] == .money ? 1 + t.count / 4 : 0)
                case .date: w = 10
                case .empty: w = 0
                }
                widths[k] = max(widths[k], w)
            }
        }
        let headerRow = s.headerRows
        var x = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0"><pane ySplit="\(headerRow)" topLeftCell="A\(headerRow + 1)" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
        <sheetFormatPr defaultRowHeight="15"/><cols>
        """
        for (k, w) in widths.enumerated() {
            x += "<col min=\"\(k + 1)\" max=\"\(k + 1)\" width=\"\(min(60, max(6, w + 2)))\" customWidth=\"1\"/>"
        }
        x += "</cols><sheetData>"
        var r = 1
        func text(_ t: String, _ col: Int, style: Int = 0) -> String {
            "<c r=\"\(XLSXReader.columnName(col))\(r)\" t=\"inlineStr\"\(style > 0 ? " s=\"\(style)\"" : "")><is><t xml:space=\"preserve\">\(XMLScanner.escape(t))</t></is></c>"
        }
        if let title = s.title { x += "<row r=\"1\">" + text(title, 0, style: 3) + "</row>"; r += 1 }
        x += "<row r=\"\(r)\">" + s.header.enumerated().map { text($1, $0, style: 1) }.joined() + "</row>"
        for (index, row) in s.rows.enumerated() {
            r += 1
            x += "<row r=\"\(r)\">"
            for (k, c) in row.enumerated() {
                switch c {
                case .text(let t): if !t.isEmpty { x += text(t, k) }
                case .number(let t):
                    let style = s.format(row: index, column: k).map { " s=\"\($0.style)\"" } ?? ""
                    x += "<c r=\"\(XLSXReader.columnName(k))\(r)\"\(style)><v>\(t)</v></c>"
                case .date(let d):
                    if let serial = Self.serial(d) { x += "<c r=\"\(XLSXReader.columnName(k))\(r)\" s=\"2\"><v>\(serial)</v></c>" }
                    else { x += text(d, k) }
                case .empty: break
                }
            }
            x += "</row>"
        }
        x += "</sheetData>"
        if s.title != nil, width > 1 { x += "<mergeCells count=\"1\"><mergeCell ref=\"A1:\(XLSXReader.columnName(width - 1))1\"/></mergeCells>" }
        x += "<pageMargins left=\"0.5\" right=\"0.5\" top=\"0.6\" bottom=\"0.6\" header=\"0.3\" footer=\"0.3\"/>"
        x += "<pageSetup paperSize=\"9\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/></worksheet>"
        return x
    }

    /// Excel's serial day number of `YYYY-MM-DD` (1900 date system).
    static func serial(_ d: String) -> Int? {
        let p = d.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return nil }
        var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
        guard let date = cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2])) else { return nil }
        return Int(date.timeIntervalSince1970 / 86400) + 25569
    }
}
