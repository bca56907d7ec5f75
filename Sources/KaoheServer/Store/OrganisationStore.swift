import Fluent
import Foundation
import Vapor

// HR's organisation pages (issue 16 §1): the checks of a new or renamed department or team,
// who leads which team, the people of a team, the people without an account.
extension PeopleStore {
    /// Another department (not `except`) with this name or this code, or nil.
    static func departmentClash(name: String, code: String, except: UUID?, on db: Database) async throws -> Department? {
        let q = Department.query(on: db).group(.or, { $0.filter(\.$name == name).filter(\.$code == code) })
        if let except { q.filter(\.$id != except) }
        return try await q.first()
    }

    /// Another team (not `except`) of the department with this name, or nil.
    static func teamClash(department: UUID, name: String, except: UUID?, on db: Database) async throws -> Team? {
        let q = Team.query(on: db).filter(\.$department.$id == department).filter(\.$name == name)
        if let except { q.filter(\.$id != except) }
        return try await q.first()
    }

    /// The team this person leads, or nil.
    static func team(ledBy employee: UUID, on db: Database) async throws -> Team? {
        try await Team.query(on: db).filter(\.$leaderId == employee).first()
    }

    /// The members of a team (any status).
    static func members(team: UUID, on db: Database) async throws -> [Employee] {
        try await Employee.query(on: db).filter(\.$team.$id == team).all()
    }

    /// The active employees of a department and/or a team (nil: any), in 工号 order.
    static func activeEmployees(department: UUID?, team: UUID?, on db: Database) async throws -> [Employee] {
        let q = Employee.query(on: db).filter(\.$status == .active).sort(\.$number)
        if let department { q.filter(\.$department.$id == department) }
        if let team { q.filter(\.$team.$id == team) }
        return try await q.all()
    }

    /// How many records use a team: its members and the accounts scoped to it (0: a roster
    /// import that created it may remove it on revert).
    static func teamReferenceCount(_ id: UUID, on db: Database) async throws -> Int {
        try await Employee.query(on: db).filter(\.$team.$id == id).count()
            + User.query(on: db).filter(\.$team.$id == id).count()
    }

    /// How many records use a department: its people, teams, accounts, schemes and cycles.
    static func departmentReferenceCount(_ id: UUID, on db: Database) async throws -> Int {
        try await Employee.query(on: db).filter(\.$department.$id == id).count()
            + Team.query(on: db).filter(\.$department.$id == id).count()
            + User.query(on: db).filter(\.$department.$id == id).count()
            + SchemeVersion.query(on: db).filter(\.$department.$id == id).count()
            + Cycle.query(on: db).filter(\.$department.$id == id).count()
    }

    /// Every employee with their department and team loaded, in 工号 order (the account pages' lists).
    static func employeesWithUnits(on db: Database) async throws -> [Employee] {
        try await Employee.query(on: db).with(\.$department).with(\.$team).sort(\.$number).all()
    }
}

// The accounts' reads of HR's organisation and account pages.
extension AccountStore {
    /// The accounts scoped to this team.
    static func users(team: UUID, on db: Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$team.$id == team).all()
    }
}
