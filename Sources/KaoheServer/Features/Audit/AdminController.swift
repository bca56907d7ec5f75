import Fluent
import Foundation
import KaoheCore
import Vapor

/// HR's tools: the audit trail (R-004-03) viewed and exported, record retention and purge
/// (R-000-07), under /api/v1. Everyone else gets 403 and nothing more.
struct AdminController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let hr = routes.grouped(APIAuthenticator(), RequireHR())
        hr.get(SiteURL.api(.audit).route, use: audit)
        hr.get(SiteURL.api(.auditCSV).route, use: auditCSV)
        hr.get(SiteURL.api(.retention).route, use: retention)
        hr.get(SiteURL.api(.retentionArchive).route, use: archive)
        hr.post(SiteURL.api(.retentionPurge).route, use: purge)
    }

    struct AuditDTO: Content {
        var at: Date
        var actor: String
        var action: String
        var entity: String
        var entityId: String
        var before: String?
        var after: String?
        var reason: String?
    }

    func entries(_ req: Request) async throws -> [AuditEntry] {
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 200, 1), 5000)
        let offset = max(req.query[Int.self, at: "offset"] ?? 0, 0)
        return try await AuditStore.entries(range: offset..<(offset + limit), on: req.db)
    }

    func audit(req: Request) async throws -> [AuditDTO] {
        try await entries(req).map {
            AuditDTO(at: $0.at, actor: $0.actorName, action: $0.action, entity: $0.entity, entityId: $0.entityId,
                     before: $0.before, after: $0.after, reason: $0.reason)
        }
    }

    func auditCSV(req: Request) async throws -> Response {
        var out = "at,actor,action,entity,entity_id,before,after,reason\n"
        let iso = ISO8601DateFormatter()
        func cell(_ s: String?) -> String {
            // the engine's CSV quoting (it also quotes carriage returns); never a formula (CSVCell)
            var sink = ByteSink()
            sink.spreadsheetCell(s ?? "")
            return String(decoding: sink.bytes, as: UTF8.self)
        }
        for e in try await entries(req) {
            out += [iso.string(from: e.at), e.actorName, e.action, e.entity, e.entityId].map(cell).joined(separator: ",")
            out += "," + [e.before, e.after, e.reason].map(cell).joined(separator: ",") + "\n"
        }
        let res = Response(status: .ok, body: .init(string: out))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        res.headers.contentDisposition = .init(.attachment, filename: "kaohe-audit.csv")
        return res
    }

    // MARK: retention (R-000-07)

    struct RetentionDTO: Content {
        var retentionMonths: Int
        /// Records of periods before this month are past retention.
        var cutoff: String
        var evidence: Int
        var results: Int
        /// Rows past retention per table (what a purge removes: RetentionArchive).
        var records: [String: Int]
    }

    func retention(req: Request) async throws -> RetentionDTO {
        let cutoff = Retention.cutoff(req.application.config)
        let counts = try await Retention.counts(before: cutoff, db: req.db)
        return RetentionDTO(retentionMonths: req.application.config.retentionMonths, cutoff: cutoff,
                            evidence: counts["evidence"] ?? 0, results: counts["results"] ?? 0, records: counts)
    }

    /// The archive's readable part; the whole archive adds `records` (RetentionArchive.swift).
    struct ArchiveDTO: Content {
        struct Evidence: Content { var employee: String; var period: String; var column: String; var value: String; var recordedAt: Date }
        struct Result: Content { var employee: String; var period: String; var scheme: String; var version: Int; var total: String; var sheet: String }
        struct Event: Content { var employee: String; var period: String; var column: String; var occurredOn: String; var note: String? }
        var format = RetentionArchive.format
        var version = RetentionArchive.version
        var dialect: String
        var cutoff: String
        var createdAt: Date
        /// Rows per table in `records`.
        var counts: [String: Int]
        var evidence: [Evidence]
        var results: [Result]
        var events: [Event]
    }

    func archive(req: Request) async throws -> Response {
        let cutoff = Retention.cutoff(req.application.config)
        let res = Response(status: .ok, body: .init(data: try await Retention.archive(before: cutoff, db: req.db)))
        res.headers.contentType = .json
        res.headers.contentDisposition = .init(.attachment, filename: "kaohe-archive-before-\(cutoff).json")
        return res
    }

    struct PurgeRequest: Content, Validatable {
        var cutoff: String
        var archived: Bool
        static func validations(_ v: inout Validations) {
            v.add("cutoff", as: String.self, is: .count(7...7))
            v.add("archived", as: Bool.self)
        }
    }

    struct PurgeDTO: Content {
        var cutoff: String
        var evidence: Int
        var results: Int
        /// Rows removed per table (RetentionArchive.tables).
        var removed: [String: Int]
    }

    func purge(req: Request) async throws -> PurgeDTO {
        try PurgeRequest.validate(content: req)
        let body = try req.decodeBody(PurgeRequest.self)
        let allowed = Retention.cutoff(req.application.config)
        guard body.cutoff.wholeMatch(of: /\d{4}-(0[1-9]|1[0-2])/) != nil else {
            throw KaoheError.badInput("cutoff 须为 YYYY-MM（收到 “\(body.cutoff)”）", en: "cutoff must be YYYY-MM (got “\(body.cutoff)”)")
        }
        guard body.cutoff <= allowed else {
            throw KaoheError.badInput("cutoff \(body.cutoff) 晚于保存期限 \(allowed)：只能清理保存期满（\(req.application.config.retentionMonths) 个月）的记录")
        }
        guard body.archived else {
            throw KaoheError.badInput("archived 须为 true：清理前须先导出存档（GET /api/v1/retention/archive）")
        }
        return try await Retention.purge(before: body.cutoff, user: try req.user, db: req.db)
    }
}
