import Fluent
import Foundation
import Vapor

/// The QA checklists' queries (issue 17 §5): a page of people's month, one person's month (their
/// sheet), and removal with their recordings.
enum QAChecklistStore {
    /// These people's checklists under these scheme versions in `period`, by day and time recorded.
    static func checklists(employees: [UUID], schemes: [UUID], period: String, on db: Database) async throws -> [QAChecklistRecord] {
        guard !employees.isEmpty, !schemes.isEmpty else { return [] }
        return try await QAChecklistRecord.query(on: db).filter(\.$employee.$id ~~ employees).filter(\.$scheme.$id ~~ schemes)
            .filter(\.$period == period).sort(\.$occurredOn).sort(\.$recordedAt).all()
    }

    /// One person's checklists of a month under one scheme version whose recordings are all still
    /// there (a recording deleted another way — the events API, an import's revert — shows no
    /// checklist), by day.
    static func standing(employee: UUID, scheme: UUID, period: String, on db: Database) async throws -> [QAChecklistRecord] {
        let all = try await checklists(employees: [employee], schemes: [scheme], period: period, on: db)
        guard !all.isEmpty else { return [] }
        let wanted = Set(all.flatMap(\.events))
        let present = Set(try await EventRecord.query(on: db).filter(\.$id ~~ wanted).all(\.$id))
        return all.filter { c in !c.events.isEmpty && c.events.allSatisfy(present.contains) }
    }

    /// Deletes the checklists of the recordings these events belong to; returns how many.
    @discardableResult
    static func delete(events ids: [UUID], employees: [UUID], on db: Database) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let gone = Set(ids)
        let candidates = try await QAChecklistRecord.query(on: db).filter(\.$employee.$id ~~ employees).all()
        var n = 0
        for c in candidates where c.events.contains(where: gone.contains) {
            try await c.delete(on: db)
            n += 1
        }
        return n
    }
}
