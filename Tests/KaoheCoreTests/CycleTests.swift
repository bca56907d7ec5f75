import Foundation
import Testing
@testable import KaoheCore

@Suite("Appraisal cycle: deadlines across month ends, probation, the sheet's stages")
struct CycleTests {
    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test("civil dates: day numbers, months clamped, weekdays")
    func civil() {
        #expect(d("1970-01-01").dayNumber == 0 && d("2026-11-23").dayNumber == 20780)
        #expect(CivilDate(dayNumber: 20780) == d("2026-11-23"))
        #expect(d("2026-02-28").adding(days: 2) == d("2026-03-02"))
        #expect(d("2024-02-28").adding(days: 2) == d("2024-03-01"))
        #expect(d("2026-12-30").adding(days: 5) == d("2027-01-04"))
        #expect(d("2026-01-31").adding(months: 1) == d("2026-02-28") && d("2024-01-31").adding(months: 1) == d("2024-02-29"))
        #expect(d("2026-11-23").weekday == 1 && d("2026-11-29").weekday == 7)
        #expect(CivilDate("2026-02-29") == nil && CivilDate("2026-2-1") == nil)
    }

    @Test("R-002-30 monthly: issued the 28th, rating in 2 days, review in 2 more, published within 5 — across month and year ends")
    func monthlyDeadlines() throws {
        let s = CycleSchedule.monthly
        let oct = try #require(s.deadlines(period: "2026-10"))
        #expect(oct.issue == d("2026-10-28") && oct.selfAssessment == d("2026-10-29") && oct.rating == d("2026-10-30"))
        #expect(oct.review == d("2026-11-01") && oct.publish == d("2026-11-02") && oct.objectionsClose == d("2026-11-05"))
        let feb = try #require(s.deadlines(period: "2026-02"))
        #expect(feb.issue == d("2026-02-28") && feb.rating == d("2026-03-02") && feb.review == d("2026-03-04") && feb.publish == d("2026-03-05"))
        let dec = try #require(s.deadlines(period: "2026-12"))
        #expect(dec.rating == d("2026-12-30") && dec.review == d("2027-01-01") && dec.publish == d("2027-01-02"))
        // a 30th issue day in February is the month's last day
        var late = s; late.issueDay = 30
        #expect(late.deadlines(period: "2026-02")?.issue == d("2026-02-28"))
        // quarter and half-year: the period's last month
        #expect(s.deadlines(period: "2026-Q1")?.issue == d("2026-03-28") && s.deadlines(period: "2026-H2")?.issue == d("2026-12-28"))
        #expect(s.deadlines(period: "2026-13") == nil && s.deadlines(period: "十月") == nil)
    }

    @Test("R-002-30 annual: issued 20 December, 10 + 10 days, done within 20")
    func annualDeadlines() throws {
        let y = try #require(CycleSchedule.annual.deadlines(period: "2026"))
        #expect(y.issue == d("2026-12-20") && y.rating == d("2026-12-30") && y.review == d("2027-01-09") && y.publish == d("2027-01-09"))
    }

    @Test("working days skip the weekend")
    func workingDays() throws {
        var s = CycleSchedule.monthly
        s.workingDays = true
        // 2026-11-28 is a Saturday: two working days later is Tuesday 1 December
        let nov = try #require(s.deadlines(period: "2026-11"))
        #expect(nov.issue == d("2026-11-28") && nov.rating == d("2026-12-01") && nov.review == d("2026-12-03"))
    }

    @Test("R-002-30 probation: under 3 months at the period's end is not assessed; an explicit probation end counts")
    func probation() {
        let s = CycleSchedule.monthly
        let end = d("2026-10-31")
        #expect(s.assessed(hireDate: d("2026-08-01"), probationEnd: nil, periodEnd: end).0)     // Aug, Sep, Oct: three full months
        #expect(!s.assessed(hireDate: d("2026-08-02"), probationEnd: nil, periodEnd: end).0)    // completes on 2 Nov
        #expect(s.assessed(hireDate: d("2026-07-31"), probationEnd: nil, periodEnd: end).0)
        let (inProbation, why) = s.assessed(hireDate: d("2025-01-01"), probationEnd: d("2026-11-15"), periodEnd: end)
        #expect(!inProbation && why.contains("R-002-30") && why.contains("2026-11-15"))
        // hired 30 November: three months end on 28 February (clamped), assessed in February
        #expect(s.assessed(hireDate: d("2025-11-30"), probationEnd: nil, periodEnd: d("2026-02-28")).0)
        #expect(s.assessed(hireDate: d("2025-12-01"), probationEnd: nil, periodEnd: d("2026-02-28")).0)      // Dec, Jan, Feb
        #expect(!s.assessed(hireDate: d("2025-12-02"), probationEnd: nil, periodEnd: d("2026-02-28")).0)
    }

