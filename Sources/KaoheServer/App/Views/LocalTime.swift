import Foundation
import KaoheCore

/// A moment as people in the company read it: `2026-12-01 16:54` in the company's time zone
/// (Asia/Shanghai), never UTC's `2026-12-01T08:54:23Z` (issue 17 §3). Pages, forms and exports.
enum LocalTime {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    static func text(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = zone; f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }

    /// The calendar day of `d` in the company's time zone.
    static func day(_ d: Date) -> CivilDate {
        let c = Calendar(identifier: .gregorian).dateComponents(in: zone, from: d)
        return CivilDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}
