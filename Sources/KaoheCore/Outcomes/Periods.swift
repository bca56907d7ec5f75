import Foundation

/// A calendar month as a number (year × 12 + month − 1), so that "consecutive" is arithmetic.
public struct MonthIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Int
    public init(year: Int, month: Int) { value = year * 12 + (month - 1) }
    public init?(_ label: String) {
        let p = label.split(separator: "-")
        guard p.count == 2, p[0].count == 4, p[1].count == 2, let y = Int(p[0]), let m = Int(p[1]), (1...12).contains(m) else { return nil }
        self.init(year: y, month: m)
    }
    public var year: Int { value / 12 }
    public var month: Int { value % 12 + 1 }
    public var quarter: Int { (month - 1) / 3 + 1 }
    public var isQuarterEnd: Bool { month % 3 == 0 }
    public var label: String {
        let y = year, m = month
        let bytes: [UInt8] = [UInt8(48 + y / 1000 % 10), UInt8(48 + y / 100 % 10), UInt8(48 + y / 10 % 10), UInt8(48 + y % 10), 45,
                              UInt8(48 + m / 10), UInt8(48 + m % 10)]
        if y > 9999 || y < 0 { return "\(y)-" + String(decoding: bytes[5...], as: UTF8.self) }
        return String(decoding: bytes, as: UTF8.self)
    }
    public var description: String { label }
    public static func < (a: MonthIndex, b: MonthIndex) -> Bool { a.value < b.value }
    public static func + (a: MonthIndex, n: Int) -> MonthIndex { var r = a; r.value += n; return r }
}

/// Month boundaries of a company (R-002-31: from the 25th of the previous month to the 25th).
/// `startDay` 1 is the calendar month. A date on or after `startDay` belongs to the next
/// period label when `startDay` > 1 (the 25 Jan – 24 Feb period is labelled 2026-02).
public struct PeriodCalendar: Sendable, Equatable {
    public var startDay: Int
    public init(startDay: Int = 1) throws {
        guard (1...28).contains(startDay) else {
            throw InputError(column: "start_day", message: "月度起始日须在 1–28 之间 the month start day must be 1–28 (got \(startDay))")
        }
        self.startDay = startDay
    }

    private init(unchecked day: Int) { startDay = day }
    public static let calendarMonth = PeriodCalendar(unchecked: 1)

    /// The period label of a `YYYY-MM-DD` date; nil when it is not a real date.
    public func period(ofDate text: String) -> String? {
        let p = text.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              (1...12).contains(m), d >= 1, d <= Self.daysIn(year: y, month: m) else { return nil }
        return period(year: y, month: m, day: d)
    }

    /// The period label of a date given as (year, month, day).
    public func period(year: Int, month: Int, day: Int) -> String { monthIndex(year: year, month: month, day: day).label }

    /// The period of a date as a month index (R-002-31: on or after `startDay`, the next month's period).
    public func monthIndex(year: Int, month: Int, day: Int) -> MonthIndex {
        var m = MonthIndex(year: year, month: month)
        if startDay > 1 && day >= startDay { m = m + 1 }
        return m
    }

    /// First and last day of a period, as (year, month, day) triples.
    public func range(of label: String) -> (start: (Int, Int, Int), end: (Int, Int, Int))? {
        guard let m = MonthIndex(label) else { return nil }
        if startDay == 1 {
            return ((m.year, m.month, 1), (m.year, m.month, Self.daysIn(year: m.year, month: m.month)))
        }
        let prev = m + -1
        let endDay = startDay - 1
        return ((prev.year, prev.month, startDay), (m.year, m.month, endDay))
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
