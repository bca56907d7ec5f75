import Fluent
import Foundation
import KaoheCore
import Vapor

/// Accounts for the people on the roster (issue 16 §1), made by HR in the browser: one at a time
/// or for everyone of a department or team who has none. Each gets a one-time password from the
/// system's secure random source (`Accounts.randomPassword`), returned once to be shown or
/// printed and never stored but as its bcrypt hash; the account must choose its own password at
/// first sign-in (`must_change_password`, M012). Audited as permission changes, as the API does.
enum AccountProvisioning {
    /// One account made: what the password sheet shows.
    struct Issued: Sendable {
        var number: String
        var name: String
        var username: String
        var password: String
        var role: Role
    }

    /// Hashes a password (the request's hasher, off the event loop).
    typealias Hasher = @Sendable (String) async throws -> String

    /// The user name a person's account gets: their 工号, else the 工号 with -2, -3 … when taken.
    static func username(for e: Employee, taken: Set<String>) -> String {
        let base = e.number.lowercased()
        if !taken.contains(base) { return base }
        var k = 2
        while taken.contains("\(base)-\(k)") { k += 1 }
        return "\(base)-\(k)"
    }

    /// The scope a role takes from the person's record: a lead their team, a manager their
    /// department, an agent or QA inspector themself (with their team and department).
    static func scope(_ role: Role, of e: Employee) throws -> (employee: UUID?, team: UUID?, department: UUID?) {
        switch role {
        case .hr: return (e.id, nil, nil)
        case .manager: return (e.id, nil, e.$department.id)
        case .lead:
            guard let t = e.$team.id else { throw FormProblem("role", "\(e.name) 不在任何班组，不能做组长：请先调入班组") }
            return (e.id, t, e.$department.id)
        case .agent, .qa: return (e.id, e.$team.id, e.$department.id)
        }
    }

    /// An account for one person (who has none yet).
    static func create(for employee: UUID?, username rawName: String, role rawRole: String, user: User, hash: Hasher, db: Database) async throws -> Issued {
        guard let employee, let e = try await PeopleStore.employee(employee, on: db) else { throw FormProblem("employee", "请选择员工") }
        guard e.status == .active else { throw FormProblem("employee", "\(e.name) 已离职，不能创建账号") }
        guard try await AccountStore.user(employee: employee, on: db) == nil else {
            throw FormProblem("employee", "\(e.name)（\(e.number)）已有账号", status: .conflict)
        }
        guard let role = Role(rawValue: rawRole) else { throw FormProblem("role", "请选择角色：\(Role.allCases.map(\.label).joined(separator: "、"))") }
        let typed = rawName.trimmingCharacters(in: .whitespaces)
        let name = typed.isEmpty ? e.number.lowercased() : typed
        guard name.wholeMatch(of: /[a-zA-Z0-9_.-]{2,40}/) != nil else { throw FormProblem("username", "用户名须为 2–40 个英文字母、数字或 _.-") }
        guard try await AccountStore.count(username: name, on: db) == 0 else { throw FormProblem("username", "用户名“\(name)”已被使用", status: .conflict) }
        let s = try scope(role, of: e)
        let password = Accounts.randomPassword()
        let u = User(username: name, displayName: e.name, passwordHash: try await hash(password), role: role,
                     employeeId: s.employee, teamId: s.team, departmentId: s.department, mustChangePassword: true)
        try await db.writeTransaction { db in
            try await u.save(on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "permission", id: u.username, after: UserController.scopeText(u),
                                   reason: "为 \(e.number) 创建账号")
        }
        return Issued(number: e.number, name: e.name, username: name, password: password, role: role)
    }

    /// The active people of a department and/or team (nil: everyone) who have no account yet.
    static func withoutAccount(department: UUID?, team: UUID?, db: Database) async throws -> [Employee] {
        let people = try await PeopleStore.activeEmployees(department: department, team: team, on: db)
        let have = Set(try await AccountStore.users(employees: Set(people.compactMap(\.id)), on: db).compactMap { $0.$employee.id })
        return people.filter { !have.contains($0.id!) && !$0.number.contains("@") }
    }

    /// An agent's account for each of these people, all in one transaction (none if one fails).
    static func createAll(_ people: [Employee], user: User, hash: Hasher, db: Database) async throws -> [Issued] {
        var taken = Set(try await AccountStore.allUsers(on: db).map { $0.username.lowercased() })
        var made: [(User, Issued)] = []
        for e in people {
            let name = username(for: e, taken: taken)
            taken.insert(name)
            let password = Accounts.randomPassword()
            let s = try scope(.agent, of: e)
            let u = User(username: name, displayName: e.name, passwordHash: try await hash(password), role: .agent,
                         employeeId: s.employee, teamId: s.team, departmentId: s.department, mustChangePassword: true)
            made.append((u, Issued(number: e.number, name: e.name, username: name, password: password, role: .agent)))
        }
        let accounts = made.map(\.0)
        try await db.writeTransaction { db in
            for u in accounts {
                try await u.save(on: db)
                try await Audit.record(on: db, actor: user, action: "create", entity: "permission", id: u.username, after: UserController.scopeText(u),
                                       reason: "批量创建账号")
            }
        }
        return made.map(\.1)
    }

    /// A role and its scope changed, with a reason (R-004-03); audited as a permission change.
    /// HR cannot take away their own HR role.
    static func change(_ u: User, role rawRole: String, team: String, department: String, reason rawReason: String, user: User, db: Database) async throws {
        guard let role = Role(rawValue: rawRole) else { throw FormProblem("role", "请选择角色：\(Role.allCases.map(\.label).joined(separator: "、"))") }
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw FormProblem("reason", "须说明原因（500 字以内）") }
        if u.id == user.id && role != .hr { throw FormProblem("role", "不能取消自己的人事权限") }
        let teamId = UUID(uuidString: team), deptId = UUID(uuidString: department)
        switch role {
        case .lead: guard teamId != nil else { throw FormProblem("team", "组长须指定班组") }
        case .manager: guard deptId != nil else { throw FormProblem("department", "部门经理须指定部门") }
        case .agent, .qa: guard u.$employee.id != nil else { throw FormProblem("role", "客服专员和质检员的账号须关联员工") }
        case .hr: break
        }
        var teamDept: UUID?
        if let teamId {
            guard let t = try await PeopleStore.team(teamId, on: db) else { throw FormProblem("team", "没有这个班组") }
            teamDept = t.$department.id
        }
        if let deptId, try await PeopleStore.department(deptId, on: db) == nil { throw FormProblem("department", "没有这个部门") }
        if let teamDept, let deptId, teamDept != deptId { throw FormProblem("team", "班组不属于所选部门") }
        let before = UserController.scopeText(u)
        u.role = role
        u.$team.id = teamId
        u.$department.id = deptId ?? teamDept
        let after = UserController.scopeText(u)
        guard after != before else { throw FormProblem("role", "角色和范围都没有变化") }
        try await db.writeTransaction { db in
            try await u.save(on: db)
            try await Audit.record(on: db, actor: user, action: "update", entity: "permission", id: u.username, before: before, after: after, reason: reason)
        }
    }
}
