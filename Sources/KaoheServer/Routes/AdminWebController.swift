import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's pages (issue 7 §2): people, the audit trail, retention, the schemes and their editor; and
/// the calibration page of a cycle (HR and managers). Each goes through the same functions as
/// the API.
struct AdminWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        let hr = signedIn.grouped(RequireHR())
        hr.get("people", use: people)
        hr.get("people", ":id", use: person)
        hr.post("people", ":id", use: updatePerson)
        hr.get("audit", use: audit)
        hr.get("retention", use: retention)
        hr.post("retention", use: purge)
        hr.get("schemes", use: schemes)
        hr.get("schemes", ":key", use: scheme)
        // a scheme is larger than the 16 KB a form body may have by default
        routes.grouped(RequireLogin(), CSRFCheck(maxBody: "2mb"), RequireHR())
            .on(.POST, "schemes", ":key", body: .collect(maxSize: "2mb"), use: editScheme)
        signedIn.get("cycles", ":id", "calibration", use: calibration)
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
               .if(page > 1, .a(.href(pageLink(req, page - 1)), " 上一页")), .if(page * 100 < total, .a(.href(pageLink(req, page + 1)), " 下一页")),
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

    /// This page's address with another page number, escaped for an `href` (the query is the reader's).
    func pageLink(_ req: Request, _ page: Int) -> String {
        var c = URLComponents(string: req.url.string) ?? URLComponents()
        c.queryItems = (c.queryItems ?? []).filter { $0.name != "page" } + [URLQueryItem(name: "page", value: String(page))]
        return HTMLEscape.attribute(c.string ?? "/people")
    }

    func person(req: Request) async throws -> Response { try await personPage(req) }

    func personPage(_ req: Request, message: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self),
              let e = try await Employee.query(on: req.db).filter(\.$id == id).with(\.$department).with(\.$team).first() else { throw Abort(.notFound, reason: "没有这个员工 no such employee") }
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
        guard let id = req.parameters.get("id", as: UUID.self), let e = try await Employee.find(id, on: req.db) else { throw Abort(.notFound, reason: "没有这个员工 no such employee") }
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
            try await OrganisationController.update(e, patch, user: try req.user, db: req.db)
        } catch let a as AbortError where [.unprocessableEntity, .badRequest].contains(a.status) {
            return try await personPage(req, error: a.reason, status: a.status)
        }
        return try await personPage(req, message: "已保存")
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
               .if(page > 1, .a(.href(pageLink(req, page - 1)), " 上一页")), .if(rows.count == 200, .a(.href(pageLink(req, page + 1)), " 下一页"))),
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

    /// A share Core gives in percentage points (25.0 is a quarter), as a person reads it: "25 %".
    static func percent(_ points: Double) -> String {
        points.rounded() == points ? String(format: "%.0f %%", points) : String(format: "%.1f %%", points)
    }

    // MARK: schemes

    func schemes(req: Request) async throws -> Response {
        var latest: [String: SchemeVersion] = [:]
        for v in try await SchemeVersion.query(on: req.db).with(\.$department).all() where (latest[v.key]?.version ?? 0) < v.version { latest[v.key] = v }
        let body: Node<HTML.BodyContext> = .group(
            .p("方案是数据：改动保存为新版本，已评的考核表保留原来的版本。"),
            .table(.tr(.th("方案"), .th("名称"), .th("版本"), .th("部门"), .th("预设")),
                   .forEach(latest.values.sorted { $0.key < $1.key }) { v in
                       .tr(.td(.a(.href(HTMLEscape.attribute("/schemes/\(v.key)")), .text(v.key))), .td(.text(v.name)), .td(.class("num"), .text(String(v.version))),
                           .td(.text(v.department?.name ?? "")), .td(.text(v.preset ?? "")))
                   })
        )
        return Page.render(title: "考核方案", user: try req.user, csrf: req.csrfToken, body: body)
    }

    func current(_ req: Request) async throws -> SchemeVersion {
        let key = req.parameters.get("key") ?? ""
        guard let v = try await SchemeVersion.query(on: req.db).filter(\.$key == key).sort(\.$version, .descending).first() else {
            throw Abort(.notFound, reason: "没有这个方案 no such scheme “\(key)”")
        }
        return v
    }

    func scheme(req: Request) async throws -> Response {
        let v = try await current(req)
        return try await schemePage(req, v, text: v.text, checked: false)
    }

    /// The editor: the YAML, each problem listed and shown under its line, and a preview that
    /// scores a sample employee's latest month with the edited scheme.
    func schemePage(_ req: Request, _ v: SchemeVersion, text: String, checked: Bool, reason: String = "", preview: SchemeView.Preview? = nil,
                    message: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let (_, problems) = SchemeController.check(text, key: v.key)
        let placed = problems.map { p in SchemeView.Placed(problem: p, line: SchemeLoader.line(of: p.path, in: text)) }
        let versions = try await SchemeVersion.query(on: req.db).filter(\.$key == v.key).sort(\.$version, .descending).all()
        let samples = try await sampleEmployees(v, req.db)
        let body = SchemeView.editor(key: v.key, version: v.version, versions: versions.map { ($0.version, $0.createdAt) }, text: text, problems: placed,
                                     checked: checked, reason: reason, samples: samples.map { ($0.1.id!.uuidString, "\($0.1.number) \($0.0)") },
                                     preview: preview, message: message, csrf: req.csrfToken)
        return Page.render(status: status, title: "考核方案 \(v.name)", user: try req.user, csrf: req.csrfToken, body: body)
    }

    /// Up to 50 employees with a result under the scheme's current version in its latest month
    /// (the results table: a few rows per person, where the evidence has twenty).
    func sampleEmployees(_ v: SchemeVersion, _ db: Database) async throws -> [(String, Employee)] {
        let sid = try v.requireID()
        guard let latest = try await StoredResult.query(on: db).filter(\.$scheme.$id == sid).sort(\.$period, .descending).first()?.period else { return [] }
        let ids = try await Queries.employeeIds(in: StoredResult.schema, periods: [latest], schemes: [sid], on: db)
        return try await Employee.query(on: db).filter(\.$id ~~ Set(ids)).sort(\.$number).range(..<50).all().map { (latest, $0) }
    }

    func editScheme(req: Request) async throws -> Response {
        let v = try await current(req)
        let f = try req.content.decode([String: String].self)
        let text = (f["text"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let reason = f["reason"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let (scheme, problems) = SchemeController.check(text, key: v.key)
        let hasErrors = problems.contains { $0.severity == .error }
        switch f["action"] {
        case "preview":
            var preview: SchemeView.Preview?
            if let scheme, !hasErrors, let sample = f["sample"].flatMap(UUID.init(uuidString:)),
               let (period, _) = try await sampleEmployees(v, req.db).first(where: { $0.1.id == sample }) {
                do {
                    let engine = try ScoringEngine(scheme: scheme)
                    let now = try await Scoring.score(engine: try Scoring.engine(v), version: v, period: period, on: req.db).first { $0.0.id == sample }?.1
                    let edited = try await Scoring.score(engine: engine, version: v, period: period, on: req.db).first { $0.0.id == sample }?.1
                    preview = SchemeView.Preview(period: period, current: now, edited: edited, error: nil)
                } catch {
                    preview = SchemeView.Preview(period: period, current: nil, edited: nil, error: "\(error)")
                }
            }
            return try await schemePage(req, v, text: text, checked: true, reason: reason, preview: preview,
                                        message: hasErrors ? "方案有错误，不能预览" : (preview == nil ? "请选择一位员工" : nil))
        case "save":
            guard let scheme, !hasErrors else { return try await schemePage(req, v, text: text, checked: true, reason: reason, message: "方案有错误，未保存", status: .unprocessableEntity) }
            guard !reason.isEmpty else { return try await schemePage(req, v, text: text, checked: true, reason: reason, message: "须说明修改原因（R-004-03）", status: .unprocessableEntity) }
            guard text != v.text else { return try await schemePage(req, v, text: text, checked: true, reason: reason, message: "没有改动") }
            let next = try await SchemeController.save(scheme, text: text, after: v, reason: reason, user: try req.user, db: req.db)
            return try await schemePage(req, next, text: next.text, checked: true, message: "已保存为第 \(next.version) 版；已评的考核表仍按原版本")
        default:
            return try await schemePage(req, v, text: text, checked: true, reason: reason)
        }
    }

    // MARK: calibration (R-004-04)

    func calibration(req: Request) async throws -> Response {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await Cycle.query(on: req.db).filter(\.$id == id).with(\.$scheme).first() else { throw Abort(.notFound) }
        // who may see it is decided by CycleService.calibration, for the API and this page alike
        _ = try CycleService.calibrationScope(c, user: user)
        let grade = req.query[String.self, at: "department_grade"]?.nilIfEmpty
        // a department's month of marks, kept until the data change (PageCache); the form is a GET
        let html = try await req.application.pageCache.html("calibration|\(id)|\(grade ?? "")|\(try user.requireID())", in: req.language, on: req.db) {
            try await Self.calibrationBody(c, id: id, grade: grade, user: user, db: req.db).render()
        }
        return Page.render(title: "校准", user: user, csrf: req.csrfToken, body: .raw(html))
    }

    static func calibrationBody(_ c: Cycle, id: UUID, grade: String?, user: User, db: Database) async throws -> Node<HTML.BodyContext> {
        let dto = try await CycleService.calibration(c, departmentGrade: grade, user: user, db: db)
        let max = (try? Scoring.engine(c.scheme))?.scheme.max?.double ?? 100
        let chart = Charts.raters(dto.raters.compactMap { r in
            guard let m = r.stats.mean, let lo = r.stats.min, let hi = r.stats.max else { return nil }
            return Charts.Rater(name: r.rater, count: r.stats.count, mean: m, min: lo, max: hi)
        }, departmentMean: dto.department.mean, max: max, title: "评分人对比（R-004-04）")
        func f(_ d: Double?) -> String { d.map { Charts.fmt(($0 * 100).rounded() / 100) } ?? "—" }
        return .group(
            .p(.text("\(c.scheme.name) · \(c.period) · 部门 \(dto.department.count) 人，平均 \(f(dto.department.mean))，标准差 \(f(dto.department.spread))")),
            Bits.chart(chart),
            .table(.tr(.th("评分人"), .th("人数"), .th("平均"), .th("与部门平均之差"), .th("标准差"), .th("最低"), .th("最高"), .th("等级分布")),
                   .forEach(dto.raters) { r in
                       .tr(.td(Bits.name(r.rater)), .td(.class("num"), .text(String(r.stats.count))), .td(.class("num"), .text(f(r.stats.mean))),
                           .td(.class(abs(r.meanVsDepartment ?? 0) >= 5 ? "num error" : "num"), .text(f(r.meanVsDepartment))),
                           .td(.class("num"), .text(f(r.stats.spread))), .td(.class("num"), .text(f(r.stats.min))), .td(.class("num"), .text(f(r.stats.max))),
                           .td(.text(r.stats.grades.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "，"))))
                   }),
            .h2("强制分布（R-004-04）"),
            .form(.method(.get), .action("/cycles/\(id)/calibration"),
                  .label(.text("部门等级 "), DataView.select("department_grade", [("", "—")] + Calibration.Quota.r004_04.maxShare.keys.sorted().map { ($0, $0) }, selected: grade)),
                  .button(.type(.submit), "查看配额")),
            .table(.tr(.th("等级"), .th("人数"), .th("占比"), .th("上限"), .th("超出")),
                   .forEach(dto.quota) { q in
                       .tr(.td(.text(q.grade)), .td(.class("num"), .text(String(q.count))), .td(.class("num"), .text(Self.percent(q.share))),
                           .td(.class("num"), .text(q.maxShare.map(Self.percent) ?? "—")), .td(.class(q.excess > 0 ? "num error" : "num"), .text(String(q.excess))))
                   }),
            .p(.a(.href("/cycles"), "返回考核周期"))
        )
    }
}

extension Optional {
    func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self { case .some(let w): return try await f(w); case .none: return nil }
    }
}

