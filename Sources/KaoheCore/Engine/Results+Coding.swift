import Foundation

// The typed result's stored form (issue 14 §1): one `Codable` shape for a sheet and its
// outcomes, read back strictly, so that a store, a page, an export and payroll read the figures
// the engine computed — not a re-parsed `kaohe score` JSON (`ResultWriter` keeps that contract).
//
// - Keys are snake_case: `employee_id`, `total`, `items`, `pay.provisional` …
// - Every number is a JSON *string* of its exact decimal text: points as `Fixed.description`
//   (`"89.996"`, `"30"`), money as `Decimal.exactText` (`"-120.00"`, `"350.50"`). A JSON
//   number, a `%`, a thousands separator or more decimals than the type holds is refused.
// - A field is optional only where the Swift property is: `period`, `team`, `grade`, `pay`,
//   an item's `section`, `points` and `max`, a flag's `item` (missing or `null` → nil).
// - An explanation is its text.

// MARK: - numbers

/// The stored form's numbers: strings of exact decimal text, read back strictly.
enum StoredNumber {
    static let posix = Locale(identifier: "en_US_POSIX")

    /// Points: `-?digits(.digits)?` with at most six decimals, within `Fixed`'s range.
    static func fixed(_ s: String) -> Fixed? {
        guard let parts = plainDecimal(s), parts.fraction <= Fixed.digits else { return nil }
        return Fixed(s)
    }

    /// Money: `-?digits(.digits)?`, read by Foundation and kept only when nothing was lost
    /// (`Decimal` holds 38 significant digits).
    static func money(_ s: String) -> Decimal? {
        guard plainDecimal(s) != nil, let d = Decimal(string: s, locale: posix), !d.isNaN else { return nil }
        return d.exactText == canonicalMoney(s) ? d : nil
    }

    /// Digits before and after the point of `-?[0-9]+(\.[0-9]+)?` (at most 160 bytes), else nil.
    static func plainDecimal(_ s: String) -> (whole: Int, fraction: Int)? {
        let u = Array(s.utf8)
        guard u.count <= 160 else { return nil }
        var i = 0
        if i < u.count && u[i] == UInt8(ascii: "-") { i += 1 }
        var whole = 0, fraction = 0
        while i < u.count && u[i] >= 48 && u[i] <= 57 { whole += 1; i += 1 }
        guard whole > 0 else { return nil }
        if i < u.count && u[i] == UInt8(ascii: ".") {
            i += 1
            while i < u.count && u[i] >= 48 && u[i] <= 57 { fraction += 1; i += 1 }
            guard fraction > 0 else { return nil }
        }
        return i == u.count ? (whole, fraction) : nil
    }

    /// A plain decimal text in `exactText`'s form: no leading zeros, at least two decimals, no
    /// trailing zeros beyond them, zero unsigned (`-007.500` → `-7.50`, `-0.0` → `0.00`).
    static func canonicalMoney(_ s: String) -> String {
        var t = Substring(s)
        let negative = t.hasPrefix("-")
        if negative { t = t.dropFirst() }
        var whole = t, fraction = Substring("")
        if let dot = t.firstIndex(of: ".") { whole = t[..<dot]; fraction = t[t.index(after: dot)...] }
        while whole.count > 1 && whole.hasPrefix("0") { whole = whole.dropFirst() }
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        let digits = String(fraction) + String(repeating: "0", count: Swift.max(0, 2 - fraction.count))
        let isZero = whole == "0" && digits.allSatisfy { $0 == "0" }
        return (negative && !isZero ? "-" : "") + String(whole) + "." + digits
    }
}

extension KeyedEncodingContainer {
    /// A number as the string of its exact text (`"89.996"`).
    mutating func encodeNumber(_ v: Fixed, forKey key: Key) throws { try encode(v.description, forKey: key) }

