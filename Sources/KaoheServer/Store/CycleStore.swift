import Fluent
import Foundation
import SQLKit
import Vapor

/// The cycles' queries: a cycle, every cycle, the cycles and sheets of a period, a cycle's status
/// move, the inbox (its read and done marks are `NotificationStore`'s). (Sheets, their steps, stages and versions are `SheetStore`'s.)
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
            ids.formUnion(try await Sheet.query(on: db).filter(\.$cycle.$id == c.requireID()).filter(\.$stage != .withdrawn).all(\.$employee.$id))
        }
        return ids
    }

    /// Every cycle, newest first.
    static func cycles(on db: Database) async throws -> [Cycle] {
        try await Cycle.query(on: db).sort(\.$createdAt, .descending).all()
    }

    /// The cycles of scheme `key` (any version) in `period` for one department, or (nil) the company-wide ones.
    static func cycles(key: String, period: String, department: UUID?, on db: Database) async throws -> [Cycle] {
        let q = Cycle.query(on: db).filter(\.$period == period).join(SchemeVersion.self, on: \Cycle.$scheme.$id == \SchemeVersion.$id)
            .filter(SchemeVersion.self, \.$key == key)
        if let department { q.filter(\.$department.$id == department) } else { q.filter(\.$department.$id == nil) }
        return try await q.all()
    }

    /// How many cycles moved (0 or 1): the cycle's status set from `from` to `to` (and its objection
    /// window's close, if given) with one conditional UPDATE, so of parallel requests exactly one moves it.
    static func moveStatus(_ id: UUID, from: CycleStatus, to: CycleStatus, objectionsClose: String? = nil, on db: Database) async throws -> Int {
        let sql = try db.sql()
        struct Row: Decodable { var id: UUID }
        var q = sql.update(Cycle.schema).set("status", to: SQLBind(to.rawValue))
        if let objectionsClose { q = q.set("objections_close", to: SQLBind(objectionsClose)) }
        let rows = try await q.where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(from.rawValue)).returning("id").all(decoding: Row.self)
        return rows.count
    }

    /// An account's latest `limit` inbox messages, newest first.
    static func inbox(of user: UUID, limit: Int, on db: Database) async throws -> [InboxItem] {
        try await InboxItem.query(on: db).filter(\.$userId == user).sort(\.$createdAt, .descending).limit(limit).all()
    }
}

// The cycles' reads of HR's home and of re-scoring.
extension CycleStore {
    /// The newest `limit` cycles that are neither locked nor cancelled, newest first.
    static func openCycles(limit: Int, on db: Database) async throws -> [Cycle] {
        try await Cycle.query(on: db).filter(\.$status !~ [CycleStatus.locked, .cancelled]).sort(\.$createdAt, .descending).range(..<limit).all()
    }

    /// The ids of the cycles of one scheme version in `period`.
    static func cycleIds(scheme: UUID, period: String, on db: Database) async throws -> [UUID] {
        try await Cycle.query(on: db).filter(\.$scheme.$id == scheme).filter(\.$period == period).all().compactMap(\.id)
    }
}
