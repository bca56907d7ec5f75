import Foundation

/// The three interface languages (DESIGN.md "Product conventions"). Simplified Chinese is the
/// source language: every label, message and explanation is written in it (with the seed's own
/// terms) and translated from it.
public enum Language: String, CaseIterable, Sendable, Codable {
    case zhHans = "zh-Hans"
    case zhHant = "zh-Hant"
    case en

    /// The name of the language in that language (shown untranslated in the switcher).
    public var nativeName: String {
        switch self {
        case .zhHans: return "简体中文"
        case .zhHant: return "繁體中文"
        case .en: return "English"
        }
    }
}

/// Translates Kaohe's own texts — page labels, messages, the engine's explanations, preset labels —
/// from Simplified Chinese into the reader's language.
///
/// - 繁體中文: OpenCC's phrase table first (longest match), then its character table.
/// - English: the message catalogue (`Locales/messages.tsv`: source, Chinese-only form, English),
///   the whole text first, else the longest known fragments left to right — explanations are
///   assembled from fixed fragments and numbers, so they translate piece by piece.
/// - Older messages carry an English gloss after the Chinese ("暂无成绩 no results yet"); the
///   catalogue gives their Chinese-only form, so Chinese readers see Chinese and English readers
///   English, not both.
///
/// Text a user typed (names, reasons) is not Kaohe's to translate: pages mark it `translate="no"`
/// and `html(_:_:)` leaves it alone.
public final class Localizer: Sendable {
    public static let shared = Localizer()

    /// Whole texts (any length) and fragments (two characters or more, or a unit from `singles`).
    let englishWhole: [String: String]
    let english: PhraseTable
    let chinese: PhraseTable
    /// Single characters safe to translate inside a longer text: units and connectives of the
    /// explanations. Other single characters (有, 是, 中, 第 …) translate only as a whole text.
    static let singles: Set<String> = ["分", "元", "扣", "秒", "次", "天", "年", "月", "日", "人", "加", "减", "每", "至", "或", "和", "及", "得", "条", "项", "个", "倍", "优", "良", "中", "差", "劣", "与", "共"]
    static func fragments(_ all: [String: String]) -> PhraseTable {
        PhraseTable(all.filter { $0.key.count >= 2 || singles.contains($0.key) })
    }
    let hantPhrases: PhraseTable
    let hantCharacters: [Unicode.Scalar: String]
    /// Traditional → Simplified, for characters that exist only in the Traditional form (the
    /// inverse of `hantCharacters`): a 简体 page reads 员工月绩效考核记录表 where a preset or seed
    /// wrote 員工月績效考核記錄表 (issue 17 §3: each language's own forms of names and titles).
    let hansCharacters: [Unicode.Scalar: Unicode.Scalar]

    init() {
        var en: [String: String] = [:], zh: [String: String] = [:]
        for row in Localizer.rows("messages") where row.count >= 3 {
            let key = Localizer.unescape(row[0]), chineseOnly = Localizer.unescape(row[1]), english = Localizer.unescape(row[2])
            if !english.isEmpty { en[key] = english }
            if chineseOnly != key { zh[key] = chineseOnly }
            // the Chinese-only form translates too (a message written without its gloss)
            if chineseOnly != key, en[chineseOnly] == nil, !english.isEmpty { en[chineseOnly] = english }
        }
        englishWhole = en
        english = Localizer.fragments(en)
        chinese = PhraseTable(zh)
        var phrases: [String: String] = [:]
        for row in Localizer.rows("zh-Hant-phrases") where row.count >= 2 { phrases[row[0]] = row[1] }
        hantPhrases = PhraseTable(phrases)
        var chars: [Unicode.Scalar: String] = [:]
        for row in Localizer.rows("zh-Hant-characters") where row.count >= 2 {
            if let s = row[0].unicodeScalars.first, row[0].unicodeScalars.count == 1 { chars[s] = row[1] }
        }
        hantCharacters = chars
        hansCharacters = Localizer.inverse(chars)
    }

    static func inverse(_ chars: [Unicode.Scalar: String]) -> [Unicode.Scalar: Unicode.Scalar] {
        var out: [Unicode.Scalar: Unicode.Scalar] = [:]
        // in the table's order of simplified characters, so that the choice is the same on every run
        for (s, t) in chars.sorted(by: { $0.key.value < $1.key.value }) {
            guard let ts = t.unicodeScalars.first, t.unicodeScalars.count == 1, ts != s, chars[ts] == nil, out[ts] == nil else { continue }
            out[ts] = s
        }
        return out
    }

