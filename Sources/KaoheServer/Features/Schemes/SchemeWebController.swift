import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// HR's scheme pages: the list with the template gallery (a copy of a preset or a blank scheme,
/// under the company's own key and name), and the editor (validate, preview against a sample person, save a
/// new version with a reason) — through the same check and save as the API.
struct SchemeWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.schemes.route, use: schemes)
        hr.post(SiteURL.schemes.route, use: createScheme)
        hr.get(SiteURL.scheme(nil).route, use: scheme)
        // a scheme is larger than the 16 KB a form body may have by default
        routes.grouped(RequireLogin(), CSRFCheck(maxBody: "2mb"), RequireHR())
            .on(.POST, SiteURL.scheme(nil).route, body: .collect(maxSize: "2mb"), use: editScheme)
    }

    // MARK: schemes

    /// The presets as the gallery shows them (bundled files: read once).
    static let presetSummaries: [(id: String, name: String, source: String, items: Int)] = Presets.all().map { e in
        let items = (try? Presets.scheme(e.id)).map { s in s.sections.reduce(0) { $0 + $1.items.count } + s.adjustments.count + s.money.count } ?? 0
        return (id: e.id, name: e.name, source: e.source ?? "", items: items)
    }

    func schemes(req: Request) async throws -> Response {
        let from = req.query[String.self, at: "from"].flatMap { id in Self.presetSummaries.contains { $0.id == id } ? id : nil } ?? "blank"
        return try await schemesPage(req, from: from, key: "", name: "", department: "", error: nil, status: .ok)
    }

    /// The list and the gallery, with the creation form as typed (after a refusal: its reason).
    func schemesPage(_ req: Request, from: String, key: String, name: String, department: String, error: String?, status: HTTPStatus) async throws -> Response {
        let latest = try await SchemeStore.latest(withDepartments: true, on: req.db)
        let rows = latest.values.sorted { $0.key < $1.key }.map { v in
            SchemesModel.Row(key: v.key, name: v.name, version: v.version, department: v.department?.name ?? "", preset: v.preset ?? "")
        }
        let templates = Self.presetSummaries.map { p in
            SchemesModel.Template(id: p.id, name: p.name, source: p.source, items: p.items, copies: latest.values.filter { $0.preset == p.id }.count)
        }
        let departments = try await PeopleStore.departments(on: req.db).map { (($0.id?.uuidString ?? ""), $0.name) }
        let model = SchemesModel(rows: rows, templates: templates, departments: departments, from: from, key: key, name: name, department: department, error: error)
        return Page.render(status: status, title: "考核方案", user: try req.user, csrf: req.csrfToken, body: SchemesView.body(model, csrf: req.csrfToken))
    }

    /// The gallery's form: a copy of a preset, or a blank scheme, under the key and name typed;
    /// then its editor. A refusal shows the page again with the reason and what was typed.
    func createScheme(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let from = f["from"] ?? "blank", key = f["key"] ?? "", name = f["name"] ?? "", department = f["department"] ?? ""
        func refuse(_ e: KaoheError) async throws -> Response {
            try await schemesPage(req, from: from, key: key, name: name, department: department, error: req.say(e), status: e.status)
        }
        guard department.isEmpty || UUID(uuidString: department) != nil else {
            return try await refuse(.invalid("department: 没有这个部门", en: "department: no such department"))
        }
        do {
            let v = try await SchemeService.create(from: from == "blank" ? nil : from, key: key, name: name,
                                                   departmentId: department.isEmpty ? nil : UUID(uuidString: department), user: try req.user, db: req.db)
            return req.redirect(to: SiteURL.scheme(v.key).path)
        } catch let e as KaoheError {
            return try await refuse(e)
        }
    }

    func current(_ req: Request) async throws -> SchemeVersion {
        let key = req.parameters.get("key") ?? ""
        guard let v = try await SchemeStore.newest(key: key, on: req.db) else {
            throw KaoheError.notFound("没有方案 “\(key)”", en: "no such scheme “\(key)”")
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
        let (_, problems) = SchemeService.check(text, key: v.key)
        let placed = problems.map { p in SchemeView.Placed(problem: p, line: p.line ?? SchemeLoader.line(of: p.path, in: text)) }
        let versions = try await SchemeStore.versions(key: v.key, newestFirst: true, on: req.db)
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
        guard let latest = try await ResultStore.latestPeriod(scheme: sid, on: db) else { return [] }
        let ids = try await Queries.employeeIds(in: StoredResult.schema, periods: [latest], schemes: [sid], on: db)
        return try await PeopleStore.employees(ids, limit: 50, on: db).map { (latest, $0) }
    }

    func editScheme(req: Request) async throws -> Response {
        let v = try await current(req)
        let f = try req.content.decode([String: String].self)
        let text = (f["text"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let reason = f["reason"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let (scheme, problems) = SchemeService.check(text, key: v.key)
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
            let next = try await SchemeService.save(scheme, text: text, after: v, reason: reason, user: try req.user, db: req.db)
            return try await schemePage(req, next, text: next.text, checked: true, message: "已保存为第 \(next.version) 版；已评的考核表仍按原版本")
        default:
            return try await schemePage(req, v, text: text, checked: true, reason: reason)
        }
    }
}
