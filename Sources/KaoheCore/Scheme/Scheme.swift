import Foundation

/// A scheme (考核方案) as written by a manager in YAML or JSON. Decoding is strict: an unknown
/// key is an error naming its path, so a misspelt setting never silently falls back to a default.
/// See docs/scheme-format.md for the format with examples.
public struct Scheme: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Seed document number (`"000"` … `"004"`) for presets; free text for user schemes.
    public var source: String?
    public var description: String?
    public var period: PeriodKind
    /// Declared full marks (e.g. 100). The validator compares it with the attainable maximum.
    public var max: Fixed?
    /// Default side of a band boundary (R-001-10): `better` unless the scheme says otherwise.
    public var boundary: Boundary
    /// Rule ids the scheme as a whole implements (items carry their own).
    public var rules: [String]
    public var raters: [Rater]
    /// What a manual item does when one rater's mark is missing: `wait` (default: unscored until
    /// marked) or `respread` (R-002-33: the remaining raters' weights re-spread in proportion, and
    /// the sheet says so); at least one mark is always needed.
    public var raterMissing: RaterMissing?
    public enum RaterMissing: String, Codable, Sendable { case wait, respread }
    public var metrics: [Metric]
    public var derived: [Derived]
    public var sections: [Section]
    /// Bonus (R-000-08) and veto (R-001-18) items: outside the attainable maximum, added to the total.
    public var adjustments: [Item]
    /// Money lines in yuan: fines, rewards, service pay, commissions.
    public var money: [Item]
    public var pay: PayPolicy?
    public var grades: [GradeBand]
    /// Lower bound of the total (default 0) and optional upper bound.
    public var floor: Fixed?
    public var cap: Fixed?
    /// Policies over several periods or a group (ranking, levels, stars …), see Outcomes.
    public var outcomes: [OutcomePolicy]
    /// Seed decisions recorded for the user (SPEC “Decision”), shown by `presets show`.
    public var decisions: [Note]
    /// Day a month period starts (R-002-31: 25 → the period 2026-02 runs 25 Jan – 24 Feb);
    /// 1 is the calendar month. Dated evidence (a `date` column) is placed by it.
    public var monthStartDay: Int?
    /// Day a month period ends, inclusive (R-002-31's Decision: 「上月25日至本月25日」 — 25 → the
    /// period 2026-10 runs 26 Sep – 25 Oct, so the 25th closes the month it ends). Either this or
    /// `month_start_day`, not both.
    public var monthEndDay: Int?
    /// How a platform's raw interaction log aggregates into the metrics (issue 5).
    public var interactionLog: LogSpec?
    /// Evaluator accountability (R-001-15): a rater who should have deducted an item and did not
    /// loses `factor` × that item's points per instance on his own sheet. Without it the scheme
    /// has no such rule and no finding can be raised on its sheets.
    public var accountability: Accountability?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, source, description, period, max, boundary, rules = "rule", raters, raterMissing = "rater_missing", metrics, derived
        case sections, adjustments, money, pay, grades, floor, cap, outcomes, decisions
        case monthStartDay = "month_start_day"
        case monthEndDay = "month_end_day"
        case interactionLog = "interaction_log"
        case accountability
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        period = try c.decodeIfPresent(PeriodKind.self, forKey: .period) ?? .month
        max = try c.decodeIfPresent(Fixed.self, forKey: .max)
        boundary = try c.decodeIfPresent(Boundary.self, forKey: .boundary) ?? .better
        rules = try c.decodeRules(forKey: .rules)
        raters = try c.decodeIfPresent([Rater].self, forKey: .raters) ?? []
        raterMissing = try c.decodeIfPresent(RaterMissing.self, forKey: .raterMissing)
        metrics = try c.decodeIfPresent([Metric].self, forKey: .metrics) ?? []
        derived = try c.decodeIfPresent([Derived].self, forKey: .derived) ?? []
        sections = try c.decodeIfPresent([Section].self, forKey: .sections) ?? []
        adjustments = try c.decodeIfPresent([Item].self, forKey: .adjustments) ?? []
        money = try c.decodeIfPresent([Item].self, forKey: .money) ?? []
        pay = try c.decodeIfPresent(PayPolicy.self, forKey: .pay)
        grades = try c.decodeIfPresent([GradeBand].self, forKey: .grades) ?? []
        floor = try c.decodeIfPresent(Fixed.self, forKey: .floor)
        cap = try c.decodeIfPresent(Fixed.self, forKey: .cap)
        outcomes = try c.decodeIfPresent([OutcomePolicy].self, forKey: .outcomes) ?? []
        decisions = try c.decodeIfPresent([Note].self, forKey: .decisions) ?? []
        monthStartDay = try c.decodeIfPresent(Int.self, forKey: .monthStartDay)
        monthEndDay = try c.decodeIfPresent(Int.self, forKey: .monthEndDay)
        interactionLog = try c.decodeIfPresent(LogSpec.self, forKey: .interactionLog)
        accountability = try c.decodeIfPresent(Accountability.self, forKey: .accountability)
    }

    /// The scheme's month boundaries (R-002-31).
    public var calendar: PeriodCalendar {
        (try? PeriodCalendar(startDay: monthEndDay.map { $0 + 1 } ?? monthStartDay ?? 1)) ?? PeriodCalendar.calendarMonth
    }

    /// Every SPEC rule id the scheme mentions, sorted.
    public var allRules: [String] {
        var s = Set(rules)
        for r in raters { s.formUnion(r.rules) }
        for m in metrics { s.formUnion(m.rules) }
        for d in derived { s.formUnion(d.rules) }
        for sec in sections { s.formUnion(sec.rules); for i in sec.items { s.formUnion(i.allRules) } }
        for i in adjustments + money { s.formUnion(i.allRules) }
        if let p = pay { s.formUnion(p.rules); for g in p.gate { s.formUnion(g.rules) } }
        for g in grades { s.formUnion(g.rules) }
        for o in outcomes { s.formUnion(o.rules) }
        for d in decisions { s.formUnion(d.rules) }
        if let l = interactionLog { s.formUnion(l.rules); for a in l.aggregate { s.formUnion(a.rules) } }
        if let a = accountability { s.formUnion(a.rules) }
        return s.sorted()
    }
}

