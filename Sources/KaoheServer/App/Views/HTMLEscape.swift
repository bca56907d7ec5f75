/// The one way the server escapes data for HTML (issue 13).
///
/// Plot escapes `<`, `>` and `&` in text nodes but renders attribute values as they are given
/// (`name="value"`), so a `"` in a value would end the attribute and let the rest of it be
/// markup. Every attribute value that can carry data (what a user typed, a query parameter, a
/// name or any other value from the database) goes through `attribute(_:)` before Plot sees it:
/// Plot then writes it unchanged, escaped exactly once. Markup built by hand as a string (the
/// SVG charts) escapes every interpolated value with `attribute(_:)`, which is safe in text too.
/// Values that are only ever literals written here need not.
///
/// The page-wide translation (`Localizer.html`) decodes these entities in the attributes it
/// translates and encodes the same five again.
enum HTMLEscape {
    /// An attribute value (double or single quoted), or text: `&`, `<`, `>`, `"`, `'`. (Text
    /// nodes are escaped by Plot itself.)
    static func attribute(_ s: String) -> String {
        // most values have nothing to escape: no copy then
        guard s.utf8.contains(where: { b in
            switch b {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"): return true
            case UInt8(ascii: "\""), UInt8(ascii: "'"): return true
            default: return false
            }
        }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
