import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// Sheet queries every write path shares (issue 14 §4, §5): which sheets are closed, which
/// scheme version a period's sheets use, and moving a sheet's version on every write to its inputs;
/// and the sheets' and their steps' reads and claims of the cycle flow (`CycleService`).
enum SheetStore {
    struct StageRow: Decodable { var sheet_id: UUID; var employee_id: UUID; var period: String; var stage: String; var scheme_id: UUID; var key: String }

    /// The sheets of these people and periods (any scheme version, or of scheme `key`).
    static func sheets(employees: [UUID], periods: [String], key: String? = nil, on db: Database) async throws -> [StageRow] {
        guard !employees.isEmpty, !periods.isEmpty else { return [] }
        let sql = try db.sql()
        var out: [StageRow] = []
        var start = 0
        while start < employees.count {
            let chunk = Array(employees[start..<min(start + 500, employees.count)])
            var q = sql.select().column(SQLColumn("id", table: "s"), as: "sheet_id").column(SQLColumn("employee_id", table: "s"))
                .column(SQLColumn("period", table: "c")).column(SQLColumn("stage", table: "s")).column(SQLColumn("scheme_id", table: "c"))
                .column(SQLColumn("key", table: "v"))
                .from(SQLAlias(SQLIdentifier(Sheet.schema), as: SQLIdentifier("s")))
                .join(SQLAlias(SQLIdentifier(Cycle.schema), as: SQLIdentifier("c")), on: SQLColumn("cycle_id", table: "s"), .equal, SQLColumn("id", table: "c"))
                .join(SQLAlias(SQLIdentifier(SchemeVersion.schema), as: SQLIdentifier("v")), on: SQLColumn("scheme_id", table: "c"), .equal, SQLColumn("id", table: "v"))
                .where(SQLColumn("employee_id", table: "s"), .in, SQLBind.group(chunk))
                .where(SQLColumn("period", table: "c"), .in, SQLBind.group(periods))
                // a withdrawn sheet is nobody's sheet of the period (issue 16 §4)
                .where(SQLColumn("stage", table: "s"), .notEqual, SQLBind(SheetStage.withdrawn.rawValue))
            if let key { q = q.where(SQLColumn("key", table: "v"), .equal, SQLBind(key)) }
            out += try await q.all(decoding: StageRow.self)
            start += 500
        }
        return out
    }

    /// Each person's sheet stage in a scheme version's period.
    static func stages(scheme: UUID, period: String, employees: [UUID], on db: Database) async throws -> [UUID: SheetStage] {
        var out: [UUID: SheetStage] = [:]
        for r in try await sheets(employees: employees, periods: [period], on: db) where r.scheme_id == scheme {
            if let st = SheetStage(rawValue: r.stage) { out[r.employee_id] = st }
        }
        return out
    }

    /// A closed (published or later) sheet among these people's periods: the first found, named
    /// in the refusal. `key` limits it to one scheme.
    static func firstClosed(employees: [UUID], periods: [String], key: String? = nil, on db: Database) async throws -> StageRow? {
        try await sheets(employees: employees, periods: periods, key: key, on: db)
            .filter { SheetStage(rawValue: $0.stage)?.isClosed == true }
            .min { ($0.period, $0.employee_id.uuidString) < ($1.period, $1.employee_id.uuidString) }
    }

    /// Refuses a write to the inputs of a published or locked result (R-100-02): it changes only by
    /// a correction on its sheet, with a reason.
    static func refuseIfClosed(employees: [UUID], periods: [String], key: String? = nil, what: String, on db: Database) async throws {
        guard let row = try await firstClosed(employees: employees, periods: periods, key: key, on: db) else { return }
        let number = try await Employee.find(row.employee_id, on: db)?.number ?? row.employee_id.uuidString
        let stage = SheetStage(rawValue: row.stage)
        throw KaoheError.conflict("\(what)：\(number) \(row.period) 的考核结果\(stage == .locked ? "已锁定" : "已发布")，只能在考核表 /sheets/\(row.sheet_id) 上以“更正”说明原因修改（R-100-02）", en: "\(what): the result of \(number) \(row.period) is \(stage == .locked ? "locked" : "published"); change it through a correction on its sheet /sheets/\(row.sheet_id) (R-100-02)")
    }

    /// The scheme version a period's sheets of scheme `key` use (issue 14 §5): evidence, events,
    /// grades and imports for that period go there, so one person's month has one result. nil when
    /// no cycle of the period uses the scheme (then the newest version).
    static func version(key: String, period: String, on db: Database) async throws -> SchemeVersion? {
        let versions = try await SchemeVersion.query(on: db).filter(\.$key == key).all()
        let ids = versions.compactMap(\.id)
        guard !ids.isEmpty else { return nil }
        let cycles = try await Cycle.query(on: db).filter(\.$period == period).filter(\.$scheme.$id ~~ ids).all()
        let used = Set(cycles.map(\.$scheme.id))
        return versions.filter { used.contains($0.id!) }.max { $0.version < $1.version }
    }

