import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// The queries of the reviewer's pages (issue 17 §2): a cycle's sheets one account reviews, a
/// cycle's sheets with their people and teams (the calibration page's adjustments), and the cycles
/// with sheets waiting for an account's review (the links on `/sheets`).
enum ReviewStore {
    /// A cycle's sheets that `reviewer` reviews (every stage), with their people and teams loaded.
    static func sheets(cycle: UUID, reviewer: UUID, on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$reviewerId == reviewer).filter(\.$stage != .withdrawn)
            .with(\.$employee) { $0.with(\.$team) }.all()
    }

    /// A cycle's sheets with their people and teams loaded.
    static func sheetsWithTeams(cycle: UUID, on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$stage != .withdrawn).with(\.$employee) { $0.with(\.$team) }.all()
    }

    /// A cycle with sheets waiting for one account's review: how many, of which scheme and period.
    struct Queue: Decodable, Sendable { var cycle_id: UUID; var period: String; var scheme: String; var waiting: Int }

    /// The cycles with sheets at the review stage that `reviewer` reviews, newest period first.
    static func queues(reviewer: UUID, on db: Database) async throws -> [Queue] {
        let sql = try db.sql()
        return try await sql.raw("""
            SELECT c.id AS cycle_id, c.period AS period, v.name AS scheme, COUNT(*) AS waiting
            FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id
            JOIN \(unsafeRaw: SchemeVersion.schema) v ON v.id = c.scheme_id
            WHERE s.reviewer_id = \(bind: reviewer) AND s.stage = \(bind: SheetStage.review.rawValue)
            GROUP BY c.id, c.period, v.name ORDER BY c.period DESC, v.name
            """).all(decoding: Queue.self)
    }
}