/// R-001-15 as a rule of the scheme: the factor on a missed deduction, and the sentence that says it.
public struct Accountability: Codable, Sendable, Equatable {
    /// 2: double the item's points per instance
    public var factor: Fixed
    public var label: String?
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case factor, label, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        factor = try c.decode(Fixed.self, forKey: .factor)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(factor, forKey: .factor); try c.encodeIfPresent(label, forKey: .label); try c.encodeRules(rules, forKey: .rule)
    }

    /// The rater's deduction for `instances` missed deductions of `perInstance` points each.
    public func deduction(perInstance: Fixed, instances: Int) -> Fixed { perInstance * factor * Fixed(instances) }

    /// `评分人 组长 张三 漏扣 101002 李四 的「客户投诉」1 次：该项每次 1 分 × 2 × 1 = 扣 2 分（工单 2381）（R-001-15）`
    public func explain(rater: String, employee: String, item: String, perInstance: Fixed, instances: Int, note: String) -> String {
        let d = deduction(perInstance: perInstance, instances: instances)
        return "评分人 \(rater) 漏扣 \(employee) 的「\(item)」\(instances) 次：该项每次 \(perInstance.format()) 分 × \(factor.format()) × \(instances) = 扣 \(d.format()) 分（\(note)）"
            + (rules.isEmpty ? "" : "（\(rules.joined(separator: ", "))）")
    }
}

public enum PeriodKind: String, Codable, Sendable, CaseIterable {
    case week, month, quarter, halfyear = "half-year", year
}

/// Which band a value exactly on a shared boundary belongs to (R-001-10).
public enum Boundary: String, Codable, Sendable {
    /// The band with the better result (more points, smaller deduction, larger amount).
    case better
    /// The band with the worse result.
    case worse
    /// The band that starts at the value (intervals closed below: `[min, max)`).
    case lower
    /// The band that ends at the value (intervals closed above: `(min, max]`).
    case upper
}

public struct Note: Codable, Sendable, Equatable {
    public var rules: [String]
    public var text: String
    enum CodingKeys: String, CodingKey, CaseIterable { case rule, text }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rules = try c.decodeRules(forKey: .rule)
        text = try c.decode(String.self, forKey: .text)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeRules(rules, forKey: .rule)
        try c.encode(text, forKey: .text)
    }
}

