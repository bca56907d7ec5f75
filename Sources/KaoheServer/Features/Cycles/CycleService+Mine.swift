import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

extension CycleService {
    struct Mine: Content { var id: UUID; var employee: String; var name: String; var period: String; var stage: String; var role: String; var deadline: String? }

    /// Sheets waiting for the caller: their own self-assessment, those they rate or review, and
    /// their published results to acknowledge.
    static func mine(_ user: User, db: Database) async throws -> [Mine] {
        let uid = try user.requireID()
        // plain rows: a manager reviews a thousand sheets, which as Fluent models took 0.4 s
        struct Plain: Decodable {
            var id: UUID; var stage: String; var employee_id: UUID; var rater_id: UUID?; var reviewer_id: UUID?
            var number: String; var name: String; var period: String
            var self_due: String; var rating_due: String; var review_due: String; var objections_close: String?
        }
        let sql = try db.sql()
        let mineClause: SQLQueryString = user.$employee.id.map { "s.rater_id = \(bind: uid) OR s.reviewer_id = \(bind: uid) OR s.employee_id = \(bind: $0)" }
            ?? "s.rater_id = \(bind: uid) OR s.reviewer_id = \(bind: uid)"
        let rows = try await sql.raw("""
            SELECT s.id AS id, s.stage AS stage, s.employee_id AS employee_id, s.rater_id AS rater_id, s.reviewer_id AS reviewer_id,
                   e.number AS number, e.name AS name, c.period AS period, c.self_due AS self_due, c.rating_due AS rating_due,
                   c.review_due AS review_due, c.objections_close AS objections_close
            FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id
            JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id WHERE \(mineClause)
            """).all(decoding: Plain.self)
        return rows.map { s in
            // the caller's part on the sheet (as `CycleService.roles`, from the plain row)
            let isEmployee = user.$employee.id == s.employee_id, isRater = s.rater_id == uid, isReviewer = s.reviewer_id == uid
            let stage = SheetStage(rawValue: s.stage)
            let role: String
            switch stage {
            case .selfAssessment? where isEmployee: role = "self"
            case .rating? where isRater: role = "rater"
            case .review? where isReviewer, .objected? where isReviewer: role = "reviewer"
            case .published? where isEmployee: role = "acknowledge"
            default: role = "view"
            }
            // the publication date is HR's, not the caller's: a sheet waiting for it shows no deadline
            let due = Cycle.due(at: stage, selfAssessment: s.self_due, rating: s.rating_due, review: s.review_due, publication: nil, objections: s.objections_close)
            return Mine(id: s.id, employee: s.number, name: s.name, period: s.period, stage: s.stage, role: role, deadline: due)
        }.sorted { ($0.role == "view" ? 1 : 0, $0.deadline ?? "", $0.employee) < ($1.role == "view" ? 1 : 0, $1.deadline ?? "", $1.employee) }
    }

    struct InboxDTO: Content { var id: UUID; var text: String; var link: String?; var createdAt: Date; var read: Bool }

    static func inbox(_ user: User, db: Database) async throws -> [InboxDTO] {
        try await InboxItem.query(on: db).filter(\.$userId == user.requireID()).sort(\.$createdAt, .descending).limit(100).all().map {
            InboxDTO(id: try $0.requireID(), text: $0.text, link: $0.link, createdAt: $0.createdAt, read: $0.readAt != nil)
        }
    }
}
