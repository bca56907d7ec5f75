import Fluent
import Foundation
import KaoheCore
import Vapor

/// Evidence files into the store (first part of issue 5): the whole file is validated with
/// errors naming file, row and column; a dry run previews new, updated and unchanged cells;
/// the commit is one transaction, recorded with the file's checksum; the same file twice changes
/// nothing the second time.
struct ImportController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let api = routes.grouped("api", "v1", "imports").grouped(APIAuthenticator())
        api.on(.POST, "evidence", body: .collect(maxSize: "100mb"), use: importEvidence)
    }

    struct PreviewDTO: Content {
        var file: String
        var checksum: String
        var scheme: String
        var schemeVersion: Int
        var rows: Int
        var created: Int
        var updated: Int
        var unchanged: Int
        var periods: [String]
        var committed: Bool
    }

    func importEvidence(req: Request) async throws -> PreviewDTO {
        let user = try req.user
        guard let key = req.query[String.self, at: "scheme"] else { throw Abort(.badRequest, reason: "scheme: 缺少方案 missing ?scheme=") }
        let file = req.query[String.self, at: "file"] ?? "upload.csv"
        let dryRun = req.query[Bool.self, at: "dry_run"] ?? true
        guard let buffer = req.body.data, buffer.readableBytes > 0 else { throw Abort(.badRequest, reason: "\(file): 文件为空 the file is empty") }
        let data = Data(buffer.readableBytesView)
        guard let version = try await SchemeVersion.query(on: req.db).filter(\.$key == key).sort(\.$version, .descending).first() else {
            throw Abort(.notFound, reason: "没有这个方案 no such scheme “\(key)”")
        }
        let engine = try Scoring.engine(version)
        let rows: [EvidenceCSV.RawRow]
        do { rows = try EvidenceCSV.readRaw(data, file: file, engine: engine) } catch {
            throw Abort(.unprocessableEntity, reason: error.description)
        }
        let schemeId = try version.requireID()
        // every row: a period, a known employee the caller may record for
        var employees: [String: Employee] = [:]
        for e in try await Employee.query(on: req.db).all() { employees[e.number] = e }
        var periodSet = Set<String>()
        for r in rows {
            guard let p = r.period else { throw Abort(.unprocessableEntity, reason: "\(file), 第 \(r.line) 行 row \(r.line): 缺少 period 或 date 列 no period") }
            periodSet.insert(p)
            guard let emp = employees[r.employee] else {
                throw Abort(.unprocessableEntity, reason: "\(file), 第 \(r.line) 行 row \(r.line), 列 column “employee_id”: 没有工号为 \(r.employee) 的员工 unknown employee")
            }
            for column in r.values.keys {
                do { try EvidenceController.authorize(column: column, user.viewer, emp, engine) } catch {
                    throw Abort(.forbidden, reason: "\(file), 第 \(r.line) 行 row \(r.line): 无权录入 \(r.employee) 的 “\(column)” not allowed")
                }
            }
        }
        let periods = periodSet
        // what would change
        var existing: [String: EvidenceEntry] = [:]
        for p in periods {
            for e in try await EvidenceEntry.query(on: req.db).filter(\.$scheme.$id == schemeId).filter(\.$period == p).all() {
                existing["\(e.$employee.id)|\(p)|\(e.column)"] = e
            }
        }
        var created = 0, updated = 0, unchanged = 0
        var writes: [(Employee, String, String, String, EvidenceEntry?)] = []
        for r in rows {
            let emp = employees[r.employee]!
            for (column, value) in r.values.sorted(by: { $0.key < $1.key }) {
                let old = existing["\(emp.id!)|\(r.period!)|\(column)"]
                if old == nil { created += 1 } else if old!.value == value { unchanged += 1; continue } else { updated += 1 }
                writes.append((emp, r.period!, column, value, old))
            }
        }
        let checksum = SHA256.hash(data: data).hex
        var preview = PreviewDTO(file: file, checksum: checksum, scheme: key, schemeVersion: version.version, rows: rows.count,
                                 created: created, updated: updated, unchanged: unchanged, periods: periods.sorted(), committed: false)
        guard !dryRun else { return preview }
        let toWrite = writes, counts = (created, updated, unchanged)
        try await req.db.transaction { db in
            let (created, updated, unchanged) = counts
            for (emp, period, column, value, old) in toWrite {
                if let old {
                    let before = old.value
                    old.value = value; old.recordedBy = user.id; old.recordedAt = Date()
                    try await old.save(on: db)
                    try await Audit.record(on: db, actor: user, action: "update", entity: "evidence", id: "\(emp.number)/\(period)/\(column)",
                                           before: before, after: value, reason: "导入 \(file)")
                } else {
                    try await EvidenceEntry(employeeId: try emp.requireID(), schemeId: schemeId, period: period, column: column, value: value,
                                            recordedBy: user.id, note: "导入 \(file)").save(on: db)
                }
            }
            try await ImportRecord(kind: "evidence", fileName: file, checksum: checksum, rows: rows.count, created: created, updated: updated,
                                   unchanged: unchanged, recordedBy: user.id, schemeId: schemeId).save(on: db)
            try await Audit.record(on: db, actor: user, action: "import", entity: "evidence", id: file,
                                   after: "rows=\(rows.count) new=\(created) updated=\(updated) unchanged=\(unchanged) sha256=\(checksum)")
            if !toWrite.isEmpty { for p in periods.sorted() { try await EvidenceController.rescore(version, period: p, on: db) } }
        }
        preview.committed = true
        return preview
    }
}