enum SchemeView {
    struct Placed { var problem: SchemeProblem; var line: Int? }
    struct Preview { var period: String; var current: SheetResult?; var edited: SheetResult?; var error: String? }

    static func editor(key: String, version: Int, versions: [(Int, Date?)], text: String, problems: [Placed], checked: Bool, reason: String,
                       samples: [(String, String)], preview: Preview?, message: String?, csrf: String) -> Node<HTML.BodyContext> {
        let errors = problems.filter { $0.problem.severity == .error }.count
        let warnings = problems.count - errors
        let byLine = Dictionary(grouping: problems.filter { $0.line != nil }, by: { $0.line! })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return .group(
            .unwrap(message) { .p(.class(errors > 0 ? "error" : "demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.text("\(key) · 当前版本 \(version) · 版本数 \(versions.count)")),
            .p(.class(errors > 0 ? "error" : ""), .text(errors == 0 && warnings == 0 ? "校验通过，没有错误或警告" : "错误 \(errors) 个，警告 \(warnings) 个")),
            .if(!problems.isEmpty, .ul(.class("problems"), .forEach(problems) { p in
                .li(.class(p.problem.severity == .error ? "error" : ""),
                    .unwrap(p.line) { .a(.href("#L\($0)"), .span("行号"), .text(" \($0) ")) },
                    .code(.text(p.problem.path)), .text("：" + (p.problem.severity == .error ? "错误" : "警告") + " "), .text(p.problem.message),
                    .if(!p.problem.rules.isEmpty, .text("（\(p.problem.rules.joined(separator: "、"))）")))
            })),
            .form(.method(.post), .action(HTMLEscape.attribute("/schemes/\(key)")), DataView.hidden(csrf),
                  .label(.text("方案（YAML）"),
                         .textarea(.name("text"), .attribute(named: "rows", value: "24"), .attribute(named: "spellcheck", value: "false"), .class("code"), .text(text))),
                  .label(.text("预览用的员工 "), DataView.select("sample", samples, selected: nil)),
                  .label(.text("修改原因（保存时必填）"), .input(.type(.text), .name("reason"), .value(HTMLEscape.attribute(reason)))),
                  .button(.type(.submit), .name("action"), .value("check"), "校验"),
                  .button(.type(.submit), .name("action"), .value("preview"), "校验并预览"),
                  .button(.type(.submit), .name("action"), .value("save"), "保存为新版本")),
            .unwrap(preview) { p in
                .section(.h2(.text("预览：\(p.period)")),
                         .unwrap(p.error) { .p(.class("error"), .text($0)) },
                         .if(p.current != nil || p.edited != nil, .table(
                            .tr(.th("项目"), .th("现行版本"), .th("修改后"), .th("修改后的依据与计算")),
                            .forEach(previewRows(p)) { r in
                                .tr(.class(r.1 == r.2 ? "" : "changed"), .td(.text(r.0)), .td(.class("num"), .text(r.1)), .td(.class("num"), .text(r.2)), .td(.text(r.3)))
                            })))
            },
            .if(checked && !problems.isEmpty, .section(.h2("问题所在"),
                .element(named: "pre", nodes: [.class("listing"), .attribute(named: "translate", value: "no")] + lines.enumerated().map { k, line -> Node<HTML.BodyContext> in
                    let n = k + 1
                    guard let here = byLine[n] else { return .text("\(pad(n)) \(line)\n") }
                    return .group(.span(.id("L\(n)"), .class("bad"), .text("\(pad(n)) \(line)\n")),
                                  .forEach(here) { p in .span(.class("error"), .text("     ↑ \(p.problem.path)：\(p.problem.message)\n")) })
                })))
        )
    }

    static func pad(_ n: Int) -> String { String(repeating: " ", count: max(0, 4 - String(n).count)) + String(n) }

    /// Item by item: label, points now, points edited, the edited explanation; then the total.
    static func previewRows(_ p: Preview) -> [(String, String, String, String)] {
        var out: [(String, String, String, String)] = []
        let now = Dictionary((p.current?.items ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for it in p.edited?.items ?? [] {
            out.append((it.label, now[it.id]?.points?.format() ?? "—", it.points?.format() ?? "—", it.explanation))
        }
        out.append(("总分", p.current?.total.format() ?? "—", p.edited?.total.format() ?? "—", p.edited?.grade.map { "等级 \($0)" } ?? ""))
        return out
    }
}
