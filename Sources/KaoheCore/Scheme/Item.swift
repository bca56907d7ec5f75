import Foundation

/// One scored line (考核指标). `kind` selects the rule that turns evidence into points (in a
/// section or among adjustments) or into yuan (in `money`). See docs/scheme-format.md.
public struct Item: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    public var rules: [String]
    public var description: String?
    /// Maximum points (required in sections; for bonus adjustments the cap).
    public var max: Fixed?
    /// Minimum points (default 0; a bonus/penalty adjustment may go below 0).
    public var min: Fixed?
    /// Metrics shown with the item's figure though it does not score them (R-001-02: each KPI row
    /// shows its rates — 付款率 on the conversion row, 换货率 on the returns row).
    public var shows: [String]
    public var rule: ItemRule

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case manual, deductions, perOccurrence = "per_occurrence", banded, ratio, relative, target
        case graded, formula, veto, events
    }

    static let commonKeys = ["id", "label", "rule", "description", "max", "min", "shows", "kind"]

    enum CodingKeys: String, CodingKey { case id, label, rule, description, max, min, shows, kind }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        rules = try c.decodeRules(forKey: .rule)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        max = try c.decodeIfPresent(Fixed.self, forKey: .max)
        min = try c.decodeIfPresent(Fixed.self, forKey: .min)
        shows = try c.decodeIfPresent([String].self, forKey: .shows) ?? []
        let kind = try c.decode(Kind.self, forKey: .kind)
        func strict<T: Decodable & KeyedParams>(_: T.Type) throws -> T {
            try decoder.rejectUnknownKeys(Item.commonKeys + T.Keys.allCases.map(\.stringValue))
            return try T(from: decoder)
        }
        switch kind {
        case .manual: rule = .manual(try strict(ManualRule.self))
        case .deductions: rule = .deductions(try strict(OffenceList.self))
        case .perOccurrence: rule = .perOccurrence(try strict(PerOccurrenceRule.self))
        case .banded: rule = .banded(try strict(BandedRule.self))
        case .ratio: rule = .ratio(try strict(RatioRule.self))
        case .relative: rule = .relative(try strict(RelativeRule.self))
        case .target: rule = .target(try strict(TargetRule.self))
        case .graded: rule = .graded(try strict(GradedRule.self))
        case .formula: rule = .formula(try strict(FormulaRule.self))
        case .veto: rule = .veto(try strict(VetoRule.self))
        case .events: rule = .events(try strict(OffenceList.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encodeRules(rules, forKey: .rule)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(max, forKey: .max)
        try c.encodeIfPresent(min, forKey: .min)
        if !shows.isEmpty { try c.encode(shows, forKey: .shows) }
        try c.encode(rule.kind, forKey: .kind)
        switch rule {
        case .manual(let r): try r.encode(to: encoder)
        case .deductions(let r), .events(let r): try r.encode(to: encoder)
        case .perOccurrence(let r): try r.encode(to: encoder)
        case .banded(let r): try r.encode(to: encoder)
        case .ratio(let r): try r.encode(to: encoder)
        case .relative(let r): try r.encode(to: encoder)
        case .target(let r): try r.encode(to: encoder)
        case .graded(let r): try r.encode(to: encoder)
        case .formula(let r): try r.encode(to: encoder)
        case .veto(let r): try r.encode(to: encoder)
        }
    }

    public var allRules: [String] {
        var s = rules
        switch rule {
        case .deductions(let l), .events(let l): for o in l.offences { s += o.rules }
        case .veto(let v): for o in v.offences { s += o.rules }
        case .graded(let g): for gr in g.grades { s += gr.rules }; for c in g.checklist ?? [] { s += c.rules }
        case .formula(let f): for g in f.gate { s += g.rules }
        case .banded(let b): for band in b.bands { s += band.rules }
        default: break
        }
        var seen = Set<String>()
        return s.filter { seen.insert($0).inserted }
    }
}

public enum ItemRule: Sendable, Equatable {
    /// A mark 0…max given by raters, combined by their weights (R-000-11).
    case manual(ManualRule)
    /// Full marks less listed offences (R-002-20), floored at `floor` (default 0).
    case deductions(OffenceList)
    /// Points per occurrence of a counted event, floored (“扣完为止”, R-001-06) or capped.
    case perOccurrence(PerOccurrenceRule)
    /// A metric looked up in a band table (R-001-03..05), boundary per R-001-10.
    case banded(BandedRule)
    /// Achievement rate × max, capped at max (R-003-20).
    case ratio(RatioRule)
    /// Points lost per step below (or above) an average (R-003-20, R-003-21).
    case relative(RelativeRule)
    /// Points at target, slopes above and below, clamped (R-002-24, R-002-33).
    case target(TargetRule)
    /// Enumerated grade → points or yuan (R-001-11, R-002-14).
    case graded(GradedRule)
    /// Points or yuan from a formula, optionally behind an all-or-nothing gate (R-004-01).
    case formula(FormulaRule)
    /// Veto offences: points off the total per instance, or a zero total (R-001-18, R-003-10).
    case veto(VetoRule)
    /// Counted events priced in yuan: fines and rewards (R-002-10, R-002-15).
    case events(OffenceList)

    public var kind: Item.Kind {
        switch self {
        case .manual: .manual
        case .deductions: .deductions
        case .perOccurrence: .perOccurrence
        case .banded: .banded
        case .ratio: .ratio
        case .relative: .relative
        case .target: .target
        case .graded: .graded
        case .formula: .formula
        case .veto: .veto
        case .events: .events
        }
    }

    /// The metric the rule reads, if any.
    public var metric: String? {
        switch self {
        case .perOccurrence(let r): r.metric
        case .banded(let r): r.metric
        case .ratio(let r): r.metric
        case .relative(let r): r.metric
        case .target(let r): r.metric
        default: nil
        }
    }
}

/// Parameter structs decode from the item's own keys.
protocol KeyedParams {
    associatedtype Keys: CodingKey & CaseIterable
}

extension Decoder {
    func rejectUnknownKeys(_ allowed: [String]) throws {
        guard let c = try? container(keyedBy: AnyKey.self) else { return }
        let set = Set(allowed)
        for k in c.allKeys where !set.contains(k.stringValue) {
            throw UnknownKeyError(key: k.stringValue, path: codingPath.map(\.pathComponent), allowed: allowed)
        }
    }
}

public struct ManualRule: Codable, Sendable, Equatable, KeyedParams {
    /// Raters who mark this item (default: every rater of the scheme; none → one column).
    public var raters: [String]?
    /// Marks given per occurrence (R-002-22a: 5–8 points **per** praise letter): the item reads the
    /// number of occurrences from `item.count` and the points of all of them from `item`, which
    /// must lie between count × min and count × max.
    public var each: Each?
    public struct Each: Codable, Sendable, Equatable {
        public var min: Fixed
        public var max: Fixed
        /// what one occurrence is called: 封, 次
        public var unit: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case min, max, unit }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            min = try c.decode(Fixed.self, forKey: .min)
            max = try c.decode(Fixed.self, forKey: .max)
            unit = try c.decodeIfPresent(String.self, forKey: .unit)
        }
    }
    enum Keys: String, CodingKey, CaseIterable { case raters, each }
    typealias CodingKeys = Keys
}

