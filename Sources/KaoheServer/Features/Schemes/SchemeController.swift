import Fluent
import Foundation
import KaoheCore
import Vapor

/// Schemes stored and versioned (issue 4 §4): a preset is instantiated as version 1; editing
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

    struct InstantiateRequest: Content { var preset: String; var departmentId: UUID? }

    func instantiate(req: Request) async throws -> Response {
        let body = try req.decodeBody(InstantiateRequest.self)
        guard let file = Presets.files().first(where: { $0.deletingPathExtension().lastPathComponent == body.preset }) else {
            throw KaoheError.notFound("preset: 没有预设 “\(body.preset)”；可用：\(Presets.all().map(\.id).joined(separator: ", "))", en: "preset: no preset “\(body.preset)”; available: \(Presets.all().map(\.id).joined(separator: ", "))")
        }
        if let d = body.departmentId, try await PeopleStore.department(d, on: req.db) == nil {
            throw KaoheError.invalid("department_id: 没有这个部门", en: "department_id: no such department")
        }
        guard try await SchemeStore.count(key: body.preset, on: req.db) == 0 else {
            throw KaoheError.conflict("方案 \(body.preset) 已存在；修改请提交新版本 (PUT /api/v1/schemes/\(body.preset))", en: "scheme \(body.preset) exists; submit a new version to change it (PUT /api/v1/schemes/\(body.preset))")
        }
        let text = try String(contentsOf: file, encoding: .utf8)
        let scheme = try Presets.scheme(body.preset)
        let user = try req.user
        let v = SchemeVersion(key: body.preset, version: 1, name: scheme.name, text: text, preset: body.preset, departmentId: body.departmentId, createdBy: user.id)
        try await v.save(on: req.db)
        try await Audit.record(on: req.db, actor: user, action: "create", entity: "scheme", id: "\(body.preset) v1", after: "preset \(body.preset)")
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
