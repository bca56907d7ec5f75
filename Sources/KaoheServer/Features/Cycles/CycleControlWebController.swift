import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The cycle controls in the browser (issue 16 §4): the opening's preview, each team's scheme,
/// the publication's confirmation and a sheet's withdrawal (a cycle's cancellation and deadlines
/// are steps of `/cycles/:id/:step`, `CycleWebController.step`). HR only; plain forms.
struct CycleControlWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.post(SiteURL.cyclePreview.route, use: preview)
        signedIn.post(SiteURL.cycleAssignments.route, use: assign)
        signedIn.get(SiteURL.cyclePublishConfirm(nil).route, use: publishPage)
        signedIn.post(SiteURL.sheetWithdraw(nil).route, use: withdraw)
    }

    /// The opening form's fields (`scheme` "" : each team's own scheme).
    static func openRequest(_ form: [String: String]) -> CycleService.OpenRequest {
        CycleService.OpenRequest(scheme: (form["scheme"] ?? "").trimmingCharacters(in: .whitespaces), period: (form["period"] ?? "").trimmingCharacters(in: .whitespaces),
                                 departmentId: form["department"].flatMap(UUID.init(uuidString:)),
                                 teamIds: form["team"].flatMap(UUID.init(uuidString:)).map { [$0] })
    }

    /// The deadlines typed on the preview or the cycle's form.
    static func deadlines(_ form: [String: String]) -> CycleService.DeadlineInput {
        CycleService.DeadlineInput(selfDue: form["self_due"], ratingDue: form["rating_due"], reviewDue: form["review_due"], publishDue: form["publish_due"])
    }

    static let refusals: [HTTPStatus] = [.unprocessableEntity, .conflict, .badRequest, .notFound]

    func preview(req: Request) async throws -> Response {
        let user = try req.user
        let form = try req.content.decode([String: String].self)
        let r = Self.openRequest(form)
        do {
            let plan = try await CycleService.plan(r, user: user, config: req.application.config, db: req.db, deadlines: Self.deadlines(form), onlyRequested: false)
            var department: Department?, team: Team?
            if let d = plan.departmentId { department = try await PeopleStore.department(d, on: req.db) }
            if let t = r.teamIds?.first { team = try await PeopleStore.team(t, on: req.db) }
            return Page.render(title: "发起考核：预览", user: user, csrf: req.csrfToken,
                               body: CycleControlView.preview(plan.dto, department: department.map { "\($0.code) \($0.name)" }, team: team?.name, csrf: req.csrfToken))
        } catch let e as AbortError where Self.refusals.contains(e.status) {
            return try await CycleWebController().cyclesPage(req, error: req.say(e), status: e.status)
        }
    }

    func assign(req: Request) async throws -> Response {
        let user = try req.user
        let form = try req.content.decode([String: String].self)
        var teams: [UUID: String] = [:], departments: [UUID: String] = [:]
        for (k, v) in form {
            if k.hasPrefix("team."), let id = UUID(uuidString: String(k.dropFirst(5))) { teams[id] = v.trimmingCharacters(in: .whitespaces) }
            if k.hasPrefix("department."), let id = UUID(uuidString: String(k.dropFirst(11))) { departments[id] = v.trimmingCharacters(in: .whitespaces) }
        }
        do {
            let n = try await CycleService.assign(teams: teams, departments: departments, user: user, db: req.db)
            return try await CycleWebController().cyclesPage(req, message: "各班组的考核方案已保存（\(n) 处改动）")
        } catch let e as AbortError where Self.refusals.contains(e.status) {
            return try await CycleWebController().cyclesPage(req, error: req.say(e), status: e.status)
        }
    }

    func publishPage(req: Request) async throws -> Response {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await CycleStore.cycle(id, on: req.db) else {
            throw KaoheError.notFound("没有这个考核周期", en: "no such cycle")
        }
        let p = try await CycleService.publishPreview(c, user: user, config: req.application.config, db: req.db)
        return Page.render(title: "发布结果", user: user, csrf: req.csrfToken, body: CycleControlView.publish(p, csrf: req.csrfToken))
    }

    func withdraw(req: Request) async throws -> Response {
        let user = try req.user
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode([String: String].self)
        let s = try await CycleService.load(id, on: req.db)
        do {
            try await CycleService.withdraw(s, reason: form["reason"], user: user, db: req.db)
        } catch let e as AbortError where Self.refusals.contains(e.status) {
            return try await CycleWebController().render(req, id: id, error: req.say(e), status: e.status)
        }
        return req.redirect(to: SiteURL.sheet(id).path)
    }
}