    /// Test seam: a localizer over given catalogue rows (source, Chinese-only, English).
    init(messages: [(String, String, String)]) {
        var en: [String: String] = [:], zh: [String: String] = [:]
        for (k, z, e) in messages { en[k] = e; if z != k { zh[k] = z } }
        englishWhole = en; english = Localizer.fragments(en); chinese = PhraseTable(zh)
        let shared = Localizer.shared
        hantPhrases = shared.hantPhrases; hantCharacters = shared.hantCharacters; hansCharacters = shared.hansCharacters
    }

    static func rows(_ name: String) -> [[String]] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "tsv", subdirectory: "Locales"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = "", escaped = false
        for c in s {
            if escaped {
                switch c { case "n": out.append("\n"); case "t": out.append("\t"); default: out.append(c) }
                escaped = false
            } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// One text in `lang`.
    public func text(_ s: String, _ lang: Language) -> String {
        // a message written “中文 — English” (the validator's, the loader's): each reader its half
        if let (zh, en) = Localizer.glossed(s) {
            return text(lang == .en ? en : zh, lang)
        }
        switch lang {
        case .zhHans: return simplified(chineseOnly(s))
        case .zhHant: return traditional(chineseOnly(s))
        case .en: return englishText(s)
        }
    }

    /// “中文 — English”: the two halves, when the part after the dash is English (ASCII, with
    /// typographic quotes and signs); nil for any other text.
    static func glossed(_ s: String) -> (String, String)? {
        guard let r = s.range(of: " — ") else { return nil }
        let zh = s[..<r.lowerBound]
        var en = s[r.upperBound...]
        // a rule tag the page adds after the message, `（R-001-03, R-001-10）`, belongs to both halves
        var tag = ""
        if en.hasSuffix("）") || en.hasSuffix(")"), let open = en.lastIndex(where: { $0 == "（" || $0 == "(" }), en[open...].contains("R-") {
            tag = String(en[open...]); en = en[..<open]
        }
        let signs = "“”‘’–—…×÷≤≥±·"
        guard !en.isEmpty, en.unicodeScalars.contains(where: { ($0.value >= 0x41 && $0.value <= 0x5A) || ($0.value >= 0x61 && $0.value <= 0x7A) }),
              en.unicodeScalars.allSatisfy({ $0.isASCII || signs.unicodeScalars.contains($0) }),
              zh.unicodeScalars.contains(where: { $0.value >= 0x4E00 && $0.value <= 0x9FFF }) else { return nil }
        return (String(zh) + tag, String(en).trimmingCharacters(in: .whitespaces) + tag)
    }

    /// The Chinese-only form of a text that may carry English glosses.
    func chineseOnly(_ s: String) -> String {
        guard s.utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }), containsHan(s) else { return s }
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let boundary = i == 0 || !Localizer.isAlnum(scalars[i - 1]) || !Localizer.isAlnum(scalars[i])
            if boundary, let (len, value) = chinese.longestMatch(scalars, at: i) {
                out.append(contentsOf: value.unicodeScalars); i += len
            } else {
                out.append(scalars[i]); i += 1
            }
        }
        return String(out)
    }

    /// Traditional-only characters to their Simplified form; text already in Simplified is returned as it is.
    public func simplified(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { hansCharacters[$0] != nil }) else { return s }
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars { out.append(hansCharacters[c] ?? c) }
        return String(out)
    }

    /// Simplified → Traditional (OpenCC phrases, then characters).
    public func traditional(_ s: String) -> String {
        guard containsHan(s) else { return s }
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if let (len, value) = hantPhrases.longestMatch(scalars, at: i) {
                out.append(contentsOf: value.unicodeScalars); i += len
            } else {
                if let t = hantCharacters[scalars[i]] { out.append(contentsOf: t.unicodeScalars) } else { out.append(scalars[i]) }
                i += 1
            }
        }
        return String(out)
    }

    func englishText(_ s: String) -> String {
        guard containsHan(s) || s.unicodeScalars.contains(where: { Localizer.punctuation[$0] != nil }) else { return s }
        let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if let whole = englishWhole[trimmed] {
            let lead = s.prefix(while: { $0.isWhitespace }), trail = String(s.reversed().prefix(while: { $0.isWhitespace }).reversed())
            return lead + whole + trail
        }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var spaceAfter = false
        func emit(_ text: String) {
            guard let first = text.unicodeScalars.first else { return }
            if let last = out.last, Localizer.isWordEnd(last), Localizer.isWordStart(first) { out.append(" ") }
            out.append(contentsOf: text.unicodeScalars)
            spaceAfter = true
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            // a fragment starts at a Chinese character or punctuation, or after a word ends
            let boundary = i == 0 || !Localizer.isAlnum(scalars[i - 1]) || !Localizer.isAlnum(c)
            if boundary, let (len, value) = english.longestMatch(scalars, at: i) {
                emit(value); i += len; continue
            }
            if let p = Localizer.punctuation[c] {
                // no space before punctuation, one after (unless the text ends or a space follows)
                while let last = out.last, last == " ", p.first != "(" { out.removeLast() }
                if p.first == "(", let last = out.last, last != " ", last != "(" { out.append(" ") }
                out.append(contentsOf: p.unicodeScalars)
                spaceAfter = p.last != "(" && p.last != " "
                i += 1; continue
            }
            if spaceAfter, Localizer.isWordStart(c), let last = out.last, last != " " { out.append(" ") }
            spaceAfter = false
            out.append(c); i += 1
        }
        var result = String(out)
        while result.contains("  ") { result = result.replacingOccurrences(of: "  ", with: " ") }
        return result
    }

    static let punctuation: [Unicode.Scalar: String] = [
        "，": ", ", "。": ". ", "：": ": ", "；": "; ", "、": ", ", "！": "! ", "？": "? ",
        "（": "(", "）": ")", "【": "[", "】": "]", "《": "“", "》": "”", "～": "~", "　": " ",
    ]
    static func isAlnum(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic && c.value < 0x2E80 || (c.value >= 0x30 && c.value <= 0x39) }
    static func isWordEnd(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == ")" || c == "”" || c == "%" }
    static func isWordStart(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == "(" || c == "“" || c == "¥" }

    func isHan(_ c: Unicode.Scalar) -> Bool { (c.value >= 0x3400 && c.value <= 0x9FFF) || (c.value >= 0xF900 && c.value <= 0xFAFF) }
    func containsHan(_ s: String) -> Bool { s.unicodeScalars.contains(where: isHan) }

    // MARK: HTML

    /// A rendered page in `lang`: text between tags and the human-readable attributes (`title`,
    /// `placeholder`, `aria-label`, `alt`) are translated; `<script>`, `<style>`, `<textarea>`
    /// and any element marked `translate="no"` (names, typed reasons, YAML) are left as they are.
    public func html(_ page: String, _ lang: Language) -> String {
        let bytes = Array(page.utf8)
        var out = [UInt8](); out.reserveCapacity(bytes.count + bytes.count / 4)
        var i = 0
        var skipTag: [UInt8]? = nil   // inside an element left untranslated: its name
        var skipDepth = 0
        func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), skipTag == nil, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "!"),
               bytes[i...].starts(with: Self.doneOpen), let close = bytes[i...].byteRange(of: Self.doneClose) {
                // a part translated before (a kept page part): as it is
                out.append(contentsOf: bytes[i..<close.upperBound])
                i = close.upperBound
                continue
            }
            if bytes[i] == UInt8(ascii: "<") {
                // a tag: copy it, translating its readable attributes
                var j = i + 1
                var quote: UInt8 = 0
                while j < bytes.count {
                    let b = bytes[j]
                    if quote != 0 { if b == quote { quote = 0 } } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b } else if b == UInt8(ascii: ">") { break }
                    j += 1
                }
                let tag = bytes[i...min(j, bytes.count - 1)]
                let closing = tag.count > 1 && tag[i + 1] == UInt8(ascii: "/")
                var k = i + (closing ? 2 : 1)
                var name = [UInt8]()
                while k <= tag.endIndex - 1, (tag[k] >= 0x41 && tag[k] <= 0x5A) || (tag[k] >= 0x61 && tag[k] <= 0x7A) || (tag[k] >= 0x30 && tag[k] <= 0x39) { name.append(lower(tag[k])); k += 1 }
                if let skip = skipTag {
                    if name == skip { skipDepth += closing ? -1 : 1 }
                    if skipDepth == 0 { skipTag = nil }
                    out.append(contentsOf: tag)
                } else if !closing, Self.untranslatedElements.contains(name) || tag.containsSubsequence(Self.translateNo) {
                    out.append(contentsOf: tag)
                    if tag.count >= 2, tag[tag.endIndex - 2] != UInt8(ascii: "/") { skipTag = name; skipDepth = 1 }
                } else if tag.contains(where: { $0 >= 0x80 }) {
                    out.append(contentsOf: translateAttributes(Array(tag), lang))
                } else {
                    out.append(contentsOf: tag)
                }
                i = j + 1
            } else {
                var j = i
                while j < bytes.count, bytes[j] != UInt8(ascii: "<") { j += 1 }
                let text = String(decoding: bytes[i..<j], as: UTF8.self)
                if skipTag == nil { out.append(contentsOf: translateEscaped(text, lang).utf8) } else { out.append(contentsOf: text.utf8) }
                i = j
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Escaped text (or, with `quotes`, an attribute value) translated: decoded, translated and
    /// encoded again — never left decoded (issue 13: a decoded `&quot;` would end the attribute).
    func translateEscaped(_ text: String, _ lang: Language, quotes: Bool = false) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        let plain = text.contains("&") ? Localizer.unescapeHTML(text) : text
        let translated = self.text(plain, lang)
        return translated == plain ? text : Localizer.escapeHTML(translated, quotes: quotes)
    }

    static let doneOpen = Array("<!--kaohe:translated-->".utf8)
    static let doneClose = Array("<!--/kaohe:translated-->".utf8)

    /// A part of a page translated once, marked so that `html` leaves it as it is when the whole
    /// page passes through again (a kept report is translated when it is built, not per request).
    public func translatedPart(_ part: String, _ lang: Language) -> String {
        "<!--kaohe:translated-->" + html(part, lang) + "<!--/kaohe:translated-->"
    }

    static let untranslatedElements: Set<[UInt8]> = [Array("script".utf8), Array("style".utf8), Array("textarea".utf8)]
    static let translateNo = Array(#"translate="no""#.utf8)
    /// `data-label`: the name a phone's card layout shows before a table cell's value (issue 17 §4).
    static let readableAttributes = ["title", "placeholder", "aria-label", "alt", "content", "data-label"].map { Array(" \($0)=\"".utf8) }

    func translateAttributes(_ tag: [UInt8], _ lang: Language) -> [UInt8] {
        guard tag.contains(where: { $0 >= 0x80 }) else { return tag }
        var out = tag
        for attr in Self.readableAttributes {
            // byte search: the Foundation string search cost a tenth of a page of forms
            guard let at = out.byteRange(of: attr) else { continue }
            let start = at.upperBound
            guard let end = out[start...].firstIndex(of: UInt8(ascii: "\"")) else { continue }
            let value = String(decoding: out[start..<end], as: UTF8.self)
            out.replaceSubrange(start..<end, with: Array(translateEscaped(value, lang, quotes: true).utf8))
        }
        return out
    }

    static func unescapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The entities `unescapeHTML` decodes, encoded again; with `quotes` (an attribute value) `'`
    /// too: the same five as the server's `HTMLEscape.attribute`.
    static func escapeHTML(_ s: String, quotes: Bool = false) -> String {
        let out = s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return quotes ? out.replacingOccurrences(of: "'", with: "&#39;") : out
    }
}

