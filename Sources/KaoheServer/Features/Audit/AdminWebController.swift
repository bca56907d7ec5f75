import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's audit trail and retention pages (R-000-07), through the same functions as the API.
struct AdminWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.audit.route, use: audit)
        hr.get(SiteURL.retention.route, use: retention)
        hr.post(SiteURL.retention.route, use: purge)
    }

    // MARK: audit

    func audit(req: Request) async throws -> Response {
        let entity = req.query[String.self, at: "entity"]?.nilIfEmpty
        let actor = req.query[String.self, at: "actor"]?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let rows = try await AuditStore.entries(entity: entity, actor: actor, range: ((page - 1) * 200)..<(page * 200), on: req.db)
        let entities = ["employee", "user", "scheme", "sheet", "evidence", "event", "qa_recording", "import", "cycle", "records", "api_token"]
        let model = AuditModel(
            entities: entities, entity: entity, actor: actor ?? "", page: page, hasNext: rows.count == 200, previous: req.pageLink(page - 1), next: req.pageLink(page + 1),
            rows: rows.map { a in
                AuditModel.Row(at: a.at, actor: a.actorName, action: a.action, entity: a.entity, entityId: a.entityId, before: a.before ?? "", after: a.after ?? "",
                               reason: a.reason ?? "")
            })
        return Page.render(title: "审计记录", user: try req.user, csrf: req.csrfToken, body: AuditView.body(model))
    }

    // MARK: retention (R-000-07)

    func retention(req: Request) async throws -> Response { try await retentionPage(req) }

    func retentionPage(_ req: Request, message: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let config = req.application.config
        let cutoff = Retention.cutoff(config)
        let counts = try await Retention.counts(before: cutoff, db: req.db)
        let total = counts.values.reduce(0, +)
        let model = RetentionModel(error: error, message: message, csrf: req.csrfToken, months: config.retentionMonths, cutoff: cutoff, total: total,
                                   lines: RetentionArchive.tables.map { RetentionModel.Line(label: Retention.label($0), count: counts[$0] ?? 0) })
        return Page.render(status: status, title: "数据保留", user: try req.user, csrf: req.csrfToken, body: RetentionView.body(model))
    }

    func purge(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let cutoff = f["cutoff"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let allowed = Retention.cutoff(req.application.config)
        guard cutoff.wholeMatch(of: /\d{4}-(0[1-9]|1[0-2])/) != nil else { return try await retentionPage(req, error: "月份须为 YYYY-MM（“\(cutoff)”）", status: .badRequest) }
        guard cutoff <= allowed else { return try await retentionPage(req, error: "\(cutoff) 晚于保存期限 \(allowed)", status: .badRequest) }
        guard f["archived"] == "true" else { return try await retentionPage(req, error: "清理前须先下载存档并勾选确认", status: .badRequest) }
        let done = try await Retention.purge(before: cutoff, user: try req.user, db: req.db)
        return try await retentionPage(req, message: "已清理 \(cutoff) 之前的记录 \(done.removed.values.reduce(0, +)) 行（依据 \(done.evidence) 条、成绩 \(done.results) 条）")
    }
}

extension Request {
    /// This page's address with another page number, escaped for an `href` (the query is the reader's).
    func pageLink(_ page: Int) -> String {
        var c = URLComponents(string: url.string) ?? URLComponents()
        c.queryItems = (c.queryItems ?? []).filter { $0.name != "page" } + [URLQueryItem(name: "page", value: String(page))]
        return HTMLEscape.attribute(c.string ?? SiteURL.people.path)
    }
}
