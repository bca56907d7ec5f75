import Fluent
import Foundation
import KaoheCore
import Vapor

/// Evidence recorded through the API (issue 4 §5): metric values, event counts, marks, QA grades,
/// each with who and when; changing a stored value needs a reason (R-004-03). After a change the
/// team-period is re-scored by Core and the results stored with the scheme version used.
struct EvidenceController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let api = routes.grouped(APIAuthenticator())
        api.put(SiteURL.api(.evidence).route, use: record)
    }

    struct EvidenceRequest: Content {
        var employeeId: UUID
        var period: String
        var scheme: String
        var values: [String: String]
        var reason: String?
    }

    struct RecordedDTO: Content {
        var employeeId: UUID
        var period: String
        var scheme: String
        var schemeVersion: Int
        var changed: [String]
        var total: String
        var grade: String?
        var flags: [String]
    }

    func record(req: Request) async throws -> RecordedDTO {
        let user = try req.user
        let body = try req.decodeBody(EvidenceRequest.self)
        guard Period.isValid(body.period) else { throw KaoheError.badInput("period “\(body.period)” 不是有效期间 (YYYY-MM)", en: "period “\(body.period)” is not a period (YYYY-MM)") }
        guard !body.values.isEmpty else { throw KaoheError.badInput("values 为空", en: "values: nothing to record") }
        guard let employee = try await PeopleStore.employee(body.employeeId, on: req.db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }
        // the version of the period's sheets (issue 14 §5): one person's month has one result
        guard let version = try await SheetStore.writeVersion(key: body.scheme, period: body.period, on: req.db) else {
            throw KaoheError.notFound("没有方案 “\(body.scheme)”", en: "no such scheme “\(body.scheme)”")
        }
        let engine = try Scoring.engine(version)
        for column in body.values.keys.sorted() {
            guard engine.columnIndex[column] != nil else {
                throw KaoheError.invalid("values.\(column): 方案 \(body.scheme) 没有这一输入", en: "values.\(column): scheme \(body.scheme) has no such input")
            }
            try EvidenceAccess.authorize(column: column, user.viewer, employee, engine)
        }
        let schemeId = try version.requireID()
        try await SheetStore.refuseIfClosed(employees: [body.employeeId], periods: [body.period], key: body.scheme, what: "values", on: req.db)
        let changes = try await req.db.writeTransaction { db -> [String: String] in
            // read inside the write: parallel writers of one person queue here (SQLite's write gate;
            // a row lock on PostgreSQL), so each sees the other's value as its "before"
            try await SheetStore.lockEmployee(body.employeeId, on: db)
            try await SheetStore.refuseIfClosed(employees: [body.employeeId], periods: [body.period], key: body.scheme, what: "values", on: db)
            let existing = try await EvidenceStore.entries(employee: body.employeeId, scheme: schemeId, period: body.period, on: db)
            var merged = Dictionary(existing.map { ($0.column, $0.value) }, uniquingKeysWith: { $1 })
            let changes = body.values.filter { merged[$0.key] != $0.value }
            let overwrites = changes.keys.filter { merged[$0] != nil }
            if !overwrites.isEmpty && (body.reason ?? "").isBlank {
                throw KaoheError.invalid("reason: 修改已录入的 \(overwrites.sorted().joined(separator: "、")) 须说明原因 (R-004-03)")
            }
            merged.merge(body.values) { $1 }
            do { _ = try engine.evidence(merged) } catch let error as InputError {
                throw KaoheError.invalid("values.\(error.column ?? ""): \(error.message)")
            }
            for (column, value) in changes.sorted(by: { $0.key < $1.key }) {
                if let e = existing.first(where: { $0.column == column }) {
                    let before = e.value
                    e.value = value; e.recordedBy = user.id; e.recordedAt = Date()
                    try await e.save(on: db)
                    try await Audit.record(on: db, actor: user, action: "update", entity: "evidence", id: "\(employee.number)/\(body.period)/\(column)",
                                           before: before, after: value, reason: body.reason)
                } else {
                    try await EvidenceEntry(employeeId: body.employeeId, schemeId: schemeId, period: body.period, column: column, value: value, recordedBy: user.id).save(on: db)
                    try await Audit.record(on: db, actor: user, action: "create", entity: "evidence", id: "\(employee.number)/\(body.period)/\(column)",
                                           after: value, reason: body.reason)
                }
            }
            if !changes.isEmpty { try await SheetStore.touch(employees: [body.employeeId], period: body.period, scheme: schemeId, by: user, on: db) }
            try await Rescorer.rescore(version, period: body.period, for: [body.employeeId], on: db)
            return changes
        }
        let stored = try await ResultStore.result(employee: body.employeeId, scheme: schemeId, period: body.period, on: req.db)
        // the stored result is the one just scored: its flags, not a second scoring
        let sheet = try stored.map { try ResultStore.sheet($0, employee: employee.number) }
        return RecordedDTO(employeeId: body.employeeId, period: body.period, scheme: version.key, schemeVersion: version.version,
                           changed: changes.keys.sorted(), total: stored?.total ?? "", grade: stored?.grade, flags: sheet?.flags.map(\.code) ?? [])
    }
}
