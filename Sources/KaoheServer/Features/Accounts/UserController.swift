import Fluent
import Foundation
import Vapor

/// HR manages accounts and roles (issue 4 §6); every change of a role or scope is audited
/// as a permission change.
struct UserController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(APIAuthenticator(), RequireHR())
        hr.get(SiteURL.api(.users).route, use: list)
        hr.post(SiteURL.api(.users).route, use: create)
        hr.patch(SiteURL.api(.user(nil)).route, use: update)
        hr.post(SiteURL.api(.userDeactivate(nil)).route, use: deactivate)
        hr.post(SiteURL.api(.userActivate(nil)).route, use: activate)
        routes.grouped(APIAuthenticator()).get(SiteURL.api(.me).route, use: me)
    }

    /// The signed-in account (the same shape HR sees in /api/v1/users).
    func me(req: Request) async throws -> UserDTO {
        try Self.dto(try req.user)
    }


    struct UserDTO: Content {
        var id: UUID
        var username: String
        var displayName: String
        var role: String
        var employeeId: UUID?
        var teamId: UUID?
        var departmentId: UUID?
        var active: Bool
        var deactivatedAt: Date?
        var deactivatedReason: String?
        /// Where reminders and publication notices are e-mailed (issue 17 §7).
        var email: String?
    }

    static func dto(_ u: User) throws -> UserDTO {
        UserDTO(id: try u.requireID(), username: u.username, displayName: u.displayName, role: u.role.rawValue,
                employeeId: u.$employee.id, teamId: u.$team.id, departmentId: u.$department.id,
                active: u.active, deactivatedAt: u.deactivatedAt, deactivatedReason: u.deactivatedReason, email: u.email)
    }

    struct ReasonRequest: Content { var reason: String }

    /// HR deactivates an account (a leaver, a lost laptop): sign-in refused, its sessions and
    /// tokens end at once; with a reason, audited. HR cannot deactivate their own account.
    func deactivate(req: Request) async throws -> UserDTO {
        let (u, reason) = try await Self.target(req)
        guard u.id != (try req.user).id else { throw KaoheError.invalid("不能停用自己的账号", en: "you cannot deactivate your own account") }
        try await req.db.transaction { db in try await Accounts.deactivate(u, reason: reason, actor: try req.user, on: db) }
        return try Self.dto(u)
    }

    func activate(req: Request) async throws -> UserDTO {
        let (u, reason) = try await Self.target(req)
        try await Accounts.activate(u, reason: reason, actor: try req.user, on: req.db)
        return try Self.dto(u)
    }

    static func target(_ req: Request) async throws -> (User, String) {
        guard let id = req.parameters.get("id", as: UUID.self), let u = try await AccountStore.user(id, on: req.db) else {
            throw KaoheError.notFound("没有这个账号", en: "no such account")
        }
        let body = try req.decodeBody(ReasonRequest.self)
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw KaoheError.invalid("reason: 须说明原因（500 字以内）", en: "reason: a reason is required") }
        return (u, reason)
    }

    func list(req: Request) async throws -> [UserDTO] {
        try await AccountStore.users(on: req.db).map(Self.dto)
    }

    struct CreateRequest: Content {
        var username: String
        var displayName: String
        var role: String
        var employeeId: UUID?
        var teamId: UUID?
        var departmentId: UUID?
    }

    struct CreatedDTO: Content { var user: UserDTO; var oneTimePassword: String }

    /// The scope a role needs: a manager a department, a lead a team, an agent or QA an employee.
    static func checkScope(_ role: Role, employee: UUID?, team: UUID?, department: UUID?, on db: Database) async throws {
        switch role {
        case .hr: break
        case .manager: guard department != nil else { throw KaoheError.invalid("department_id: 部门经理须指定部门", en: "department_id: a manager needs a department") }
        case .lead: guard team != nil else { throw KaoheError.invalid("team_id: 组长须指定班组", en: "team_id: a team lead needs a team") }
        case .agent, .qa: guard employee != nil else { throw KaoheError.invalid("employee_id: 须关联员工", en: "employee_id: an agent or QA inspector needs an employee") }
        }
        if let e = employee, try await PeopleStore.employee(e, on: db) == nil { throw KaoheError.invalid("employee_id: 没有这个员工", en: "employee_id: no such employee") }
        if let t = team, try await PeopleStore.team(t, on: db) == nil { throw KaoheError.invalid("team_id: 没有这个班组", en: "team_id: no such team") }
        if let d = department, try await PeopleStore.department(d, on: db) == nil { throw KaoheError.invalid("department_id: 没有这个部门", en: "department_id: no such department") }
    }

    static func scopeText(_ u: User) -> String {
        "role=\(u.role.rawValue) employee=\(u.$employee.id?.uuidString ?? "-") team=\(u.$team.id?.uuidString ?? "-") department=\(u.$department.id?.uuidString ?? "-")"
    }

    func create(req: Request) async throws -> Response {
        let body = try req.decodeBody(CreateRequest.self)
        guard let role = Role(rawValue: body.role) else {
            throw KaoheError.invalid("role: 须为 \(Role.allCases.map(\.rawValue).joined(separator: "、"))（收到 “\(body.role)”）", en: "role: must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")) (got “\(body.role)”)")
        }
        guard body.username.wholeMatch(of: /[a-zA-Z0-9_.-]{2,40}/) != nil else {
            throw KaoheError.invalid("username: 2–40 个英文字母、数字或 _.-", en: "username: 2–40 letters, digits, _ . -")
        }
        guard try await AccountStore.count(username: body.username, on: req.db) == 0 else {
            throw KaoheError.conflict("username: “\(body.username)” 已存在", en: "username: “\(body.username)” already exists")
        }
        try await Self.checkScope(role, employee: body.employeeId, team: body.teamId, department: body.departmentId, on: req.db)
        let password = Accounts.randomPassword()
        let u = User(username: body.username, displayName: body.displayName, passwordHash: try await req.password.async.hash(password), role: role,
                     employeeId: body.employeeId, teamId: body.teamId, departmentId: body.departmentId, mustChangePassword: true)
        try await u.save(on: req.db)
        try await Audit.record(on: req.db, actor: try req.user, action: "create", entity: "permission", id: u.username, after: Self.scopeText(u))
        return try Response.created(CreatedDTO(user: try Self.dto(u), oneTimePassword: password))
    }

    struct UpdateRequest: Content {
        var role: String?
        var employeeId: UUID?
        var teamId: UUID?
        var departmentId: UUID?
        /// The account's e-mail address; "" removes it.
        var email: String?
        var reason: String
    }

    func update(req: Request) async throws -> UserDTO {
        guard let id = req.parameters.get("id", as: UUID.self), let u = try await AccountStore.user(id, on: req.db) else {
            throw KaoheError.notFound("没有这个账号", en: "no such user")
        }
        let body = try req.decodeBody(UpdateRequest.self)
        guard !body.reason.isBlank else { throw KaoheError.invalid("reason: 须说明原因 (R-004-03)") }
        let me = try req.user
        let before = Self.scopeText(u)
        if let r = body.role {
            guard let role = Role(rawValue: r) else { throw KaoheError.invalid("role: 须为 \(Role.allCases.map(\.rawValue).joined(separator: "、"))") }
            if u.id == me.id && role != .hr { throw KaoheError.invalid("role: 不能取消自己的人事权限", en: "role: you cannot remove your own HR role") }
            u.role = role
        }
        if let e = body.employeeId { u.$employee.id = e }
        if let t = body.teamId { u.$team.id = t }
        if let d = body.departmentId { u.$department.id = d }
        try await Self.checkScope(u.role, employee: u.$employee.id, team: u.$team.id, department: u.$department.id, on: req.db)
        let emailBefore = u.email
        if let e = body.email { u.email = try NotificationService.normalizedEmail(e) }
        try await u.save(on: req.db)
        if u.email != emailBefore {
            try await Audit.record(on: req.db, actor: me, action: "update", entity: "user", id: u.username, before: "email=\(emailBefore ?? "")", after: "email=\(u.email ?? "")", reason: body.reason)
        }
        try await Audit.record(on: req.db, actor: me, action: "update", entity: "permission", id: u.username, before: before, after: Self.scopeText(u), reason: body.reason)
        return try Self.dto(u)
    }
}
