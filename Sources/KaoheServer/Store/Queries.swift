import Fluent
import Foundation
import SQLKit
import Vapor

/// Queries the controllers and the tests call directly (no HTTP).
enum Queries {
    /// The employees a viewer may see (the permission matrix of `Access.canView`).
    static func visibleEmployees(_ v: Viewer, on db: Database) async throws -> [Employee] {
        let q = Employee.query(on: db).sort(\.$number)
        switch v.role {
        case .hr: break
        case .manager:
            guard let d = v.departmentId else { return [] }
            q.filter(\.$department.$id == d)
        case .lead:
            guard let t = v.teamId else { return try await own(v, db) }
            q.group(.or) { g in
                g.filter(\.$team.$id == t)
                if let e = v.employeeId { g.filter(\.$id == e) }
            }
        case .qa, .agent: return try await own(v, db)
        }
        return try await q.all()
    }

    private static func own(_ v: Viewer, _ db: Database) async throws -> [Employee] {
        guard let e = v.employeeId else { return [] }
        return try await Employee.query(on: db).filter(\.$id == e).all()
    }

    /// An employee the viewer may see: 404 when unknown, 403 when not theirs (nothing else said).
    static func employee(_ id: UUID?, for v: Viewer, on db: Database) async throws -> Employee {
        guard let id, let e = try await Employee.find(id, on: db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }
        guard Access.canView(v, e.subject) else { throw KaoheError.forbidden("无权查看", en: "not allowed") }
        return e
    }

    /// Each employee's latest stored result (period, total) in one query of plain rows (the home
    /// page of HR and the star board listed one query per employee).
    /// Published and locked results only (R-100-01); `upTo` a month, the latest up to it.
    static func latestTotals(_ ids: [UUID], upTo: String? = nil, on db: Database) async throws -> [UUID: (period: String, total: String)] {
        guard !ids.isEmpty else { return [:] }
        let sql = try db.sql()
        // each one's latest month from the index alone, then only those months' totals (reading every
        // month's row of a thousand people took a sixth of the star board's time)
        struct Latest: Decodable { var employee_id: UUID; var period: String }
        struct Row: Decodable { var employee_id: UUID; var period: String; var total: String }
        var out: [UUID: (period: String, total: String)] = [:]
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 1000, ids.count)])
            var q = sql.select().column("employee_id").column(SQLAlias(SQLFunction("MAX", args: SQLColumn("period")), as: SQLIdentifier("period")))
                .from(StoredResult.schema).where("employee_id", .in, SQLBind.group(chunk)).where("status", .in, SQLBind.group(ResultStatus.countedNames))
            if let upTo { q = q.where("period", .lessThanOrEqual, SQLBind(upTo)) }
            let latest = try await q.groupBy("employee_id").all(decoding: Latest.self)
            let want = Dictionary(latest.map { ($0.employee_id, $0.period) }, uniquingKeysWith: { a, _ in a })
            let periods = Array(Set(latest.map(\.period)))
            if !periods.isEmpty {
                let rows = try await sql.select().columns("employee_id", "period", "total").from(StoredResult.schema)
                    .where("employee_id", .in, SQLBind.group(chunk)).where("period", .in, SQLBind.group(periods))
                    .where("status", .in, SQLBind.group(ResultStatus.countedNames)).all(decoding: Row.self)
                for r in rows where want[r.employee_id] == r.period { out[r.employee_id] = (r.period, r.total) }
            }
            start += 1000
        }
        return out
    }

    /// The people with a row in `table` (results, evidence) for these periods and scheme versions:
    /// one `SELECT DISTINCT` (Fluent's `.all(\.$employee.$id)` loaded every row whole, each
    /// result with its sheet's JSON — a year of a large department took a second).
    static func employeeIds(in table: String, periods: [String], schemes: [UUID]? = nil, countedOnly: Bool = false, on db: Database) async throws -> Set<UUID> {
        guard !periods.isEmpty else { return [] }
        let sql = try db.sql()
        struct Row: Decodable { var employee_id: UUID }
        var q = sql.select().distinct().column("employee_id").from(table).where("period", .in, SQLBind.group(periods))
        // results: only the published and locked ones count (R-100-01)
        if countedOnly { q = q.where("status", .in, SQLBind.group(ResultStatus.countedNames)) }
        if let schemes { q = q.where("scheme_id", .in, SQLBind.group(schemes)) }
        return Set(try await q.all(decoding: Row.self).map(\.employee_id))
    }

    /// Employees as plain rows, with their department and team attached: a thousand Fluent models
    /// decoded by reflection took a quarter of a second. `ids` nil: the department's (or everyone).
    static func plainEmployees(ids: Set<UUID>? = nil, department: UUID? = nil, on db: Database) async throws -> [Employee] {
        let sql = try db.sql()
        struct Row: Decodable {
            var id: UUID; var number: String; var name: String; var position: String; var hire_date: String; var status: EmployeeStatus
            var department_id: UUID; var team_id: UUID?; var level: String?; var star: Int?; var superior_id: UUID?; var probation_end: String?
        }
        let departments = Dictionary(try await Department.query(on: db).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let teams = Dictionary(try await Team.query(on: db).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [Row] = []
        func query() -> SQLSelectBuilder {
            sql.select().columns("id", "number", "name", "position", "hire_date", "status", "department_id", "team_id", "level", "star", "superior_id", "probation_end")
                .from(Employee.schema)
        }
        if let ids {
            let list = Array(ids)
            for start in stride(from: 0, to: list.count, by: 1000) {
                rows += try await query().where("id", .in, SQLBind.group(Array(list[start..<min(start + 1000, list.count)]))).all(decoding: Row.self)
            }
        } else if let department {
            rows = try await query().where("department_id", .equal, SQLBind(department)).all(decoding: Row.self)
        } else {
            rows = try await query().all(decoding: Row.self)
        }
        return rows.sorted { $0.number < $1.number }.compactMap { r in
            guard let d = departments[r.department_id] else { return nil }
            let e = Employee(id: r.id, number: r.number, name: r.name, position: r.position, hireDate: r.hire_date, departmentId: r.department_id, teamId: r.team_id)
            e.status = r.status; e.level = r.level; e.star = r.star; e.superiorId = r.superior_id; e.probationEnd = r.probation_end
            e.$department.value = d
            e.$team.value = r.team_id.flatMap { teams[$0] }
            return e
        }
    }
}
