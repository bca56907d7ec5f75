import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// Whether a stored result counts (R-100-01): a draft until its sheet is published; then
/// published, and locked with its period.
package enum ResultStatus: String, Codable, Sendable, CaseIterable {
    case draft, published, locked

    /// The statuses that count in rankings, boards, statistics, eligibility, homes and payroll.
    static let counted: [ResultStatus] = [.published, .locked]
    /// The same, as the column holds them (for SQL).
    static let countedNames: [String] = counted.map(\.rawValue)

    /// The status a sheet at `stage` gives its result.
    init(stage: SheetStage?) {
        switch stage {
        case .locked?: self = .locked
        case let s? where s.isClosed: self = .published
        default: self = .draft
        }
    }

    var label: String {
        switch self {
        case .draft: return "未发布"
        case .published: return "已发布"
        case .locked: return "已锁定"
        }
    }
}

extension Database {
    /// The SQL side of the database — both drivers Kaohe runs on (SQLite, PostgreSQL) have one;
    /// every store reaches SQL through here, so a database without it fails the same way everywhere.
    func sql() throws -> SQLDatabase {
        guard let sql = self as? SQLDatabase else { throw KaoheError.internalFault("服务器内部错误", en: "internal error: the database does not speak SQL") }
        return sql
    }
}

/// Every SQL statement on stored results (the results spine, issue 14 §7).
package enum ResultStore {

    /// Sets the status of the results of these sheets' people in the cycle's scheme version and period.
    static func mark(_ status: ResultStatus, cycle c: Cycle, employees: [UUID], on db: Database) async throws {
        guard !employees.isEmpty else { return }
        let sql = try db.sql()
        var start = 0
        while start < employees.count {
            let chunk = Array(employees[start..<min(start + 500, employees.count)])
            try await sql.update(StoredResult.schema).set("status", to: SQLBind(status.rawValue))
                .where("scheme_id", .equal, SQLBind(c.$scheme.id)).where("period", .equal, SQLBind(c.period))
                .where("employee_id", .in, SQLBind.group(chunk)).run()
            start += 500
        }
    }

    /// The status new results of these people get from their sheets (a result stored after its
    /// sheet was published, as by a correction, keeps counting).
    static func statuses(scheme: UUID, period: String, employees: [UUID], on db: Database) async throws -> [UUID: ResultStatus] {
        var out: [UUID: ResultStatus] = [:]
        for (e, stage) in try await SheetStore.stages(scheme: scheme, period: period, employees: employees, on: db) {
            out[e] = ResultStatus(stage: stage)
        }
        return out
    }

    /// A person's results, newest first; only counted ones unless `drafts`.
    static func results(of employee: UUID, drafts: Bool, on db: Database) async throws -> [StoredResult] {
        let q = StoredResult.query(on: db).filter(\.$employee.$id == employee).sort(\.$period, .descending).with(\.$scheme)
        if !drafts { q.filter(\.$status ~~ ResultStatus.counted) }
        return try await q.all()
    }

    /// The latest period with a counted result (optionally of these scheme versions).
    static func latestCountedPeriod(schemes: [UUID]? = nil, on db: Database) async throws -> String? {
        let q = StoredResult.query(on: db).filter(\.$status ~~ ResultStatus.counted).sort(\.$period, .descending)
        if let schemes { q.filter(\.$scheme.$id ~~ schemes) }
        return try await q.first()?.period
    }

    /// A person's stored result of one scheme version and period (any status), or nil.
    static func result(employee: UUID, scheme: UUID, period: String, on db: Database) async throws -> StoredResult? {
        try await StoredResult.query(on: db).filter(\.$employee.$id == employee)
            .filter(\.$scheme.$id == scheme).filter(\.$period == period).first()
    }

    /// The latest period with a stored result (any status) of one scheme version.
    static func latestPeriod(scheme: UUID, on db: Database) async throws -> String? {
        try await StoredResult.query(on: db).filter(\.$scheme.$id == scheme).sort(\.$period, .descending).first()?.period
    }

    /// The results of the periods before `cutoff`, with their employees and scheme versions loaded (the retention archive).
    static func results(before cutoff: String, on db: Database) async throws -> [StoredResult] {
        try await StoredResult.query(on: db).filter(\.$period < cutoff).with(\.$employee).with(\.$scheme).all()
    }

    /// The stored sheet of a result, read as the engine wrote it; a result that cannot be read is an
    /// error naming it, never a skipped row (issue 14 §1).
    static func sheet(_ r: StoredResult, employee: String? = nil) throws -> SheetResult {
        let name = "\(employee ?? r.$employee.id.uuidString) \(r.period) (result \(r.id?.uuidString ?? "?"))"
        do { return try SheetResult.decodeStored(r.json, name: name) } catch {
            throw KaoheError.internalFault("存储的考核结果 \(name) 无法读取：\(error)", en: "stored result \(name) cannot be read: \(error)")
        }
    }
}

// The results' reads of re-scoring, outcomes, homes, exports and the import benchmark.
extension ResultStore {
    /// The stored results (any status) of one scheme version's month: everyone's, or only these people's.
    static func results(scheme: UUID, period: String, employees: Set<UUID>?, on db: Database) async throws -> [StoredResult] {
        let q = StoredResult.query(on: db).filter(\.$scheme.$id == scheme).filter(\.$period == period)
        if let employees { q.filter(\.$employee.$id ~~ employees) }
        return try await q.all()
    }

