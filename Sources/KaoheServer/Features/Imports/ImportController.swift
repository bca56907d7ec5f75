import Fluent
import Foundation
import KaoheCore
import Vapor

/// Imports over HTTP (issue 5): `POST /api/v1/imports/{evidence|log|events|roster}` with the
/// file as the body; a dry run (the default) previews, `dry_run=false` commits. Imports are
/// listed and can be reverted as a whole; the column mapping saved per source can be read and set.
struct ImportController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let api = routes.grouped(APIAuthenticator())
        // streamed: the kind and the caller's role are checked before the body is read
        api.on(.POST, SiteURL.api(.importKind(nil)).route, body: .stream, use: upload)
        api.get(SiteURL.api(.imports).route, use: list)
        api.post(SiteURL.api(.importBatchRevert(nil)).route, use: revert)
        api.get(SiteURL.api(.importMappings).route, use: mappings)
        api.put(SiteURL.api(.importMappings).route, use: putMapping)
    }

    static func options(_ req: Request, kind: ImportService.Kind) throws -> ImportService.Options {
        var o = ImportService.Options(kind: kind, scheme: req.query[String.self, at: "scheme"], file: req.query[String.self, at: "file"] ?? "upload.csv")
        o.sheet = req.query[String.self, at: "sheet"]
        o.source = req.query[String.self, at: "source"]
        o.period = req.query[String.self, at: "period"]
        // read as text: Vapor decodes an absent Bool query key as false, and a commit must be asked for
        switch req.query[String.self, at: "dry_run"]?.lowercased() {
        case nil, "true", "1", "yes": o.dryRun = true
        case "false", "0", "no": o.dryRun = false
        case let v?: throw KaoheError.badInput("dry_run: “\(v)” 须为 true 或 false", en: "dry_run: “\(v)” must be true or false")
        }
        if let m = req.query[String.self, at: "mapping"] {
            guard let d = try? JSONDecoder().decode([String: String].self, from: Data(m.utf8)) else {
                throw KaoheError.badInput("mapping: 须是 JSON 对象 {\"文件列名\": \"字段\"}", en: "mapping: must be a JSON object of header → field")
            }
            o.mapping = d
        }
        return o
    }

    func upload(req: Request) async throws -> ImportService.Preview {
        let user = try req.user
        guard let k = req.parameters.get("kind"), let kind = ImportService.Kind(rawValue: k) else {
            throw KaoheError.notFound("没有这种导入；可选：\(ImportService.Kind.allCases.map(\.rawValue).joined(separator: ", "))", en: "no such import kind; allowed: \(ImportService.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard Access.canImport(user.viewer, kind: kind.rawValue) else {
            throw KaoheError.forbidden("没有导入这类文件（\(kind.rawValue)）的权限", en: "your role may not import \(kind.rawValue) files")
        }
        let o = try Self.options(req, kind: kind)
        let buffer: ByteBuffer?
        do { buffer = try await req.body.collect(max: InputLimits.fileBytes).get() } catch {
            throw KaoheError.tooLarge("\(InputLimits.quote(o.file)): 文件过大（超过 \(InputLimits.fileBytes / 1_048_576) MB）", en: "\(InputLimits.quote(o.file)): the file is larger than \(InputLimits.fileBytes / 1_048_576) MB")
        }
        guard let buffer, buffer.readableBytes > 0 else { throw KaoheError.badInput("\(InputLimits.quote(o.file)): 文件为空", en: "\(InputLimits.quote(o.file)): the file is empty") }
        return try await ImportService.run(o, data: Data(buffer.readableBytesView), user: user, db: req.db)
    }

    struct ImportDTO: Content {
        var id: UUID
        var kind: String
        var file: String
        var sheet: String?
        var source: String?
        var checksum: String
        var rows: Int
        var created: Int
        var updated: Int
        var unchanged: Int
        var at: Date
        var status: String
        var periods: [String]
        var revertedAt: Date?
    }

    func list(req: Request) async throws -> [ImportDTO] {
        let user = try req.user
        return try await ImportStore.batches(limit: req.query[Int.self, at: "limit"] ?? 100, recordedBy: user.viewer.role != .hr ? user : nil, on: req.db).map {
            ImportDTO(id: try $0.requireID(), kind: $0.kind, file: $0.fileName, sheet: $0.sheet, source: $0.source, checksum: $0.checksum, rows: $0.rows,
                      created: $0.created, updated: $0.updated, unchanged: $0.unchanged, at: $0.at, status: $0.status.rawValue,
                      periods: $0.periods.split(separator: ",").map(String.init), revertedAt: $0.revertedAt)
        }
    }

    struct RevertRequest: Content { var reason: String }

    func revert(req: Request) async throws -> ImportService.RevertResult {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw KaoheError.notFound("没有这次导入", en: "no such import") }
        let body = try req.decodeBody(RevertRequest.self)
        return try await ImportService.revert(id, reason: body.reason, user: try req.user, db: req.db)
    }

    struct MappingDTO: Content { var source: String; var kind: String; var mapping: [String: String]; var updatedAt: Date? }

    func mappings(req: Request) async throws -> [MappingDTO] {
        _ = try req.user
        return try await ImportStore.mappings(on: req.db).map {
            MappingDTO(source: $0.source, kind: $0.kind, mapping: (try? JSONDecoder().decode([String: String].self, from: Data($0.mapping.utf8))) ?? [:], updatedAt: $0.updatedAt)
        }
    }

    /// HR sets a source's mapping ahead of its first file (header → field, `-` to skip).
    func putMapping(req: Request) async throws -> MappingDTO {
        let user = try req.user
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以设置映射", en: "HR only") }
        let body = try req.decodeBody(MappingDTO.self)
        guard ImportService.Kind(rawValue: body.kind) != nil else { throw KaoheError.invalid("kind: 可选 \(ImportService.Kind.allCases.map(\.rawValue).joined(separator: ", "))", en: "kind: allowed: \(ImportService.Kind.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard !body.source.isBlank else { throw KaoheError.invalid("source: 不能为空", en: "source: must not be empty") }
        let json = String(decoding: try JSONEncoder.sorted.encode(body.mapping), as: UTF8.self)
        try await req.db.writeTransaction { db in
            if let m = try await ImportStore.mapping(source: body.source, kind: body.kind, on: db) {
                let before = m.mapping
                m.mapping = json; m.updatedAt = Date(); m.updatedBy = user.id
                try await m.save(on: db)
                try await Audit.record(on: db, actor: user, action: "update", entity: "import_mapping", id: "\(body.source)/\(body.kind)", before: before, after: json)
            } else {
                try await ImportMapping(source: body.source, kind: body.kind, mapping: json, by: user.id).save(on: db)
                try await Audit.record(on: db, actor: user, action: "create", entity: "import_mapping", id: "\(body.source)/\(body.kind)", after: json)
            }
        }
        return MappingDTO(source: body.source, kind: body.kind, mapping: body.mapping, updatedAt: Date())
    }
}
