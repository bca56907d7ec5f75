import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The calibration page of a cycle (R-004-04), HR's and managers': who may see it is decided by
/// `CycleService.calibrationScope`, for the API and this page alike.
struct CalibrationWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.calibration(nil).route, use: calibration)
        // an adjustment of one sheet from the page (issue 17 §2), through the sheet's adjust action
        signedIn.post(SiteURL.calibration(nil).route, use: adjust)
    }

    // MARK: calibration (R-004-04)

    func calibration(req: Request) async throws -> Response {
        try await page(req)
    }

    func page(_ req: Request, adjusted: ReviewService.Adjusted? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await CycleStore.cycleWithScheme(id, on: req.db) else { throw KaoheError.notFound("没有这个记录", en: "not found") }
        // who may see it is decided by CycleService.calibration, for the API and this page alike
        _ = try CycleService.calibrationScope(c, user: user)
        let grade = req.query[String.self, at: "department_grade"]?.nilIfEmpty
        // a department's month of marks, kept until the data change (PageCache); the form is a GET
        let html = try await req.application.pageCache.html("calibration|\(id)|\(grade ?? "")|\(try user.requireID())", in: req.language, on: req.db) {
            try await CalibrationView.body(Self.calibrationModel(c, id: id, grade: grade, user: user, db: req.db)).render()
        }
        // the sheets with their adjustment forms carry the session's CSRF token and each sheet's version: never kept
        let rows = try await ReviewService.adjustRows(c, user: user, config: req.application.config, db: req.db)
        return Page.render(status: status, title: "校准", user: user, csrf: req.csrfToken,
                           body: .group(CalibrationView.notice(adjusted, error: error), .raw(html), CalibrationView.adjustments(rows, cycle: id, csrf: req.csrfToken)))
    }

    /// `POST /cycles/:id/calibration`: one mark of one sheet changed, with its reason.
    func adjust(req: Request) async throws -> Response {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await CycleStore.cycleWithScheme(id, on: req.db) else { throw KaoheError.notFound("没有这个记录", en: "not found") }
        _ = try CycleService.calibrationScope(c, user: user)
        let form = try req.content.decode([String: String].self)
        do {
            let done = try await ReviewService.adjust(c, sheet: form["sheet"].flatMap(UUID.init(uuidString:)), version: form["version"].flatMap(Int.init),
                                                      column: form["column"] ?? "", value: form["value"] ?? "", reason: form["reason"],
                                                      user: user, config: req.application.config, db: req.db)
            return try await page(req, adjusted: done)
        } catch let e as AbortError where [.unprocessableEntity, .conflict, .badRequest].contains(e.status) {
            return try await page(req, error: req.say(e), status: e.status)
        }
    }

    static func calibrationModel(_ c: Cycle, id: UUID, grade: String?, user: User, db: Database) async throws -> CalibrationModel {
        let dto = try await CycleService.calibration(c, departmentGrade: grade, user: user, db: db)
        let max = (try? Scoring.engine(c.scheme))?.scheme.max?.double ?? 100
        return CalibrationModel(id: id, scheme: c.scheme.name, period: c.period, max: max, department: dto.department, raters: dto.raters,
                                grade: grade, departmentGrades: Calibration.Quota.r004_04.maxShare.keys.sorted(), quota: dto.quota)
    }
}
