import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's organisation in the browser (issue 16 §1): departments and teams with their leaders,
/// people who join, move to another team and leave. HR only (403 for every other role, before
/// anything is read or written); every form carries the session's CSRF token; a refused form
/// comes back with the problem beside its field and what was typed kept.
struct OrganisationWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.organisation.route, use: organisation)
        hr.post(SiteURL.orgDepartments.route, use: createDepartment)
        hr.post(SiteURL.orgDepartment(nil).route, use: renameDepartment)
        hr.post(SiteURL.orgTeams.route, use: createTeam)
        hr.post(SiteURL.orgTeam(nil).route, use: updateTeam)
        hr.get(SiteURL.personNew.route, use: newPerson)
        hr.post(SiteURL.personNew.route, use: createPerson)
        hr.post(SiteURL.personTransfer(nil).route, use: transfer)
        hr.post(SiteURL.personLeave(nil).route, use: leave)
    }

    /// The form's fields, trimmed of nothing (the service trims what it checks).
    static func fields(_ req: Request) throws -> [String: String] {
        try req.content.decode([String: String].self).filter { $0.key != "_csrf" }
    }

    // MARK: departments and teams

    func organisation(req: Request) async throws -> Response {
        try await page(req)
    }

    func page(_ req: Request, message: String? = nil, state: FormState? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let departments = try await PeopleStore.departments(on: req.db)
        let teams = try await PeopleStore.teamsWithDepartments(on: req.db)
        let active = try await PeopleStore.activeEmployees(department: nil, on: req.db)
        let everyone = Dictionary(try await PeopleStore.employees(on: req.db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var perTeam: [UUID: Int] = [:], perDept: [UUID: Int] = [:]
        for e in active {
            perDept[e.$department.id, default: 0] += 1
            if let t = e.$team.id { perTeam[t, default: 0] += 1 }
        }
        let teamCount = Dictionary(grouping: teams, by: { $0.$department.id }).mapValues(\.count)
        let teamName = Dictionary(teams.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        // who may lead a team: active, with an active agent's or lead's account
        let accounts = try await AccountStore.allUsers(on: req.db).filter { $0.active && [.agent, .lead].contains($0.role) }
        let candidates = Set(accounts.compactMap { $0.$employee.id })
        let people = active.filter { candidates.contains($0.id!) }.sorted { $0.number < $1.number }
        let model = OrganisationModel(
            csrf: req.csrfToken, message: message, state: state,
            departments: departments.map { d in
                OrganisationModel.Department(id: d.id!, code: d.code, name: d.name, teams: teamCount[d.id!] ?? 0, people: perDept[d.id!] ?? 0)
            },
            teams: teams.sorted { ($0.department.code, $0.name) < ($1.department.code, $1.name) }.map { t in
                OrganisationModel.Team(id: t.id!, name: t.name, departmentId: t.$department.id, department: t.department.name, leaderId: t.leaderId,
                      leader: t.leaderId.flatMap { everyone[$0] }.map { "\($0.number) \($0.name)" } ?? "—", people: perTeam[t.id!] ?? 0)
            },
            candidates: people.map { e in (e.id!.uuidString, "\(e.number) \(e.name)" + (e.$team.id.flatMap { teamName[$0] }.map { " · \($0)" } ?? "")) })
        return Page.render(status: status, title: "部门与班组", user: try req.user, csrf: req.csrfToken, body: OrganisationView.body(model))
    }

    func createDepartment(req: Request) async throws -> Response {
        let f = try Self.fields(req)
        do {
            let d = try await OrganisationService.createDepartment(name: f["name"] ?? "", code: f["code"] ?? "", user: try req.user, db: req.db)
            return try await page(req, message: "已新建部门 \(d.code) \(d.name)")
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "dept-new", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    func renameDepartment(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let d = try await PeopleStore.department(id, on: req.db) else {
            throw KaoheError.notFound("没有这个部门", en: "no such department")
        }
        let f = try Self.fields(req)
        do {
            try await OrganisationService.renameDepartment(d, name: f["name"] ?? "", code: f["code"] ?? "", user: try req.user, db: req.db)
            return try await page(req, message: "已保存部门 \(d.code) \(d.name)")
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "dept-\(id.uuidString)", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    func createTeam(req: Request) async throws -> Response {
        let f = try Self.fields(req)
        do {
            let t = try await OrganisationService.createTeam(name: f["name"] ?? "", department: f["department"].flatMap(UUID.init(uuidString:)),
                                                             leader: f["leader"].flatMap(UUID.init(uuidString:)), user: try req.user, db: req.db)
            return try await page(req, message: "已新建班组 \(t.name)")
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "team-new", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    func updateTeam(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let t = try await PeopleStore.team(id, on: req.db) else {
            throw KaoheError.notFound("没有这个班组", en: "no such team")
        }
        let f = try Self.fields(req)
        do {
            let done = try await OrganisationService.updateTeam(t, name: f["name"] ?? "", department: f["department"].flatMap(UUID.init(uuidString:)),
                                                                leader: f["leader"].flatMap(UUID.init(uuidString:)), user: try req.user, db: req.db)
            return try await page(req, message: done.isEmpty ? "班组 \(t.name) 没有变化" : "班组 \(t.name)：" + done.joined(separator: "；"))
        } catch let p as FormProblem {
            return try await page(req, state: FormState(form: "team-\(id.uuidString)", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    // MARK: people

    func newPerson(req: Request) async throws -> Response {
        try await personForm(req)
    }

    func personForm(_ req: Request, state: FormState? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let departments = try await PeopleStore.departments(on: req.db)
        let teams = try await PeopleStore.teamsWithDepartments(on: req.db)
            .sorted { ($0.department.code, $0.name) < ($1.department.code, $1.name) }
        let numbering: String
        switch req.application.config.numbering {
        case .departmental: numbering = "工号留空时按部门代码自动编号：中心位 + 部门代码 + 三位序号（R-002-35 a）"
        case .dated: numbering = "工号留空时按入职年月自动编号：公司代码 + 年月 + 四位序号（R-002-35 b）"
        }
        let model = PersonNewModel(csrf: req.csrfToken, state: state, numbering: numbering,
                                   departments: departments.map { ($0.id!.uuidString, "\($0.code) \($0.name)") },
                                   teams: teams.map { ($0.id!.uuidString, "\($0.department.name) / \($0.name)") })
        return Page.render(status: status, title: "新增员工", user: try req.user, csrf: req.csrfToken, body: PersonNewView.body(model))
    }

    func createPerson(req: Request) async throws -> Response {
        let f = try Self.fields(req)
        let p = OrganisationService.NewPerson(number: f["number"] ?? "", name: f["name"] ?? "", position: f["position"] ?? "", hireDate: f["hire_date"] ?? "",
                                              probationEnd: f["probation_end"] ?? "", department: f["department"] ?? "", team: f["team"] ?? "")
        do {
            let e = try await OrganisationService.createPerson(p, numbering: req.application.config.numbering, user: try req.user, db: req.db)
            return req.redirect(to: SiteURL.person(try e.requireID()).path)
        } catch let problem as FormProblem {
            return try await personForm(req, state: FormState(form: "person-new", values: f, field: problem.field, message: problem.message), status: problem.status)
        }
    }

    func transfer(req: Request) async throws -> Response {
        let e = try await Self.person(req)
        let f = try Self.fields(req)
        do {
            let said = try await OrganisationService.transfer(e, team: f["team"] ?? "", effective: f["effective"] ?? "", reason: f["reason"] ?? "",
                                                               user: try req.user, db: req.db)
            return try await PeopleWebController().personPage(req, message: said)
        } catch let p as FormProblem {
            return try await PeopleWebController().personPage(req, state: FormState(form: "transfer", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    func leave(req: Request) async throws -> Response {
        let e = try await Self.person(req)
        let f = try Self.fields(req)
        do {
            let said = try await OrganisationService.leave(e, on: f["left_on"] ?? "", reason: f["reason"] ?? "", user: try req.user, db: req.db)
            return try await PeopleWebController().personPage(req, message: said)
        } catch let p as FormProblem {
            return try await PeopleWebController().personPage(req, state: FormState(form: "leave", values: f, field: p.field, message: p.message), status: p.status)
        }
    }

    static func person(_ req: Request) async throws -> Employee {
        guard let id = req.parameters.get("id", as: UUID.self), let e = try await PeopleStore.employee(id, on: req.db) else {
            throw KaoheError.notFound("没有这个员工", en: "no such employee")
        }
        return e
    }
}
