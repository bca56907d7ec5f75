import Fluent
import Foundation
import Vapor

/// The organisation's queries: employees, departments and teams (HR's pages and API, the scope
/// checks of accounts, the lookups of every write path). The viewer-scoped reads are in `Queries`.
package enum PeopleStore {
    // MARK: employees

    /// The employee with this id, or nil.
    static func employee(_ id: UUID, on db: Database) async throws -> Employee? {
        try await Employee.find(id, on: db)
    }

    /// The employee with this id with their department and team loaded, or nil.
    static func employeeWithUnits(_ id: UUID, on db: Database) async throws -> Employee? {
        try await Employee.query(on: db).filter(\.$id == id).with(\.$department).with(\.$team).first()
    }

    /// The employee with this 工号, or nil.
    static func employee(number: String, on db: Database) async throws -> Employee? {
        try await Employee.query(on: db).filter(\.$number == number).first()
    }

    /// The leavers (status `left`), for the January clean-up of numbers (R-002-35).
    static func leavers(on db: Database) async throws -> [Employee] {
        try await Employee.query(on: db).filter(\.$status == .left).all()
    }

    /// Every 工号 in use (a leaver's freed `number@year` included).
    package static func numbers(on db: Database) async throws -> Set<String> {
        Set(try await Employee.query(on: db).all().map(\.number))
    }

    /// One page (100 a page) of HR's people list, in 工号 order, with department and team loaded, and
    /// the number of people matching: a department, a status (`all` for any), and `search` in the
    /// 工号 or the name.
    static func page(search q: String, department dept: UUID?, status: String, page: Int, on db: Database) async throws -> (total: Int, list: [Employee]) {
        let query = Employee.query(on: db).with(\.$department).with(\.$team).sort(\.$number)
        if let dept { query.filter(\.$department.$id == dept) }
        if status != "all" {
            // a status the list does not know matches no one
            guard let s = EmployeeStatus(rawValue: status) else { return (0, []) }
            query.filter(\.$status == s)
        }
        if !q.isEmpty { query.group(.or) { $0.filter(\.$number, .custom("LIKE"), "%\(q)%").filter(\.$name, .custom("LIKE"), "%\(q)%") } }
        let total = try await query.count()
        let list = try await query.range(((page - 1) * 100)..<(page * 100)).all()
        return (total, list)
    }

    /// The ids of these employees (of one department), in 工号 order.
    static func employeeIds(_ ids: Set<UUID>, department: UUID?, on db: Database) async throws -> [UUID] {
        let q = Employee.query(on: db).filter(\.$id ~~ ids).sort(\.$number)
        if let department { q.filter(\.$department.$id == department) }
        return try await q.all(\.$id)
    }

    /// The first `limit` of these employees, in 工号 order.
    static func employees(_ ids: Set<UUID>, limit: Int, on db: Database) async throws -> [Employee] {
        try await Employee.query(on: db).filter(\.$id ~~ ids).sort(\.$number).range(..<limit).all()
    }

    /// Every employee (any status), unsorted.
    static func employees(on db: Database) async throws -> [Employee] {
        try await Employee.query(on: db).all()
    }

    /// The active employees (of one department), unsorted.
    static func activeEmployees(department: UUID?, on db: Database) async throws -> [Employee] {
        let q = Employee.query(on: db).filter(\.$status == .active)
        if let department { q.filter(\.$department.$id == department) }
        return try await q.all()
    }

    /// The ids of a department's employees (any status).
    static func employeeIds(department: UUID, on db: Database) async throws -> [UUID] {
        try await Employee.query(on: db).filter(\.$department.$id == department).all(\.$id)
    }

    // MARK: departments

    /// The department with this id, or nil.
    static func department(_ id: UUID, on db: Database) async throws -> Department? {
        try await Department.find(id, on: db)
    }

    /// The department whose code or name is `code`, or nil.
    static func department(codeOrName code: String, on db: Database) async throws -> Department? {
        try await Department.query(on: db).group(.or, { $0.filter(\.$code == code).filter(\.$name == code) }).first()
    }

    /// Every department, by code.
    static func departments(on db: Database) async throws -> [Department] {
        try await Department.query(on: db).sort(\.$code).all()
    }

    /// How many departments have this name or this code.
    static func departmentCount(name: String, code: String, on db: Database) async throws -> Int {
        try await Department.query(on: db).group(.or, { $0.filter(\.$name == name).filter(\.$code == code) }).count()
    }

    // MARK: teams

    /// The team with this id, or nil.
    static func team(_ id: UUID, on db: Database) async throws -> Team? {
        try await Team.find(id, on: db)
    }

    /// Every team, unsorted.
    static func teams(on db: Database) async throws -> [Team] {
        try await Team.query(on: db).all()
    }

    /// The teams with these ids.
    static func teams(_ ids: Set<UUID>, on db: Database) async throws -> [Team] {
        try await Team.query(on: db).filter(\.$id ~~ ids).all()
    }

    /// A department's teams, by name.
    static func teams(department: UUID, on db: Database) async throws -> [Team] {
        try await Team.query(on: db).filter(\.$department.$id == department).sort(\.$name).all()
    }

    /// Every team with its department loaded, by name.
    static func teamsWithDepartments(on db: Database) async throws -> [Team] {
        try await Team.query(on: db).with(\.$department).sort(\.$name).all()
    }

    /// How many teams of the department have this name.
    static func teamCount(department: UUID, name: String, on db: Database) async throws -> Int {
        try await Team.query(on: db).filter(\.$department.$id == department).filter(\.$name == name).count()
    }
}

