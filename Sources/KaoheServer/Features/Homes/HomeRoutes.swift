import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// Each role's home page, a person's results page, and the people and results the API shows a viewer.
struct HomeRoutes: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.home.route, use: home)
        signedIn.get(SiteURL.employee(nil).route, use: employee)
        let api = routes.grouped(APIAuthenticator())
        api.get(SiteURL.api(.employeeResults(nil)).route, use: results)
    }

    func home(req: Request) async throws -> Response {
        let user = try req.user
        let config = req.application.config
        switch user.role {
        case .hr, .lead, .manager:
            // department-wide figures, kept until the data change (PageCache); the body has no form
            let html = try await req.application.pageCache.html("home|\(try user.requireID())|\(config.todayDate)", in: req.language, on: req.db) {
                try await Self.teamHome(user, config: config, db: req.db).render()
            }
            return Page.render(title: "首页", user: user, csrf: req.csrfToken, body: .raw(html))
        case .agent, .qa:
            let home = try await HomeService.agent(user, db: req.db)
            let m = AgentPageModel(qaLink: user.role == .qa, home: home, saysNoRecord: user.role == .agent, today: config.todayDate.description)
            return Page.render(title: "首页", user: user, csrf: req.csrfToken, body: HomeView.agentPage(m))
        }
    }

    /// HR's, a manager's or a team lead's home.
    static func teamHome(_ user: User, config: AppConfig, db: Database) async throws -> Node<HTML.BodyContext> {
        if user.role == .hr { return HomeView.hr(try await HomeService.hr(user, config: config, db: db)) }
        let m = try await HomeService.team(user, today: config.todayDate, db: db)
        // a lead's team is listed; a department of hundreds is in the reports instead
        let people = user.role == .lead ? try await Queries.visibleEmployees(user.viewer, on: db) : []
        let latest = try await Queries.latestTotals(people.compactMap(\.id), on: db)
        let rows: [HomeModel.Row] = try people.map { e in
            .init(id: try e.requireID(), number: e.number, name: e.name, position: e.position,
                  latest: latest[try e.requireID()].map { "\($0.period)：\($0.total)" } ?? "—")
        }
        return HomeView.team(m, people: HomeModel(rows: rows))
    }

    func employee(req: Request) async throws -> Response {
        let user = try req.user
        let e = try await Queries.employee(req.parameters.get("id", as: UUID.self), for: user.viewer, on: req.db)
        let results = try await HomeService.visibleResults(of: e, to: user.viewer, on: req.db)
        // each month links to its sheet (issue 17 §4)
        var sheetOf: [String: UUID] = [:]
        for s in try await SheetStore.sheetsWithCycles(employee: try e.requireID(), on: req.db) { sheetOf["\(s.cycle.period)|\(s.cycle.$scheme.id)"] = s.id }
        let rows = results.reversed().map {
            EmployeeModel.Row(period: $0.period, scheme: "\($0.scheme.name) v\($0.scheme.version)", total: $0.total, grade: $0.grade ?? "—",
                              sheet: sheetOf["\($0.period)|\($0.$scheme.id)"])
        }
        return Page.render(title: "员工成绩", user: user, csrf: req.csrfToken,
                           body: EmployeeView.body(EmployeeModel(number: e.number, name: e.name, passMark: HomeService.passMark(results.last), trend: HomeService.trend(results), rows: rows)))
    }

    struct ResultDTO: Content {
        var period: String
        var scheme: String
        var schemeVersion: Int
        /// draft | published | locked: only published and locked results count (R-100-01)
        var status: String
        var total: String
        var grade: String?
        var sheet: JSONValue
    }

    /// A person's results: the person themself sees only published ones (R-100-01); the line above
    /// sees drafts too, marked as such.
    func results(req: Request) async throws -> [ResultDTO] {
        let viewer = try req.user.viewer
        let e = try await Queries.employee(req.parameters.get("id", as: UUID.self), for: viewer, on: req.db)
        let own = viewer.employeeId == e.id
        return try await ResultStore.results(of: try e.requireID(), drafts: !own, on: req.db).map {
            _ = try ResultStore.sheet($0, employee: e.number)
            return ResultDTO(period: $0.period, scheme: $0.scheme.key, schemeVersion: $0.scheme.version, status: $0.status.rawValue, total: $0.total, grade: $0.grade,
                             sheet: try JSONDecoder().decode(JSONValue.self, from: Data($0.json.utf8)))
        }
    }
}