    /// A number as the string of its exact text, or `null`.
    mutating func encodeNumberOrNull(_ v: Fixed?, forKey key: Key) throws {
        if let v { try encode(v.description, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// Yuan as the string of the exact amount (`"-120.00"`).
    mutating func encodeMoney(_ v: Decimal, forKey key: Key) throws { try encode(v.exactText, forKey: key) }

    /// The value, or `null` (an optional field is always written).
    mutating func encodeOrNull<T: Encodable>(_ v: T?, forKey key: Key) throws {
        if let v { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// A number written as a string of its exact text; a JSON number or a text that is not a
    /// number is refused naming the field.
    func decodeNumber(forKey key: Key) throws -> Fixed {
        let s = try decodeNumberText(forKey: key)
        guard let v = StoredNumber.fixed(s) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "“\(InputLimits.quote(s))” 不是数字（至多六位小数）is not a number with at most six decimals")
        }
        return v
    }

    /// As `decodeNumber`; nil when the field is missing or `null`.
    func decodeNumberIfPresent(forKey key: Key) throws -> Fixed? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return nil }
        return try decodeNumber(forKey: key)
    }

    /// Yuan written as a string of the exact amount; refused naming the field otherwise.
    func decodeMoney(forKey key: Key) throws -> Decimal {
        let s = try decodeNumberText(forKey: key)
        guard let v = StoredNumber.money(s) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "“\(InputLimits.quote(s))” 不是金额 is not an amount of yuan")
        }
        return v
    }

    private func decodeNumberText(forKey key: Key) throws -> String {
        do { return try decode(String.self, forKey: key) } catch DecodingError.typeMismatch(_, _) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "数字须写成带引号的文本 a number must be written as a string of its digits (\"12.5\"), not as a JSON number")
        }
    }
}

// MARK: - the sheet

extension Explanation: Codable {
    /// An explanation is stored as its text.
    public init(from decoder: Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

extension SheetResult: Codable {
    enum CodingKeys: String, CodingKey {
        case employeeId = "employee_id", period, team, total, max, grade, sections, items, money, pay, flags, complete
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(employeeId: try c.decode(String.self, forKey: .employeeId),
                  period: try c.decodeIfPresent(String.self, forKey: .period),
                  team: try c.decodeIfPresent(String.self, forKey: .team),
                  total: try c.decodeNumber(forKey: .total),
                  max: try c.decodeNumber(forKey: .max),
                  grade: try c.decodeIfPresent(String.self, forKey: .grade),
                  sections: try c.decode([SectionResult].self, forKey: .sections),
                  items: try c.decode([ItemResult].self, forKey: .items),
                  money: try c.decode([MoneyLine].self, forKey: .money),
                  pay: try c.decodeIfPresent(PayResult.self, forKey: .pay),
                  flags: try c.decode([Flag].self, forKey: .flags),
                  complete: try c.decode(Bool.self, forKey: .complete))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(employeeId, forKey: .employeeId)
        try c.encodeOrNull(period, forKey: .period)
        try c.encodeOrNull(team, forKey: .team)
        try c.encodeNumber(total, forKey: .total)
        try c.encodeNumber(max, forKey: .max)
        try c.encodeOrNull(grade, forKey: .grade)
        try c.encode(sections, forKey: .sections)
        try c.encode(items, forKey: .items)
        try c.encode(money, forKey: .money)
        try c.encodeOrNull(pay, forKey: .pay)
        try c.encode(flags, forKey: .flags)
        try c.encode(complete, forKey: .complete)
    }

    /// The stored text of the sheet (JSON, keys sorted; see the top of this file).
    public func encodeStored() throws -> String { try StoredJSON.encode(self) }

    /// Reads a stored sheet back; the error names `name` (what the caller calls the record, e.g.
    /// `E1 2026-10 ecommerce-monthly`) and the failing field (`total`, `items[3].points`).
    public static func decodeStored(_ text: String, name: String) throws(StoredResultError) -> SheetResult {
        try StoredJSON.decode(SheetResult.self, from: text, name: name)
    }
}

extension SectionResult: Codable {
    enum CodingKeys: String, CodingKey { case id, label, points, max, rules }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id),
                  label: try c.decode(String.self, forKey: .label),
                  points: try c.decodeNumber(forKey: .points),
                  max: try c.decodeNumber(forKey: .max),
                  rules: try c.decode([String].self, forKey: .rules))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encodeNumber(points, forKey: .points)
        try c.encodeNumber(max, forKey: .max)
        try c.encode(rules, forKey: .rules)
    }
}

