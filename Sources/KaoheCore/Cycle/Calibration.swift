import Foundation

/// Calibration of a cycle's results (R-004-04): raters' scales differ, so their means, spreads
/// and grade distributions are compared with the department's, and the department's grade
/// distribution with its forced-distribution quota — a better department may give more top grades.
public enum Calibration {
    public struct Stats: Sendable, Equatable, Codable {
        public var count: Int
        public var mean: Double?
        public var spread: Double?
        public var min: Double?
        public var max: Double?
        /// grade label → sheets
        public var grades: [String: Int]
    }

    /// Mean, population standard deviation, range and grade counts, rounded to two decimals.
    public static func stats(_ sheets: [(total: Double, grade: String?)]) -> Stats {
        guard !sheets.isEmpty else { return Stats(count: 0, mean: nil, spread: nil, min: nil, max: nil, grades: [:]) }
        let xs = sheets.map(\.total)
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        var grades: [String: Int] = [:]
        for s in sheets { grades[s.grade ?? "—", default: 0] += 1 }
        func r(_ d: Double) -> Double { (d * 100).rounded(.toNearestOrAwayFromZero) / 100 }
        return Stats(count: xs.count, mean: r(mean), spread: r(variance.squareRoot()), min: xs.min(), max: xs.max(), grades: grades)
    }

    /// Forced distribution: the largest share of a department's sheets each grade may take,
    /// by the department's own grade. Grades are named by rank (0 = the scheme's best grade).
    public struct Quota: Codable, Sendable, Equatable {
        /// department grade → [grade rank → maximum share in percentage points]
        public var maxShare: [String: [Int: Double]]
        public var rules: [String]
        public init(maxShare: [String: [Int: Double]], rules: [String] = ["R-004-04"]) { self.maxShare = maxShare; self.rules = rules }

        /// Decision (the seed names the principle, not the numbers): an A department may give its
        /// best grade to at most 30 % of its people, B 20 %, C 10 %; other grades are not capped.
        public static let r004_04 = Quota(maxShare: ["A": [0: 30], "B": [0: 20], "C": [0: 10]])
    }

    public struct QuotaRow: Sendable, Equatable, Codable {
        public var grade: String
        public var count: Int
        /// of the department's sheets, in percentage points (25.0 is a quarter)
        public var share: Double
        /// the quota in percentage points, if the grade is capped
        public var maxShare: Double?
        /// sheets above the quota (to be discussed in the calibration session)
        public var excess: Int
    }

    /// The department's grades against the quota for its grade. `grades` is the scheme's grade
    /// labels, best first.
    public static func check(_ stats: Stats, grades: [String], departmentGrade: String?, quota: Quota = .r004_04) -> [QuotaRow] {
        let limits = departmentGrade.flatMap { quota.maxShare[$0] } ?? [:]
        return grades.enumerated().map { rank, g in
            let n = stats.grades[g] ?? 0
            let share = stats.count == 0 ? 0 : (Double(n) * 10000 / Double(stats.count)).rounded() / 100
            let max = limits[rank]
            // the largest whole number of sheets within the share
            let allowed = max.map { Int((Double(stats.count) * $0 / 100).rounded(.down)) }
            return QuotaRow(grade: g, count: n, share: share, maxShare: max, excess: allowed.map { Swift.max(0, n - $0) } ?? 0)
        }
    }
}
