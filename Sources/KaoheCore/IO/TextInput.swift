import Foundation

/// What a user's file turns out to be, decided from its bytes (not its name): Chinese Excel
/// saves “CSV” in GB18030, “CSV UTF-8” with a byte-order mark, “Unicode text” in UTF-16, and a
/// workbook is a ZIP whatever it is called.
public enum FileSniff: Equatable, Sendable {
    case xlsx
    case text(TextEncoding)
}

public enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf8BOM = "UTF-8 BOM"
    case gb18030 = "GB18030"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
}

public enum TextInput {
    /// GB18030 as Foundation names it (NSStringEncoding of kCFStringEncodingGB_18030_2000).
    public static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

    /// Files larger than this are refused before they are read (issue 5: a 100 MB log is the
    /// largest expected upload).
    public static let maxBytes = InputLimits.fileBytes

    /// Decides what the bytes are. Errors name the file: empty, binary (an image, a PDF, an old
    /// .xls), or text in none of the encodings Excel and the platforms write.
    public static func sniff(_ data: Data, file: String) throws(InputError) -> FileSniff {
        if data.isEmpty { throw InputError(file: file, message: "文件为空 the file is empty") }
        if data.count > maxBytes {
            throw InputError(file: file, message: "文件过大 the file is \(data.count / 1_048_576) MB; the limit is \(maxBytes / 1_048_576) MB")
        }
        let head = [UInt8](data.prefix(8))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw InputError(file: file, message: "这是旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV — an old .xls workbook: save it as .xlsx or CSV")
        }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return .text(.utf8BOM) }
        if head.starts(with: [0xFF, 0xFE]) { return .text(.utf16LE) }
        if head.starts(with: [0xFE, 0xFF]) { return .text(.utf16BE) }
        if data.prefix(65536).contains(0) {
            throw InputError(file: file, message: "不是文本文件（含二进制内容）— this is not a CSV text file (it contains binary data)")
        }
        if validUTF8(data) { return .text(.utf8) }
        if decodesAsGB18030(data) { return .text(.gb18030) }
        throw InputError(file: file, message: "无法识别的编码 the text is neither UTF-8 nor GB18030 (save it from Excel as “CSV UTF-8” or “CSV”)")
    }

    /// The file's text as UTF-8 bytes without a byte-order mark (converted if it was GB18030 or
    /// UTF-16). Conversion runs line by line in blocks so a large GB18030 file is never held
    /// twice as a Swift string.
    public static func utf8(_ data: Data, encoding: TextEncoding, file: String) throws(InputError) -> Data {
        switch encoding {
        case .utf8: return data
        case .utf8BOM: return data.dropFirst(3)
        case .utf16LE, .utf16BE:
            guard let s = String(data: data, encoding: encoding == .utf16LE ? .utf16LittleEndian : .utf16BigEndian) else {
                throw InputError(file: file, message: "UTF-16 文本无法解码 the UTF-16 text cannot be decoded")
            }
            // Excel's “Unicode text” is tab-separated
            let text = s.hasPrefix("\u{FEFF}") ? String(s.dropFirst()) : s
            return Data(text.utf8)
        case .gb18030:
            var out = Data(); out.reserveCapacity(data.count + data.count / 2)
            var start = data.startIndex
            var line = 1
            while start < data.endIndex {
                // 0x0A never occurs inside a GB18030 multi-byte character, so blocks end at a newline
                var end = Swift.min(start + 1_048_576, data.endIndex)
                if end < data.endIndex, let nl = data[start..<end].lastIndex(of: 10) { end = nl + 1 }
                guard let s = String(data: data[start..<end], encoding: gb18030) else {
                    throw InputError(file: file, row: line, message: "GB18030 文本无法解码 the GB18030 text cannot be decoded here")
                }
                out.append(contentsOf: s.utf8)
                line += data[start..<end].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                start = end
            }
            return out
        }
    }

    /// Reads a file's bytes, refusing what is too large before reading it.
    public static func read(path: String) throws(InputError) -> Data {
        let name = (path as NSString).lastPathComponent
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw InputError(file: name, message: "找不到文件 no such file: \(path)")
        }
        if let size = attrs[.size] as? Int, size > maxBytes {
            throw InputError(file: name, message: "文件过大 the file is \(size / 1_048_576) MB; the limit is \(maxBytes / 1_048_576) MB")
        }
        guard let d = FileManager.default.contents(atPath: path) else { throw InputError(file: name, message: "无法读取 cannot read \(path)") }
        return d
    }

    static func validUTF8(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            // Validating without building a string: a decoding that needs no repair is valid.
            var it = raw.bindMemory(to: UInt8.self).makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&it) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }

    static func decodesAsGB18030(_ data: Data) -> Bool {
        // sample the start; the full conversion checks the rest
        var end = Swift.min(data.count, 262_144)
        if end < data.count, let nl = data.prefix(end).lastIndex(of: 10) { end = nl + 1 }
        return String(data: data.prefix(end), encoding: gb18030) != nil
    }
}

