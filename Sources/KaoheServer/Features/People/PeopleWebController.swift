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
        hr.get("people", use: people)
        hr.get("people", ":id", use: person)
        hr.post("people", ":id", use: updatePerson)
    }

    // MARK: people

    func people(req: Request) async throws -> Response {
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let dept = req.query[String.self, at: "department"].flatMap(UUID.init(uuidString:))
        let status = req.query[String.self, at: "status"] ?? "active"
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let query = Employee.query(on: req.db).with(\.$department).with(\.$team).sort(\.$number)
        if let dept { query.filter(\.$department.$id == dept) }
        if status != "all" { query.filter(\.$status == status) }
        if !q.isEmpty { query.group(.or) { $0.filter(\.$number, .custom("LIKE"), "%\(q)%").filter(\.$name, .custom("LIKE"), "%\(q)%") } }
        let total = try await query.count()
        let list = try await query.range(((page - 1) * 100)..<(page * 100)).all()
        let departments = try await Department.query(on: req.db).sort(\.$code).all()
        let latest = try await Queries.latestTotals(list.compactMap(\.id), on: req.db)
        let body: Node<HTML.BodyContext> = .group(
            .form(.method(.get), .action("/people"),
                  .label(.text("工号或姓名 "), .input(.type(.search), .name("q"), .value(HTMLEscape.attribute(q)))),
                  .label(.text("部门 "), DataView.select("department", [("", "全部")] + departments.map { ($0.id!.uuidString, $0.name) }, selected: dept?.uuidString)),
                  .label(.text("状态 "), DataView.select("status", [("active", "在职"), ("left", "离职"), ("all", "全部")], selected: status)),
                  .button(.type(.submit), "查找")),
            .p(.text("人数 \(total)"), .text(total > 100 ? " · 页码 \(page)/\((total + 99) / 100)" : ""),
               .if(page > 1, .a(.href(req.pageLink(page - 1)), " 上一页")), .if(page * 100 < total, .a(.href(req.pageLink(page + 1)), " 下一页")),
               .text(" · 新员工和批量变动用"), .a(.href("/imports"), "花名册导入")),
            .table(.tr(.th("工号"), .th("姓名"), .th("部门"), .th("班组"), .th("岗位"), .th("入职"), .th("状态"), .th("等级"), .th("星级"), .th("最近成绩")),
                   .forEach(list) { e in
                       .tr(.td(.a(.href("/people/\(e.id!)"), .text(e.number))), .td(Bits.name(e.name)), .td(Bits.name(e.department.name)), .td(Bits.name(e.team?.name ?? "")),
                           .td(.text(e.position)), .td(.text(e.hireDate)), .td(.text(e.status == "active" ? "在职" : "离职")), .td(.text(e.level ?? "")),
                           .td(.class("num"), .text(e.star.map(String.init) ?? "")), .td(.class("num"), .text(latest[e.id!].map { "\($0.period)：\($0.total)" } ?? "")))
                   })
        )
        return Page.render(title: "人员", user: try req.user, csrf: req.csrfToken, body: body)
    }

    func person(req: Request) async throws -> Response { try await personPage(req) }

    func personPage(_ req: Request, message: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self),
              let e = try await Employee.query(on: req.db).filter(\.$id == id).with(\.$department).with(\.$team).first() else { throw KaoheError.notFound("没有这个员工 no such employee") }
        let teams = try await Team.query(on: req.db).filter(\.$department.$id == e.$department.id).sort(\.$name).all()
        let superior = try await e.superiorId.asyncMap { try await Employee.find($0, on: req.db) } ?? nil
        let history = try await AuditEntry.query(on: req.db).filter(\.$entity == "employee").filter(\.$entityId == e.number).sort(\.$at, .descending).range(..<20).all()
        let body: Node<HTML.BodyContext> = .group(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.text("\(e.number) "), Bits.name(e.name), .text(" · "), Bits.name(e.department.name), .text(" · 入职 \(e.hireDate)"), .text(" · "), .a(.href(SiteURL.employee(id).path), "成绩")),
            .form(.method(.post), .action("/people/\(id)"), DataView.hidden(req.csrfToken),
                  .label(.text("岗位 "), .input(.type(.text), .name("position"), .value(HTMLEscape.attribute(e.position)))),
                  .label(.text("班组 "), DataView.select("team", [("", "—")] + teams.map { ($0.id!.uuidString, $0.name) }, selected: e.$team.id?.uuidString)),
                  .label(.text("直接上级（工号）"), .input(.type(.text), .name("superior"), .value(HTMLEscape.attribute(superior?.number ?? "")))),
                  .label(.text("状态 "), DataView.select("status", [("active", "在职"), ("left", "离职")], selected: e.status)),
                  .label(.text("试用期满（YYYY-MM-DD）"), .input(.type(.text), .name("probation_end"), .value(HTMLEscape.attribute(e.probationEnd ?? "")))),
                  .label(.text("等级 "), .input(.type(.text), .name("level"), .value(HTMLEscape.attribute(e.level ?? "")))),
                  .label(.text("星级（0–5）"), .input(.type(.number), .name("star"), .value(e.star.map(String.init) ?? ""), .attribute(named: "min", value: "0"), .attribute(named: "max", value: "5"))),
                  .label(.text("职级 "), .input(.type(.text), .name("job_grade"), .value(HTMLEscape.attribute(e.jobGrade ?? "")))),
                  .label(.text("变更原因（必填，R-004-03）"), .input(.type(.text), .name("reason"), .required(true))),
                  .button(.type(.submit), "保存")),
            .h2("变更记录"),
            .table(.tr(.th("时间"), .th("人"), .th("前"), .th("后"), .th("原因")),
                   .forEach(history) { h in .tr(.td(.text(h.at.formatted(.iso8601))), .td(Bits.name(h.actorName)), .td(Bits.typed(h.before ?? "")), .td(Bits.typed(h.after ?? "")), .td(Bits.typed(h.reason ?? ""))) })
        )
        return Page.render(status: status, title: "人员档案", user: try req.user, csrf: req.csrfToken, body: body)
    }

    func updatePerson(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let e = try await Employee.find(id, on: req.db) else { throw KaoheError.notFound("没有这个员工 no such employee") }
        let f = try req.content.decode([String: String].self)
        func v(_ k: String) -> String? { f[k]?.trimmingCharacters(in: .whitespaces).nilIfEmpty }
        var superior: UUID?
        if let n = v("superior") {
            guard let s = try await Employee.query(on: req.db).filter(\.$number == n).first() else {
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
            return try await personPage(req, error: a.reason, status: a.status)
        }
        return try await personPage(req, message: "已保存")
    }
}
