import Fluent
import Foundation
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
        guard let id, let e = try await Employee.find(id, on: db) else { throw Abort(.notFound, reason: "没有这个员工 no such employee") }
        guard Access.canView(v, e.subject) else { throw Abort(.forbidden, reason: "无权查看 not allowed") }
        return e
    }

    static func results(of e: Employee, on db: Database) async throws -> [StoredResult] {
        try await StoredResult.query(on: db).filter(\.$employee.$id == e.requireID()).sort(\.$period, .descending).with(\.$scheme).all()
    }
}
