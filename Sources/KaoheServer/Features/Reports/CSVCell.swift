import KaoheCore

/// Cells of the CSV files the server writes (the form exports, `audit.csv`), made safe to open in
/// a spreadsheet (issue 13): a cell starting with `=`, `+`, `-` or `@` (or a tab or a carriage
/// return, OWASP "CSV injection") would be read as a formula — `=HYPERLINK(…)` in a name or a
/// token's name. Such a cell gets a leading `'`, which spreadsheets take as "this is text".
/// A plain decimal number (`-3.5`, `+2`) is a number, not a formula, and stays as it is.
enum CSVCell {
    static func neutralised(_ s: String) -> String {
        guard let first = s.utf8.first, isTrigger(first), !isPlainNumber(s) else { return s }
        return "'" + s
    }

    static func isTrigger(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): return true
        default: return false
        }
    }

    /// `[+-]digits[.digits]` (or `[+-].digits`): a number as the exports write them.
    static func isPlainNumber(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func digit(_ i: Int) -> Bool { i < b.count && b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") }
        var i = 0, digits = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        while digit(i) { i += 1; digits += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while digit(i) { i += 1; digits += 1 }
        }
        return i == b.count && digits > 0
    }
}

extension ByteSink {
    /// A cell of a CSV the server writes: never read as a formula (`CSVCell`), quoted as RFC 4180.
    mutating func spreadsheetCell(_ s: String) { csv(CSVCell.neutralised(s)) }
}
