import Fluent
import Foundation
import KaoheCore
import Vapor

/// The import/export page for HR and managers (leads may import their team's evidence).
struct DataWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.imports.route, use: page)
        // the role is checked before the file is read (issue 13)
        routes.grouped(RequireLogin(), RequireImporter(), CSRFCheck(maxBody: "128mb")).on(.POST, SiteURL.imports.route, body: .collect(maxSize: "128mb"), use: upload)
        signedIn.post(SiteURL.importCommit.route, use: commit)
        signedIn.post(SiteURL.importRevert(nil).route, use: revert)
        signedIn.get(SiteURL.exportDownload.route, use: download)
    }

    static func mayUse(_ u: User) throws {
        guard [.hr, .manager, .lead].contains(u.viewer.role) else { throw KaoheError.forbidden("导入导出页面供人事、经理和组长使用", en: "for HR, managers and team leads") }
    }

    func model(_ req: Request, preview: ImportService.Preview? = nil, uploadId: UUID? = nil, message: String? = nil, error: String? = nil) async throws -> DataModel {
        let user = try req.user
        let latest = try await SchemeStore.latest(on: req.db)
        let recent = try await ImportStore.batches(limit: 20, recordedBy: user.viewer.role != .hr ? user : nil, on: req.db).map { r in
            DataModel.Recent(id: try r.requireID(), at: LocalTime.text(r.at), kind: r.kind, file: r.fileName, counts: "\(r.created)/\(r.updated)/\(r.unchanged)",
                             status: r.status == .committed ? "已导入" : "已撤销", revertible: r.status == .committed)
        }
        // the export form offers HR every department, anyone else their own (issue 13)
        let own = user.viewer.role == .hr ? nil : (user.viewer.departmentId ?? UUID())
        let departments = try await PeopleStore.departments(on: req.db)
            .filter { d in own.map { d.id == $0 } ?? true }.map { (code: $0.code, name: $0.name) }
        let period = try await ResultStore.latestCountedPeriod(on: req.db) ?? ""
        return DataModel(csrf: req.csrfToken, schemes: latest.values.sorted { $0.key < $1.key }.map { (key: $0.key, name: $0.name) }, recent: recent,
                         preview: preview, uploadId: uploadId, message: message, error: error, period: period, departments: departments,
                         mayImportRoster: user.viewer.role == .hr)
    }

    func render(_ req: Request, _ m: DataModel, status: HTTPResponseStatus = .ok) throws -> Response {
        Page.render(status: status, title: "导入与导出", user: try req.user, csrf: req.csrfToken, body: DataView.body(m))
    }

    /// Runs an action; a refusal is shown on the page (with its status) instead of an error page.
    func showing(_ req: Request, _ action: () async throws -> Response) async throws -> Response {
        do { return try await action() } catch let e as AbortError where [.unprocessableEntity, .badRequest, .forbidden, .notFound, .conflict].contains(e.status) {
            return try render(req, try await model(req, error: req.say(e)), status: e.status)
        }
    }

    func page(req: Request) async throws -> Response {
        try Self.mayUse(try req.user)
        return try render(req, try await model(req))
    }

    struct UploadForm: Content {
        var kind: String
        var scheme: String?
        var source: String?
        var period: String?
        var sheet: String?
        var file: File
    }

    func upload(req: Request) async throws -> Response {
        let user = try req.user
        try Self.mayUse(user)
        let form = try req.content.decode(UploadForm.self)
        guard let kind = ImportService.Kind(rawValue: form.kind) else { throw KaoheError.badInput("kind") }
        func blank(_ s: String?) -> String? { s.flatMap { $0.isBlank ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        let o = ImportService.Options(kind: kind, scheme: blank(form.scheme), file: form.file.filename.isEmpty ? "upload" : form.file.filename,
                                      sheet: blank(form.sheet), source: blank(form.source), period: blank(form.period), dryRun: true)
        let data = Data(form.file.data.readableBytesView)
        return try await showing(req) {
            let preview = try await ImportService.run(o, data: data, user: user, db: req.db)
            // keep the file for the commit; uploads older than a day are dropped
            try await ImportStore.dropUploads(createdBefore: Date().addingTimeInterval(-86_400), on: req.db)
            let pending = ImportUpload(userId: try user.requireID(), options: o, data: data)
            try await pending.save(on: req.db)
            return try render(req, try await model(req, preview: preview, uploadId: preview.created + preview.updated > 0 ? pending.id : nil,
                                                   message: preview.created + preview.updated == 0 ? "没有需要导入的变化 nothing would change" : nil))
        }
    }

    struct CommitForm: Content { var upload: UUID }

    func commit(req: Request) async throws -> Response {
        let user = try req.user
        try Self.mayUse(user)
        let form = try req.content.decode(CommitForm.self)
        guard let pending = try await ImportStore.upload(form.upload, on: req.db), pending.userId == user.id, let o = pending.options else {
            return try render(req, try await model(req, error: "预览已过期，请重新上传 the preview has expired: upload the file again"), status: .notFound)
        }
        return try await showing(req) {
            let p = try await ImportService.run(o, data: pending.data, user: user, db: req.db)
            try await pending.delete(on: req.db)
            return try render(req, try await model(req, preview: p, message: "已导入：新增 \(p.created)、更新 \(p.updated)、不变 \(p.unchanged)；结果已重新计算。"))
        }
    }

    struct RevertForm: Content { var reason: String }

    func revert(req: Request) async throws -> Response {
        let user = try req.user
        try Self.mayUse(user)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw KaoheError.notFound("没有这个记录", en: "not found") }
        let form = try req.content.decode(RevertForm.self)
        return try await showing(req) {
            let r = try await ImportService.revert(id, reason: form.reason, user: user, db: req.db)
            return try render(req, try await model(req, message: "已撤销 \(r.file)：\(r.reverted) 项改动已还原，期间 \(r.periods.joined(separator: ", ")) 已重新计算。"))
        }
    }

    func download(req: Request) async throws -> Response {
        guard let form = req.query[String.self, at: "form"] else { throw KaoheError.badInput("form") }
        return try await ExportService.respond(req, form: form)
    }
}
