import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The forms as pages (issue 7 §4, first part): the same sheets the XLSX export holds, as tables
/// that print on A4 (landscape), with the downloads beside them. HR and managers (their department).
struct ReportWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.reports.route, use: index)
        signedIn.get(SiteURL.report(nil).route, use: report)
    }

    func index(req: Request) async throws -> Response {
        let user = try req.user
        guard [.hr, .manager].contains(user.viewer.role) else { throw KaoheError.forbidden("人事和经理使用", en: "HR and managers") }
        let period = try await ResultStore.latestCountedPeriod(on: req.db) ?? ""
        return Page.render(title: "报表", user: user, csrf: req.csrfToken, body: ReportsView.body(ReportsModel(period: period)))
    }

    func report(req: Request) async throws -> Response {
        let user = try req.user
        guard let f = req.parameters.get("form"), let form = ExportService.Form(rawValue: f) else { throw KaoheError.notFound("没有这个报表", en: "no such form") }
        let period = req.query[String.self, at: "period"]
        let department = req.query[String.self, at: "department"].flatMap { $0.isEmpty ? nil : $0 }
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        // who may see what is decided on every request; only then is a kept table asked for
        let scope = try await ExportService.scope(user.viewer, department: department, on: req.db)
        let lang = req.language
        let key = "report|\(form.rawValue)|\(period ?? "")|\(department ?? "")|\(scope?.id?.uuidString ?? "all")|\(page)|\(lang.rawValue)"
        let made = try await req.application.pageCache.value(key, on: req.db, bytes: { $0.html.utf8.count }) {
            let t = try await Self.table(form: form, period: period, department: department, scope: scope, page: page, viewer: user.viewer, on: req.db)
            return (title: t.title, html: Localizer.shared.translatedPart(t.html, lang))
        }
        return Page.render(title: made.title, user: user, csrf: req.csrfToken, body: .raw(made.html))
    }

    /// A report's title and its tables as HTML: a page of people for the forms with a record per
    /// person (the download has everyone).
    static func table(form: ExportService.Form, period: String?, department: String?, scope: Department?, page: Int, viewer: Viewer,
                      on db: Database) async throws -> (title: String, html: String) {
        let perPage = [ExportService.Form.monthlyRecord: 20, .ledger: 100, .results: 100, .yearEndRecord: 100][form]
        var options = ExportService.Options(form: form, period: period, department: department, scheme: nil)
        var pages = 1, people = 0
        if let perPage, let p = period {
            let ids = try await Self.people(p, department: scope, on: db)
            people = ids.count
            pages = max(1, (ids.count + perPage - 1) / perPage)
            options.employees = Set(ids.dropFirst((min(page, pages) - 1) * perPage).prefix(perPage))
        }
        let (title, sheets) = try await ExportService.build(options, viewer: viewer, on: db)
        // the query's period and department are the reader's: escaped in the links (HTMLEscape)
        let query = "period=\(period ?? "")&department=\(department ?? "")"
        func link(_ n: Int) -> String { HTMLEscape.attribute(SiteURL.report(form.rawValue).path + "?\(query)&page=\(n)") }
        let model = ReportModel(
            xlsx: HTMLEscape.attribute(SiteURL.exportDownload.path + "?form=\(form.rawValue)&\(query)&format=xlsx"),
            csv: HTMLEscape.attribute(SiteURL.exportDownload.path + "?form=\(form.rawValue)&\(query)&format=csv"),
            print: HTMLEscape.attribute(SiteURL.reportPrint(form.rawValue).path + "?\(query)"),
            pdf: HTMLEscape.attribute(SiteURL.reportPrint(form.rawValue).path + "?\(query)&format=pdf"),
            people: people, page: page, pages: pages, previous: link(page - 1), next: link(page + 1),
            sheets: sheets.map { s in
                ReportModel.Sheet(name: s.name, columns: s.header.indices.map { ReportModel.Column(title: s.header[$0], translatable: !s.nameColumns.contains($0)) },
                                  rows: s.rows)
            })
        return (title, ReportView.body(model).render())
    }

    /// The people with results in the periods of `period` (a month, or the months of a year), in
    /// 工号 order: one query of plain rows, no sheet decoded.
    static func people(_ period: String, department: Department?, on db: Database) async throws -> [UUID] {
        let periods = period.count == 7 ? [period] : (1...12).map { "\(period.prefix(4))-" + String(format: "%02d", $0) }
        let ids = try await Queries.employeeIds(in: StoredResult.schema, periods: periods, countedOnly: true, on: db)
        return try await PeopleStore.employeeIds(ids, department: try department?.requireID(), on: db)
    }
}
