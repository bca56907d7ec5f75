import Fluent
import Foundation
import KaoheCore
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
