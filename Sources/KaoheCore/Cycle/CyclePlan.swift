import Foundation

/// A day of the Gregorian calendar, counted exactly (no time zones, no Foundation calendars):
/// deadlines that cross month and year ends are day arithmetic.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= PeriodCalendar.daysIn(year: year, month: month) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// `YYYY-MM-DD`
    public init?(_ text: String) {
        let p = text.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3, text.count == 10 else { return nil }
        self.init(year: p[0], month: p[1], day: p[2])
    }

    /// Days since 1970-01-01 (H. Hinnant's days-from-civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0); month = m; day = d
    }

    public func adding(days n: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + n) }

    /// The same day `n` months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).
    public func adding(months n: Int) -> CivilDate {
        let m0 = year * 12 + (month - 1) + n
        let y = m0 / 12, m = m0 % 12 + 1
        return CivilDate(year: y, month: m, day: min(day, PeriodCalendar.daysIn(year: y, month: m)))!
    }

    /// Day of the week, 1 = Monday … 7 = Sunday.
    public var weekday: Int { ((dayNumber % 7 + 7 + 3) % 7) + 1 }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }
    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}

/// When an appraisal cycle's stages are due (R-002-30): sheets are issued on a day of the
/// period's last month (the 28th; 20 Dec for the year), self-assessment and the direct
/// superior's rating are due within the department's days, the reviewer's (general manager's)
/// within theirs, publication by the end; after publication the people rated have a window to
/// object, then the cycle locks. Counted in calendar days unless `workingDays` (then Saturdays and
/// Sundays are skipped).
public struct CycleSchedule: Codable, Sendable, Equatable {
    /// Day of the month sheets are issued (clamped to the month's last day: 28 Feb in February).
    public var issueDay: Int
    /// For yearly cycles: the month of issue (12: December).
    public var issueMonth: Int?
    /// Days after issue by which self-assessments are due (0: same day as the rating).
    public var selfDays: Int
    /// Days after issue by which the direct superior's ratings are due.
    public var raterDays: Int
    /// Days after the rating deadline by which the reviewer has reviewed.
    public var reviewDays: Int
    /// Days after issue by which results are published.
    public var publishDays: Int
    /// Days after publication during which the people rated may object (R-004-03).
    public var objectionDays: Int
    /// People hired less than this many months before the period ends are not assessed.
    public var probationMonths: Int
    public var workingDays: Bool
    public var rules: [String]

    public init(issueDay: Int, issueMonth: Int? = nil, selfDays: Int, raterDays: Int, reviewDays: Int, publishDays: Int,
                objectionDays: Int, probationMonths: Int, workingDays: Bool = false, rules: [String] = ["R-002-30"]) {
        self.issueDay = issueDay; self.issueMonth = issueMonth; self.selfDays = selfDays; self.raterDays = raterDays
        self.reviewDays = reviewDays; self.publishDays = publishDays; self.objectionDays = objectionDays
        self.probationMonths = probationMonths; self.workingDays = workingDays; self.rules = rules
    }

    /// R-002-30 monthly: issued on the 28th, self-assessment then the superior's score within
    /// 2 days, the general manager within 2 more, done within 5. Objection window: 3 days
    /// (Decision: the seed gives none; R-004-03 only says results are disclosed and may be objected to).
    public static let monthly = CycleSchedule(issueDay: 28, selfDays: 1, raterDays: 2, reviewDays: 2, publishDays: 5, objectionDays: 3, probationMonths: 3,
                                              rules: ["R-002-30", "R-004-03"])
    /// R-002-30 annual: issued 20 December, 10 days for departments, 10 for the general manager, done within 20.
    public static let annual = CycleSchedule(issueDay: 20, issueMonth: 12, selfDays: 5, raterDays: 10, reviewDays: 10, publishDays: 20, objectionDays: 5,
                                             probationMonths: 3, rules: ["R-002-30", "R-004-03"])