extension ItemResult: Codable {
    enum CodingKeys: String, CodingKey { case id, label, rules, section, points, max, explanation }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id),
                  label: try c.decode(String.self, forKey: .label),
                  rules: try c.decode([String].self, forKey: .rules),
                  section: try c.decodeIfPresent(String.self, forKey: .section),
                  points: try c.decodeNumberIfPresent(forKey: .points),
                  max: try c.decodeNumberIfPresent(forKey: .max),
                  explained: try c.decode(Explanation.self, forKey: .explanation))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encode(rules, forKey: .rules)
        try c.encodeOrNull(section, forKey: .section)
        try c.encodeNumberOrNull(points, forKey: .points)
        try c.encodeNumberOrNull(max, forKey: .max)
        try c.encode(explained, forKey: .explanation)
    }
}

extension MoneyLine: Codable {
    enum CodingKeys: String, CodingKey { case item, label, rules, amount, explanation }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(item: try c.decode(String.self, forKey: .item),
                  label: try c.decode(String.self, forKey: .label),
                  rules: try c.decode([String].self, forKey: .rules),
                  amount: try c.decodeMoney(forKey: .amount),
                  explained: try c.decode(Explanation.self, forKey: .explanation))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(item, forKey: .item)
        try c.encode(label, forKey: .label)
        try c.encode(rules, forKey: .rules)
        try c.encodeMoney(amount, forKey: .amount)
        try c.encode(explained, forKey: .explanation)
    }
}

extension PayResult: Codable {
    enum CodingKeys: String, CodingKey { case base, paid, rules, explanation, provisional }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(base: try c.decodeMoney(forKey: .base),
                  paid: try c.decodeMoney(forKey: .paid),
                  rules: try c.decode([String].self, forKey: .rules),
                  explained: try c.decode(Explanation.self, forKey: .explanation),
                  provisional: try c.decode(Bool.self, forKey: .provisional))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeMoney(base, forKey: .base)
        try c.encodeMoney(paid, forKey: .paid)
        try c.encode(rules, forKey: .rules)
        try c.encode(explained, forKey: .explanation)
        try c.encode(provisional, forKey: .provisional)
    }
}

extension Flag: Codable {
    enum CodingKeys: String, CodingKey { case code, rules, item, message }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(code: try c.decode(String.self, forKey: .code),
                  rules: try c.decode([String].self, forKey: .rules),
                  item: try c.decodeIfPresent(String.self, forKey: .item),
                  message: try c.decode(String.self, forKey: .message))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(rules, forKey: .rules)
        try c.encodeOrNull(item, forKey: .item)
        try c.encode(message, forKey: .message)
    }
}

// MARK: - outcomes

extension OutcomeValue: Codable {
    enum CodingKeys: String, CodingKey { case type, value }

    /// `{"type": "number" | "money" | "text" | "flag", "value": …}`: a number or an amount as
    /// the string of its exact text, a text as a string, a flag as `true` / `false`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "number": self = .number(try c.decodeNumber(forKey: .value))
        case "money": self = .money(try c.decodeMoney(forKey: .value))
        case "text": self = .text(try c.decode(String.self, forKey: .value))
        case "flag": self = .flag(try c.decode(Bool.self, forKey: .value))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c,
                debugDescription: "“\(InputLimits.quote(type))” 不是结果类型 is not an outcome type (number, money, text, flag)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .number(let f): try c.encode("number", forKey: .type); try c.encodeNumber(f, forKey: .value)
        case .money(let d): try c.encode("money", forKey: .type); try c.encodeMoney(d, forKey: .value)
        case .text(let s): try c.encode("text", forKey: .type); try c.encode(s, forKey: .value)
        case .flag(let b): try c.encode("flag", forKey: .type); try c.encode(b, forKey: .value)
        }
    }
}