public struct Rater: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    /// Share of each mark (0.3 = 30 %). Weights of all raters must sum to 1 (R-000-11, R-002-33).
    public var weight: Fixed
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, weight, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        weight = try c.decode(Fixed.self, forKey: .weight)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label); try c.encode(weight, forKey: .weight)
        try c.encodeRules(rules, forKey: .rule)
    }
}

/// The kind of an input value; decides parsing and range checks.
public enum ValueKind: String, Codable, Sendable {
    /// any number
    case number
    /// percentage points: `35` or `35%` both mean 35 %; range 0…100 unless the metric widens it
    case percent
    /// a whole number ≥ 0
    case count
    /// yuan
    case money
    /// one of an item's grade labels
    case grade
    case text
}

/// An input metric: imported or entered per employee-period.
public struct Metric: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    public var kind: ValueKind
    public var unit: String?
    public var min: Fixed?
    public var max: Fixed?
    /// The value an empty cell stands for (R-002-32: a missing position coefficient is 1); without
    /// it an empty cell is missing evidence.
    public var defaultValue: Fixed?
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, kind, unit, min, max, defaultValue = "default", rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        kind = try c.decodeIfPresent(ValueKind.self, forKey: .kind) ?? .number
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        min = try c.decodeIfPresent(Fixed.self, forKey: .min)
        max = try c.decodeIfPresent(Fixed.self, forKey: .max)
        defaultValue = try c.decodeIfPresent(Fixed.self, forKey: .defaultValue)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label); try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(unit, forKey: .unit); try c.encodeIfPresent(min, forKey: .min); try c.encodeIfPresent(max, forKey: .max)
        try c.encodeIfPresent(defaultValue, forKey: .defaultValue)
        try c.encodeRules(rules, forKey: .rule)
    }
}

/// A metric computed by a formula from other metrics (R-001-12).
public struct Derived: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    public var kind: ValueKind
    public var unit: String?
    public var formula: String
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, kind, unit, formula, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        kind = try c.decodeIfPresent(ValueKind.self, forKey: .kind) ?? .number
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        formula = try c.decode(String.self, forKey: .formula)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label); try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(unit, forKey: .unit)
        try c.encode(formula, forKey: .formula); try c.encodeRules(rules, forKey: .rule)
    }
}

public struct Section: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    public var max: Fixed
    /// Optional share of the total (sections' weights must then sum to 1): the total becomes
    /// Σ weight × points / max × scheme max.
    public var weight: Fixed?
    public var rules: [String]
    public var items: [Item]
    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, max, weight, rule, items }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        max = try c.decode(Fixed.self, forKey: .max)
        weight = try c.decodeIfPresent(Fixed.self, forKey: .weight)
        rules = try c.decodeRules(forKey: .rule)
        items = try c.decode([Item].self, forKey: .items)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label); try c.encode(max, forKey: .max)
        try c.encodeIfPresent(weight, forKey: .weight); try c.encodeRules(rules, forKey: .rule); try c.encode(items, forKey: .items)
    }
}

/// Grade cut-offs on the total (R-001-20): `min` inclusive; highest band first or any order.
public struct GradeBand: Codable, Sendable, Equatable {
    public var label: String
    public var min: Fixed?
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case label, min, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        label = try c.decode(String.self, forKey: .label)
        min = try c.decodeIfPresent(Fixed.self, forKey: .min)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .label); try c.encodeIfPresent(min, forKey: .min); try c.encodeRules(rules, forKey: .rule)
    }
}

/// Pay that follows the score (R-001-13, R-002-32, R-004-01). `base` and each band's `paid`
/// are formulas evaluated in `Decimal`; they may use `score` (the total rounded to two
/// decimals), `base`, metrics, and money item ids.
public struct PayPolicy: Codable, Sendable, Equatable {
    public var label: String?
    public var base: String
    public var bands: [PayBand]
    /// Conditions the month must meet for any pay (R-002-33: no sales task → no performance pay);
    /// one false → paid 0, said with the gate's label.
    public var gate: [Gate]
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case label, base, bands, gate, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        base = try c.decode(String.self, forKey: .base)
        bands = try c.decode([PayBand].self, forKey: .bands)
        gate = try c.decodeIfPresent([Gate].self, forKey: .gate) ?? []
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(label, forKey: .label); try c.encode(base, forKey: .base); try c.encode(bands, forKey: .bands)
        if !gate.isEmpty { try c.encode(gate, forKey: .gate) }
        try c.encodeRules(rules, forKey: .rule)
    }
}