    public struct Deadlines: Sendable, Equatable {
        public var issue: CivilDate
        public var selfAssessment: CivilDate
        public var rating: CivilDate
        public var review: CivilDate
        public var publish: CivilDate
        /// The objection window closes at the end of this day when results are published on `publish`.
        public var objectionsClose: CivilDate
    }

    /// The last month of a period label (`2026-10`, `2026-Q4`, `2026-H2`, `2026`).
    public static func lastMonth(of period: String) -> MonthIndex? {
        let p = period.split(separator: "-")
        guard let y = Int(p[0]), p[0].count == 4 else { return nil }
        if p.count == 1 { return MonthIndex(year: y, month: 12) }
        let t = p[1]
        if let m = Int(t), (1...12).contains(m) { return MonthIndex(year: y, month: m) }
        if t.first == "Q", let q = Int(t.dropFirst()), (1...4).contains(q) { return MonthIndex(year: y, month: q * 3) }
        if t.first == "H", let h = Int(t.dropFirst()), (1...2).contains(h) { return MonthIndex(year: y, month: h * 6) }
        return nil
    }

    /// Adds days, skipping Saturdays and Sundays when the schedule counts working days.
    public func add(_ n: Int, to d: CivilDate) -> CivilDate {
        guard workingDays else { return d.adding(days: n) }
        var out = d, left = n
        while left > 0 { out = out.adding(days: 1); if out.weekday <= 5 { left -= 1 } }
        return out
    }

    public func deadlines(period: String) -> Deadlines? {
        guard var last = Self.lastMonth(of: period) else { return nil }
        if let m = issueMonth { last = MonthIndex(year: last.year, month: m) }
        let day = min(issueDay, PeriodCalendar.daysIn(year: last.year, month: last.month))
        guard let issue = CivilDate(year: last.year, month: last.month, day: day) else { return nil }
        let rating = add(raterDays, to: issue)
        let publish = add(publishDays, to: issue)
        return Deadlines(issue: issue, selfAssessment: add(min(selfDays, raterDays), to: issue), rating: rating,
                         review: add(reviewDays, to: rating), publish: publish, objectionsClose: add(objectionDays, to: publish))
    }

    /// The deadlines of a cycle opened on `opening` (issue 16 §4): R-002-30's offsets — self-assessment
    /// and the superior's rating within 2 days, the general manager's review within 2 more, done
    /// within 5 — counted from the day the sheets are actually issued: the period's issue day
    /// (the 28th) or, when HR opens the cycle later, the opening day (a November opened on
    /// 1 December is due 3 December, not overdue at once).
    public func deadlines(period: String, opening: CivilDate) -> Deadlines? {
        guard let planned = deadlines(period: period) else { return nil }
        guard opening > planned.issue else { return planned }
        return deadlines(issuedOn: opening)
    }

    /// The deadlines of sheets issued on `issue`, by this schedule's offsets.
    public func deadlines(issuedOn issue: CivilDate) -> Deadlines {
        let rating = add(raterDays, to: issue)
        let publish = add(publishDays, to: issue)
        return Deadlines(issue: issue, selfAssessment: add(min(selfDays, raterDays), to: issue), rating: rating,
                         review: add(reviewDays, to: rating), publish: publish, objectionsClose: add(objectionDays, to: publish))
    }

    /// Whether an employee is assessed in a period ending on `periodEnd` (R-002-30: not while in
    /// probation, under `probationMonths` months): the explanation says why.
    public func assessed(hireDate: CivilDate, probationEnd: CivilDate?, periodEnd: CivilDate) -> (Bool, String) {
        if let p = probationEnd, p > periodEnd {
            return (false, "试用期至 \(p)，本期末 \(periodEnd) 仍在试用期，不参加考核（R-002-30）")
        }
        let completes = hireDate.adding(months: probationMonths)
        if completes > periodEnd.adding(days: 1) {
            return (false, "入职 \(hireDate)，至本期末 \(periodEnd) 未满 \(probationMonths) 个月（满 \(probationMonths) 个月为 \(completes)），不参加考核（R-002-30）")
        }
        return (true, "入职 \(hireDate)，至本期末已满 \(probationMonths) 个月，参加考核（R-002-30）")
    }
}
