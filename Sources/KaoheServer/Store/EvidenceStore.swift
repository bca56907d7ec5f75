import Fluent
import Foundation
import KaoheCore
import Vapor

/// The evidence rows of a person's month (EvidenceEntry) kept in step with what is recorded.
enum EvidenceStore {
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
