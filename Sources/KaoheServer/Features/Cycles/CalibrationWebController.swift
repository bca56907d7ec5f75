import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The calibration page of a cycle (R-004-04), HR's and managers': who may see it is decided by
/// `CycleService.calibrationScope`, for the API and this page alike.
struct CalibrationWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.grouped(RequireLogin(), CSRFCheck()).get("cycles", ":id", "calibration", use: calibration)
    }

    // MARK: calibration (R-004-04)

    func calibration(req: Request) async throws -> Response {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await Cycle.query(on: req.db).filter(\.$id == id).with(\.$scheme).first() else { throw KaoheError.notFound("没有这个记录 not found") }
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

    /// A share Core gives in percentage points (25.0 is a quarter), as a person reads it: "25 %".
    static func percent(_ points: Double) -> String {
        points.rounded() == points ? String(format: "%.0f %%", points) : String(format: "%.1f %%", points)
    }
}
