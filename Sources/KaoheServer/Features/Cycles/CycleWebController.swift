import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The cycle in the browser: my sheets and inbox, a sheet with its form and actions, HR's cycles.
/// Plain forms (no script needed); every step goes through the same service as the API.
struct CycleWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.sheets.route, use: mine)
        signedIn.get(SiteURL.sheet(nil).route, use: sheet)
        signedIn.post(SiteURL.sheet(nil).route, use: post)
        signedIn.get(SiteURL.cycles.route, use: cycles)
        signedIn.post(SiteURL.cycles.route, use: open)
        signedIn.post(SiteURL.cycleStep(nil, nil).route, use: step)
    }

    func mine(req: Request) async throws -> Response {
        let user = try req.user
        // a manager's month is a thousand sheets: the list is kept until the data change (PageCache)
        let html = try await req.application.pageCache.html("sheets|\(try user.requireID())", in: req.language, on: req.db) {
            // first the cycles with sheets waiting for the caller's review, each a link to approve or return them at once
            let queues = try await ReviewStore.queues(reviewer: try user.requireID(), on: req.db)
            let rows = try await CycleService.mine(user, db: req.db)
            return ReviewView.queues(queues).render() + CycleView.mine(rows, grids: try await TeamGridStore.grids(rater: try user.requireID(), on: req.db)).render()
        }
        // the messages stay unread until what they ask is done or their reader marks them read (issue 17 §7)
        let inbox = try await NotificationService.inboxModel(user, csrf: req.csrfToken, db: req.db)
        return Page.render(title: "我的考核", user: user, csrf: req.csrfToken, body: .group(.raw(html), InboxView.body(inbox)))
    }

    /// The sheet's buttons: the actions `SheetFlow` allows the caller, worded for the stage.
    static func actions(_ sheet: Sheet, _ user: User, _ config: AppConfig) -> [CycleView.Action] {
        let stage = sheet.stage
        return CycleService.actions(sheet, user: user, config: config).map {
            CycleView.Action(action: $0.rawValue, label: CycleView.label($0, at: stage),
                             needsReason: SheetFlow.needsReason.contains($0), sendsValues: SheetFlow.carriesMarks.contains($0))
        }
    }

    /// What a refused form carries back to its page (issue 17 §1): every value typed — marks, the
    /// grade, decisions — the reasons, and the field each refusal is about.
    struct Typed {
        var values: [String: String]
        /// a decision's reason, by the decision's column (`why.<column>` in the form)
        var whys: [String: String]
        var reason: String
        /// field (a column, `why.<column>` or `reason`) → the refusal shown beside it
        var errors: [String: String]
    }

    func render(_ req: Request, id: UUID?, error: String? = nil, status: HTTPStatus = .ok, typed: Typed? = nil) async throws -> Response {
        let user = try req.user
        let s = try await CycleService.load(id, on: req.db)
        var dto = try await CycleService.view(s, user: user, db: req.db)
        var form = CycleView.SheetForm()
        var flags = try await CycleService.storedResult(s, db: req.db)?.flags ?? []
        if let typed, !dto.editable.isEmpty {
            // the page as the rater left it: the typed values over the stored ones, scored as typed
            let mine = typed.values.filter { dto.editable[$0.key] != nil }
            dto.values.merge(mine) { $1 }
            if let r = try? await CycleService.previewResult(s, values: mine, user: user, db: req.db) {
                dto.items = CycleService.ItemDTO.of(r)
                dto.total = r.total.format()
                dto.grade = r.grade
                dto.flags = CycleService.flagLines(r.flags)
                flags = r.flags
            }
            form.errors = typed.errors
            form.whys = typed.whys
            form.reason = typed.reason
        }
        form.decide = CycleService.decisionItems(flags)
        form.nav = try await CycleService.nav(s, user: user, db: req.db)
        // HR may withdraw a sheet of an open cycle before publication (issue 16 §4)
        let withdrawable = user.viewer.role == .hr && s.cycle.status == .open && !s.stage.isClosed && s.stage != .withdrawn
        return Page.render(status: status, title: "考核表", user: user, csrf: req.csrfToken,
                           body: .group(CycleView.sheet(dto, actions: Self.actions(s, user, req.application.config), csrf: req.csrfToken, error: error, form: form),
                                        .if(withdrawable, CycleControlView.withdraw(dto, csrf: req.csrfToken))))
    }

    func sheet(req: Request) async throws -> Response {
        try await render(req, id: req.parameters.get("id", as: UUID.self))
    }

    func post(req: Request) async throws -> Response {
        let user = try req.user
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode([String: String].self)
        guard let version = form["version"].flatMap(Int.init), let action = form["action"] else { throw KaoheError.badInput("version, action") }
        let values = Dictionary(form.filter { $0.key.hasPrefix("v.") }.map { (String($0.key.dropFirst(2)), $0.value.trimmingCharacters(in: .whitespaces)) },
                                uniquingKeysWith: { a, _ in a })
        // a decision's reason is typed beside it (`why.<column>`); the write takes one reason: the
        // form's reason box and those, in the scheme's order of their columns
        let whys = Dictionary(form.filter { $0.key.hasPrefix("why.") }.map { (String($0.key.dropFirst(4)), $0.value.trimmingCharacters(in: .whitespacesAndNewlines)) },
                              uniquingKeysWith: { a, _ in a })
        let general = form["reason"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        let parts = [general].compactMap { $0 } + whys.sorted { $0.key < $1.key }.map(\.value).filter { !$0.isEmpty }
        let reason = parts.isEmpty ? nil : parts.joined(separator: "；")
        let notes = Self.itemNotes(form)
        let config = req.application.config
        do {
            try await req.db.writeTransaction { db in
                let s = try await CycleService.load(id, on: db)
                try await CycleService.comment(s, notes.comments, user: user, db: db)
                if action == "save" {
                    try await CycleService.write(s, version: version, values: values, reason: reason, user: user, db: db)
                } else {
                    guard let a = SheetAction(rawValue: action), ![.publish, .lock].contains(a) else { throw KaoheError.badInput("action") }
                    let sends = CycleService.editable(s, user, try Scoring.engine(s.cycle.scheme)).isEmpty ? nil : values
                    try await CycleService.actOnItems(s, action: a, version: version, reason: reason,
                                                      values: [.approve, .acknowledge, .object, .uphold, .returnToRater, .skipSelf].contains(a) ? nil : sends,
                                                      objected: a == .object ? notes.objected : [], decisions: [.uphold, .change].contains(a) ? notes.decisions : [],
                                                      user: user, config: config, db: db)
                }
            }
        } catch let e as AbortError where [.unprocessableEntity, .conflict, .forbidden, .badRequest].contains(e.status) {
            // nothing was written (one transaction): the page comes back as it was typed, the refusal beside its field
            let text = req.say(e)
            var errors: [String: String] = [:]
            switch CycleService.field(of: e) {
            case "reason"?:
                let decided = values.filter { $0.key.hasSuffix(".override") && !$0.value.isEmpty }.keys
                if decided.isEmpty { errors["reason"] = text } else { for k in decided { errors["why." + k] = text } }
            case let f?: errors[f] = text
            case nil: break
            }
            return try await render(req, id: id, error: text, status: e.status,
                                    typed: Typed(values: values, whys: whys, reason: form["reason"] ?? "", errors: errors))
        }
        return req.redirect(to: id.map { SiteURL.sheet($0).path } ?? SiteURL.sheets.path)
    }

    /// The per-item part of the sheet's form (issue 17 §4): `c.<item>` a comment; `o.<item>` the
    /// box ticked to object to the item with its reason `or.<item>` (a reason typed without the
    /// tick objects too); `d.<item>` the reviewer's decision (upheld | changed) with its note `dn.<item>`.
    static func itemNotes(_ form: [String: String]) -> (comments: [String: String], objected: [CycleService.ObjectedItem], decisions: [CycleService.ItemDecision]) {
        func field(_ prefix: String) -> [String: String] {
            Dictionary(form.filter { $0.key.hasPrefix(prefix) && $0.key.count > prefix.count }.map { (String($0.key.dropFirst(prefix.count)), $0.value) },
                       uniquingKeysWith: { a, _ in a })
        }
        let ticked = field("o."), reasons = field("or."), decided = field("d."), notes = field("dn.")
        let objectedIds = Set(ticked.filter { !$0.value.isEmpty }.keys).union(reasons.filter { !$0.value.isBlank }.keys)
        let objected = objectedIds.sorted().map { CycleService.ObjectedItem(item: $0, reason: reasons[$0] ?? "") }
        let decisions = decided.filter { !$0.value.isEmpty }.keys.sorted().map { CycleService.ItemDecision(item: $0, decision: decided[$0]!, note: notes[$0]) }
        return (field("c."), objected, decisions)
    }

    func cycles(req: Request) async throws -> Response {
        try await cyclesPage(req, message: req.query[String.self, at: "message"], error: req.query[String.self, at: "error"])
    }

    func cyclesPage(_ req: Request, message: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.user
        let list = try await CycleService.visible(to: user, config: req.application.config, db: req.db)
        let latest = try await SchemeStore.latest(on: req.db)
        // a manager chooses among their own department and its teams only
        let own = user.viewer.role == .manager ? user.viewer.departmentId : nil
        let departments = try await PeopleStore.departments(on: req.db)
            .filter { d in own.map { d.id == $0 } ?? true }.map { ($0.id!.uuidString, "\($0.code) \($0.name)") }
        let teams = try await PeopleStore.teamsWithDepartments(on: req.db)
            .filter { t in own.map { t.$department.id == $0 } ?? true }.map { ($0.id!.uuidString, "\($0.department.name) \($0.name)") }
        let schemes = latest.values.sorted { $0.key < $1.key }.map { ($0.key, "\($0.name)（\($0.key)）") }
        // issue 16 §4: each team's scheme (HR), and why a cancelled cycle was cancelled
        var assignments: Node<HTML.BodyContext> = .empty
        if user.viewer.role == .hr {
            assignments = CycleControlView.assignments(try await CycleService.assignmentRows(db: req.db), schemes: schemes, csrf: req.csrfToken)
        }
        let cancelled = Dictionary(try await CycleStore.cycles(on: req.db).compactMap { c in c.cancelReason.flatMap { r in c.id.map { ($0, r) } } }, uniquingKeysWith: { a, _ in a })
        return Page.render(status: status, title: "考核周期", user: user, csrf: req.csrfToken,
                           body: CycleView.cycles(list, schemes: schemes,
                                                  departments: departments, teams: teams, csrf: req.csrfToken, message: message, error: error,
                                                  assignments: assignments, cancelled: cancelled))
    }

    func open(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let body = CycleControlWebController.openRequest(form)
        do {
            // one cycle per scheme among the teams in scope, as the preview showed (issue 16 §4)
            let opened = try await CycleService.openAll(body, user: try req.user, config: req.application.config, db: req.db,
                                                        deadlines: CycleControlWebController.deadlines(form))
            let sheets = opened.reduce(0) { $0 + $1.sheets }, left = opened.reduce(0) { $0 + $1.excluded.count }
            let each = opened.count > 1 ? "（" + opened.map { "\($0.scheme) \($0.sheets) 张" }.joined(separator: "，") + "）" : ""
            return try await cyclesPage(req, message: "已下发 \(sheets) 张考核表\(each)，\(left) 人未下发（见下）")
        } catch let e as AbortError where [.unprocessableEntity, .conflict, .forbidden, .badRequest, .notFound].contains(e.status) {
            return try await cyclesPage(req, error: req.say(e), status: e.status)
        }
    }

    func step(req: Request) async throws -> Response {
        let user = try req.user
        guard let id = req.parameters.get("id", as: UUID.self), let c = try await CycleStore.cycle(id, on: req.db) else { throw KaoheError.notFound("没有这个记录", en: "not found") }
        let config = req.application.config
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        do {
            let message: String
            switch req.parameters.get("step") {
            case "publish": message = "已发布 \(try await CycleService.publish(c, user: user, config: config, db: req.db)) 张"
            case "lock": message = "已锁定 \(try await CycleService.lock(c, user: user, config: config, db: req.db)) 张"
            case "remind": message = "已催办 \(try await CycleService.remind(c, user: user, config: config, db: req.db)) 人"
            // issue 16 §4: cancel before publication (reason required), move the deadlines
            case "cancel": message = "考核周期已取消，撤回 \(try await CycleService.cancel(c, reason: form["reason"], user: user, db: req.db)) 张考核表"
            case "deadlines":
                try await CycleService.editDeadlines(c, CycleControlWebController.deadlines(form), reason: form["reason"], user: user, db: req.db)
                message = "截止日期已保存"
            default: throw KaoheError.notFound("没有这个记录", en: "not found")
            }
            req.application.kickNotifications()   // reminders and publication notices leave now (issue 17 §7)
            return try await cyclesPage(req, message: message)
        } catch let e as AbortError where [.conflict, .forbidden, .unprocessableEntity].contains(e.status) {
            return try await cyclesPage(req, error: req.say(e), status: e.status)
        }
    }
}
