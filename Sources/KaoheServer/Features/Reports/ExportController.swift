import Fluent
import Foundation
import Vapor

/// `GET /api/v1/exports/{form}?period=2026-10|2026&department=&scheme=&format=xlsx|csv`: a form as
/// a file to download (HR: any department or the whole company; a manager: their department).
struct ExportController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.grouped(APIAuthenticator()).get(SiteURL.api(.export(nil)).route, use: export)
    }

    func export(req: Request) async throws -> Response {
        try await ExportService.respond(req, form: req.parameters.get("form") ?? "")
    }
}
