import Fluent
import Foundation
import Vapor

/// The accountability findings' queries (R-001-15): a finding, a sheet's, those charged to a rater
/// in a period.
enum FindingStore {
    /// The finding with this id, or nil.
    static func finding(_ id: UUID, on db: Database) async throws -> Finding? {
        try await Finding.find(id, on: db)
    }

    /// The findings raised on a sheet.
    static func findings(sheet: UUID, on db: Database) async throws -> [Finding] {
        try await Finding.query(on: db).filter(\.$sheet.$id == sheet).all()
    }

    /// The findings charged to an employee as a rater in `period`, whatever their status.
    static func findings(rater employee: UUID, period: String, on db: Database) async throws -> [Finding] {
        try await Finding.query(on: db).filter(\.$raterEmployeeId == employee).filter(\.$period == period).all()
    }

    /// The applied findings charged to an employee as a rater in `period`: the deductions from their own result.
    static func applied(rater employee: UUID, period: String, on db: Database) async throws -> [Finding] {
        try await Finding.query(on: db).filter(\.$raterEmployeeId == employee).filter(\.$period == period).filter(\.$status == .applied).all()
    }

    /// The accountability deductions (findings) applied in any of these periods.
    static func applied(periods: [String], on db: Database) async throws -> [Finding] {
        try await Finding.query(on: db).filter(\.$period ~~ periods).filter(\.$status == .applied).all()
    }
}
