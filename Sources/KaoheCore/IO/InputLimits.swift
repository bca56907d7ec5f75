import Foundation

/// What Kaohe accepts from a file or a form before it refuses it (issue 13): every parser checks
/// these while it reads, so a hostile input is refused in bounded time and memory with an error
/// that names the place and quotes at most a short prefix of the offending value.
public enum InputLimits {
    /// An uploaded or read file (the largest expected upload is a 100 MB chat log).
    public static let fileBytes = 128 * 1024 * 1024
    /// An XLSX workbook as uploaded (compressed).
    public static let workbookBytes = 32 * 1024 * 1024
    /// One part of a workbook once unpacked (a worksheet's XML, the shared strings).
    public static let workbookPartBytes = 64 * 1024 * 1024
    /// The workbook's own parts (workbook.xml, its relationships, the styles): a few KB in any
    /// real file.
    public static let workbookMetaBytes = 2 * 1024 * 1024
    /// All parts read from one workbook, unpacked.
    public static let workbookUnpackedBytes = 160 * 1024 * 1024
    /// Unpacked ÷ packed size of a part larger than 1 MiB: above this it is a zip bomb.
    public static let workbookRatio = 200
    /// Excel's own sheet size.
    public static let rows = 1_048_576
    public static let columns = 16_384
    /// Columns of one CSV record (a platform export has tens; a hostile one millions).
    public static let csvColumns = 4_096
    /// Cells a sheet read into memory may hold (rows × columns of the table).
    public static let gridCells = 2_000_000
    /// One cell, in UTF-8 bytes (Excel holds 32,767 characters in a cell).
    public static let cellBytes = 128 * 1024
    /// A scheme text (YAML or JSON): nine times the largest preset (ecommerce-monthly, 14 KB); the
    /// YAML decoder takes about 3 s for a megabyte.
    public static let schemeBytes = 128 * 1024
    /// Nesting of `[ { ` and indentation levels in a scheme text.
    public static let schemeNesting = 64
    /// A formula's length in characters and the depth of its syntax tree.
    public static let formulaLength = 2_000
    public static let formulaDepth = 64
    /// How much of an offending value an error message quotes.
    public static let quotedPrefix = 60

    /// `value` cut to `quotedPrefix` characters with “…(N 字符)” when longer.
    public static func quote(_ value: some StringProtocol) -> String {
        let n = value.count
        guard n > quotedPrefix else { return String(value) }
        return String(value.prefix(quotedPrefix)) + "…（共 \(n) 字符 \(n) characters）"
    }

    /// Shortens every “…” quoted span of a message that is longer than `quotedPrefix`
    /// (values quoted by the parsers), and the message as a whole to a few hundred characters.
    static func shortened(_ message: String) -> String {
        guard message.utf8.count > 2 * quotedPrefix else { return message }
        var out = "", inQuote = false, kept = "", count = 0
        func close() {
            out += count > quotedPrefix ? kept + "…（共 \(count) 字符 \(count) characters）" : kept
        }
        for ch in message {
            if !inQuote {
                out.append(ch)
                if ch == "“" { inQuote = true; kept = ""; count = 0 }
            } else if ch == "”" {
                close(); out.append(ch); inQuote = false
            } else {
                count += 1
                if count <= quotedPrefix { kept.append(ch) }
            }
        }
        if inQuote { close() }
        if out.count > 1_000 { out = String(out.prefix(1_000)) + "…" }
        return out
    }
}
