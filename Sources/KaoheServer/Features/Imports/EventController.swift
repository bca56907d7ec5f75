import Fluent
import Foundation
import KaoheCore
import Vapor

/// Events as first-class records (issue 4 §5): each offence, complaint, praise or graded
/// recording is stored with its day, note, who recorded it and when; the sheet's count is the
/// number of events in the period, and the period is re-scored.
struct EventController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let api = routes.grouped(APIAuthenticator())
        api.post(SiteURL.api(.events).route, use: create)
        api.delete(SiteURL.api(.event(nil)).route, use: delete)
        api.get(SiteURL.api(.employeeEvents(nil)).route, use: list)
    }

    struct EventRequest: Content {
        var employeeId: UUID
        var scheme: String
        var column: String
        var occurredOn: String
        var note: String?
    }

    struct EventDTO: Content {
        var id: UUID
        var employeeId: UUID
        var scheme: String
        var period: String
        var column: String
        var occurredOn: String
        var note: String?
        var recordedAt: Date
        var count: Int?
    }

    static func dto(_ e: EventRecord, key: String, count: Int? = nil) throws -> EventDTO {
        EventDTO(id: try e.requireID(), employeeId: e.$employee.id, scheme: key, period: e.period, column: e.column,
                 occurredOn: e.occurredOn, note: e.note, recordedAt: e.recordedAt, count: count)
    }

    func create(req: Request) async throws -> Response {
        let user = try req.user
        let body = try req.decodeBody(EventRequest.self)
        guard let employee = try await PeopleStore.employee(body.employeeId, on: req.db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }
        guard let newest = try await SchemeStore.newest(key: body.scheme, on: req.db) else {
            throw KaoheError.notFound("没有方案 “\(body.scheme)”", en: "no such scheme “\(body.scheme)”")
        }
        // the event goes to the version of its month's sheets (issue 14 §5)
        var chosen = newest
        if let p = try Scoring.engine(newest).scheme.calendar.period(ofDate: body.occurredOn),
           let v = try await SheetStore.writeVersion(key: body.scheme, period: p, on: req.db) { chosen = v }
        let version = chosen
        let engine = try Scoring.engine(version)
        guard let idx = engine.columnIndex[body.column] else { throw KaoheError.invalid("column: 方案 \(body.scheme) 没有这一输入 “\(body.column)”", en: "column: scheme \(body.scheme) has no input “\(body.column)”") }
        guard engine.inputs[idx].kind == .count else {
            throw KaoheError.invalid("column: “\(body.column)” 不是计次的事件列", en: "column: “\(body.column)” is not an event count (use PUT /api/v1/evidence)")
        }
        guard let period = engine.scheme.calendar.period(ofDate: body.occurredOn) else {
            throw KaoheError.badInput("occurred_on: “\(body.occurredOn)” 不是有效日期", en: "occurred_on: “\(body.occurredOn)” is not a date (YYYY-MM-DD)")
        }
        try EvidenceAccess.authorize(column: body.column, user.viewer, employee, engine)
        let schemeId = try version.requireID()
        let event = EventRecord(employeeId: body.employeeId, schemeId: schemeId, period: period, column: body.column,
                                occurredOn: body.occurredOn, note: body.note, recordedBy: user.id)
        try await SheetStore.refuseIfClosed(employees: [body.employeeId], periods: [period], key: body.scheme, what: "occurred_on", on: req.db)
        let count = try await req.db.writeTransaction { db -> Int in
            try await SheetStore.refuseIfClosed(employees: [body.employeeId], periods: [period], key: body.scheme, what: "occurred_on", on: db)
            try await event.save(on: db)
            try await SheetStore.touch(employees: [body.employeeId], period: period, scheme: schemeId, by: user, on: db)
            let n = try await EvidenceStore.recount(employee: employee, scheme: version, period: period, column: body.column, on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "event", id: "\(employee.number)/\(body.occurredOn)/\(body.column)",
                                   after: body.note ?? "", reason: nil)
            try await Rescorer.rescore(version, period: period, for: [body.employeeId], on: db)
            return n
        }
        let res = Response(status: .created)
        try res.content.encode(try Self.dto(event, key: version.key, count: count))
        return res
    }

    struct DeleteRequest: Content { var reason: String }

    func delete(req: Request) async throws -> HTTPStatus {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let event = try await EventStore.event(id, on: req.db) else {
            throw KaoheError.notFound("没有这个事件", en: "no such event")
        }
        let body = try req.decodeBody(DeleteRequest.self)
        guard !body.reason.isBlank else { throw KaoheError.invalid("reason: 删除事件须说明原因 (R-004-03)") }
        let engine = try Scoring.engine(event.scheme)
        try EvidenceAccess.authorize(column: event.column, user.viewer, event.employee, engine)
        try await req.db.writeTransaction { db in
            try await SheetStore.refuseIfClosed(employees: [event.$employee.id], periods: [event.period], key: event.scheme.key, what: "event", on: db)
            try await event.delete(on: db)
            // a graded recording's QA checklist goes with it (issue 17 §5)
            try await QAChecklistStore.delete(events: [id], employees: [event.$employee.id], on: db)
            try await SheetStore.touch(employees: [event.$employee.id], period: event.period, scheme: event.$scheme.id, by: user, on: db)
            _ = try await EvidenceStore.recount(employee: event.employee, scheme: event.scheme, period: event.period, column: event.column, on: db)
            try await Audit.record(on: db, actor: user, action: "delete", entity: "event", id: "\(event.employee.number)/\(event.occurredOn)/\(event.column)",
                                   before: event.note ?? "", after: nil, reason: body.reason)
            try await Rescorer.rescore(event.scheme, period: event.period, for: [event.$employee.id], on: db)
        }
        return .noContent
    }

    func list(req: Request) async throws -> [EventDTO] {
        let e = try await Queries.employee(req.parameters.get("id", as: UUID.self), for: try req.user.viewer, on: req.db)
        return try await EventStore.events(employee: try e.requireID(), period: req.query[String.self, at: "period"], on: req.db)
            .map { try Self.dto($0, key: $0.scheme.key) }
    }
}
