import Foundation

/// The forms as printed (issue 17 §6): the seed's 員工月績效考核記錄表 one person a page, built
/// from the same typed results and stored outcomes as the exports — no rule stated here, every
/// figure the engine's, every reason an explanation the engine or a policy wrote.
extension Forms {
    /// A line of the record's item table: a section (its points of its maximum) or one of its items.
    public struct RecordLine: Sendable, Equatable {
        public var label: String
        public var max: Fixed?
        /// nil: not scored (the sheet waits for a rater's decision).
        public var points: Fixed?
        /// The points the item lost (its maximum less its points), where it lost any.
        public var lost: Fixed?
        public var explanation: String
        public var isSection: Bool
    }

    /// An entry below the items: an adjustment (bonus, veto), an accountability deduction
    /// (R-001-15), a money line (fine, reward) or an outcome with money or a duty — with its reason.
    public struct RecordEntry: Sendable, Equatable {
        public var label: String
        /// Points (adjustments, accountability deductions).
        public var points: Fixed?
        /// Yuan (money lines, outcome money).
        public var amount: Decimal?
        /// An outcome's value when it has no money (`7 天内`, `须提交`).
        public var value: String?
        public var reason: String
    }

    /// One person's monthly record.
    public struct Record: Sendable {
        public var person: Person
        public var period: String
        public var scheme: String
        public var schemeVersion: Int
        public var locked: Bool
        public var draft: Bool
        public var lines: [RecordLine]
        public var entries: [RecordEntry]
        /// What still waits for a rater's decision, each said once.
        public var flags: [String]
        /// The published total less the accountability deductions (`Row.total`), of `max`.
        public var total: Fixed
        public var max: Fixed?
        public var grade: String?
        public var payBase: Decimal?
        public var paid: Decimal?
        /// The pay waits for a rater's decision (R-100-04).
        public var payProvisional: Bool
        public var payExplanation: String?
        /// The fines and rewards: the sheet's money lines and the outcomes' money (as the ledger pays them).
        public var money: Decimal
        /// Performance pay and money together (the ledger's line before any correction's difference).
        public var payable: Decimal { (paid ?? 0) + money }
    }

    /// The monthly records of the input's rows, in their order: items by section with the points
    /// each lost and why, then adjustments, accountability deductions, money lines and outcomes
    /// with their reasons, the total, grade and pay.
    public static func records(_ input: Input) -> [Record] {
        let outs = input.outcomes[input.periods.first ?? ""] ?? [:]
        return input.rows.compactMap { r in
            guard let sheet = r.sheet else { return nil }
            var lines: [RecordLine] = []
            func line(_ i: ItemResult) -> RecordLine {
                var lost: Fixed?
                if let p = i.points, let m = i.max, p < m { lost = m - p }
                return RecordLine(label: i.label, max: i.max, points: i.points, lost: lost, explanation: i.explanation, isSection: false)
            }
            var placed = Set<String>()
            for s in sheet.sections {
                let lost: Fixed? = s.points < s.max ? s.max - s.points : nil
                lines.append(RecordLine(label: s.label, max: s.max, points: s.points, lost: lost, explanation: "", isSection: true))
                for i in sheet.items where i.section == s.id {
                    lines.append(line(i))
                    placed.insert(i.id)
                }
            }
            // items of no section the sheet lists (a scheme without sections)
            for i in sheet.items where i.section != nil && !placed.contains(i.id) { lines.append(line(i)) }
            var entries: [RecordEntry] = []
            // adjustments: bonuses and vetoes that changed the total, or wait for a decision
            for i in sheet.items where i.section == nil && i.points != Fixed.zero {
                entries.append(RecordEntry(label: i.label, points: i.points, amount: nil, value: i.points == nil ? "待裁定" : nil, reason: i.explanation))
            }
            for d in r.deductions {
                entries.append(RecordEntry(label: "评分责任扣分（漏扣 \(d.column) \(d.instances) 次）", points: Fixed.zero - d.deduction, amount: nil, value: nil,
                                           reason: "该项每次 \(d.perInstance) 分 × 2 × \(d.instances)：\(d.note)（R-001-15）"))
            }
            var money = Decimal(0)
            for m in sheet.money where m.amount != 0 {
                money += m.amount
                entries.append(RecordEntry(label: m.label, points: nil, amount: m.amount, value: nil, reason: m.explanation))
            }
            for o in outs[r.person.number] ?? [] where o.scheme == r.scheme {
                if let a = o.amount, a != 0 {
                    money += a
                    entries.append(RecordEntry(label: o.label, points: nil, amount: a, value: nil, reason: o.explanation))
                } else if o.needsAttention {
                    entries.append(RecordEntry(label: o.label, points: nil, amount: nil, value: o.value == "true" ? "是" : o.value, reason: o.explanation))
                }
            }
            var seen = Set<String>()
            let flags = sheet.flags.map(\.message).filter { seen.insert($0).inserted }
            return Record(person: r.person, period: r.period, scheme: r.scheme, schemeVersion: r.schemeVersion, locked: r.locked, draft: r.draft,
                          lines: lines, entries: entries, flags: flags, total: r.total, max: sheet.max, grade: r.grade,
                          payBase: sheet.pay?.base, paid: sheet.pay?.paid, payProvisional: sheet.pay?.provisional == true,
                          payExplanation: sheet.pay?.explanation, money: money)
        }
    }

    /// Money as the printed forms show it: two decimals with thousands separators (`-1,234,567.50`).
    public static func grouped(_ d: Decimal) -> String { grouped(d.yuan) }

    /// A plain decimal text (`-1234567.50`) with thousands separators in its whole part.
    public static func grouped(_ plain: String) -> String {
        var bytes = Array(plain.utf8)
        guard bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else { return plain }
        Fixed.groupThousands(&bytes, from: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The sum of the amounts as each is shown — rounded half up to the fen — so that a printed
    /// total equals the sum of the printed lines exactly.
    public static func shownSum(_ amounts: [Decimal?]) -> Decimal {
        amounts.reduce(Decimal(0)) { $0 + ($1?.rounded(2) ?? 0) }
    }
}
