import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// `/cycles/:id/grid/:team` (issue 17 §1): a team's sheets of a cycle on one screen for their rater.
/// One plain form (no script needed): 全部保存, 提交全部已填完的行, or one row's 保存; the page's
/// script saves a row through the sheet API and follows the typing with the sheet's preview.
struct TeamGridWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.teamGrid(nil, nil).route, use: grid)
        signedIn.post(SiteURL.teamGrid(nil, nil).route, use: post)
    }

    func grid(req: Request) async throws -> Response {
        let user = try req.user
        let g = try await CycleService.grid(cycle: req.parameters.get("id", as: UUID.self), team: req.parameters.get("team", as: UUID.self),
                                            user: user, db: req.db)
        return Page.render(title: "班组评分", user: user, csrf: req.csrfToken, body: TeamGridView.page(g, csrf: req.csrfToken, action: nil))
    }

    func post(req: Request) async throws -> Response {
        let user = try req.user
        let cycle = req.parameters.get("id", as: UUID.self), team = req.parameters.get("team", as: UUID.self)
        let form = try req.content.decode([String: String].self)
        let action: CycleService.GridAction
        switch form["action"] ?? "" {
        case "save_all": action = .saveAll
        case "submit_complete": action = .submitComplete
        case let a where a.hasPrefix("save:"):
            guard let id = UUID(uuidString: String(a.dropFirst(5))) else { throw KaoheError.badInput("action: save:<考核表 id>", en: "action: save:<sheet id>") }
            action = .saveRow(id)
        default:
            throw KaoheError.badInput("action: 可选 save_all、submit_complete、save:<考核表 id>", en: "action: allowed: save_all, submit_complete, save:<sheet id>")
        }
        let input = Self.rows(form)
        let (outcomes, errors) = try await CycleService.gridPost(cycle: cycle, team: team, action: action, input: input, user: user,
                                                                 config: req.application.config, db: req.db, say: { req.say($0) })
        let g = try await CycleService.grid(cycle: cycle, team: team, user: user, db: req.db, typed: input, outcomes: outcomes, errors: errors)
        // one row saved and refused answers with the refusal's status, as the sheet's own form does
        var status = HTTPStatus.ok
        if case .saveRow(let id) = action, case .refused(_, status: let refused, saved: _)? = outcomes[id] { status = refused }
        return Page.render(status: status, title: "班组评分", user: user, csrf: req.csrfToken, body: TeamGridView.page(g, csrf: req.csrfToken, action: action))
    }

    /// The rows of a posted grid: `r.<sheet id>.version`, `r.<sheet id>.reason` and
    /// `r.<sheet id>.v.<column>` (what each row's fields are named), by sheet.
    static func rows(_ form: [String: String]) -> [UUID: CycleService.RowInput] {
        var out: [UUID: CycleService.RowInput] = [:]
        for (key, value) in form where key.hasPrefix("r.") {
            let rest = key.dropFirst(2)
            guard rest.count > 37, let id = UUID(uuidString: String(rest.prefix(36))), rest.dropFirst(36).first == "." else { continue }
            let field = rest.dropFirst(37)
            var row = out[id] ?? CycleService.RowInput(version: nil, values: [:], reason: nil)
            if field == "version" {
                row.version = Int(value)
            } else if field == "reason" {
                row.reason = value.isBlank ? nil : value.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if field.hasPrefix("v.") {
                row.values[String(field.dropFirst(2))] = value.trimmingCharacters(in: .whitespaces)
            } else {
                continue
            }
            out[id] = row
        }
        return out
    }
}
