import Fluent
import KaoheCore
import Foundation
import SQLKit
import Vapor

/// The notices' queries (issue 17 §7): the inbox's topics and read marks, the company's
/// notification settings and webhooks, accounts' e-mail addresses, and the outbox (retry queue).
enum NotificationStore {
    // MARK: inbox

    /// The messages still waiting for the reader: neither done nor marked read, newest first.
    static func unread(of user: UUID, limit: Int, on db: Database) async throws -> [InboxItem] {
        try await InboxItem.query(on: db).filter(\.$userId == user).filter(\.$doneAt == nil).filter(\.$readAt == nil)
            .sort(\.$createdAt, .descending).limit(limit).all()
    }

    /// The messages done or read, newest first (the archive).
    static func archived(of user: UUID, limit: Int, on db: Database) async throws -> [InboxItem] {
        try await InboxItem.query(on: db).filter(\.$userId == user)
            .group(.or) { $0.filter(\.$doneAt != nil).filter(\.$readAt != nil) }
            .sort(\.$createdAt, .descending).limit(limit).all()
    }

    /// Marks one of the user's messages (or, nil, every unread one) read now; how many changed.
    @discardableResult
    static func markRead(user: UUID, item: UUID?, on db: Database) async throws -> Int {
        let q = InboxItem.query(on: db).filter(\.$userId == user).filter(\.$readAt == nil)
        if let item { q.filter(\.$id == item) }
        let n = try await q.count()
        guard n > 0 else { return 0 }
        let u = InboxItem.query(on: db).filter(\.$userId == user).filter(\.$readAt == nil)
        if let item { u.filter(\.$id == item) }
        try await u.set(\.$readAt, to: Date()).update()
        return n
    }

    /// Every open message about one of these topics (of anyone, or of one user) is done now.
    static func done(topics: [String], user: UUID? = nil, on db: Database) async throws {
        guard !topics.isEmpty else { return }
        let q = InboxItem.query(on: db).filter(\.$topic ~~ topics).filter(\.$doneAt == nil)
        if let user { q.filter(\.$userId == user) }
        try await q.set(\.$doneAt, to: Date()).update()
    }

    /// The open messages about a topic.
    static func open(topic: String, on db: Database) async throws -> [InboxItem] {
        try await InboxItem.query(on: db).filter(\.$topic == topic).filter(\.$doneAt == nil).all()
    }

    /// How many of a cycle's sheets at `stage` wait for this person: as rater, reviewer, or the
    /// employee (self-assessment, acknowledging a published result).
    static func waiting(cycle: UUID, stage: SheetStage, user: UUID, employee: UUID?, on db: Database) async throws -> Int {
        let q = Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$stage == stage)
        switch stage {
        case .rating: q.filter(\.$raterId == user)
        case .review, .objected: q.filter(\.$reviewerId == user)
        case .selfAssessment, .published:
            guard let employee else { return 0 }
            q.filter(\.$employee.$id == employee)
        default: return 0
        }
        return try await q.count()
    }

    // MARK: settings and webhooks

    /// The company's settings, or nil before HR saved any.
    static func settings(on db: Database) async throws -> NotificationSettings? {
        try await NotificationSettings.query(on: db).first()
    }

    static func save(_ s: NotificationSettings, on db: Database) async throws {
        try await s.save(on: db)
    }

    /// Every webhook, company-wide ones first, then by department and name.
    static func webhooks(on db: Database) async throws -> [NotificationWebhook] {
        try await NotificationWebhook.query(on: db).sort(\.$name).all()
    }

    static func webhook(_ id: UUID, on db: Database) async throws -> NotificationWebhook? {
        try await NotificationWebhook.find(id, on: db)
    }

    static func add(_ w: NotificationWebhook, on db: Database) async throws {
        try await w.save(on: db)
    }

    static func remove(_ w: NotificationWebhook, on db: Database) async throws {
        try await w.delete(on: db)
    }

    // MARK: accounts' addresses

    /// How many active accounts have no e-mail address.
    static func accountsWithoutEmail(on db: Database) async throws -> Int {
        try await User.query(on: db).filter(\.$active == true).group(.or) { $0.filter(\.$email == nil).filter(\.$email == "") }.count()
    }

    static func setEmail(_ u: User, _ email: String?, on db: Database) async throws {
        u.email = email
        try await u.save(on: db)
    }

    // MARK: outbox

    static func enqueue(_ notices: [OutboundNotice], on db: Database) async throws {
        guard !notices.isEmpty else { return }
        try await StoreSQL.createAll(notices, on: db)
    }

    /// Up to `limit` ids of messages due at `now`: pending ones whose next attempt has come, and
    /// ones left `sending` since before `stale` (a process stopped while sending).
    static func due(at now: Date, stale: Date, limit: Int, on db: Database) async throws -> [UUID] {
        try await OutboundNotice.query(on: db)
            .group(.or) { or in
                or.group(.and) { $0.filter(\.$status == "pending").filter(\.$nextAttemptAt <= now) }
                or.group(.and) { $0.filter(\.$status == "sending").filter(\.$claimedAt < stale) }
            }
            .sort(\.$nextAttemptAt).limit(limit).all().compactMap(\.id)
    }

    /// Takes one due message for this worker with one conditional UPDATE (of several server
    /// processes exactly one gets it); the message, or nil when another took it first.
    static func claim(_ id: UUID, at now: Date, stale: Date, on db: Database) async throws -> OutboundNotice? {
        let sql = try db.sql()
        struct Row: Decodable { var id: UUID }
        let rows = try await sql.update(OutboundNotice.schema)
            .set("status", to: SQLBind("sending"))
            .set("claimed_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(id))
            .where { w in
                w.where { $0.where("status", .equal, SQLBind("pending")).where("next_attempt_at", .lessThanOrEqual, SQLBind(now)) }
                 .orWhere { $0.where("status", .equal, SQLBind("sending")).where("claimed_at", .lessThan, SQLBind(stale)) }
            }
            .returning("id").all(decoding: Row.self)
        guard rows.count == 1 else { return nil }
        return try await OutboundNotice.find(id, on: db)
    }

    static func save(_ n: OutboundNotice, on db: Database) async throws {
        try await n.save(on: db)
    }

    static func notice(_ id: UUID, on db: Database) async throws -> OutboundNotice? {
        try await OutboundNotice.find(id, on: db)
    }

    /// The newest `limit` messages of a status, newest first.
    static func notices(status: String, limit: Int, on db: Database) async throws -> [OutboundNotice] {
        try await OutboundNotice.query(on: db).filter(\.$status == status).sort(\.$createdAt, .descending).limit(limit).all()
    }

    /// How many messages are in each status.
    static func counts(on db: Database) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for s in ["pending", "sending", "sent", "failed"] { out[s] = try await OutboundNotice.query(on: db).filter(\.$status == s).count() }
        return out
    }
}