    @Test("the sheet's stages: self → rating → review → publish → object → decided → lock; wrong actor, stage, missing reason refused")
    func flow() throws {
        var st = SheetFlow.start(hasSelfAssessment: true)
        #expect(st == .selfAssessment && SheetFlow.start(hasSelfAssessment: false) == .rating)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .submitSelf, by: .rater) }
        st = try SheetFlow.next(st, .submitSelf, by: .employee)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .submitSelf, by: .employee) }   // twice: already past
        st = try SheetFlow.next(st, .submitRating, by: .rater)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .adjust, by: .reviewer) }     // no reason
        #expect(try SheetFlow.next(st, .returnToRater, by: .reviewer, reason: "扣分依据不足") == .rating)
        st = try SheetFlow.next(st, .adjust, by: .reviewer, reason: "投诉已核实，态度项扣 2 分")
        #expect(st == .ready)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .publish, by: .reviewer) }
        st = try SheetFlow.next(st, .publish, by: .hr)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .lock, by: .hr, objectionOpen: true) }
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .object, by: .employee, reason: "迟到已补假条", objectionOpen: false) }
        st = try SheetFlow.next(st, .object, by: .employee, reason: "迟到已补假条")
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .lock, by: .hr, objectionOpen: false) }
        st = try SheetFlow.next(st, .change, by: .reviewer, reason: "假条有效，恢复 1 分")
        #expect(st == .resolved)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .object, by: .employee, reason: "再次申诉") }
        st = try SheetFlow.next(st, .lock, by: .hr, objectionOpen: false)
        #expect(st == .locked)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .correct, by: .hr) }
        #expect(try SheetFlow.next(st, .correct, by: .hr, reason: "工资核对发现漏计表扬") == .locked)
        #expect(throws: FlowError.self) { try SheetFlow.next(st, .correct, by: .reviewer, reason: "x") }
        // an acknowledged sheet locks as soon as HR locks the cycle
        #expect(try SheetFlow.next(.acknowledged, .lock, by: .hr, objectionOpen: true) == .locked)
    }
}

@Suite("Calibration (R-004-04): rater scales and forced distribution")
struct CalibrationTests {
    @Test("mean, spread and grades of a rater, worked by hand")
    func stats() {
        // 80, 90, 100: mean 90, population spread √(200/3) = 8.16
        let s = Calibration.stats([(80, "良"), (90, "优"), (100, "优")])
        #expect(s.count == 3 && s.mean == 90 && s.spread == 8.16 && s.min == 80 && s.max == 100 && s.grades == ["优": 2, "良": 1])
        #expect(Calibration.stats([]).mean == nil)
    }

    @Test("a B department may give its best grade to 20 %: 3 of 10 is one too many; A allows 3; no grade, no quota")
    func quota() {
        let ten = (0..<10).map { k in (total: Double(70 + k * 3), grade: Optional(k >= 7 ? "优" : "良")) }
        let s = Calibration.stats(ten)
        let b = Calibration.check(s, grades: ["优", "良", "差"], departmentGrade: "B")
        #expect(b[0] == Calibration.QuotaRow(grade: "优", count: 3, share: 30, maxShare: 20, excess: 1))
        #expect(b[1].maxShare == nil && b[1].excess == 0 && b[2].count == 0)
        #expect(Calibration.check(s, grades: ["优", "良", "差"], departmentGrade: "A")[0].excess == 0)
        #expect(Calibration.check(s, grades: ["优", "良", "差"], departmentGrade: nil)[0].maxShare == nil)
        // 7 people in a C department: 10 % of 7 is 0.7, so not even one top grade
        let seven = Calibration.stats((0..<7).map { k in (total: 90.0, grade: Optional(k == 0 ? "优" : "良")) })
        #expect(Calibration.check(seven, grades: ["优", "良"], departmentGrade: "C")[0].excess == 1)
    }
}

/// The buttons a sheet shows are exactly what `SheetFlow.next` allows (issue 15: the page no
/// longer keeps its own list of legal actions).
@Suite("SheetFlow.available: what each party may do at each stage")
struct SheetFlowAvailableTests {
    @Test("each stage and party, with the windows and the overdue self-assessment")
    func available() {
        typealias F = SheetFlow
        #expect(F.available(.selfAssessment, to: [.employee]) == [.submitSelf])
        // a rater may skip a self-assessment only once it is overdue
        #expect(F.available(.selfAssessment, to: [.rater]).isEmpty)
        #expect(F.available(.selfAssessment, to: [.rater], selfOverdue: true) == [.skipSelf])
        #expect(F.available(.rating, to: [.rater]) == [.submitRating])
        #expect(F.available(.rating, to: [.employee, .reviewer]).isEmpty)
        #expect(F.available(.review, to: [.reviewer]) == [.approve, .adjust, .returnToRater])
        #expect(F.available(.ready, to: [.hr]) == [.adjust], "publishing is the cycle's step, not a sheet's")
        // the objection window: open, then closed (R-002-30)
        #expect(F.available(.published, to: [.employee]) == [.acknowledge, .object])
        #expect(F.available(.published, to: [.employee], objectionOpen: false) == [.acknowledge])
        // after publication a result changes only by a correction (R-100-02): reviewer or HR, HR alone once locked
        #expect(F.available(.published, to: [.reviewer]) == [.correct])
        #expect(F.available(.objected, to: [.reviewer]) == [.uphold, .change])
        #expect(F.available(.locked, to: [.reviewer]).isEmpty)
        #expect(F.available(.locked, to: [.hr]) == [.correct])
        // an action that needs a reason is refused without one (R-004-03), whoever asks
        for stage in SheetStage.allCases {
            for action in F.available(stage, to: [.employee, .rater, .reviewer, .hr], selfOverdue: true) where F.needsReason.contains(action) {
                #expect(throws: FlowError.self) { _ = try F.next(stage, action, by: .hr, reason: " ", selfOverdue: true) }
            }
        }
    }
}
