import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's audit trail and retention pages (R-000-07), through the same functions as the API.
struct AdminWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get("audit", use: audit)
        hr.get("retention", use: retention)
        hr.post("retention", use: purge)
    }

    // MARK: audit

    func audit(req: Request) async throws -> Response {
        let entity = req.query[String.self, at: "entity"]?.nilIfEmpty
        let actor = req.query[String.self, at: "actor"]?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let q = AuditEntry.query(on: req.db).sort(\.$at, .descending)
        if let entity { q.filter(\.$entity == entity) }
        if let actor { q.filter(\.$actorName, .custom("LIKE"), "%\(actor)%") }
        let rows = try await q.range(((page - 1) * 200)..<(page * 200)).all()
        let entities = ["employee", "user", "scheme", "sheet", "evidence", "event", "qa_recording", "import", "cycle", "records", "api_token"]
        let body: Node<HTML.BodyContext> = .group(
            .p("每一次变更都有记录：谁、何时、改了什么、改之前和之后、为什么（R-004-03）。记录只增不改。"),
            .form(.method(.get), .action("/audit"),
                  .label(.text("对象 "), DataView.select("entity", [("", "全部")] + entities.map { ($0, $0) }, selected: entity)),
                  .label(.text("操作人 "), .input(.type(.search), .name("actor"), .value(HTMLEscape.attribute(actor ?? "")))),
                  .button(.type(.submit), "筛选")),
            .p(.class("downloads"), .a(.href("/api/v1/audit.csv?limit=5000"), "下载 CSV（最近 5000 条）"),
               .if(page > 1, .a(.href(req.pageLink(page - 1)), " 上一页")), .if(rows.count == 200, .a(.href(req.pageLink(page + 1)), " 下一页"))),
            .table(.tr(.th("时间"), .th("操作人"), .th("操作"), .th("对象"), .th("编号"), .th("前"), .th("后"), .th("原因")),
                   .forEach(rows) { a in
                       .tr(.td(.text(a.at.formatted(.iso8601))), .td(Bits.name(a.actorName)), .td(.text(a.action)), .td(.text(a.entity)), .td(Bits.typed(a.entityId)),
                           .td(Bits.typed(a.before ?? "")), .td(Bits.typed(a.after ?? "")), .td(Bits.typed(a.reason ?? "")))
                   })
        )
        return Page.render(title: "审计记录", user: try req.user, csrf: req.csrfToken, body: body)
    }

    // MARK: retention (R-000-07)

    func retention(req: Request) async throws -> Response { try await retentionPage(req) }

    func retentionPage(_ req: Request, message: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let config = req.application.config
        let cutoff = Retention.cutoff(config)
        let counts = try await Retention.counts(before: cutoff, db: req.db)
        let total = counts.values.reduce(0, +)
        let body: Node<HTML.BodyContext> = .group(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.text("考核记录保存 \(config.retentionMonths) 个月（R-000-07）。\(cutoff) 之前的记录已过保存期：共 \(total) 行。")),
            .table(.tr(.th("记录"), .th("行数")),
                   .forEach(RetentionArchive.tables) { t in .tr(.td(.text(Retention.label(t))), .td(.text("\(counts[t] ?? 0)"))) }),
            .p(.text("清理会删除上表中的全部记录（含事件备注、导入历史和相关审计条目），只留下一条记有行数的清理审计。存档可用 kaohe restore --archive 恢复。")),
            .p(.class("downloads"), .a(.href("/api/v1/retention/archive"), "下载存档（JSON）")),
            .form(.method(.post), .action("/retention"), DataView.hidden(req.csrfToken),
                  .label(.text("清理此月之前的记录（YYYY-MM，不晚于 \(cutoff)）"), .input(.type(.text), .name("cutoff"), .value(HTMLEscape.attribute(cutoff)), .required(true))),
                  .label(.input(.type(.checkbox), .name("archived"), .value("true")), .text(" 我已下载并保存了存档")),
                  .button(.type(.submit), "清理"))
        )
        return Page.render(status: status, title: "数据保留", user: try req.user, csrf: req.csrfToken, body: body)
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
        return HTMLEscape.attribute(c.string ?? "/people")
    }
}
