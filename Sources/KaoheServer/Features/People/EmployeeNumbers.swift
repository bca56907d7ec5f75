import Foundation

/// 工号 generation, the two schemes of R-002-35, chosen per company.
public enum EmployeeNumbers {
    /// Scheme (a): six digits = centre digit + two-digit department code + three-digit sequence
    /// in joining order. Fixed numbers (the general manager's 100001, deputies') are never
    /// handed out. Numbers of leavers are freed by the January clean-up and then reused,
    /// smallest first; before the clean-up a leaver's number stays taken.
    public struct Departmental: Sendable {
        public var centre: Int
        public var reserved: Set<String>
        public init(centre: Int = 1, reserved: Set<String> = ["100001", "100002", "100003"]) {
            self.centre = centre; self.reserved = reserved
        }

        /// The next number for a joiner of `department` ("01"…"99"), given the numbers now taken
        /// (active staff and leavers not yet cleaned up).
        public func next(department: String, taken: Set<String>) throws -> String {
            guard department.count == 2, department.allSatisfy(\.isASCII), Int(department) != nil else {
                throw NumberingError("部门代码须为两位数字 department code must be two digits (got “\(department)”)")
            }
            let prefix = "\(centre)\(department)"
            for seq in 1...999 {
                let n = prefix + String(format: "%03d", seq)
                if !taken.contains(n) && !reserved.contains(n) { return n }
            }
            throw NumberingError("部门 \(department) 的工号已用完 (999) no number left in department \(department)")
        }

        /// The January clean-up: leavers' numbers become free (the returned set is what stays taken).
        public func januaryCleanup(taken: Set<String>, leavers: Set<String>) -> Set<String> { taken.subtracting(leavers) }
    }

    /// Scheme (b): ten characters = company code + two-digit year + two-digit month + four-digit
    /// sequence. Joiners of the same day are numbered by job level (higher first), then
    /// education/title (higher first), then birth date (older first). Numbers never change and
    /// are never reused. Interns and contractors get internal numbers 001–999 instead.
    public struct Dated: Sendable {
        public var company: String
        public init(company: String) { self.company = company }

        public struct Joiner: Sendable, Equatable {
            public var name: String
            /// YYYY-MM-DD
            public var joinDate: String
            public var jobLevel: Int
            public var education: Int
            /// YYYY-MM-DD
            public var birthDate: String
            public var temporary: Bool
            public init(name: String, joinDate: String, jobLevel: Int, education: Int, birthDate: String, temporary: Bool = false) {
                self.name = name; self.joinDate = joinDate; self.jobLevel = jobLevel; self.education = education
                self.birthDate = birthDate; self.temporary = temporary
            }
        }

        /// Numbers for `joiners` given every number ever issued (`issued`, leavers included).
        public func assign(_ joiners: [Joiner], issued: Set<String>) throws -> [(Joiner, String)] {
            var used = issued
            var out: [(Joiner, String)] = []
            let ordered = joiners.sorted { a, b in
                if a.joinDate != b.joinDate { return a.joinDate < b.joinDate }
                if a.jobLevel != b.jobLevel { return a.jobLevel > b.jobLevel }
                if a.education != b.education { return a.education > b.education }
                return a.birthDate < b.birthDate
            }
            for j in ordered {
                let p = j.joinDate.split(separator: "-")
                guard p.count == 3, p[0].count == 4, p[1].count == 2 else {
                    throw NumberingError("\(j.name)：入职日期须为 YYYY-MM-DD (got “\(j.joinDate)”)")
                }
                let n: String
                if j.temporary {
                    guard let free = (1...999).lazy.map({ String(format: "%03d", $0) }).first(where: { !used.contains($0) }) else {
                        throw NumberingError("内部编号 001–999 已用完 no internal number left")
                    }
                    n = free
                } else {
                    let prefix = company + p[0].suffix(2) + p[1]
                    var seq = 1
                    while used.contains(prefix + String(format: "%04d", seq)) { seq += 1 }
                    guard seq <= 9999 else { throw NumberingError("\(prefix) 当月工号已用完 no number left this month") }
                    n = prefix + String(format: "%04d", seq)
                }
                used.insert(n)
                out.append((j, n))
            }
            return out
        }
    }
}

public struct NumberingError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}
