import Fluent
import Foundation
import KaoheCore
import Vapor

extension CycleService {
    struct Mine: Content { var id: UUID; var employee: String; var name: String; var period: String; var stage: String; var role: String; var deadline: String? }

    /// Sheets waiting for the caller: their own self-assessment, those they rate or review, and
    /// their published results to acknowledge.
    static func mine(_ user: User, db: Database) async throws -> [Mine] {
        let uid = try user.requireID()
        // plain rows: a manager reviews a thousand sheets, which as Fluent models took 0.4 s
        let rows = try await SheetStore.sheetRows(involving: uid, employee: user.$employee.id, on: db)
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

    /// An inbox message; `done`: what it asked for was done (issue 17 §7), `read`: its reader marked it read.
    struct InboxDTO: Content { var id: UUID; var text: String; var link: String?; var createdAt: Date; var read: Bool; var done: Bool; var doneAt: Date? }

    static func inbox(_ user: User, db: Database) async throws -> [InboxDTO] {
        try await CycleStore.inbox(of: user.requireID(), limit: 100, on: db).map(InboxDTO.of)
    }
}

extension CycleService.InboxDTO {
    static func of(_ i: InboxItem) throws -> Self {
        .init(id: try i.requireID(), text: i.text, link: i.link, createdAt: i.createdAt, read: i.readAt != nil, done: i.doneAt != nil, doneAt: i.doneAt)
    }
}