extension Collection where Element == UInt8, Index == Int {
    func containsSubsequence(_ needle: [UInt8]) -> Bool { byteRange(of: needle) != nil }

    /// Where `needle` first occurs, compared byte by byte without copying.
    func byteRange(of needle: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, needle.count <= count else { return nil }
        var i = startIndex
        outer: while i + needle.count <= endIndex {
            for k in 0..<needle.count where self[i + k] != needle[k] { i += 1; continue outer }
            return i..<(i + needle.count)
        }
        return nil
    }
}

/// Keys to replacements with a longest-match lookup over Unicode scalars (a trie).
struct PhraseTable: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var values: [String?] = [nil]
    private var whole: [String: String]

    init(_ entries: [String: String]) {
        whole = entries
        for (key, value) in entries where !key.isEmpty {
            var node = 0
            for s in key.unicodeScalars {
                if let next = children[node][s.value] { node = Int(next) } else {
                    children.append([:]); values.append(nil)
                    children[node][s.value] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            values[node] = value
        }
    }

    func exact(_ s: String) -> String? { whole[s] }

    /// The longest key starting at `i`: its length in scalars and its replacement.
    func longestMatch(_ scalars: [Unicode.Scalar], at i: Int) -> (Int, String)? {
        var node = 0, j = i
        var found: (Int, String)?
        while j < scalars.count, let next = children[node][scalars[j].value] {
            node = Int(next); j += 1
            if let v = values[node] { found = (j - i, v) }
        }
        return found
    }
}
