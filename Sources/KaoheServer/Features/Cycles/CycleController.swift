import Fluent
import SQLKit
import Foundation
import KaoheCore
import Vapor

/// `/api/v1/cycles` and `/api/v1/sheets` (issue 6).
struct CycleController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let api = routes.grouped(APIAuthenticator())
        api.post(SiteURL.api(.cycles).route, use: open)
        api.get(SiteURL.api(.cycles).route, use: list)
        api.get(SiteURL.api(.cycle(nil)).route, use: show)
        api.post(SiteURL.api(.cyclePublish(nil)).route, use: publish)
        api.post(SiteURL.api(.cycleLock(nil)).route, use: lock)
        api.get(SiteURL.api(.cycleCalibration(nil)).route, use: calibration)
        api.post(SiteURL.api(.cycleRemind(nil)).route, use: remind)
        api.get(SiteURL.api(.sheets).route, use: mine)
        api.get(SiteURL.api(.sheet(nil)).route, use: sheet)
        api.put(SiteURL.api(.sheet(nil)).route, use: save)
        api.post(SiteURL.api(.sheetPreview(nil)).route, use: preview)
        api.post(SiteURL.api(.sheetActions(nil)).route, use: act)
        api.get(SiteURL.api(.inbox).route, use: inbox)
        api.post(SiteURL.api(.sheetFindings(nil)).route, use: find)
        api.get(SiteURL.api(.finding(nil)).route, use: finding)
        api.post(SiteURL.api(.findingJustify(nil)).route, use: justify)
        api.post(SiteURL.api(.findingDecide(nil)).route, use: decide)
    }

    func open(req: Request) async throws -> Response {
        let body = try req.decodeBody(CycleService.OpenRequest.self)
        let dto = try await CycleService.open(body, user: try req.user, config: req.application.config, db: req.db)
        let res = Response(status: .created)
        try res.content.encode(dto)
        return res
    }

    func cycle(_ req: Request) async throws -> Cycle {
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await CycleStore.cycle(id, on: req.db) else {
            throw KaoheError.notFound("没有这个考核周期", en: "no such cycle")
        }
        return c
    }

    func list(req: Request) async throws -> [CycleService.CycleDTO] {
        try await CycleService.visible(to: try req.user, config: req.application.config, db: req.db)
    }

    func show(req: Request) async throws -> CycleService.CycleDTO {
        let user = try req.user
        let c = try await cycle(req)
        guard user.viewer.role == .hr || (user.viewer.role == .manager && (c.$department.id == nil || c.$department.id == user.viewer.departmentId)) else {
            throw KaoheError.forbidden("人事和本部门经理可见", en: "HR and the department's manager")
        }
        return try await CycleService.dto(c, config: req.application.config, department: user.viewer.role == .manager ? user.viewer.departmentId : nil, db: req.db)
    }

    func calibration(req: Request) async throws -> CycleService.CalibrationDTO {
        try await CycleService.calibration(try await cycle(req), departmentGrade: req.query[String.self, at: "department_grade"], user: try req.user, db: req.db)
    }

    struct Count: Content { var sheets: Int }
    struct Sent: Content { var reminders: Int }

    func remind(req: Request) async throws -> Sent {
        let sent = Sent(reminders: try await CycleService.remind(try await cycle(req), user: try req.user, config: req.application.config, db: req.db))
        req.application.kickNotifications()   // the e-mails and robot messages just queued
        return sent
    }

    func publish(req: Request) async throws -> Count {
        let count = Count(sheets: try await CycleService.publish(try await cycle(req), user: try req.user, config: req.application.config, db: req.db))
        req.application.kickNotifications()
        return count
    }

    func lock(req: Request) async throws -> Count {
        Count(sheets: try await CycleService.lock(try await cycle(req), user: try req.user, config: req.application.config, db: req.db))
    }

    /// Sheets waiting for the caller: their own self-assessment, those they rate or review, and
    /// their published results to acknowledge.
    func mine(req: Request) async throws -> [CycleService.Mine] {
        try await CycleService.mine(try req.user, db: req.db)
    }

    func sheet(req: Request) async throws -> CycleService.SheetDTO {
        let s = try await CycleService.load(req.parameters.get("id", as: UUID.self), on: req.db)
        return try await CycleService.view(s, user: try req.user, db: req.db)
    }

    struct SaveRequest: Content {
        var version: Int; var values: [String: String]; var reason: String?
        /// The caller's comments on items, item id → text (issue 17 §4; an empty text withdraws one).
        var comments: [String: String]?
    }

    /// Saves marks as a draft of the caller's stage (live total and explanations come back).
    func save(req: Request) async throws -> CycleService.SheetDTO {
        let user = try req.user
        let body = try req.decodeBody(SaveRequest.self)
        let id = req.parameters.get("id", as: UUID.self)
        try await req.db.writeTransaction { db in
            let s = try await CycleService.load(id, on: db)
            guard CycleService.mayView(s, user) else { throw KaoheError.forbidden("这不是你的考核表", en: "not your sheet") }
            try await CycleService.comment(s, body.comments ?? [:], user: user, db: db)
            try await CycleService.write(s, version: body.version, values: body.values, reason: body.reason, user: user, db: db)
        }
        return try await CycleService.view(try await CycleService.load(id, on: req.db), user: user, db: req.db)
    }

    struct PreviewRequest: Content { var values: [String: String] }

    func preview(req: Request) async throws -> CycleService.PreviewDTO {
        let body = try req.decodeBody(PreviewRequest.self)
        let s = try await CycleService.load(req.parameters.get("id", as: UUID.self), on: req.db)
        return try await CycleService.preview(s, values: body.values, user: try req.user, db: req.db).localized(req.language)
    }

    struct ActRequest: Content {
        var action: String; var version: Int; var reason: String?; var values: [String: String]?
        /// The caller's comments on items, item id → text, written before the step (issue 17 §4).
        var comments: [String: String]?
        /// `object`: the items objected to, each with its reason (`reason` is then an optional overall note).
        var objectionItems: [CycleService.ObjectedItem]?
        /// `uphold` / `change`: the decision on each objected item (upheld | changed).
        var decisions: [CycleService.ItemDecision]?
    }

    func act(req: Request) async throws -> CycleService.SheetDTO {
        let user = try req.user
        let body = try req.decodeBody(ActRequest.self)
        guard let action = SheetAction(rawValue: body.action), ![.publish, .lock].contains(action) else {
            throw KaoheError.badInput("action: 可选 submit_self, skip_self, submit_rating, approve, adjust, return, acknowledge, object, uphold, change, correct", en: "action: allowed: submit_self, skip_self, submit_rating, approve, adjust, return, acknowledge, object, uphold, change, correct")
        }
        let id = req.parameters.get("id", as: UUID.self)
        let config = req.application.config
        try await req.db.writeTransaction { db in
            let s = try await CycleService.load(id, on: db)
            guard CycleService.mayView(s, user) else { throw KaoheError.forbidden("这不是你的考核表", en: "not your sheet") }
            try await CycleService.comment(s, body.comments ?? [:], user: user, db: db)
            try await CycleService.actOnItems(s, action: action, version: body.version, reason: body.reason, values: body.values,
                                              objected: body.objectionItems ?? [], decisions: body.decisions ?? [], user: user, config: config, db: db)
        }
        return try await CycleService.view(try await CycleService.load(id, on: req.db), user: user, db: req.db)
    }

    func find(req: Request) async throws -> Response {
        let user = try req.user
        let body = try req.decodeBody(CycleService.FindingRequest.self)
        let id = req.parameters.get("id", as: UUID.self)
        let dto = try await req.db.writeTransaction { db in
            try await CycleService.find(try await CycleService.load(id, on: db), body, user: user, db: db)
        }
        let res = Response(status: .created)
        try res.content.encode(dto)
        return res
    }

    func finding(req: Request) async throws -> CycleService.FindingDTO {
        let user = try req.user
        let f = try await CycleService.loadFinding(req.parameters.get("id", as: UUID.self), db: req.db)
        let sheet = try await CycleService.load(f.$sheet.id, on: req.db)
        guard user.id == f.raterUserId || CycleService.mayView(sheet, user) else { throw KaoheError.forbidden("无权查看", en: "not allowed") }
        return try await CycleService.dto(f, db: req.db)
    }

    func justify(req: Request) async throws -> CycleService.FindingDTO {
        let user = try req.user
        let body = try req.decodeBody(CycleService.JustifyRequest.self)
        let id = req.parameters.get("id", as: UUID.self)
        return try await req.db.writeTransaction { db in
            try await CycleService.justify(try await CycleService.loadFinding(id, db: db), text: body.justification, user: user, db: db)
        }
    }

    func decide(req: Request) async throws -> CycleService.FindingDTO {
        let user = try req.user
        let body = try req.decodeBody(CycleService.DecideRequest.self)
        let id = req.parameters.get("id", as: UUID.self)
        return try await req.db.writeTransaction { db in
            try await CycleService.decide(try await CycleService.loadFinding(id, db: db), accept: body.accept, reason: body.reason, user: user, db: db)
        }
    }

    func inbox(req: Request) async throws -> [CycleService.InboxDTO] {
        try await CycleService.inbox(try req.user, db: req.db)
    }
}
