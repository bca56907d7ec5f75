import Foundation

/// One employee-period's computed sheet: every figure with its rule and explanation.
///
/// The typed result every store, page, export and payroll line reads (issue 14). Its `Codable`
/// form (`Results+Coding.swift`) writes every number as a string of its exact decimal text;
/// `kaohe score` keeps its own JSON (`ResultWriter`).
public struct SheetResult: Sendable, Equatable {
    public var employeeId: String
    public var period: String?
    public var team: String?
    /// Sum of sections (weighted if the scheme weights them) plus adjustments, floored/capped.
    public var total: Fixed
    /// Attainable regular maximum (R-002-25: may be below the declared full marks).
    public var max: Fixed
    public var grade: String?
    /// Section points in scheme order.
    public var sections: [SectionResult]
    /// Section items then adjustments, in scheme order.
    public var items: [ItemResult]
    public var money: [MoneyLine]
    public var pay: PayResult?
    public var flags: [Flag]
    /// False while an item is unscored (band gap, zero denominator, missing mark): the total
    /// then counts only scored items and needs a rater's decision.
    public var complete: Bool

    public init(employeeId: String, period: String?, team: String?, total: Fixed, max: Fixed, grade: String?,
                sections: [SectionResult], items: [ItemResult], money: [MoneyLine], pay: PayResult?,
                flags: [Flag], complete: Bool) {
        self.employeeId = employeeId; self.period = period; self.team = team; self.total = total; self.max = max
        self.grade = grade; self.sections = sections; self.items = items; self.money = money; self.pay = pay
        self.flags = flags; self.complete = complete
    }

    /// The total as shown, rounded half-up to two decimals: what the grade and the pay are read
    /// from (R-100-04: 89.996 shows as 90, so it is graded and paid as 90).
    public var roundedTotal: Fixed { total.rounded(2) }

    /// Whether the sheet still waits for a rater's decision: an item unscored, or a flag that
    /// needs one (`Flag.needsDecision`). Its pay is then provisional (R-100-04).
    public var needsDecision: Bool { !complete || flags.contains { $0.needsDecision } }

    public func item(_ id: String) -> ItemResult? { items.first { $0.id == id } }
    public func moneyLine(_ id: String) -> MoneyLine? { money.first { $0.item == id } }
    public func section(_ id: String) -> SectionResult? { sections.first { $0.id == id } }
    public func flags(_ code: String) -> [Flag] { flags.filter { $0.code == code } }
    /// Sum of all money lines (fines negative, rewards positive).
    public var moneyTotal: Decimal { money.reduce(Decimal(0)) { $0 + $1.amount } }
}

public struct SectionResult: Sendable, Equatable {
    public var id: String
    public var label: String
    public var points: Fixed
    public var max: Fixed
    public var rules: [String]

    public init(id: String, label: String, points: Fixed, max: Fixed, rules: [String]) {
        self.id = id; self.label = label; self.points = points; self.max = max; self.rules = rules
    }
}

public struct ItemResult: Sendable, Equatable {
    public var id: String
    public var label: String
    public var rules: [String]
    /// Section id, or nil for an adjustment (bonus/veto).
    public var section: String?
    /// nil when the item could not be scored (see flags).
    public var points: Fixed?
    public var max: Fixed?
    /// Chinese, with the rule id, the evidence and the arithmetic.
    public var explained: Explanation
    public var explanation: String { explained.text }

    public init(id: String, label: String, rules: [String], section: String?, points: Fixed?, max: Fixed?,
                explained: Explanation) {
        self.id = id; self.label = label; self.rules = rules; self.section = section
        self.points = points; self.max = max; self.explained = explained
    }
}

public struct MoneyLine: Sendable, Equatable {
    public var item: String
    public var label: String
    public var rules: [String]
    /// Yuan; negative for a fine or deduction.
    public var amount: Decimal
    public var explained: Explanation
    public var explanation: String { explained.text }

    public init(item: String, label: String, rules: [String], amount: Decimal, explained: Explanation) {
        self.item = item; self.label = label; self.rules = rules; self.amount = amount; self.explained = explained
    }
}