    /// The version evidence of `key` for `period` is written to: the period's sheets' version,
    /// else the newest.
    static func writeVersion(key: String, period: String, on db: Database) async throws -> SchemeVersion? {
        if let v = try await version(key: key, period: period, on: db) { return v }
        return try await SchemeVersion.query(on: db).filter(\.$key == key).sort(\.$version, .descending).first()
    }

    /// Serialises writers of one person's inputs inside a transaction: a row lock on PostgreSQL
    /// (SQLite has one writer at a time already).
    static func lockEmployee(_ id: UUID, on db: Database) async throws {
        let sql = try db.sql()
        guard sql.dialect.name != "sqlite" else { return }
        try await sql.raw("SELECT id FROM \(unsafeRaw: Employee.schema) WHERE id = \(bind: id) FOR UPDATE").run()
    }

    /// Moves the version of these people's open sheets in the period (every write to a sheet's
    /// inputs, by any path, does: a rater saving a sheet read before it gets a 409 naming who).
    static func touch(employees: [UUID], period: String, scheme: UUID, by user: User?, on db: Database) async throws {
        guard !employees.isEmpty else { return }
        let sql = try db.sql()
        let cycles = try await Cycle.query(on: db).filter(\.$period == period).filter(\.$scheme.$id == scheme).all().compactMap(\.id)
        guard !cycles.isEmpty else { return }
        var start = 0
        while start < employees.count {
            let chunk = Array(employees[start..<min(start + 500, employees.count)])
            try await sql.update(Sheet.schema)
                .set(SQLIdentifier("version"), to: SQLBinaryExpression(SQLIdentifier("version"), .add, SQLLiteral.numeric("1")))
                .set("updated_at", to: SQLBind(Date())).set("updated_by", to: SQLBind(user?.id))
                .where("employee_id", .in, SQLBind.group(chunk)).where("cycle_id", .in, SQLBind.group(cycles)).run()
            start += 500
        }
    }

    // MARK: the cycle flow's sheets

    /// The sheet with this id with its employee, its cycle and the cycle's scheme version loaded, or nil.
    static func sheetWithCycle(_ id: UUID, on db: Database) async throws -> Sheet? {
        try await Sheet.query(on: db).filter(\.$id == id).with(\.$employee).with(\.$cycle, { $0.with(\.$scheme) }).first()
    }

    /// The sheet with this id, or nil.
    static func sheet(_ id: UUID, on db: Database) async throws -> Sheet? {
        try await Sheet.find(id, on: db)
    }