extension Outcome: Codable {
    enum CodingKeys: String, CodingKey { case employeeId = "employee_id", period, kind, value, rules, explanation }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(employeeId: try c.decode(String.self, forKey: .employeeId),
                  period: try c.decode(String.self, forKey: .period),
                  kind: try c.decode(String.self, forKey: .kind),
                  value: try c.decode(OutcomeValue.self, forKey: .value),
                  rules: try c.decode([String].self, forKey: .rules),
                  explanation: try c.decode(String.self, forKey: .explanation))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(employeeId, forKey: .employeeId)
        try c.encode(period, forKey: .period)
        try c.encode(kind, forKey: .kind)
        try c.encode(value, forKey: .value)
        try c.encode(rules, forKey: .rules)
        try c.encode(explanation, forKey: .explanation)
    }
}

extension TeamOutcome: Codable {
    enum CodingKeys: String, CodingKey { case team, period, kind, value, rules, explanation }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(team: try c.decode(String.self, forKey: .team),
                  period: try c.decode(String.self, forKey: .period),
                  kind: try c.decode(String.self, forKey: .kind),
                  value: try c.decode(OutcomeValue.self, forKey: .value),
                  rules: try c.decode([String].self, forKey: .rules),
                  explanation: try c.decode(String.self, forKey: .explanation))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(team, forKey: .team)
        try c.encode(period, forKey: .period)
        try c.encode(kind, forKey: .kind)
        try c.encode(value, forKey: .value)
        try c.encode(rules, forKey: .rules)
        try c.encode(explanation, forKey: .explanation)
    }
}

// MARK: - reading and writing stored text

/// A stored result or outcome that cannot be read back: names the record and the field, so the
/// server can say which stored result is damaged instead of showing a wrong figure.
public struct StoredResultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the caller calls the record (`E1 2026-10 ecommerce-monthly`).
    public var name: String
    /// Path of the failing field (`total`, `items[3].points`); nil when the text as a whole is
    /// not a result (not JSON, not an object).
    public var field: String?
    public var message: String

    public init(name: String, field: String?, message: String) {
        self.name = InputLimits.quote(name); self.field = field.map(InputLimits.quote); self.message = InputLimits.shortened(message)
    }

    init(name: String, decoding e: DecodingError) {
        var path: [any CodingKey] = []
        let message: String
        if case .keyNotFound(let key, let ctx) = e {
            path = ctx.codingPath.last?.stringValue == key.stringValue ? ctx.codingPath : ctx.codingPath + [key]
            message = "缺少字段 the field is missing"
        } else if case .valueNotFound(_, let ctx) = e {
            path = ctx.codingPath
            message = "值为空 the value is null"
        } else if case .typeMismatch(_, let ctx) = e {
            path = ctx.codingPath
            message = "类型不符 wrong type: \(ctx.debugDescription)"
        } else if case .dataCorrupted(let ctx) = e {
            path = ctx.codingPath
            message = path.isEmpty ? "不是有效的 JSON is not valid JSON: \(ctx.debugDescription)" : ctx.debugDescription
        } else {
            message = "\(e)"
        }
        var field = ""
        for k in path {
            let p = k.pathComponent
            field += field.isEmpty || p.hasPrefix("[") ? p : "." + p
        }
        self.init(name: name, field: field.isEmpty ? nil : field, message: message)
    }

    public var description: String {
        "存储的结果「\(name)」无法读取 stored result “\(name)” cannot be read"
            + (field.map { "：字段 field “\($0)”" } ?? "") + "：\(message)"
    }
}

/// The stored text of typed results and outcomes (JSON, keys sorted, numbers as strings).
public enum StoredJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    /// Reads `text` as a `T`; any failure is a `StoredResultError` naming `name` and the field.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, name: String) throws(StoredResultError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch let e as DecodingError {
            throw StoredResultError(name: name, decoding: e)
        } catch {
            throw StoredResultError(name: name, field: nil, message: "\(error)")
        }
    }
}
