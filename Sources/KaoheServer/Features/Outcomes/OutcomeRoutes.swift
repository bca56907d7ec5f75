import Fluent
import Foundation
import KaoheCore
import Vapor

/// `GET /api/v1/outcomes`: the stored outcomes of a month (R-100-03) — levels, stars, ranks and
/// rank money, eligibility, team awards, promotion flags — as the engine computed them from the
/// published history, under the same access rules as results.
struct OutcomeRoutes: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.grouped(APIAuthenticator()).get(SiteURL.api(.outcomes).route, use: list)
    }

    struct OutcomeDTO: Content, Equatable {
        /// nil for a team's outcome
        var employeeNumber: String?
        var employeeName: String?
        var team: String?
        var scheme: String
        var period: String
        var kind: String
        /// number | money | text | flag
        var valueType: String
        var value: String
        /// Rule ids
        var rule: [String]
        var explanation: String
        /// Yuan with two decimals for money outcomes, else null
        var amount: String?
        /// published | locked
        var status: String
    }

    func list(req: Request) async throws -> [OutcomeDTO] {
        let viewer = try req.user.viewer
        guard let period = req.query[String.self, at: "period"], period.count == 7, Period.isValid(period) else {
            throw KaoheError.badInput("period: 须为月份", en: "period: YYYY-MM (e.g. 2026-10)")
        }
        let scheme = req.query[String.self, at: "scheme"]
        var people = try await Queries.visibleEmployees(viewer, on: req.db)
        if let code = req.query[String.self, at: "department"] {
            guard let d = try await PeopleStore.department(codeOrName: code, on: req.db) else {
                throw KaoheError.notFound("department: 没有部门 “\(code)”", en: "department: no such department “\(code)”")
            }
            guard viewer.role == .hr || viewer.departmentId == d.id else { throw KaoheError.forbidden("只能查看本部门", en: "only your own department") }
            people = people.filter { $0.$department.id == d.id }
        }
        let ids = Set(people.compactMap(\.id))
        // a team's outcome to those who see the team: HR, its department's manager, its lead
        var teams = Set<String>()
        switch viewer.role {
        case .hr, .manager, .lead:
            let visibleTeams = Set(people.compactMap { $0.$team.id })
            teams = Set(try await PeopleStore.teams(visibleTeams, on: req.db).map(\.name))
        default: break
        }
        return try await OutcomeStore.outcomes(period: period, key: scheme, on: req.db).compactMap { o in
            if let e = o.$employee.id { guard ids.contains(e) else { return nil } } else { guard let t = o.team, teams.contains(t) else { return nil } }
            return OutcomeDTO(employeeNumber: o.employee?.number, employeeName: o.employee?.name, team: o.team, scheme: o.schemeKey, period: o.period, kind: o.kind,
                              valueType: o.valueType, value: o.value, rule: o.ruleList, explanation: o.explanation, amount: o.amount, status: o.status.rawValue)
        }
    }
}
