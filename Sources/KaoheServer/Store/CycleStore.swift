import Fluent
import Foundation
import Vapor

/// The cycles' queries: a cycle, the cycles and sheets of a period, the inbox read mark. (Sheet
/// stages and versions on the write paths are `SheetStore`'s.)
enum CycleStore {
    /// The cycle with this id, or nil.
    static func cycle(_ id: UUID, on db: Database) async throws -> Cycle? {
        try await Cycle.find(id, on: db)
    }

    /// The cycle with this id with its scheme version loaded, or nil.
    static func cycleWithScheme(_ id: UUID, on db: Database) async throws -> Cycle? {
        try await Cycle.query(on: db).filter(\.$id == id).with(\.$scheme).first()
    }

    /// The people with a sheet in a cycle of these scheme versions in `period`.
    static func employeesWithSheets(schemes versions: [UUID], period: String, on db: Database) async throws -> Set<UUID> {
        var ids = Set<UUID>()
        for c in try await Cycle.query(on: db).filter(\.$scheme.$id ~~ versions).filter(\.$period == period).all() {
            ids.formUnion(try await Sheet.query(on: db).filter(\.$cycle.$id == c.requireID()).all(\.$employee.$id))
        }
        return ids
    }

    /// Marks every unread message of the user's inbox read (now).
    static func markInboxRead(user: UUID, on db: Database) async throws {
        try await InboxItem.query(on: db).filter(\.$userId == user).filter(\.$readAt == nil).set(\.$readAt, to: Date()).update()
    }
}

// The cycles' reads of HR's home and of re-scoring.
extension CycleStore {
    /// The newest `limit` cycles that are not locked, newest first.
    static func openCycles(limit: Int, on db: Database) async throws -> [Cycle] {
        try await Cycle.query(on: db).filter(\.$status != .locked).sort(\.$createdAt, .descending).range(..<limit).all()
    }

    /// The ids of the cycles of one scheme version in `period`.
    static func cycleIds(scheme: UUID, period: String, on db: Database) async throws -> [UUID] {
        try await Cycle.query(on: db).filter(\.$scheme.$id == scheme).filter(\.$period == period).all().compactMap(\.id)
    }
}
