import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// `/cycles/:id/review`: the reviewer's page of a cycle (issue 17 §2) — every sheet waiting for
/// their review as a row, chosen with checkboxes, approved or returned (with one reason) in one
/// post; the page that follows says per sheet what was done and what was refused, and why. Plain
/// forms; the script only adds "select all" and the count (`ReviewView.script`).
struct ReviewWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.review(nil).route, use: page)
        signedIn.post(SiteURL.review(nil).route, use: post)
        routes.get(SiteURL.reviewScript.route) { _ -> Response in
            let res = Response(status: .ok, body: .init(string: ReviewView.script))
            res.headers.contentType = HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
            res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return res
        }
    }

    static func cycle(_ req: Request) async throws -> Cycle {
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await CycleStore.cycleWithScheme(id, on: req.db) else {
            throw KaoheError.notFound("没有这个记录", en: "not found")
        }
        return c
    }

    func page(req: Request) async throws -> Response {
        let user = try req.user
        let c = try await Self.cycle(req)
        let listing = try await ReviewService.listing(c, user: user, db: req.db)
        // without the script, "select all" is this link (?all=1): the same page with every row chosen
        let all = req.query[String.self, at: "all"] == "1"
        return render(req, ReviewModel(listing: listing, csrf: req.csrfToken, selected: all ? Set(listing.rows.map(\.id)) : [], reason: "",
                                       step: nil, outcomes: [], error: nil))
    }

    func post(req: Request) async throws -> Response {
        let user = try req.user
        let c = try await Self.cycle(req)
        // who may post at all is decided before the form is read
        try ReviewService.authorize(c, user: user)
        let form = try req.content.decode([String: String].self)
        // a chosen row: `s.<sheet id>` = the version the row was read at
        let picks = Dictionary(form.compactMap { key, value -> (UUID, Int)? in
            guard key.hasPrefix("s."), let id = UUID(uuidString: String(key.dropFirst(2))), let version = Int(value) else { return nil }
            return (id, version)
        }, uniquingKeysWith: { a, _ in a })
        guard let step = form["action"].flatMap(ReviewService.Bulk.init(rawValue:)) else {
            throw KaoheError.badInput("action: 须为 approve（复核通过）或 return（退回）", en: "action: approve or return")
        }
        let reason = form["reason"] ?? ""
        do {
            let outcomes = try await ReviewService.bulk(step, cycle: c, picks: picks, reason: reason, user: user, config: req.application.config, db: req.db,
                                                        say: { req.say($0) })
            let listing = try await ReviewService.listing(c, user: user, db: req.db)
            // the refused rows stay chosen, to be looked at or tried again
            let refused = Set(outcomes.filter { !$0.done }.map(\.id))
            return render(req, ReviewModel(listing: listing, csrf: req.csrfToken, selected: refused, reason: step == .returnToRater ? "" : reason,
                                           step: step, outcomes: outcomes, error: nil))
        } catch let e as AbortError where [.unprocessableEntity, .badRequest].contains(e.status) {
            // nothing was done: the page again, the rows still chosen and the reason kept
            let listing = try await ReviewService.listing(c, user: user, db: req.db)
            return render(req, ReviewModel(listing: listing, csrf: req.csrfToken, selected: Set(picks.keys), reason: reason,
                                           step: step, outcomes: [], error: req.say(e)), status: e.status)
        }
    }

    func render(_ req: Request, _ m: ReviewModel, status: HTTPStatus = .ok) -> Response {
        Page.render(status: status, title: "批量复核", user: req.auth.get(User.self), csrf: m.csrf, body: ReviewView.body(m))
    }
}