public struct Offence: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    /// Points per occurrence (deductions/veto).
    public var points: Fixed?
    /// Yuan per occurrence (events): negative for a fine, positive for a reward.
    public var amount: Fixed?
    /// Points or yuan for the second and later occurrences (“again 100”, R-002-10).
    public var repeatValue: Fixed?
    /// Most this offence can take in one period.
    public var cap: Fixed?
    /// `count` (whole occurrences, default) or `number` (e.g. days of leave, 0.5 allowed).
    public var unit: String?
    public var kind: ValueKind?
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, points, amount, repeatValue = "repeat", cap, unit, kind, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        points = try c.decodeIfPresent(Fixed.self, forKey: .points)
        amount = try c.decodeIfPresent(Fixed.self, forKey: .amount)
        repeatValue = try c.decodeIfPresent(Fixed.self, forKey: .repeatValue)
        cap = try c.decodeIfPresent(Fixed.self, forKey: .cap)
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        kind = try c.decodeIfPresent(ValueKind.self, forKey: .kind)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label)
        try c.encodeIfPresent(points, forKey: .points); try c.encodeIfPresent(amount, forKey: .amount)
        try c.encodeIfPresent(repeatValue, forKey: .repeatValue); try c.encodeIfPresent(cap, forKey: .cap)
        try c.encodeIfPresent(unit, forKey: .unit); try c.encodeIfPresent(kind, forKey: .kind)
        try c.encodeRules(rules, forKey: .rule)
    }
}

public struct OffenceList: Codable, Sendable, Equatable, KeyedParams {
    public var offences: [Offence]
    /// Adds an “其它” column of free points (R-000-02: offences no standard lists).
    public var other: Bool?
    /// Lowest points after deductions (default 0).
    public var floor: Fixed?
    enum Keys: String, CodingKey, CaseIterable { case offences, other, floor }
    typealias CodingKeys = Keys
}

