import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// The queries of the cycle controls (issue 16 §4): the teams' and departments' schemes, the
/// sheets a period already has per person (a second one is refused), a cycle's sheets with their
/// people (withdrawal, cancellation, the publication's confirmation), a cycle's cancellation and
/// a change of its deadlines.
enum CycleControlStore {
    // MARK: scheme assignments

    /// Every team's and department's scheme.
    static func assignments(on db: Database) async throws -> [SchemeAssignment] {
        try await SchemeAssignment.query(on: db).all()
    }

    /// Sets (or, with nil, clears) the scheme of one team or one department; the key before, if any.
    @discardableResult
    static func assign(team: UUID?, department: UUID?, scheme: String?, by user: UUID?, on db: Database) async throws -> String? {
        let q = SchemeAssignment.query(on: db)
        if let team { q.filter(\.$teamId == team) } else if let department { q.filter(\.$departmentId == department) } else { return nil }
        let existing = try await q.first()
        let before = existing?.schemeKey
        switch (existing, scheme) {
        case (let e?, let key?):
            e.schemeKey = key; e.assignedBy = user; e.assignedAt = Date()
            try await e.save(on: db)
        case (let e?, nil):
            try await e.delete(on: db)
        case (nil, let key?):
            try await SchemeAssignment(team: team, department: department, scheme: key, by: user).save(on: db)
        case (nil, nil):
            break
        }
        return before
    }

    // MARK: sheets a period already has

    /// A sheet of a period that counts as the person's sheet for it: not withdrawn, in a cycle not
    /// cancelled; with its scheme and cycle, to be named when a second one is refused.
    struct ExistingSheet: Decodable, Sendable {
        var sheet_id: UUID; var employee_id: UUID; var stage: String; var cycle_id: UUID; var period: String
        var key: String; var name: String; var issued_on: String
    }

    /// The live sheets of `period` (one row a sheet; a company's month is a few thousand rows).
    static func existingSheets(period: String, on db: Database) async throws -> [ExistingSheet] {
        let sql = try db.sql()
        return try await sql.raw("""
            SELECT s.id AS sheet_id, s.employee_id AS employee_id, s.stage AS stage, c.id AS cycle_id, c.period AS period,
                   v.key AS key, v.name AS name, c.issued_on AS issued_on
            FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id
            JOIN \(unsafeRaw: SchemeVersion.schema) v ON v.id = c.scheme_id
            WHERE c.period = \(bind: period) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue) AND c.status <> \(bind: CycleStatus.cancelled.rawValue)
            """).all(decoding: ExistingSheet.self)
    }

    /// The people who have left (of one department), unsorted: listed as not issued a sheet.
    static func leavers(department: UUID?, on db: Database) async throws -> [Employee] {
        let q = Employee.query(on: db).filter(\.$status == .left)
        if let department { q.filter(\.$department.$id == department) }
        return try await q.all()
    }

    // MARK: a cycle's sheets

    /// A cycle's sheets that are not withdrawn, with their people (and teams) loaded, by 工号.
    static func liveSheets(cycle: UUID, on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$stage != .withdrawn)
            .with(\.$employee) { $0.with(\.$team) }.all().sorted { $0.employee.number < $1.employee.number }
    }

    /// The cycles still open (neither published, locked nor cancelled), newest first.
    static func openCycles(on db: Database) async throws -> [Cycle] {
        try await Cycle.query(on: db).filter(\.$status == .open).sort(\.$createdAt, .descending).all()
    }

    /// How many cycles moved (0 or 1): an open cycle cancelled with its reason, one conditional UPDATE.
    static func cancel(_ id: UUID, reason: String, on db: Database) async throws -> Int {
        let sql = try db.sql()
        struct Row: Decodable { var id: UUID }
        let rows = try await sql.update(Cycle.schema).set("status", to: SQLBind(CycleStatus.cancelled.rawValue))
            .set("cancel_reason", to: SQLBind(reason)).set("cancelled_at", to: SQLBind(Date()))
            .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(CycleStatus.open.rawValue))
            .returning("id").all(decoding: Row.self)
        return rows.count
    }

    /// A cycle's deadlines as given (each `YYYY-MM-DD`).
    static func setDeadlines(_ c: Cycle, selfDue: String, ratingDue: String, reviewDue: String, publishDue: String, on db: Database) async throws {
        c.selfDue = selfDue; c.ratingDue = ratingDue; c.reviewDue = reviewDue; c.publishDue = publishDue
        try await c.save(on: db)
    }
}
