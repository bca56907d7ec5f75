import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// The team rating grid's reads (issue 17 §1): the teams an account rates sheets of, with how many
/// wait; one team's sheets of a cycle for their rater; the sheets one account handles in a cycle
/// (a sheet's previous and next).
enum TeamGridStore {
    /// A cycle and team in which an account rates sheets: how many, and how many wait for rating.
    struct GridRow: Decodable, Sendable {
        var cycle_id: UUID; var team_id: UUID; var team: String; var period: String; var sheets: Int; var waiting: Int
    }

    /// Every cycle and team in which `rater` rates sheets, with at least one still at the rating
    /// stage; newest period first, then by team name (plain rows: one query however many sheets).
    static func grids(rater: UUID, on db: Database) async throws -> [GridRow] {
        let sql = try db.sql()
        let rows = try await sql.raw("""
            SELECT s.cycle_id AS cycle_id, e.team_id AS team_id, t.name AS team, c.period AS period, COUNT(*) AS sheets,
                   SUM(CASE WHEN s.stage = \(bind: SheetStage.rating.rawValue) THEN 1 ELSE 0 END) AS waiting
            FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id
            JOIN \(unsafeRaw: Team.schema) t ON t.id = e.team_id JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id
            WHERE s.rater_id = \(bind: rater) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            GROUP BY s.cycle_id, e.team_id, t.name, c.period
            """).all(decoding: GridRow.self)
        return rows.filter { $0.waiting > 0 }.sorted { ($1.period, $0.team) < ($0.period, $1.team) }
    }

    /// The sheets of a cycle whose people are in `team` and that `rater` rates, by 工号, with their
    /// people, cycle and scheme version loaded.
    static func sheets(cycle: UUID, team: UUID, rater: UUID, on db: Database) async throws -> [Sheet] {
        struct Row: Decodable { var id: UUID; var number: String }
        let sql = try db.sql()
        let ids = try await sql.raw("""
            SELECT s.id AS id, e.number AS number FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id
            WHERE s.cycle_id = \(bind: cycle) AND e.team_id = \(bind: team) AND s.rater_id = \(bind: rater) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            """).all(decoding: Row.self).map(\.id)
        guard !ids.isEmpty else { return [] }
        let sheets = try await Sheet.query(on: db).filter(\.$id ~~ ids).with(\.$employee).with(\.$cycle, { $0.with(\.$scheme) }).all()
        return sheets.sorted { $0.employee.number < $1.employee.number }
    }

    /// How many sheets of the cycle have their people in `team` (whoever rates them).
    static func count(cycle: UUID, team: UUID, on db: Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        let sql = try db.sql()
        return try await sql.raw("""
            SELECT COUNT(*) AS n FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id
            WHERE s.cycle_id = \(bind: cycle) AND e.team_id = \(bind: team) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            """).first(decoding: Row.self)?.n ?? 0
    }

    /// A sheet an account handles, as a plain row: its id and its person's 工号.
    struct HandledRow: Decodable, Sendable { var id: UUID; var number: String }

    /// The sheets of a cycle that `user` rates or reviews, by 工号.
    static func handled(cycle: UUID, user: UUID, on db: Database) async throws -> [HandledRow] {
        let sql = try db.sql()
        return try await sql.raw("""
            SELECT s.id AS id, e.number AS number FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id
            WHERE s.cycle_id = \(bind: cycle) AND (s.rater_id = \(bind: user) OR s.reviewer_id = \(bind: user)) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            ORDER BY e.number
            """).all(decoding: HandledRow.self)
    }
}