public struct PerOccurrenceRule: Codable, Sendable, Equatable, KeyedParams {
    /// Counted metric; absent → the item's own column.
    public var metric: String?
    public var points: Fixed
    /// `deduct` (default: from max, floored) or `add` (from 0, capped at max).
    public var direction: Direction?
    public var floor: Fixed?
    public enum Direction: String, Codable, Sendable { case deduct, add }
    enum Keys: String, CodingKey, CaseIterable { case metric, points, direction, floor }
    typealias CodingKeys = Keys
}

public struct Band: Codable, Sendable, Equatable {
    public var min: Fixed?
    public var max: Fixed?
    /// Points, deduction or yuan, per the rule's mode.
    public var value: Fixed
    public var label: String?
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case min, max, value, label, rule }
    public init(min: Fixed?, max: Fixed?, value: Fixed, label: String? = nil) {
        self.min = min; self.max = max; self.value = value; self.label = label; rules = []
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        min = try c.decodeIfPresent(Fixed.self, forKey: .min)
        max = try c.decodeIfPresent(Fixed.self, forKey: .max)
        value = try c.decode(Fixed.self, forKey: .value)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(min, forKey: .min); try c.encodeIfPresent(max, forKey: .max)
        try c.encode(value, forKey: .value); try c.encodeIfPresent(label, forKey: .label)
        try c.encodeRules(rules, forKey: .rule)
    }
}

public struct BandedRule: Codable, Sendable, Equatable, KeyedParams {
    public var metric: String
    /// `points` (band value is the points), `deduction` (max − value), `amount` (yuan, money items).
    public var mode: Mode?
    public var bands: [Band]
    /// Overrides the scheme's boundary side for this item.
    public var boundary: Boundary?
    public enum Mode: String, Codable, Sendable { case points, deduction, amount }
    enum Keys: String, CodingKey, CaseIterable { case metric, mode, bands, boundary }
    typealias CodingKeys = Keys
}

public struct RatioRule: Codable, Sendable, Equatable, KeyedParams {
    /// Rate in percent (completion 87 → 0.87 × max).
    public var metric: String
    enum Keys: String, CodingKey, CaseIterable { case metric }
    typealias CodingKeys = Keys
}

public enum Steps: String, Codable, Sendable {
    /// Only complete steps count (4 points below at 3 per step → 1 step). Default.
    case whole
    /// Proportional (4 / 3 = 1.333333 steps).
    case continuous
}

public struct RelativeRule: Codable, Sendable, Equatable, KeyedParams {
    public var metric: String
    /// A metric holding the average (e.g. the market's), or `group` for the average of the rows
    /// scored together in the same period (and team, when a `team` column is given).
    public var average: String
    /// `below` (default: falling short of the average costs points) or `above` (e.g. churn).
    public var direction: Direction?
    /// Size of one step in the metric's unit (default 1 percentage point).
    public var per: Fixed?
    /// Points lost per step (default 1).
    public var points: Fixed?
    public var steps: Steps?
    public var floor: Fixed?
    public enum Direction: String, Codable, Sendable { case below, above }
    enum Keys: String, CodingKey, CaseIterable { case metric, average, direction, per, points, steps, floor }
    typealias CodingKeys = Keys
}

public struct Slope: Codable, Sendable, Equatable {
    /// Step size in the metric's unit.
    public var per: Fixed
    /// Points per step.
    public var points: Fixed
    /// Clamp: the most (above) or the least (below) the item can reach.
    public var limit: Fixed?
    enum CodingKeys: String, CodingKey, CaseIterable { case per, points, limit }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        per = try c.decode(Fixed.self, forKey: .per)
        points = try c.decode(Fixed.self, forKey: .points)
        limit = try c.decodeIfPresent(Fixed.self, forKey: .limit)
    }
}

public struct TargetRule: Codable, Sendable, Equatable, KeyedParams {
    public var metric: String
    /// Target as a number or a metric id (e.g. a personal quota column).
    public var target: String
    /// Below this (number or metric) the `below` slope applies; default: the target.
    public var lower: String?
    /// Points exactly at target (and between `lower` and `target`).
    public var atTarget: Fixed
    public var above: Slope?
    public var below: Slope?
    public var steps: Steps?
    enum Keys: String, CodingKey, CaseIterable { case metric, target, lower, atTarget = "at_target", above, below, steps }
    typealias CodingKeys = Keys
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        metric = try c.decode(String.self, forKey: .metric)
        target = try c.decodeNumberOrName(forKey: .target)
        lower = c.contains(.lower) ? try c.decodeNumberOrName(forKey: .lower) : nil
        atTarget = try c.decode(Fixed.self, forKey: .atTarget)
        above = try c.decodeIfPresent(Slope.self, forKey: .above)
        below = try c.decodeIfPresent(Slope.self, forKey: .below)
        steps = try c.decodeIfPresent(Steps.self, forKey: .steps)
    }
}