    /// The counted results of these periods (only these people's, if given), with their scheme
    /// versions and their people with departments and teams loaded.
    static func countedResultsWithPeople(periods: [String], employees: Set<UUID>?, on db: Database) async throws -> [StoredResult] {
        let q = StoredResult.query(on: db).filter(\.$period ~~ periods).filter(\.$status ~~ ResultStatus.counted).with(\.$scheme)
            .with(\.$employee) { $0.with(\.$department).with(\.$team) }
        if let employees { q.filter(\.$employee.$id ~~ employees) }
        return try await q.all()
    }

    /// How many results (any status) are stored under the versions of scheme `key`.
    package static func count(schemeKey key: String, on db: Database) async throws -> Int {
        try await StoredResult.query(on: db).join(SchemeVersion.self, on: \StoredResult.$scheme.$id == \SchemeVersion.$id)
            .filter(SchemeVersion.self, \.$key == key).count()
    }

    /// A counted result as a plain row, without its sheet's JSON.
    struct PlainRow: Decodable, Sendable { var id: UUID; var employee_id: UUID; var scheme_id: UUID; var period: String; var total: String; var grade: String? }

    /// The counted results of these periods as plain rows (a year of a 1,156-person department is
    /// 112 MB of sheets' JSON): everyone's, or only the people of one department.
    static func plainCounted(periods: [String], department: UUID?, on db: Database) async throws -> [PlainRow] {
        let sql = try db.sql()
        // published and locked results only (R-100-01)
        let q = sql.select().columns("id", "employee_id", "scheme_id", "period", "total", "grade").from(StoredResult.schema)
            .where("period", .in, SQLBind.group(periods)).where("status", .in, SQLBind.group(ResultStatus.countedNames))
        if let department {
            // a manager's department only (the company's year is twice the rows to decode)
            q.where("employee_id", .in, SQLSubquery.select { $0.column("id").from(Employee.schema).where("department_id", .equal, SQLBind(department)) })
        }
        return try await q.all(decoding: PlainRow.self)
    }

    /// A counted result of a home's ranking as a plain row: whose, which month and version, total and grade.
    struct LatestRow: Decodable, Sendable { var employee_id: UUID; var period: String; var total: String; var grade: String?; var scheme_id: UUID }

    /// The counted results of the latest month with counted results among these people, as plain
    /// rows; read a thousand people at a time, each thousand's own latest month (the caller keeps
    /// the latest of all).
    static func latestCountedMonthRows(employees ids: [UUID], on db: Database) async throws -> [LatestRow] {
        let sql = try db.sql()
        struct MaxPeriod: Decodable { var period: String? }
        var rows: [LatestRow] = []
        for chunk in stride(from: 0, to: ids.count, by: 1000).map({ Array(ids[$0..<min($0 + 1000, ids.count)]) }) {
            let latest = try await sql.select().column(SQLAlias(SQLFunction("MAX", args: SQLColumn("period")), as: SQLIdentifier("period"))).from(StoredResult.schema)
                .where("employee_id", .in, SQLBind.group(chunk)).where("status", .in, SQLBind.group(ResultStatus.countedNames)).first(decoding: MaxPeriod.self)
            if let p = latest?.period {
                rows += try await sql.select().columns("employee_id", "period", "total", "grade", "scheme_id").from(StoredResult.schema)
                    .where("employee_id", .in, SQLBind.group(chunk)).where("period", .equal, SQLBind(p))
                    .where("status", .in, SQLBind.group(ResultStatus.countedNames)).all(decoding: LatestRow.self)
            }
        }
        return rows
    }

    /// A counted result's total with its person's department.
    struct DepartmentTotal: Decodable, Sendable { var department_id: UUID; var total: String }

    /// Every counted result's total in `period`, with its person's department.
    static func departmentTotals(period: String, on db: Database) async throws -> [DepartmentTotal] {
        let sql = try db.sql()
        return try await sql.raw("""
            SELECT e.department_id AS department_id, r.total AS total FROM \(unsafeRaw: StoredResult.schema) r
            JOIN \(unsafeRaw: Employee.schema) e ON e.id = r.employee_id WHERE r.period = \(bind: period) AND r.status IN ('published', 'locked')
            """).all(decoding: DepartmentTotal.self)
    }

    /// A counted result as a plain row: whose, which month and version, which status.
    struct CountedRow: Decodable, Sendable { var employee_id: UUID; var period: String; var scheme_id: UUID; var status: String }

    /// The counted results under these scheme versions of the months up to `last`, as plain rows.
    static func countedRows(schemes: [UUID], upTo last: String, on db: Database) async throws -> [CountedRow] {
        let sql = try db.sql()
        return try await sql.select().columns("employee_id", "period", "scheme_id", "status").from(StoredResult.schema)
            .where("scheme_id", .in, SQLBind.group(schemes)).where("status", .in, SQLBind.group(ResultStatus.countedNames))
            .where("period", .lessThanOrEqual, SQLBind(last)).all(decoding: CountedRow.self)
    }

    /// A scheme version and month with results.
    struct LegacyMonth: Decodable, Sendable { var scheme_id: UUID; var period: String }

    /// The scheme versions and months with results stored before the typed form (the `kaohe score`
    /// JSON of earlier versions), each once.
    static func legacyMonths(on db: Database) async throws -> [LegacyMonth] {
        let sql = try db.sql()
        // the typed form's keys are sorted: it begins with "complete"
        return try await sql.select().distinct().columns("scheme_id", "period").from(StoredResult.schema)
            .where(SQLColumn("json"), .notLike, SQLBind("{\"complete\"%")).all(decoding: LegacyMonth.self)
    }
}
