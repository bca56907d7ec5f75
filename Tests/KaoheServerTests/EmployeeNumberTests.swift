import Testing
@testable import KaoheServer

@Suite("R-002-35: 工号 schemes")
struct EmployeeNumberTests {
    @Test func departmentalNumbersFollowJoiningOrderAndSkipFixedOnes() throws {
        let a = EmployeeNumbers.Departmental(centre: 1, reserved: ["100001", "100002"])
        // department 00 holds the general manager's fixed numbers: the first joiner gets 100003
        #expect(try a.next(department: "00", taken: []) == "100003")
        var taken: Set<String> = []
        for _ in 0..<3 { taken.insert(try a.next(department: "02", taken: taken)) }
        #expect(taken == ["102001", "102002", "102003"])
        // a leaver's number stays taken until the January clean-up, then it is reused first
        #expect(try a.next(department: "02", taken: taken) == "102004")
        let afterCleanup = a.januaryCleanup(taken: taken, leavers: ["102002"])
        #expect(try a.next(department: "02", taken: afterCleanup) == "102002")
        #expect(throws: NumberingError.self) { try a.next(department: "2", taken: []) }
    }

    @Test func datedNumbersOrderSameDayJoinersAndNeverReuse() throws {
        let b = EmployeeNumbers.Dated(company: "JW")
        let day = "2026-11-02"
        let joiners = [
            EmployeeNumbers.Dated.Joiner(name: "专员甲", joinDate: day, jobLevel: 1, education: 2, birthDate: "1999-05-01"),
            .init(name: "主管", joinDate: day, jobLevel: 3, education: 1, birthDate: "1990-01-01"),
            .init(name: "专员乙", joinDate: day, jobLevel: 1, education: 3, birthDate: "2000-01-01"),
            .init(name: "专员丙", joinDate: day, jobLevel: 1, education: 2, birthDate: "1998-03-01"),
            .init(name: "实习生", joinDate: day, jobLevel: 0, education: 1, birthDate: "2004-01-01", temporary: true),
        ]
        // JW2611 0001 was issued earlier this month to someone who has since left: never reused
        let got = try b.assign(joiners, issued: ["JW26110001", "001"])
        #expect(got.map(\.1) == ["JW26110002", "JW26110003", "JW26110004", "JW26110005", "002"])
        #expect(got.map(\.0.name) == ["主管", "专员乙", "专员丙", "专员甲", "实习生"])
        #expect(got.allSatisfy { $0.0.temporary || $0.1.count == 10 })
    }
}
