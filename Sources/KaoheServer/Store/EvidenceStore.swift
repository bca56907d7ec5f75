import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// The evidence rows of a person's month (EvidenceEntry) kept in step with what is recorded.
enum EvidenceStore {
    /// The evidence rows of one person's month under one scheme version.
    static func entries(employee: UUID, scheme: UUID, period: String, on db: Database) async throws -> [EvidenceEntry] {
        try await EvidenceEntry.query(on: db).filter(\.$employee.$id == employee).filter(\.$scheme.$id == scheme).filter(\.$period == period).all()
    }

    /// The evidence of the periods before `cutoff`, with their employees loaded (the retention archive).
    static func entries(before cutoff: String, on db: Database) async throws -> [EvidenceEntry] {
        try await EvidenceEntry.query(on: db).filter(\.$period < cutoff).with(\.$employee).all()
    }

    /// The evidence of a sheet (its person, its cycle's scheme version and period), by column.
    static func values(of s: Sheet, on db: Database) async throws -> [String: String] {
        Dictionary(try await entries(of: s, on: db).map { ($0.column, $0.value) }, uniquingKeysWith: { $1 })
    }

    static func entries(of s: Sheet, on db: Database) async throws -> [EvidenceEntry] {
        try await entries(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db)
    }

    /// Sets the sheet's count for the column to the number of events in the period.
    static func recount(employee: Employee, scheme: SchemeVersion, period: String, column: String, on db: Database) async throws -> Int {
        let eid = try employee.requireID(), sid = try scheme.requireID()
        let n = try await EventRecord.query(on: db).filter(\.$employee.$id == eid).filter(\.$scheme.$id == sid)
            .filter(\.$period == period).filter(\.$column == column).count()
        if let e = try await EvidenceEntry.query(on: db).filter(\.$employee.$id == eid).filter(\.$scheme.$id == sid)
            .filter(\.$period == period).filter(\.$column == column).first() {
            e.value = String(n); e.recordedAt = Date()
            try await e.save(on: db)
        } else {
            try await EvidenceEntry(employeeId: eid, schemeId: sid, period: period, column: column, value: String(n), recordedBy: nil,
                                    note: "事件计数 count of events").save(on: db)
        }
        return n
    }
}

// The evidence reads of imports, their revert and scoring.
extension EvidenceStore {
    /// Everyone's evidence rows of one scheme version's month.
    static func entries(scheme: UUID, period: String, on db: Database) async throws -> [EvidenceEntry] {
        try await EvidenceEntry.query(on: db).filter(\.$scheme.$id == scheme).filter(\.$period == period).all()
    }

    /// The evidence row with this id with its employee loaded, or nil.
    static func entryWithEmployee(_ id: UUID, on db: Database) async throws -> EvidenceEntry? {
        try await EvidenceEntry.query(on: db).filter(\.$id == id).with(\.$employee).first()
    }

    /// One evidence value as a plain row: whose, which column.
    struct PlainValue: Decodable, Sendable { var employee_id: UUID; var column: String; var value: String }

    /// The evidence values of one scheme version's month as plain rows (tens of thousands of Fluent
    /// models with eager loading took seconds): only these people's, or (nil) everyone's.
    static func plainValues(scheme: UUID, period: String, employees: [UUID]?, on db: Database) async throws -> [PlainValue] {
        let sql = try db.sql()
        var query = sql.select().columns("employee_id", "column", "value").from(EvidenceEntry.schema)
            .where("scheme_id", .equal, SQLBind(scheme)).where("period", .equal, SQLBind(period))
        if let employees { query = query.where("employee_id", .in, SQLBind.group(employees)) }
        return try await query.all(decoding: PlainValue.self)
    }

    /// One evidence value as a plain row: whose, which month and scheme version, which column.
    struct PlainEntry: Decodable, Sendable { var employee_id: UUID; var period: String; var scheme_id: UUID; var column: String; var value: String }

    /// The evidence values under these scheme versions in these periods as plain rows (read six
    /// periods at a time).
    static func plainEntries(schemes: [UUID], periods: [String], on db: Database) async throws -> [PlainEntry] {
        let sql = try db.sql()
        var entries: [PlainEntry] = []
        for chunk in stride(from: 0, to: periods.count, by: 6).map({ Array(periods[$0..<min($0 + 6, periods.count)]) }) {
            entries += try await sql.select().columns("employee_id", "period", "scheme_id", "column", "value").from(EvidenceEntry.schema)
                .where("scheme_id", .in, SQLBind.group(schemes)).where("period", .in, SQLBind.group(chunk)).all(decoding: PlainEntry.self)
        }
        return entries
    }
}
