import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The visual scheme builder (issue 16 §2), HR only: `/schemes/:key/builder` edits the latest
/// version of a scheme, `/schemes/new/builder` starts from blank. The page's script edits the
/// scheme as a JSON document and posts it (JSON bodies with the page's CSRF token) to
/// `/schemes/builder/preview` (checked as a save checks it, a sample employee scored),
/// `/schemes/builder/convert` (JSON ↔ YAML, the advanced tab) and `/schemes/builder/save`
/// (a new version through `SchemeService.save`, refused with the problems when there are errors).
struct SchemeBuilderController: RouteCollection {
    /// A scheme text is at most `InputLimits.schemeBytes`; a body carries one (as a JSON string) and the typed values.
    static let maxBody: ByteCount = "2mb"

    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(RequireLogin(), CSRFCheck(), RequireHR())
        hr.get(SiteURL.schemeBuilderNew.route, use: blank)
        hr.get(SiteURL.schemeBuilder(nil).route, use: page)
        routes.grouped(RequireLogin(), CSRFCheck(maxBody: Self.maxBody), RequireHR())
            .on(.POST, SiteURL.schemeBuilderStep(nil).route, body: .collect(maxSize: Self.maxBody), use: step)
        routes.get(SiteURL.schemeBuilderScript.route) { _ -> Response in
            let res = Response(status: .ok, body: .init(string: SchemeBuilderScript.js))
            res.headers.contentType = HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
            res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return res
        }
    }

    // MARK: pages

    func blank(req: Request) async throws -> Response {
        let m = SchemeBuilderModel(key: nil, name: "", version: nil, document: SchemeBuilderService.blank, loadError: nil, csrf: req.csrfToken)
        return Page.render(title: "新建考核方案", user: try req.user, csrf: req.csrfToken, body: SchemeBuilderView.body(m))
    }

    func page(req: Request) async throws -> Response {
        let key = req.parameters.get("key") ?? ""
        guard let v = try await SchemeStore.newest(key: key, on: req.db) else {
            throw KaoheError.notFound("没有方案 “\(key)”", en: "no such scheme “\(key)”")
        }
        var document = SchemeBuilderService.blank
        var loadError: String?
        do { document = try SchemeText.json(fromYAML: v.text) } catch {
            loadError = error.problems.map { Localizer.shared.text($0.message, req.language) }.joined(separator: "；")
        }
        let m = SchemeBuilderModel(key: v.key, name: v.name, version: v.version, document: document, loadError: loadError, csrf: req.csrfToken)
        return Page.render(title: "考核方案 \(v.name)", user: try req.user, csrf: req.csrfToken, body: SchemeBuilderView.body(m))
    }

    // MARK: the script's posts

    /// A post of the page's script; `document` is the JSON text of the visual editor, `yaml` the
    /// advanced tab's text (one of them), `key` the scheme edited (absent for a new one).
    struct Body: Decodable {
        var key: String?
        var document: String?
        var yaml: String?
        var values: [String: String]?
        var reason: String?
        /// convert: `yaml` or `json`
        var to: String?
    }

    struct Converted: Codable { var text: String?; var problems: [SchemeBuilderService.Problem] }
    struct Saved: Codable { var key: String; var version: Int; var message: String; var url: String; var problems: [SchemeBuilderService.Problem] }
    struct Refused: Codable { var message: String; var problems: [SchemeBuilderService.Problem] }

    static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let enc = JSONEncoder()
        enc.outputFormatting = [.withoutEscapingSlashes]
        let res = Response(status: status, body: .init(data: try enc.encode(value)))
        res.headers.contentType = .json
        return res
    }

    func step(req: Request) async throws -> Response {
        guard let buffer = req.body.data else { throw KaoheError.badInput("请求体为空", en: "the request has no body") }
        // a body the server collected itself is held to the limit as a streamed one is (CSRFCheck)
        guard buffer.readableBytes <= Self.maxBody.value else {
            throw KaoheError.tooLarge("方案太大（上限 2 MB）", en: "the scheme is too large (the limit is 2 MB)")
        }
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: Data(buffer: buffer)) } catch {
            throw KaoheError.badInput("请求须为 JSON：{document 或 yaml, key, values, reason}", en: "the request must be JSON: {document or yaml, key, values, reason}")
        }
        if body.document == nil && body.yaml == nil {
            throw KaoheError.badInput("document: 缺少方案（document 或 yaml）", en: "document: the scheme is missing (document or yaml)")
        }
        let key = (body.key ?? "").isBlank ? nil : body.key
        if let key, try await SchemeStore.newest(key: key, on: req.db) == nil {
            throw KaoheError.notFound("没有方案 “\(key)”", en: "no such scheme “\(key)”")
        }
        switch req.parameters.get("step") {
        case "preview": return try await preview(req, body, key: key)
        case "convert": return try convert(req, body)
        case "save": return try await save(req, body, key: key)
        default: throw KaoheError.notFound("没有这个操作", en: "no such step")
        }
    }

    /// A new scheme's id must be free (and not one of the builder's own paths).
    func idProblem(_ checked: SchemeBuilderService.Checked, key: String?, _ db: Database) async throws -> SchemeProblem? {
        guard key == nil, let id = checked.scheme?.id, !id.isEmpty else { return nil }
        if let p = SchemeService.keyProblem(id) { return SchemeProblem(.error, "id", "\(p.zh) — \(p.en)") }
        if try await SchemeStore.count(key: id, on: db) > 0 { return SchemeProblem(.error, "id", "方案 id “\(id)” 已被使用，请换一个") }
        return nil
    }

    func preview(_ req: Request, _ body: Body, key: String?) async throws -> Response {
        var checked = SchemeBuilderService.check(document: body.document, yaml: body.yaml, key: key)
        if let p = try await idProblem(checked, key: key, req.db) { checked.problems.append(p) }
        let lang = req.language
        var preview: SchemeBuilderService.Preview?
        var attainable: String?
        if let scheme = checked.scheme, !checked.errors {
            preview = SchemeBuilderService.preview(scheme, values: body.values ?? [:], lang)
            attainable = preview?.max
        }
        let out = SchemeBuilderService.Outcome(
            errors: checked.errors ? Swift.max(1, checked.problems.filter { $0.severity == .error }.count) : 0,
            warnings: checked.problems.filter { $0.severity == .warning }.count,
            problems: SchemeBuilderService.problems(checked.problems, yaml: body.yaml, lang),
            attainableMax: attainable, declaredMax: checked.scheme?.max?.format(),
            names: SchemeBuilderService.names(checked.scheme), preview: preview)
        return try Self.json(out)
    }

    func convert(_ req: Request, _ body: Body) throws -> Response {
        let lang = req.language
        switch body.to {
        case "yaml":
            do { return try Self.json(Converted(text: try SchemeText.yaml(fromJSON: body.document ?? ""), problems: [])) } catch let e as SchemeProblems {
                return try Self.json(Converted(text: nil, problems: SchemeBuilderService.problems(e.problems, yaml: nil, lang)), status: .unprocessableEntity)
            }
        case "json":
            let text = (body.yaml ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            do { return try Self.json(Converted(text: try SchemeText.json(fromYAML: text), problems: [])) } catch let e as SchemeProblems {
                return try Self.json(Converted(text: nil, problems: SchemeBuilderService.problems(e.problems, yaml: text, lang)), status: .unprocessableEntity)
            }
        default:
            throw KaoheError.badInput("to: 须为 yaml 或 json", en: "to: must be yaml or json")
        }
    }

    func save(_ req: Request, _ body: Body, key: String?) async throws -> Response {
        let lang = req.language
        var checked = SchemeBuilderService.check(document: body.document, yaml: body.yaml, key: key)
        if let p = try await idProblem(checked, key: key, req.db) { checked.problems.append(p) }
        let reason = (body.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        func refuse(_ message: String, _ status: HTTPStatus = .unprocessableEntity) throws -> Response {
            try Self.json(Refused(message: Localizer.shared.text(message, lang),
                                  problems: SchemeBuilderService.problems(checked.problems.filter { $0.severity == .error }, yaml: body.yaml, lang)), status: status)
        }
        guard let text = checked.yaml, let scheme = checked.scheme, !checked.errors else { return try refuse("方案有错误，未保存") }
        let warnings = SchemeBuilderService.problems(checked.problems.filter { $0.severity != .error }, yaml: body.yaml, lang)
        let user = try req.user
        if let key {
            guard let current = try await SchemeStore.newest(key: key, on: req.db) else { throw KaoheError.notFound("没有方案 “\(key)”", en: "no such scheme “\(key)”") }
            guard !reason.isEmpty else { return try refuse("须说明修改原因（R-004-03）") }
            if let before = try? SchemeLoader.decode(current.text, format: .yaml), before == scheme { return try refuse("没有改动") }
            let next = try await SchemeService.save(scheme, text: text, after: current, reason: reason, user: user, db: req.db)
            return try Self.json(Saved(key: next.key, version: next.version, message: Localizer.shared.text("已保存为第 \(next.version) 版；已评的考核表仍按原版本", lang),
                                       url: SiteURL.schemeBuilder(next.key).path, problems: warnings), status: .created)
        }
        let v = try await SchemeService.storeFirst(scheme, text: text, preset: nil, departmentId: nil, made: "方案编辑器 builder",
                                                   reason: reason.isEmpty ? nil : reason, user: user, db: req.db)
        return try Self.json(Saved(key: v.key, version: v.version, message: Localizer.shared.text("已创建方案 \(v.key)（第 1 版）", lang),
                                   url: SiteURL.schemeBuilder(v.key).path, problems: warnings), status: .created)
    }
}
