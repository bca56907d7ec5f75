import Fluent
import Foundation
import Vapor

/// HR's retention work (R-000-07; issue 20 §1): which months are past keeping, how many records
/// they hold, their archive, and their purge. The records themselves are `RetentionArchive` (Store/).
extension Retention {
    /// The archive of every record of the months before `cutoff` (RetentionArchive.swift): a readable
    /// part (evidence, results and events by 工号) and `records`, the rows themselves, which
    /// `kaohe restore --archive` puts back.
    static func archive(before cutoff: String, db: Database) async throws -> Data {
        let scope = try await RetentionArchive.scope(before: cutoff, on: db)
        let (records, counts) = try await RetentionArchive.records(scope: scope, on: db)
        let ev = try await EvidenceStore.entries(before: cutoff, on: db)
        let rs = try await ResultStore.results(before: cutoff, on: db)
        let es = try await EventStore.events(before: cutoff, on: db)
        let dto = AdminController.ArchiveDTO(
            dialect: try TableStore.dialect(on: db), cutoff: cutoff, createdAt: Date(), counts: counts,
            evidence: ev.map { .init(employee: $0.employee.number, period: $0.period, column: $0.column, value: $0.value, recordedAt: $0.recordedAt) },
            results: rs.map { .init(employee: $0.employee.number, period: $0.period, scheme: $0.scheme.key, version: $0.scheme.version, total: $0.total, sheet: $0.json) },
            events: es.map { .init(employee: $0.employee.number, period: $0.period, column: $0.column, occurredOn: $0.occurredOn, note: $0.note) })
        var body = try JSONEncoder.kaohe().encode(dto)
        // the readable object, then the rows
        guard body.last == UInt8(ascii: "}") else { throw KaoheError.internalFault("archive: unexpected encoding") }
        body.removeLast()
        body.append(contentsOf: Array(",\n\"records\": ".utf8) + Array(records.utf8) + [UInt8(ascii: "}"), 10])
        return body
    }

    /// Rows per table of the months before `cutoff`.
    static func counts(before cutoff: String, db: Database) async throws -> [String: Int] {
        try await RetentionArchive.scope(before: cutoff, on: db).mapValues(\.count)
    }

    /// What a table's rows are, for HR's page.
    static func label(_ table: String) -> String {
        ["cycles": "考核周期", "sheets": "考核表", "sheet_steps": "考核表步骤", "sheet_comments": "考核项目评语", "sheet_objection_items": "申诉项目", "findings": "评分责任", "corrections": "更正", "events": "事件（含备注）", "qa_checklists": "质检清单（含评语）",
         "evidence": "依据", "results": "成绩", "outcomes": "结果（等级、星级、奖惩）", "import_batches": "导入批次", "import_changes": "导入变更",
         "inbox": "站内消息", "audit_entries": "审计条目"][table] ?? table
    }

    /// Deletes every record of the months before `cutoff` (RetentionArchive.swift) in one transaction, audited with the counts (R-000-07).
    static func purge(before cutoff: String, user: User, db: Database) async throws -> AdminController.PurgeDTO {
        try await db.writeTransaction { db in
            let scope = try await RetentionArchive.scope(before: cutoff, on: db)
            let removed = try await RetentionArchive.delete(scope: scope, on: db)
            let uploads = try await ImportStore.uploadCount(periodBefore: cutoff, on: db)
            try await ImportStore.deleteUploads(periodBefore: cutoff, on: db)
            let ev = removed["evidence"] ?? 0, rs = removed["results"] ?? 0
            let others = RetentionArchive.tables.filter { $0 != "evidence" && $0 != "results" }.map { "\($0)=\(removed[$0] ?? 0)" }.joined(separator: " ")
            try await Audit.record(on: db, actor: user, action: "purge", entity: "records", id: "before \(cutoff)",
                                   before: "evidence=\(ev) results=\(rs) \(others) import_uploads=\(uploads)", after: "0",
                                   reason: "保存期满清理（R-000-07），已存档")
            return AdminController.PurgeDTO(cutoff: cutoff, evidence: ev, results: rs, removed: removed)
        }
    }
}


enum Retention {
    /// The first month still within retention: records of earlier periods may be purged.
    static func cutoff(_ c: AppConfig) -> String {
        let current = c.month
        let y = Int(current.prefix(4))!, m = Int(current.suffix(2))!
        let idx = y * 12 + (m - 1) - c.retentionMonths
        return String(format: "%04d-%02d", idx / 12, idx % 12 + 1)
    }
}
