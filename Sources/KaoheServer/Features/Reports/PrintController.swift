import Fluent
import Foundation
import KaoheCore
import Vapor

/// The forms to print (issue 17 §6): `GET /reports/:form/print?period=&department=&team=&cycle=`
/// (HR; a manager their department) and `GET /sheets/:id/print` (a sheet's monthly record), each
/// with `format=pdf` for the same page printed by headless Chromium — or, where it is not
/// installed, the page itself with a note saying so.
struct PrintController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.reportPrint(nil).route, use: form)
        signedIn.get(SiteURL.sheetPrint(nil).route, use: sheet)
    }

    func form(req: Request) async throws -> Response {
        let user = try req.user
        guard let f = req.parameters.get("form"), let kind = Forms.Kind(rawValue: f) else { throw KaoheError.notFound("没有这个报表", en: "no such form") }
        func given(_ k: String) -> String? { req.query[String.self, at: k].flatMap { $0.isEmpty ? nil : $0 } }
        var cycle: UUID?
        if let c = given("cycle") {
            guard let id = UUID(uuidString: c) else { throw KaoheError.badInput("cycle: 须为考核周期的 id", en: "cycle: a cycle's id") }
            cycle = id
        }
        let q = PrintService.Query(form: kind, period: given("period"), department: given("department"), team: given("team"), cycle: cycle, scheme: given("scheme"))
        var m = try await PrintService.form(q, viewer: user.viewer, config: req.application.config, on: req.db)
        // the same page again with its query, as PDF; and the report page it belongs to
        var query: [(String, String)] = []
        for k in ["period", "department", "team", "cycle", "scheme"] { if let v = given(k) { query.append((k, v)) } }
        m.links = [(HTMLEscape.attribute(SiteURL.reportPrint(kind.rawValue).path(query + [("format", "pdf")])), "下载 PDF"),
                   (HTMLEscape.attribute(SiteURL.report(kind.rawValue).path(query.filter { $0.0 == "period" || $0.0 == "department" })), "返回报表")]
        let file = "\(kind.rawValue)-\(m.period.isEmpty ? "all" : m.period)"
        return try await respond(req, m, user: user, file: file, audit: kind.rawValue)
    }

    func sheet(req: Request) async throws -> Response {
        let user = try req.user
        let id = req.parameters.get("id", as: UUID.self)
        var m = try await PrintService.sheet(id, user: user, config: req.application.config, on: req.db)
        if let id {
            m.links = [(HTMLEscape.attribute(SiteURL.sheetPrint(id).path([("format", "pdf")])), "下载 PDF"),
                       (HTMLEscape.attribute(SiteURL.sheet(id).path), "返回考核表")]
        }
        return try await respond(req, m, user: user, file: "monthly-record-\(m.period)", audit: "monthly-record/\(id?.uuidString ?? "")")
    }

    /// The print page, or with `format=pdf` the PDF of it in the reader's language.
    func respond(_ req: Request, _ model: PrintModel, user: User, file: String, audit: String) async throws -> Response {
        var m = model
        let format = req.query[String.self, at: "format"] ?? "html"
        guard ["html", "pdf"].contains(format) else { throw KaoheError.badInput("format: 可选 html, pdf", en: "format: allowed: html, pdf") }
        if format == "pdf" {
            if let chromium = PDFRenderer.executable(req.application.config) {
                // the page as the reader reads it, without the screen-only links and notes
                var printed = m
                printed.links = []; printed.notes = []
                let lang = req.language
                var html = Localizer.shared.html(PrintView.document(printed), lang)
                if lang != .zhHans { html = html.replacingOccurrences(of: "<html lang=\"zh-Hans\">", with: "<html lang=\"\(lang.rawValue)\">") }
                do {
                    let pdf = try await PDFRenderer.pdf(html: html, chromium: chromium, on: req.application)
                    try await Audit.record(on: req.db, actor: user, action: "export", entity: "form", id: audit, after: "period=\(m.period) format=pdf")
                    let res = Response(status: .ok, body: .init(data: pdf))
                    res.headers.replaceOrAdd(name: .contentType, value: "application/pdf")
                    let name = "\(m.title).pdf"
                    res.headers.replaceOrAdd(name: .contentDisposition,
                                             value: "inline; filename=\"\(file).pdf\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "\(file).pdf")")
                    return res
                } catch {
                    req.logger.error("PDF: \(error)")
                    m.notes.insert("PDF 生成失败，请用浏览器的“打印”另存为 PDF（本页已按 A4 排版）", at: 0)
                }
            } else {
                m.notes.insert("服务器未安装 Chromium，无法生成 PDF：请用浏览器的“打印”另存为 PDF（本页已按 A4 排版）", at: 0)
            }
        }
        let res = Response(status: .ok, body: .init(string: PrintView.document(m)))
        res.headers.contentType = .html
        return res
    }
}