extension KeyedDecodingContainer {
    func decodeNumberOrName(forKey key: Key) throws -> String {
        if let s = try? decode(String.self, forKey: key) { return s }
        return try decode(Fixed.self, forKey: key).description
    }
}

public struct Grade: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    public var points: Fixed?
    public var amount: Fixed?
    /// One occurrence cancels the item's positive result for the period (R-002-14: 劣).
    public var cancels: Bool?
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case id, label, points, amount, cancels, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(String.self, forKey: .label)
        points = try c.decodeIfPresent(Fixed.self, forKey: .points)
        amount = try c.decodeIfPresent(Fixed.self, forKey: .amount)
        cancels = try c.decodeIfPresent(Bool.self, forKey: .cancels)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(label, forKey: .label)
        try c.encodeIfPresent(points, forKey: .points); try c.encodeIfPresent(amount, forKey: .amount)
        try c.encodeIfPresent(cancels, forKey: .cancels); try c.encodeRules(rules, forKey: .rule)
    }
}

public struct GradedRule: Codable, Sendable, Equatable, KeyedParams {
    public var grades: [Grade]
    /// `single`: one grade per period (column holds the grade); `multiple`: a count per grade
    /// (columns `item.gradeId`), summed (R-002-14 Decision) or averaged.
    public var count: Count?
    public var aggregate: Aggregate?
    /// Expected number of graded records per period (R-002-14: 10); a different count is flagged.
    public var expected: Int?
    /// Reads the grade counts of another `multiple` graded item (listed before it) instead of
    /// columns of its own: the same ten recordings give both the QA score and the service pay
    /// (R-002-14), entered once.
    public var from: String?
    /// The QA checklist (质检清单, issue 17 §5) of a multiple-graded item: the criteria the
    /// inspector ticks for each recording; the recording's grade follows from them
    /// (`checklistGrade`, QAChecklist.swift). Without one, a grade is chosen directly.
    public var checklist: [ChecklistCriterion]?
    /// The grade a recording takes when an auto-fail criterion of the checklist occurs (R-002-14: 劣).
    public var autoFailGrade: String?
    public enum Count: String, Codable, Sendable { case single, multiple }
    public enum Aggregate: String, Codable, Sendable { case sum, average }
    enum Keys: String, CodingKey, CaseIterable { case grades, count, aggregate, expected, from, checklist, autoFailGrade = "auto_fail_grade" }
    typealias CodingKeys = Keys
}

public struct Gate: Codable, Sendable, Equatable {
    public var label: String
    /// A condition formula; the gate is open when it is true (non-zero).
    public var condition: String
    public var rules: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case label, condition, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        label = try c.decode(String.self, forKey: .label)
        condition = try c.decode(String.self, forKey: .condition)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .label); try c.encode(condition, forKey: .condition); try c.encodeRules(rules, forKey: .rule)
    }
}

public struct FormulaRule: Codable, Sendable, Equatable, KeyedParams {
    public var formula: String
    /// All must hold, or the item is 0 (R-004-01: one missed indicator zeroes the bonus).
    public var gate: [Gate]
    enum Keys: String, CodingKey, CaseIterable { case formula, gate }
    typealias CodingKeys = Keys
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        formula = try c.decode(String.self, forKey: .formula)
        gate = try c.decodeIfPresent([Gate].self, forKey: .gate) ?? []
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(formula, forKey: .formula)
        if !gate.isEmpty { try c.encode(gate, forKey: .gate) }
    }
}

public struct VetoRule: Codable, Sendable, Equatable, KeyedParams {
    public var offences: [Offence]
    /// `deduct` (default): points per instance off the total; `zero`: any instance makes the
    /// total 0 (one-vote veto); `flag`: recorded and flagged only (e.g. vetoes a level rating).
    public var effect: Effect?
    public enum Effect: String, Codable, Sendable { case deduct, zero, flag }
    enum Keys: String, CodingKey, CaseIterable { case offences, effect }
    typealias CodingKeys = Keys
}
