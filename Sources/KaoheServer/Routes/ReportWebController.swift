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
        signedIn.get("reports", use: index)
        signedIn.get("reports", ":form", use: report)
    }

    func index(req: Request) async throws -> Response {
        let user = try req.user
        guard [.hr, .manager].contains(user.viewer.role) else { throw Abort(.forbidden, reason: "人事和经理使用 HR and managers") }
        let period = try await StoredResult.query(on: req.db).sort(\.$period, .descending).first()?.period ?? ""
        let body: Node<HTML.BodyContext> = .group(
            .p("月度报表填月份（2026-10），年度报表填年份（2026）。"),
            .ul(.forEach(DataView.forms) { f in
                let p = ["year-end-record", "department-stats", "annual-stats"].contains(f.0) ? String(period.prefix(4)) : period
                return .li(.a(.href("/reports/\(f.0)?period=\(p)"), .text(f.1)))
            })
        )
        return Page.render(title: "报表", user: user, csrf: req.csrfToken, body: body)
    }

    func report(req: Request) async throws -> Response {
        let user = try req.user
        guard let f = req.parameters.get("form"), let form = ExportService.Form(rawValue: f) else { throw Abort(.notFound, reason: "没有这个报表 no such form") }
        let period = req.query[String.self, at: "period"]
        let department = req.query[String.self, at: "department"].flatMap { $0.isEmpty ? nil : $0 }
        let (title, sheets) = try await ExportService.build(.init(form: form, period: period, department: department, scheme: nil), viewer: user.viewer, on: req.db)
        let query = "period=\(period ?? "")&department=\(department ?? "")"
        let body: Node<HTML.BodyContext> = .group(
            .p(.class("downloads"), .a(.href("/exports/download?form=\(form.rawValue)&\(query)&format=xlsx"), "下载 Excel (XLSX)"), .text("　"),
               .a(.href("/exports/download?form=\(form.rawValue)&\(query)&format=csv"), "下载 CSV")),
            .forEach(sheets) { s in
                // names people gave (a person, a department, a team): never translated
                let names = Set(s.header.indices.filter { ["姓名", "评分人", "复核人", "记录人", "部门", "班组"].contains(s.header[$0]) })
                return .group(
                    .if(sheets.count > 1, .h2(.text(s.name))),
                    .table(
                        .tr(.forEach(s.header) { .th(.text($0)) }),
                        .forEach(s.rows) { row in
                            .tr(.forEach(Array(row.enumerated())) { k, cell in
                                switch cell {
                                case .number(let t): return .td(.class("num"), .text(t))
                                case .text(let t) where names.contains(k): return .td(.attribute(named: "translate", value: "no"), .text(t))
                                case .text(let t), .date(let t): return .td(.text(t))
                                case .empty: return .td()
                                }
                            })
                        }
                    ),
                    .if(s.rows.isEmpty, .p("本期没有数据 no data for this period"))
                )
            }
        )
        return Page.render(title: title, user: user, csrf: req.csrfToken, body: body)
    }
}
