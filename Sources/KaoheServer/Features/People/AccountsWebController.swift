import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's accounts in the browser (issue 16 §1), through the same rules as `/api/v1/users`: an
/// account for one person or for everyone without one (one-time passwords shown once, on the
/// page that made them, to print as a sheet — never stored but hashed, never shown again), role
/// and scope changes with a reason, deactivation and reactivation (`Accounts.deactivate` /
/// `activate`). HR only; CSRF-checked.
struct AccountsWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.accounts.route, use: accounts)
        hr.post(SiteURL.accounts.route, use: createOne)
        hr.get(SiteURL.accountsBulk.route, use: issuedLater)
        hr.post(SiteURL.accountsBulk.route, use: createAll)
        hr.post(SiteURL.account(nil).route, use: change)
        hr.post(SiteURL.accountState(nil).route, use: setState)
    }

    func accounts(req: Request) async throws -> Response { try await page(req) }

    func page(_ req: Request, message: String? = nil, state: FormState? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let users = try await AccountStore.users(on: req.db)
        let people = try await PeopleStore.employeesWithUnits(on: req.db)
        let byId = Dictionary(people.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let departments = try await PeopleStore.departments(on: req.db)
        let teams = try await PeopleStore.teamsWithDepartments(on: req.db).sorted { ($0.department.code, $0.name) < ($1.department.code, $1.name) }
        let deptName = Dictionary(departments.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let teamName = Dictionary(teams.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let having = Set(users.compactMap { $0.$employee.id })
        let rows = users.map { u in
            AccountsModel.Row(id: u.id!, username: u.username, displayName: u.displayName, role: u.role,
                              number: u.$employee.id.flatMap { byId[$0] }?.number ?? "", person: u.$employee.id.flatMap { byId[$0] }?.name ?? "",
                              team: u.$team.id.flatMap { teamName[$0] }, department: u.$department.id.flatMap { deptName[$0] },
                              teamId: u.$team.id?.uuidString ?? "", departmentId: u.$department.id?.uuidString ?? "",
                              active: u.active, mustChange: u.mustChangePassword, deactivatedReason: u.deactivatedReason ?? "")
        }
        let without = people.filter { $0.status == .active && !having.contains($0.id!) && !$0.number.contains("@") }.map { e in
            (e.id!.uuidString, "\(e.number) \(e.name) · \(e.department.name)" + (e.team.map { " / \($0.name)" } ?? ""))
        }
        let model = AccountsModel(csrf: req.csrfToken, message: message, state: state, rows: rows, withoutAccount: without,
                                  departments: departments.map { ($0.id!.uuidString, "\($0.code) \($0.name)") },
                                  teams: teams.map { ($0.id!.uuidString, "\($0.department.name) / \($0.name)") })
        return Page.render(status: status, title: "账号", user: try req.user, csrf: req.csrfToken, body: AccountsView.body(model))
    }

    static func hasher(_ req: Request) -> AccountProvisioning.Hasher {
        let hasher = req.password.async
        return { password in try await hasher.hash(password) }
    }

    /// The page that shows the passwords just made: once, never cached.
    func issued(_ req: Request, _ made: [AccountProvisioning.Issued]) throws -> Response {
        let lines = made.map { IssuedModel.Line(number: $0.number, name: $0.name, username: $0.username, password: $0.password, role: $0.role.label) }
        let res = Page.render(title: "账号单", user: try req.user, csrf: req.csrfToken, body: AccountsView.issued(IssuedModel(lines: lines, waiting: [], shown: true)))
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    func createOne(req: Request) async throws -> Response {
        let f = try OrganisationWebController.fields(req)
        do {
            let made = try await AccountProvisioning.create(for: f["employee"].flatMap(UUID.init(uuidString:)), username: f["username"] ?? "", role: f["role"] ?? "",
                                                            user: try req.user, hash: Self.hasher(req), db: req.db)
            return try issued(req, [made])
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "single", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    func createAll(req: Request) async throws -> Response {
        let f = try OrganisationWebController.fields(req)
        let dept = f["department"].flatMap(UUID.init(uuidString:)), team = f["team"].flatMap(UUID.init(uuidString:))
        if let team, let t = try await PeopleStore.team(team, on: req.db), let dept, t.$department.id != dept {
            return try await page(req, state: FormState(form: "bulk", values: f, field: "team", message: "班组“\(t.name)”不属于所选部门"), status: .unprocessableEntity)
        }
        let people = try await AccountProvisioning.withoutAccount(department: dept, team: team, db: req.db)
        guard !people.isEmpty else {
            return try await page(req, state: FormState(form: "bulk", values: f, field: "department", message: "所选范围内每位在职员工都已有账号"), status: .unprocessableEntity)
        }
        do {
            let made = try await AccountProvisioning.createAll(people, user: try req.user, hash: Self.hasher(req), db: req.db)
            return try issued(req, made)
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "bulk", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    /// The address of the password sheet visited again: no password, the accounts still waiting
    /// for their first sign-in.
    func issuedLater(req: Request) async throws -> Response {
        let people = Dictionary(try await PeopleStore.employees(on: req.db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let waiting = try await AccountStore.users(on: req.db).filter { $0.active && $0.mustChangePassword }.map { u in
            IssuedModel.Line(number: u.$employee.id.flatMap { people[$0] }?.number ?? "", name: u.displayName, username: u.username, password: "", role: u.role.label)
        }
        return Page.render(title: "账号单", user: try req.user, csrf: req.csrfToken, body: AccountsView.issued(IssuedModel(lines: [], waiting: waiting, shown: false)))
    }

    func change(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let u = try await AccountStore.user(id, on: req.db) else {
            throw KaoheError.notFound("没有这个账号", en: "no such account")
        }
        let f = try OrganisationWebController.fields(req)
        do {
            try await AccountProvisioning.change(u, role: f["role"] ?? "", team: f["team"] ?? "", department: f["department"] ?? "", reason: f["reason"] ?? "",
                                                 user: try req.user, db: req.db)
            return try await page(req, message: "已修改 \(u.username) 的角色和范围：\(u.role.label)")
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "account-\(id.uuidString)", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    func setState(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let u = try await AccountStore.user(id, on: req.db) else {
            throw KaoheError.notFound("没有这个账号", en: "no such account")
        }
        let f = try OrganisationWebController.fields(req)
        let form = "state-\(id.uuidString)"
        let reason = (f["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else {
            return try await page(req, state: FormState(form: form, values: f, field: "reason", message: "须说明原因（500 字以内）"), status: .unprocessableEntity)
        }
        let me = try req.user
        switch f["action"] ?? "" {
        case "deactivate":
            guard u.id != me.id else {
                return try await page(req, state: FormState(form: form, values: f, field: "reason", message: "不能停用自己的账号"), status: .unprocessableEntity)
            }
            try await req.db.transaction { db in try await Accounts.deactivate(u, reason: reason, actor: me, on: db) }
            return try await page(req, message: "已停用 \(u.username)：其登录、会话和令牌立即失效")
        case "activate":
            try await Accounts.activate(u, reason: reason, actor: me, on: req.db)
            return try await page(req, message: "已启用 \(u.username)")
        default:
            throw KaoheError.badInput("action: 须为 deactivate 或 activate", en: "action: must be deactivate or activate")
        }
    }
}