/// A sheet of cells as text, from a CSV or from one worksheet of an XLSX workbook: the header
/// row, then data rows with the line number the user sees in Excel.
public struct Grid: Sendable {
    public var file: String
    /// Worksheet name (XLSX) or nil (CSV).
    public var sheet: String?
    public var header: [String]
    public var rows: [(line: Int, cells: [String])]
    /// What was understood on the way in (encoding converted, formula values used, …), shown
    /// in an import's preview.
    public var notices: [String]
    /// Columns whose cells Excel formatted as percentages (stored as fractions): header index.
    public var percentColumns: Set<Int>

    public init(file: String, sheet: String? = nil, header: [String], rows: [(line: Int, cells: [String])], notices: [String] = [], percentColumns: Set<Int> = []) {
        self.file = file; self.sheet = sheet; self.header = header; self.rows = rows; self.notices = notices
        self.percentColumns = percentColumns
    }

    /// An error at a place in this table.
    public func error(row: Int? = nil, column: String? = nil, _ message: String) -> InputError {
        InputError(file: file, sheet: sheet, row: row, column: column, message: message)
    }

    /// Reads a CSV (any of the encodings of `TextInput`) or an XLSX workbook (`sheet`, or the
    /// first worksheet). The header must be one row of distinct, non-empty names.
    public static func read(_ data: Data, file: String, sheet: String? = nil) throws(InputError) -> Grid {
        var table: Grid
        switch try TextInput.sniff(data, file: file) {
        case .xlsx:
            table = try XLSXReader.table(data, file: file, sheet: sheet)
        case .text(let enc):
            let utf8 = try TextInput.utf8(data, encoding: enc, file: file)
            table = try csv(utf8, file: file, separator: enc == .utf16LE || enc == .utf16BE ? UInt8(ascii: "\t") : nil)
            if enc == .gb18030 || enc == .utf16LE || enc == .utf16BE {
                table.notices.append("文件编码 \(enc.rawValue) 已转换 — the file was \(enc.rawValue) and has been converted")
            }
        }
        // header: distinct, non-empty
        var seen: [String: Int] = [:]
        for (k, h) in table.header.enumerated() {
            if h.isEmpty {
                // trailing empty header cells with empty columns are what Excel leaves; others are errors
                let used = table.rows.contains { k < $0.cells.count && !$0.cells[k].isEmpty }
                if used { throw table.error(row: 1, column: XLSXReader.columnName(k), "表头为空 the header of a column with data is empty") }
                continue
            }
            if let first = seen[h] {
                throw table.error(row: 1, column: h, "列名重复 duplicate column (columns \(XLSXReader.columnName(first)) and \(XLSXReader.columnName(k)))")
            }
            seen[h] = k
        }
        if table.header.allSatisfy(\.isEmpty) { throw table.error(row: 1, "没有表头 the first row is empty: it must name the columns") }
        if table.rows.isEmpty { throw table.error("没有数据行 no data rows after the header") }
        return table
    }

    static func csv(_ data: Data, file: String, separator: UInt8? = nil) throws(InputError) -> Grid {
        var header: [String] = []
        var rows: [(line: Int, cells: [String])] = []
        var width = 0
        do {
            try data.withUnsafeBytes { raw in
                try CSVReader.forEachRecord(raw.bindMemory(to: UInt8.self), separator: separator ?? UInt8(ascii: ",")) { line, fields in
                    if header.isEmpty && rows.isEmpty && line >= 1 && width == 0 {
                        header = fields.map(trimmed); width = header.count; return
                    }
                    if fields.count > width, fields[width...].contains(where: { !trimmed($0).isEmpty }) {
                        throw InputError(file: file, row: line, message: "有 \(fields.count) 个字段，表头只有 \(width) 个 — \(fields.count) fields, the header has \(width)")
                    }
                    let cells = fields.prefix(width).map(trimmed)
                    if cells.allSatisfy(\.isEmpty) { return }
                    if (rows.count + 1) * width > InputLimits.gridCells {
                        throw InputError(file: file, row: line, message: "文件过大 more than \(InputLimits.gridCells) cells (\(rows.count + 1) rows × \(width) columns): split the file")
                    }
                    if cells.count < width {
                        throw InputError(file: file, row: line, message: "只有 \(fields.count) 个字段，表头有 \(width) 个 — \(fields.count) fields, the header has \(width)")
                    }
                    rows.append((line, cells))
                }
            }
        } catch let e as InputError { throw e } catch let m as CSVReader.Malformed {
            throw InputError(file: file, row: m.line, message: m.message)
        } catch { throw InputError(file: file, message: "\(error)") }
        return Grid(file: file, header: header, rows: rows)
    }
}
