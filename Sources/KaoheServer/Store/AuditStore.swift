import Fluent
import Foundation

/// The audit trail (R-004-03): who did what to which record, when, before and after, and why.
enum Audit {
    static func record(on db: Database, actor: User?, action: String, entity: String, id: String,
                       before: String? = nil, after: String? = nil, reason: String? = nil) async throws {
        try await AuditEntry(actorId: actor?.id, actorName: actor?.username ?? "system", action: action, entity: entity,
                             entityId: id, before: before, after: after, reason: reason).save(on: db)
    }
}