// The organisation's reads of imports, homes, scoring and the import revert.
extension PeopleStore {
    /// Every employee, in no particular order (the lookups by 工号 of the imports).
    static func everyEmployee(on db: Database) async throws -> [Employee] {
        try await Employee.query(on: db).all()
    }

    /// Every department, in no particular order.
    static func everyDepartment(on db: Database) async throws -> [Department] {
        try await Department.query(on: db).all()
    }

    /// Every team, in no particular order.
    static func everyTeam(on db: Database) async throws -> [Team] {
        try await Team.query(on: db).all()
    }

    /// How many employees are active (not left).
    static func activeCount(on db: Database) async throws -> Int {
        try await Employee.query(on: db).filter(\.$status == .active).count()
    }

    /// How many departments there are (0: an empty company).
    package static func departmentCount(on db: Database) async throws -> Int {
        try await Department.query(on: db).count()
    }

    /// The employees with these ids with their teams loaded (those that exist).
    static func employeesWithTeams<C: Collection>(_ ids: C, on db: Database) async throws -> [Employee] where C.Element == UUID {
        try await Employee.query(on: db).filter(\.$id ~~ ids).with(\.$team).all()
    }

    /// The teams with one of these names (in any department).
    static func teams(named names: Set<String>, on db: Database) async throws -> [Team] {
        try await Team.query(on: db).filter(\.$name ~~ names).all()
    }

    /// The ids of the members of these teams.
    static func memberIds(teams: [UUID], on db: Database) async throws -> [UUID] {
        try await Employee.query(on: db).filter(\.$team.$id ~~ teams).all().compactMap(\.id)
    }

    /// How many records refer to a person: their evidence, events, results and accounts, and the
    /// people whose superior they are (0: nothing would be left dangling by removing them).
    static func referenceCount(_ id: UUID, on db: Database) async throws -> Int {
        try await EvidenceEntry.query(on: db).filter(\.$employee.$id == id).count()
            + EventRecord.query(on: db).filter(\.$employee.$id == id).count()
            + StoredResult.query(on: db).filter(\.$employee.$id == id).count()
            + User.query(on: db).filter(\.$employee.$id == id).count()
            + Employee.query(on: db).filter(\.$superiorId == id).count()
    }
}
