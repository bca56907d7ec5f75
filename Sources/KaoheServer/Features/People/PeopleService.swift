import Fluent
import Foundation
import KaoheCore
import Vapor

/// Changes to a person's record, for the API and HR's pages alike.
enum PeopleService {
    /// Applies a change to a person's record (HR), with its reason in the audit trail (R-004-03).
    static func update(_ e: Employee, _ body: OrganisationController.EmployeePatch, user: User, db: Database) async throws {
        guard !body.reason.isBlank else { throw KaoheError.invalid("reason: 须说明原因 (R-004-03)") }
        let before = Self.snapshot(e)
        if let s = body.status {
            guard let status = EmployeeStatus(rawValue: s) else { throw KaoheError.invalid("status: 须为 active 或 left（收到 “\(s)”）", en: "status: must be active or left (got “\(s)”)") }
            e.status = status
        }
        if let p = body.position { e.position = p }
        if let t = body.teamId {
            guard let team = try await PeopleStore.team(t, on: db), team.$department.id == e.$department.id else {
                throw KaoheError.invalid("team_id: 没有这个班组或不属于该部门", en: "team_id: no such team in the department")
            }
            e.$team.id = t
        }
        if let l = body.level { e.level = l }
        if let s = body.star {
            guard (0...5).contains(s) else { throw KaoheError.invalid("star: 须为 0–5") }
            e.star = s
        }
        if let g = body.jobGrade { e.jobGrade = g }
        if let s = body.superiorId {
            guard s != e.id, try await PeopleStore.employee(s, on: db) != nil else { throw KaoheError.invalid("superior_id: 没有这个员工或是本人", en: "superior_id: no such employee") }
            e.superiorId = s
        }
        if let p = body.probationEnd {
            guard PeriodCalendar.calendarMonth.period(ofDate: p) != nil else { throw KaoheError.badInput("probation_end: “\(p)” 不是有效日期 (YYYY-MM-DD)", en: "probation_end: “\(p)” is not a date (YYYY-MM-DD)") }
            e.probationEnd = p
        }
        try await e.save(on: db)
        try await Audit.record(on: db, actor: user, action: "update", entity: "employee", id: e.number,
                               before: before, after: Self.snapshot(e), reason: body.reason)
    }

    static func snapshot(_ e: Employee) -> String {
        "status=\(e.status) position=\(e.position) team=\(e.$team.id?.uuidString ?? "-") superior=\(e.superiorId?.uuidString ?? "-") probation_end=\(e.probationEnd ?? "-") level=\(e.level ?? "-") star=\(e.star.map(String.init) ?? "-") grade=\(e.jobGrade ?? "-")"
    }
}