/// A score band of the pay policy: `min` ≤ score < `max` (either may be absent).
public struct PayBand: Codable, Sendable, Equatable {
    public var min: Fixed?
    public var max: Fixed?
    public var paid: String
    public var label: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case min, max, paid, label }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        min = try c.decodeIfPresent(Fixed.self, forKey: .min)
        max = try c.decodeIfPresent(Fixed.self, forKey: .max)
        paid = try c.decode(String.self, forKey: .paid)
        label = try c.decodeIfPresent(String.self, forKey: .label)
    }
}

/// A policy over a group or several periods. Its parameters are kept as written and
/// interpreted by the outcome engine (`kind` names it: ranking, consecutive, level, star …).
public struct OutcomePolicy: Codable, Sendable, Equatable {
    public var kind: String
    public var label: String?
    public var rules: [String]
    public var params: [String: JSONValue]
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        kind = try c.decode(String.self, forKey: Key(stringValue: "kind"))
        label = try c.decodeIfPresent(String.self, forKey: Key(stringValue: "label"))
        rules = try c.decodeRules(forKey: Key(stringValue: "rule"))
        var p: [String: JSONValue] = [:]
        for k in c.allKeys where !["kind", "label", "rule"].contains(k.stringValue) {
            p[k.stringValue] = try c.decode(JSONValue.self, forKey: k)
        }
        params = p
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: Key(stringValue: "kind"))
        try c.encodeIfPresent(label, forKey: Key(stringValue: "label"))
        try c.encodeRules(rules, forKey: Key(stringValue: "rule"))
        for (k, v) in params.sorted(by: { $0.key < $1.key }) { try c.encode(v, forKey: Key(stringValue: k)) }
    }
}

/// A loosely typed value for outcome parameters. Numbers keep their exact text.
public enum JSONValue: Codable, Sendable, Equatable {
    case null, bool(Bool), number(Fixed), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        if var a = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !a.isAtEnd { out.append(try a.decode(JSONValue.self)) }
            self = .array(out); return
        }
        if let o = try? decoder.container(keyedBy: OutcomePolicy.Key.self) {
            var out: [String: JSONValue] = [:]
            for k in o.allKeys { out[k.stringValue] = try o.decode(JSONValue.self, forKey: k) }
            self = .object(out); return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let s = try? c.decode(String.self) {
            // YAML hands numbers over as text; keep numbers numeric.
            if let f = Fixed(s), !s.hasSuffix("%"), s.first != "+" { self = .number(f) } else { self = .string(s) }
            return
        }
        self = .number(try c.decode(Fixed.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let f): try c.encode(f)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var number: Fixed? { if case .number(let f) = self { return f }; return nil }
    public var string: String? {
        switch self { case .string(let s): return s; case .number(let f): return f.description; default: return nil }
    }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
}

// MARK: - strict decoding helpers

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Raised for a key the format does not know; the loader turns it into a path-named problem.
public struct UnknownKeyError: Error, Sendable {
    public var key: String
    public var path: [String]
    public var allowed: [String]
}

extension Decoder {
    /// Fails on any key not in `K` (typos must not silently become defaults).
    func rejectUnknownKeys<K: CodingKey & CaseIterable>(_: K.Type) throws {
        guard let c = try? container(keyedBy: AnyKey.self) else { return }
        let allowed = Set(K.allCases.map(\.stringValue))
        for k in c.allKeys where !allowed.contains(k.stringValue) {
            throw UnknownKeyError(key: k.stringValue, path: codingPath.map(\.pathComponent),
                                  allowed: K.allCases.map(\.stringValue))
        }
    }
}

extension CodingKey {
    var pathComponent: String { intValue.map { "[\($0)]" } ?? stringValue }
}

extension KeyedDecodingContainer {
    /// `rule: R-001-03` or `rule: [R-001-03, R-001-10]`.
    func decodeRules(forKey key: Key) throws -> [String] {
        guard contains(key) else { return [] }
        if let one = try? decode(String.self, forKey: key) { return [one] }
        return try decode([String].self, forKey: key)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeRules(_ rules: [String], forKey key: Key) throws {
        if rules.count == 1 { try encode(rules[0], forKey: key) } else if !rules.isEmpty { try encode(rules, forKey: key) }
    }
}
