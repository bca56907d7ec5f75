import Fluent
import Foundation
import KaoheCore
import Vapor

/// The reads of the printed forms (issue 17 §6) beyond the exports' own: who rated and reviewed
/// each sheet and when (the signature lines), and how many results of the month are not yet
/// published (left off the forms, R-100-01).
enum PrintStore {
    /// The people on a sheet's signature lines, with the days they acted in Kaohe.
    struct Signature: Sendable {
        var rater: String?
        var rated: Date?
        var reviewer: String?
        var reviewed: Date?
        var acknowledged: Date?
        var published: Date?
    }

    /// The sheets of these people in the month's cycles, by `employee id|scheme version id`: the
    /// rater and reviewer (the accounts the sheet names, or whoever took the step), the day the
    /// rating was submitted, approved or adjusted, published and acknowledged.
    static func signatures(period: String, employees: Set<UUID>, on db: Database) async throws -> [String: Signature] {
        guard !employees.isEmpty else { return [:] }
        let sheets = try await SheetStore.sheetsWithCycles(periods: [period], on: db).filter { employees.contains($0.$employee.id) }
        guard !sheets.isEmpty else { return [:] }
        let users = Dictionary(try await AccountStore.users(Set(sheets.flatMap { [$0.raterId, $0.reviewerId].compactMap { $0 } }), on: db)
            .compactMap { u in u.id.map { ($0, u.displayName) } }, uniquingKeysWith: { a, _ in a })
        let ids = sheets.compactMap(\.id)
        var steps: [UUID: [SheetStep]] = [:]
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for st in try await SheetStep.query(on: db).filter(\.$sheet.$id ~~ chunk)
                .filter(\.$action ~~ [SheetAction.submitRating, .approve, .adjust, .change, .uphold, .publish, .acknowledge].map(\.rawValue))
                .sort(\.$at).all() {
                steps[st.$sheet.id, default: []].append(st)
            }
            start += 500
        }
        var out: [String: Signature] = [:]
        for s in sheets {
            guard let id = s.id else { continue }
            var sig = Signature(rater: s.raterId.flatMap { users[$0] }, reviewer: s.reviewerId.flatMap { users[$0] })
            // oldest first: the last of each kind is the one that stands
            for st in steps[id] ?? [] {
                switch SheetAction(rawValue: st.action) {
                case .submitRating?: sig.rater = st.actorName; sig.rated = st.at
                case .approve?, .adjust?, .change?, .uphold?: sig.reviewer = st.actorName; sig.reviewed = st.at
                case .publish?: sig.published = st.at
                case .acknowledge?: sig.acknowledged = st.at
                default: break
                }
            }
            out["\(s.$employee.id)|\(s.cycle.$scheme.id)"] = sig
        }
        return out
    }

    /// How many people of the month have a result that is not published yet (drafts), among these
    /// people (nil: everyone) or the people of one department.
    static func unpublishedCount(period: String, employees: Set<UUID>?, department: UUID?, on db: Database) async throws -> Int {
        let q = StoredResult.query(on: db).filter(\.$period == period).filter(\.$status == .draft)
        if let employees { q.filter(\.$employee.$id ~~ employees) }
        if let department {
            q.join(Employee.self, on: \StoredResult.$employee.$id == \Employee.$id).filter(Employee.self, \.$department.$id == department)
        }
        return Set(try await q.all().map { $0.$employee.id }).count
    }

    /// The ids of the people of a team (HR's and a manager's printed forms by team).
    static func members(team: UUID, on db: Database) async throws -> Set<UUID> {
        Set(try await PeopleStore.memberIds(teams: [team], on: db))
    }
}