    /// A cycle's sheets (not those withdrawn, issue 16 §4).
    static func sheets(cycle: UUID, on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$stage != .withdrawn).all()
    }

    /// A cycle's sheets at `stage`, with their employees loaded.
    static func sheetsWithEmployees(cycle: UUID, stage: SheetStage, on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$stage == stage).with(\.$employee).all()
    }

    /// How many of a cycle's sheets are at one of these stages.
    static func count(cycle: UUID, stages: [SheetStage], on db: Database) async throws -> Int {
        try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$stage ~~ stages).count()
    }

    /// A person's sheets in every cycle, with their cycles and employee loaded.
    static func sheetsWithCycles(employee: UUID, on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$employee.$id == employee).filter(\.$stage != .withdrawn).with(\.$cycle).with(\.$employee).all()
    }

    /// A cycle's sheet as a plain row with its person's 工号 and department (`sheetRows(cycle:)`).
    struct CycleSheetRow: Decodable { var stage: String; var employee_id: UUID; var rater_id: UUID?; var reviewer_id: UUID?; var number: String; var department_id: UUID }

    /// A cycle's sheets as plain rows with their people's 工号 and departments (a thousand Fluent
    /// sheets with their people took a third of a second).
    static func sheetRows(cycle: UUID, on db: Database) async throws -> [CycleSheetRow] {
        let sql = try db.sql()
        return try await sql.raw("""
            SELECT s.stage AS stage, s.employee_id AS employee_id, s.rater_id AS rater_id, s.reviewer_id AS reviewer_id, e.number AS number,
                   e.department_id AS department_id
            FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id WHERE s.cycle_id = \(bind: cycle)
              AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            """).all(decoding: CycleSheetRow.self)
    }

    /// A sheet an account has a part in, as a plain row with its person and its cycle's dates (`sheetRows(involving:employee:)`).
    struct InvolvedSheetRow: Decodable {
        var id: UUID; var stage: String; var employee_id: UUID; var rater_id: UUID?; var reviewer_id: UUID?
        var number: String; var name: String; var period: String
        var self_due: String; var rating_due: String; var review_due: String; var objections_close: String?
    }

    /// The sheets an account rates or reviews, and (given its employee) that person's own, as plain
    /// rows (a manager reviews a thousand sheets, which as Fluent models took 0.4 s).
    static func sheetRows(involving user: UUID, employee: UUID?, on db: Database) async throws -> [InvolvedSheetRow] {
        let sql = try db.sql()
        let mineClause: SQLQueryString = employee.map { "s.rater_id = \(bind: user) OR s.reviewer_id = \(bind: user) OR s.employee_id = \(bind: $0)" }
            ?? "s.rater_id = \(bind: user) OR s.reviewer_id = \(bind: user)"
        return try await sql.raw("""
            SELECT s.id AS id, s.stage AS stage, s.employee_id AS employee_id, s.rater_id AS rater_id, s.reviewer_id AS reviewer_id,
                   e.number AS number, e.name AS name, c.period AS period, c.self_due AS self_due, c.rating_due AS rating_due,
                   c.review_due AS review_due, c.objections_close AS objections_close
            FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Employee.schema) e ON e.id = s.employee_id
            JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id WHERE (\(mineClause)) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            """).all(decoding: InvolvedSheetRow.self)
    }

    /// How many sheets were claimed (0 or 1): the sheet moved from `version` to the next version at
    /// `stage` by `user`, with one UPDATE … WHERE version = ? (0: someone else changed it first).
    static func claim(_ id: UUID, version: Int, stage: SheetStage, by user: UUID?, on db: Database) async throws -> Int {
        let sql = try db.sql()
        struct Row: Decodable { var id: UUID }
        let rows = try await sql.update(Sheet.schema)
            .set("version", to: SQLBind(version + 1)).set("stage", to: SQLBind(stage)).set("updated_at", to: SQLBind(Date())).set("updated_by", to: SQLBind(user))
            .where("id", .equal, SQLBind(id)).where("version", .equal, SQLBind(version))
            .returning("id").all(decoding: Row.self)
        return rows.count
    }

    // MARK: steps

    /// A sheet's history, oldest step first.
    static func steps(of sheet: UUID, on db: Database) async throws -> [SheetStep] {
        try await SheetStep.query(on: db).filter(\.$sheet.$id == sheet).sort(\.$at).all()
    }

    /// A sheet's latest step, or nil.
    static func lastStep(of sheet: UUID, on db: Database) async throws -> SheetStep? {
        try await SheetStep.query(on: db).filter(\.$sheet.$id == sheet).sort(\.$at, .descending).first()
    }

    /// How many steps of this action a sheet's history has.
    static func stepCount(of sheet: UUID, action: String, on db: Database) async throws -> Int {
        try await SheetStep.query(on: db).filter(\.$sheet.$id == sheet).filter(\.$action == action).count()
    }
}

// The sheets' reads of homes, reports, scoring and re-scoring (with their steps and findings).
extension SheetStore {

    /// The sheets of the cycles of these periods, with their cycles loaded.
    static func sheetsWithCycles(periods: [String], on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).join(Cycle.self, on: \Sheet.$cycle.$id == \Cycle.$id).filter(Cycle.self, \.$period ~~ periods)
            .filter(\.$stage != .withdrawn).with(\.$cycle).all()
    }

    /// These people's sheets in these cycles that are at one of `stages`.
    static func sheets(cycles: [UUID], employees: Set<UUID>, stages: [SheetStage], on db: Database) async throws -> [Sheet] {
        try await Sheet.query(on: db).filter(\.$cycle.$id ~~ cycles).filter(\.$employee.$id ~~ employees)
            .filter(\.$stage ~~ stages).all()
    }

    /// The people with a sheet in a cycle of one scheme version in `period` (plain SQL, one row a sheet).
    static func employeesOnSheets(scheme: UUID, period: String, on db: Database) async throws -> [UUID] {
        let sql = try db.sql()
        struct OnSheet: Decodable { var employee_id: UUID }
        return try await sql.raw("""
            SELECT s.employee_id AS employee_id FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id
            WHERE c.scheme_id = \(bind: scheme) AND c.period = \(bind: period) AND s.stage <> \(bind: SheetStage.withdrawn.rawValue)
            """).all(decoding: OnSheet.self).map(\.employee_id)
    }

    /// The objections of these sheets and their outcomes (steps `object`, `uphold`, `change`), newest first.
    static func objectionSteps(sheets: [UUID], on db: Database) async throws -> [SheetStep] {
        try await SheetStep.query(on: db).filter(\.$sheet.$id ~~ sheets).filter(\.$action ~~ ["object", "uphold", "change"]).sort(\.$at, .descending).all()
    }
}
