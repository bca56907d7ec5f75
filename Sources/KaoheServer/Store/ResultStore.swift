import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// Whether a stored result counts (R-100-01): a draft until its sheet is published; then
/// published, and locked with its period.
enum ResultStatus: String, Codable, Sendable, CaseIterable {
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
        guard let sql = self as? SQLDatabase else { throw KaoheError.internalFault("服务器内部错误 internal error: the database does not speak SQL") }
        return sql
    }
}

/// Every SQL statement on stored results (the results spine, issue 14 §7).
enum ResultStore {

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
            throw KaoheError.internalFault("存储的考核结果无法读取 stored result \(name) cannot be read: \(error)")
        }
    }
}
