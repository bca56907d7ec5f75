import Fluent
import Foundation
import KaoheCore
import Vapor

/// Schemes stored and versioned (issue 4 §4): a preset is copied (any number of times, under the
/// company's own key and name, issue 16 §2) or a blank scheme started as version 1; editing
/// stores a new version after validation (problems named by path, `sections[2].items[0].bands[3]`);
/// results keep the version they were scored with.
struct SchemeController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let api = routes.grouped(APIAuthenticator())
        api.get(SiteURL.api(.schemes).route, use: list)
        api.get(SiteURL.api(.schemeVersions(nil)).route, use: versions)
        let hr = api.grouped(RequireHR())
        hr.post(SiteURL.api(.schemes).route, use: instantiate)
        hr.put(SiteURL.api(.scheme(nil)).route, use: edit)
    }

    struct VersionDTO: Content {
        var key: String
        var version: Int
        var name: String
        var preset: String?
        var departmentId: UUID?
        var createdAt: Date?
    }

    static func dto(_ v: SchemeVersion) -> VersionDTO {
        VersionDTO(key: v.key, version: v.version, name: v.name, preset: v.preset, departmentId: v.$department.id, createdAt: v.createdAt)
    }

    func list(req: Request) async throws -> [VersionDTO] {
        let latest = try await SchemeStore.latest(on: req.db)
        return latest.values.sorted { $0.key < $1.key }.map(Self.dto)
    }

    func versions(req: Request) async throws -> [VersionDTO] {
        let key = req.parameters.get("key") ?? ""
        let all = try await SchemeStore.versions(key: key, on: req.db)
        guard !all.isEmpty else { throw KaoheError.notFound("没有方案 “\(key)”", en: "no such scheme “\(key)”") }
        return all.map(Self.dto)
    }

    /// `preset` to copy (omitted: a blank scheme); `key` and `name` the company's own (a copy of a
    /// preset defaults to the preset's id and name; a blank scheme needs both).
    struct InstantiateRequest: Content { var preset: String?; var key: String?; var name: String?; var departmentId: UUID? }

    func instantiate(req: Request) async throws -> Response {
        let body = try req.decodeBody(InstantiateRequest.self)
        var key = body.key ?? "", name = body.name ?? ""
        if let preset = body.preset {
            guard let entry = Presets.all().first(where: { $0.id == preset }) else {
                throw KaoheError.notFound("preset: 没有预设 “\(preset)”；可用：\(Presets.all().map(\.id).joined(separator: ", "))", en: "preset: no preset “\(preset)”; available: \(Presets.all().map(\.id).joined(separator: ", "))")
            }
            if body.key == nil { key = preset }
            if body.name == nil { name = entry.name }
        }
        let v = try await SchemeService.create(from: body.preset, key: key, name: name, departmentId: body.departmentId, user: try req.user, db: req.db)
        let res = Response(status: .created)
        try res.content.encode(Self.dto(v))
        return res
    }

    struct EditRequest: Content { var text: String; var reason: String }

    struct ProblemDTO: Content { var severity: String; var path: String; var message: String; var rules: [String] }
    struct EditedDTO: Content { var scheme: VersionDTO; var warnings: [ProblemDTO] }
    struct RejectedDTO: Content { var error: String; var message: String; var problems: [ProblemDTO] }

    func edit(req: Request) async throws -> Response {
        let key = req.parameters.get("key") ?? ""
        guard let current = try await SchemeStore.newest(key: key, on: req.db) else {
            throw KaoheError.notFound("没有方案 “\(key)”", en: "no such scheme “\(key)”")
        }
        let body = try req.decodeBody(EditRequest.self)
        guard !body.reason.isBlank else { throw KaoheError.invalid("reason: 须说明修改原因 (R-004-03)") }
        let (scheme, problems) = SchemeService.check(body.text, key: key)
        let dtos = problems.map { ProblemDTO(severity: $0.severity.rawValue, path: $0.path, message: $0.message, rules: $0.rules) }
        guard let scheme, !problems.contains(where: { $0.severity == .error }) else {
            let res = Response(status: .unprocessableEntity)
            try res.content.encode(RejectedDTO(error: "Unprocessable Entity", message: "方案有错误，未保存 the scheme has errors; nothing was saved",
                                               problems: dtos.filter { $0.severity == "error" }))
            return res
        }
        let next = try await SchemeService.save(scheme, text: body.text, after: current, reason: body.reason, user: try req.user, db: req.db)
        return try Response.created(EditedDTO(scheme: Self.dto(next), warnings: dtos.filter { $0.severity != "error" }))
    }
}
