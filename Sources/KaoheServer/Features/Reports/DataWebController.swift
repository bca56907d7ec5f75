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

    func model(_ req: Request, preview: ImportService.Preview? = nil, uploadId: UUID? = nil, message: String? = nil, error: String? = nil,
               kept: ImportUpload? = nil) async throws -> DataModel {
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
        var m = DataModel(csrf: req.csrfToken, schemes: latest.values.sorted { $0.key < $1.key }.map { (key: $0.key, name: $0.name) }, recent: recent,
                          preview: preview, uploadId: uploadId, message: message, error: error, period: period, departments: departments,
                          mayImportRoster: user.viewer.role == .hr)
        // the upload kept server-side: its choices fill the forms and its columns get their choices again
        if let kept, let o = kept.options, let id = kept.id {
            m.kept = DataModel.Kept(id: id, kind: o.kind.rawValue, file: o.file, scheme: o.scheme, source: o.source, period: o.period, sheet: o.sheet)
            if let preview, !preview.columns.isEmpty {
                m.columns = preview.columns; m.fields = preview.fields
            } else if let proposed = await ImportService.proposal(o, data: kept.data, db: req.db) {
                m.columns = proposed.columns; m.fields = proposed.fields
            }
        }
        return m
    }

    func render(_ req: Request, _ m: DataModel, status: HTTPResponseStatus = .ok) throws -> Response {
        Page.render(status: status, title: "导入与导出", user: try req.user, csrf: req.csrfToken, body: DataView.body(m))
    }

    /// Runs an action; a refusal is shown on the page (with its status) instead of an error page,
    /// the upload `kept` with every choice made so that nothing need be chosen again.
    func showing(_ req: Request, kept: ImportUpload? = nil, _ action: () async throws -> Response) async throws -> Response {
        do { return try await action() } catch let e as AbortError where [.unprocessableEntity, .badRequest, .forbidden, .notFound, .conflict].contains(e.status) {
            return try render(req, try await model(req, error: req.say(e), kept: kept), status: e.status)
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
        // the file is kept for the commit and for another try after a refusal (uploads older than a day are dropped)
        try await ImportStore.dropUploads(createdBefore: Date().addingTimeInterval(-86_400), on: req.db)
        let pending = ImportUpload(userId: try user.requireID(), options: o, data: data)
        if !data.isEmpty { try await pending.save(on: req.db) }
        return try await showing(req, kept: data.isEmpty ? nil : pending) {
            let preview = try await ImportService.run(o, data: data, user: user, db: req.db)
            return try render(req, try await model(req, preview: preview, uploadId: preview.created + preview.updated > 0 ? pending.id : nil,
                                                   message: preview.created + preview.updated == 0 ? "没有需要导入的变化 nothing would change" : nil, kept: pending))
        }
    }

    /// The kept upload again with the choices of the form: the scheme, source, period and sheet,
    /// and each column's field (`f<k>` for the header `h<k>`; a choice equal to the proposal
    /// `p<k>` stays the proposal). `action=preview` previews; otherwise it commits — unless a choice
    /// changed since the preview, which is then shown first.
    func commit(req: Request) async throws -> Response {
        let user = try req.user
        try Self.mayUse(user)
        let form = try req.content.decode([String: String].self)
        guard let id = form["upload"].flatMap(UUID.init(uuidString:)), let pending = try await ImportStore.upload(id, on: req.db), pending.userId == user.id,
              var o = pending.options else {
            return try render(req, try await model(req, error: "预览已过期，请重新上传 the preview has expired: upload the file again"), status: .notFound)
        }
        let before = o
        func blank(_ s: String?) -> String? { s.flatMap { $0.isBlank ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        if form.keys.contains("scheme") { o.scheme = blank(form["scheme"]) }
        if form.keys.contains("source") { o.source = blank(form["source"]) }
        if form.keys.contains("period") { o.period = blank(form["period"]) }
        if form.keys.contains("sheet") { o.sheet = blank(form["sheet"]) }
        var mapping = o.mapping
        for (key, header) in form where key.hasPrefix("h") {
            let k = key.dropFirst()
            // 「请选择」 left as it is: no choice (an unmatched column stays unmatched)
            guard !k.isEmpty, k.allSatisfy(\.isNumber), let chosen = form["f\(k)"], !chosen.isEmpty else { continue }
            // a choice that differs from the proposal, or one made before, is kept as a choice
            if chosen != form["p\(k)"] || mapping[header] != nil { mapping[header] = chosen }
        }
        // another scheme has other fields: its columns are proposed afresh
        o.mapping = o.scheme == before.scheme ? mapping : [:]
        let changed = o.scheme != before.scheme || o.source != before.source || o.period != before.period || o.sheet != before.sheet || o.mapping != before.mapping
        o.dryRun = form["action"] == "preview" || changed
        pending.choose(o)
        try await pending.save(on: req.db)
        let run = o
        return try await showing(req, kept: pending) {
            let p = try await ImportService.run(run, data: pending.data, user: user, db: req.db)
            if run.dryRun {
                return try render(req, try await model(req, preview: p, uploadId: p.created + p.updated > 0 ? pending.id : nil,
                                                       message: changed && form["action"] != "preview" ? "选择已改变，请检查预览后再确认导入" : (p.created + p.updated == 0 ? "没有需要导入的变化 nothing would change" : nil),
                                                       kept: pending))
            }
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
