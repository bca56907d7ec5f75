import Fluent
import Foundation

/// The audit trail (R-004-03): who did what to which record, when, before and after, and why.
package enum Audit {
    package static func record(on db: Database, actor: User?, action: String, entity: String, id: String,
                       before: String? = nil, after: String? = nil, reason: String? = nil) async throws {
        try await AuditEntry(actorId: actor?.id, actorName: actor?.username ?? "system", action: action, entity: entity,
                             entityId: id, before: before, after: after, reason: reason).save(on: db)
    }
}

/// The audit trail's reads: HR's list (filtered, a page at a time) and a record's history.
enum AuditStore {
    /// The entries in `range` of the trail, newest first: of one entity kind, by actors whose name contains `actor`.
    static func entries(entity: String? = nil, actor: String? = nil, range: Range<Int>, on db: Database) async throws -> [AuditEntry] {
        let q = AuditEntry.query(on: db).sort(\.$at, .descending)
        if let entity { q.filter(\.$entity == entity) }
        if let actor { q.filter(\.$actorName, .custom("LIKE"), "%\(actor)%") }
        return try await q.range(range).all()
    }

    /// The latest `limit` entries of one record (entity kind and id), newest first.
    static func history(entity: String, id: String, limit: Int, on db: Database) async throws -> [AuditEntry] {
        try await AuditEntry.query(on: db).filter(\.$entity == entity).filter(\.$entityId == id).sort(\.$at, .descending).range(..<limit).all()
    }
}
