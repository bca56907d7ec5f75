import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's people pages (issue 7 §2): the list with search and paging, one person, their edit form —
/// through the same update as `PATCH /api/v1/employees/{id}`.
struct PeopleWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.people.route, use: people)
        hr.get(SiteURL.person(nil).route, use: person)
        hr.post(SiteURL.person(nil).route, use: updatePerson)
    }

    // MARK: people

    func people(req: Request) async throws -> Response {
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let dept = req.query[String.self, at: "department"].flatMap(UUID.init(uuidString:))
        let status = req.query[String.self, at: "status"] ?? "active"
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let (total, list) = try await PeopleStore.page(search: q, department: dept, status: status, page: page, on: req.db)
        let departments = try await PeopleStore.departments(on: req.db)
        let latest = try await Queries.latestTotals(list.compactMap(\.id), on: req.db)
        let rows = list.map { e in
            PeopleModel.Row(id: e.id!, number: e.number, name: e.name, department: e.department.name, team: e.team?.name ?? "", position: e.position,
                            hireDate: e.hireDate, status: e.status.rawValue, level: e.level ?? "", star: e.star.map(String.init) ?? "",
                            latest: latest[e.id!].map { "\($0.period)：\($0.total)" } ?? "")
        }
        let model = PeopleModel(q: q, department: dept?.uuidString, status: status, departments: departments.map { ($0.id!.uuidString, $0.name) },
                                total: total, page: page, previous: req.pageLink(page - 1), next: req.pageLink(page + 1), rows: rows)
        return Page.render(title: "人员", user: try req.user, csrf: req.csrfToken, body: PeopleView.body(model))
    }

    func person(req: Request) async throws -> Response { try await personPage(req) }

    func personPage(_ req: Request, message: String? = nil, error: String? = nil, state: FormState? = nil, status: HTTPStatus = .ok) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self),
              let e = try await PeopleStore.employeeWithUnits(id, on: req.db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }
        let teams = try await PeopleStore.teams(department: e.$department.id, on: req.db)
        let superior = try await e.superiorId.asyncMap { try await PeopleStore.employee($0, on: req.db) } ?? nil
        let history = try await AuditStore.history(entity: "employee", id: e.number, limit: 20, on: req.db)
        let allTeams = try await PeopleStore.teamsWithDepartments(on: req.db)
            .sorted { ($0.department.code, $0.name) < ($1.department.code, $1.name) }
            .map { ($0.id!.uuidString, "\($0.department.name) / \($0.name)") }
        var model = PersonModel(
            error: error, message: message, csrf: req.csrfToken, id: id, number: e.number, name: e.name, department: e.department.name, hireDate: e.hireDate,
            position: e.position, teams: teams.map { ($0.id!.uuidString, $0.name) }, team: e.$team.id?.uuidString, superior: superior?.number ?? "",
            status: e.status.rawValue, probationEnd: e.probationEnd ?? "", level: e.level ?? "", star: e.star.map(String.init) ?? "", jobGrade: e.jobGrade ?? "",
            history: history.map { h in PersonModel.Change(at: h.at, actor: h.actorName, action: h.action, before: h.before ?? "", after: h.after ?? "", reason: h.reason ?? "") })
        model.allTeams = allTeams
        model.state = state
        model.leftOn = e.leftOn ?? ""
        model.leaveReason = e.leaveReason ?? ""
        model.month = req.application.config.month
        model.today = req.application.config.todayDate.description
        return Page.render(status: status, title: "人员档案", user: try req.user, csrf: req.csrfToken, body: PersonView.body(model))
    }

    func updatePerson(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let e = try await PeopleStore.employee(id, on: req.db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }
        let f = try req.content.decode([String: String].self)
        func v(_ k: String) -> String? { f[k]?.trimmingCharacters(in: .whitespaces).nilIfEmpty }
        var superior: UUID?
        if let n = v("superior") {
            guard let s = try await PeopleStore.employee(number: n, on: req.db) else {
                return try await personPage(req, error: "直接上级：没有工号为 \(n) 的员工", status: .unprocessableEntity)
            }
            superior = s.id
        }
        var star: Int?
        if let s = v("star") {
            guard let n = Int(s) else { return try await personPage(req, error: "星级：须为 0–5 的整数", status: .unprocessableEntity) }
            star = n
        }
        let patch = OrganisationController.EmployeePatch(status: v("status"), position: v("position"), teamId: v("team").flatMap(UUID.init(uuidString:)),
                                                         level: v("level"), star: star, jobGrade: v("job_grade"), superiorId: superior,
                                                         probationEnd: v("probation_end"), reason: f["reason"] ?? "")
        do {
            try await PeopleService.update(e, patch, user: try req.user, db: req.db)
        } catch let a as AbortError where [.unprocessableEntity, .badRequest].contains(a.status) {
            return try await personPage(req, error: req.say(a), status: a.status)
        }
        return try await personPage(req, message: "已保存")
    }
}
