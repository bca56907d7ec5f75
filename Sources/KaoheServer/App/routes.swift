import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

func routes(_ app: Application) throws {
    app.get(SiteURL.health.route) { _ in "ok" }
    Observability.register(app)
    Scripts.register(app)
    try app.register(collection: AccountRoutes())
    try app.register(collection: HomeRoutes())
    try app.register(collection: LanguageController())
    try app.register(collection: OpenAPIRoutes())
    try app.register(collection: AdminController())
    try app.register(collection: EvidenceController())
    try app.register(collection: OrganisationController())
    try app.register(collection: SchemeController())
    try app.register(collection: UserController())
    try app.register(collection: EventController())
    try app.register(collection: ImportController())
    try app.register(collection: ExportController())
    try app.register(collection: DataWebController())
    try app.register(collection: CycleController())
    try app.register(collection: CycleWebController())
    try app.register(collection: CycleControlWebController())
    try app.register(collection: TeamGridWebController())
    try app.register(collection: ReportWebController())
    try app.register(collection: PrintController())
    try app.register(collection: QAWebController())
    try app.register(collection: AdminWebController())
    try app.register(collection: PeopleWebController())
    try app.register(collection: OrganisationWebController())
    try app.register(collection: AccountsWebController())
    try app.register(collection: SchemeWebController())
    try app.register(collection: SchemeBuilderController())
    try app.register(collection: CalibrationWebController())
    try app.register(collection: ReviewWebController())
    try app.register(collection: OutcomeRoutes())
    try app.register(collection: NotificationRoutes())
}

/// The API's own description, `GET /api/v1/openapi.json` (App/OpenAPI).
struct OpenAPIRoutes: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get(SiteURL.api(.openapi).route, use: openAPI)
    }

    func openAPI(req: Request) async throws -> Response {
        let res = Response(status: .ok, body: .init(string: OpenAPI.document))
        res.headers.contentType = .json
        return res
    }
}