public struct PayResult: Sendable, Equatable {
    public var base: Decimal
    public var paid: Decimal
    public var rules: [String]
    public var explained: Explanation
    public var explanation: String { explained.text }
    /// True while the sheet waits for a rater's decision (`SheetResult.needsDecision`): the
    /// figure is shown as provisional and kept out of the payroll export until decided (R-100-04).
    public var provisional: Bool

    public init(base: Decimal, paid: Decimal, rules: [String], explained: Explanation, provisional: Bool = false) {
        self.base = base; self.paid = paid; self.rules = rules; self.explained = explained; self.provisional = provisional
    }
}

public struct Flag: Sendable, Equatable {
    public init(code: String, rules: [String], item: String?, message: String) {
        var seen = Set<String>()
        self.code = code; self.rules = rules.filter { seen.insert($0).inserted }; self.item = item; self.message = message
    }

    /// `band_gap`, `zero_denominator`, `missing_value`, `missing_mark`, `overflow`, `veto`,
    /// `grade_cancels`, `grade_count`, `gate_closed`, `evaluation_error`, `out_of_range` (marks per
    /// occurrence outside their range), `rater_respread` (a rater's weight re-spread, R-002-33).
    public var code: String
    public var rules: [String]
    public var item: String?
    public var message: String

    /// Codes of flags that wait for a rater's decision (or corrected evidence): a value in a band
    /// gap (R-001-03), a zero denominator (R-001-12), a missing mark or value, a result out of
    /// range, a formula that failed. A rater's override of the item removes its flag.
    public static let decisionCodes: Set<String> = ["band_gap", "zero_denominator", "missing_mark", "missing_value",
                                                    "overflow", "evaluation_error", "out_of_range"]

    /// Whether this flag waits for a rater's decision (R-100-04: the sheet's pay is provisional).
    public var needsDecision: Bool { Flag.decisionCodes.contains(code) }
}

/// A bad value in the evidence: names the file, row and column.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    /// Worksheet of an XLSX file.
    public var sheet: String?
    /// 1-based line number in the file (the header is line 1).
    public var row: Int?
    public var column: String?
    public var message: String

    public init(file: String? = nil, sheet: String? = nil, row: Int? = nil, column: String? = nil, message: String) {
        // a hostile value is quoted by its prefix only, never echoed whole (issue 13)
        self.file = file.map(InputLimits.quote); self.sheet = sheet.map(InputLimits.quote); self.row = row
        self.column = column.map(InputLimits.quote); self.message = InputLimits.shortened(message)
    }

    public var description: String {
        var parts: [String] = []
        if let f = file { parts.append(f) }
        if let s = sheet { parts.append("工作表 sheet “\(s)”") }
        if let r = row { parts.append("第 \(r) 行 row \(r)") }
        if let c = column { parts.append("列 column “\(c)”") }
        return (parts.isEmpty ? "" : parts.joined(separator: ", ") + ": ") + message
    }
}

/// One employee-period's evidence as text, keyed by input column.
public struct EvidenceRow: Sendable {
    public var employee: String
    public var period: String?
    public var team: String?
    public var values: [String: String]
    public init(employee: String, period: String? = nil, team: String? = nil, values: [String: String]) {
        self.employee = employee; self.period = period; self.team = team; self.values = values
    }
}

/// A CSV column the scheme accepts (`kaohe presets show`).
public struct InputSpec: Sendable, Equatable {
    public var column: String
    public var label: String
    public var kind: ValueKind
    /// Rater id for a mark column.
    public var rater: String?
    public var rules: [String]
    public var min: Fixed?
    public var max: Fixed?
    /// Accepted values for a grade column.
    public var grades: [String]
    /// The value an absent/empty cell means: 0 for event counts and bonuses, a metric's `default`
    /// (R-002-32); nil: an empty cell is missing evidence.
    public var whenEmpty: Fixed?
    /// Whether an empty cell is not missing evidence (it has a value of its own).
    public var optional: Bool { whenEmpty != nil }
    /// Slot in the evidence vector.
    public var slot: Int
}
