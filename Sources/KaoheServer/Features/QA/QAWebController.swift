import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

/// The QA inspector's page (issue 7 §2, R-002-14): every agent of a QA-graded scheme with the
/// month's graded recordings against the expected ten, and a one-line form per agent to grade the
/// next recording — grade, day, recording number, Enter. A graded recording is one event per graded
/// item of the scheme (the score's 录音质检 and the service pay use the same recordings), written
/// together, counted into the sheet and re-scored in one transaction; a mistaken one is removed
/// with a reason.
struct QAWebController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireLogin(), CSRFCheck())
        signedIn.get(SiteURL.qa.route, use: page)
        signedIn.post(SiteURL.qa.route, use: record)
        signedIn.post(SiteURL.qaRemove.route, use: remove)
    }

    /// People per page of the grading list.
    static let perPage = 50

    static func gradedItems(_ s: Scheme) -> [QAModel.Graded] {
        (s.sections.flatMap(\.items) + s.money).compactMap { item in
            if case .graded(let g) = item.rule, g.count == .multiple, g.from == nil {
                return QAModel.Graded(item: item.id, label: item.label, grades: g.grades, expected: g.expected ?? 10, rule: g)
            }
            return nil
        }
    }

    /// The schemes with QA-graded items (latest versions), by key.
    static func schemes(on db: Database) async throws -> [String: SchemeVersion] {
        let latest = try await SchemeStore.latest(on: db)
        return latest.filter { (try? Scoring.engine($0.value)).map { !gradedItems($0.scheme).isEmpty } ?? false }
    }

    func model(_ req: Request, message: String? = nil, error: String? = nil, focus: String? = nil) async throws -> QAModel {
        let user = try req.user
        guard Access.canRecordQA(user.viewer) else { throw KaoheError.forbidden("质检员和人事使用", en: "QA inspectors and HR") }
        let available = try await Self.schemes(on: req.db)
        let key = req.query[String.self, at: "scheme"].flatMap { available[$0] != nil ? $0 : nil } ?? available.keys.sorted().first
        let today = req.application.config.todayDate
        guard let key, let version = available[key] else {
            return QAModel(csrf: req.csrfToken, schemes: [], scheme: "", period: "", graded: [], rows: [], today: today.description, message: message, error: error)
        }
        let engine = try Scoring.engine(version)
        let period = req.query[String.self, at: "period"].flatMap { MonthIndex($0) != nil ? $0 : nil }
            ?? engine.scheme.calendar.period(ofDate: today.description) ?? String(today.description.prefix(7))
        let graded = Self.gradedItems(engine.scheme)
        // the agents on this scheme: results or evidence in the last three months, or a sheet of its cycle
        let versions = try await SchemeStore.versionIds(key: key, on: req.db)
        let month = MonthIndex(period)!
        let recent = (0..<3).map { (month + (-$0)).description }
        var ids = try await Queries.employeeIds(in: StoredResult.schema, periods: recent, schemes: versions, on: req.db)
        ids.formUnion(try await Queries.employeeIds(in: EvidenceEntry.schema, periods: [period], schemes: versions, on: req.db))
        ids.formUnion(try await CycleStore.employeesWithSheets(schemes: versions, period: period, on: req.db))
        // plain rows, in 工号 order (Fluent models of a thousand agents and their teams cost 10 ms a load)
        let everyone = try await Queries.plainEmployees(ids: ids, on: req.db).filter { $0.status == .active && $0.id != user.$employee.id }
        // a team at a time, or a page of 50: each recording graded reloads the page, so it stays small
        // (a call centre of a thousand agents is one long page otherwise; 100 rows took 70 ms to build)
        let teams = Dictionary(everyone.compactMap { e in e.team.map { ($0.id!, $0.name) } }, uniquingKeysWith: { a, _ in a })
        let team = req.query[String.self, at: "team"].flatMap(UUID.init(uuidString:)).flatMap { teams[$0] != nil ? $0 : nil }
        let inTeam = team.map { t in everyone.filter { $0.$team.id == t } } ?? everyone
        let pages = max(1, (inTeam.count + Self.perPage - 1) / Self.perPage)
        let page = min(max(req.query[Int.self, at: "page"] ?? 1, 1), pages)
        let people = Array(inTeam.dropFirst((page - 1) * Self.perPage).prefix(Self.perPage))
        let pageIds = people.compactMap(\.id)
        let first = graded.first
        let events = try await EventStore.events(employees: pageIds, schemes: versions, period: period, on: req.db)
        // the recordings graded with the checklist (issue 17 §5), by their events
        let checklists = try await QAChecklistStore.checklists(employees: pageIds, schemes: versions, period: period, on: req.db)
        let recorders = Set(events.compactMap(\.recordedBy)).union(checklists.compactMap(\.recordedBy))
        let names = recorders.isEmpty ? [:] : Dictionary(try await AccountStore.users(recorders, on: req.db).compactMap { u in u.id.map { ($0, u.displayName) } },
                                                         uniquingKeysWith: { a, _ in a })
        var checklistOf: [UUID: QAChecklistService.DTO] = [:]
        for c in checklists {
            let d = QAChecklistService.dto(c, rule: graded.first { $0.item == c.item }?.rule, names: names)
            for e in c.events { checklistOf[e] = d }
        }
        var rows: [QAModel.Row] = []
        for p in people {
            let mine = events.filter { $0.$employee.id == p.id }
            var counts: [String: Int] = [:]
            var recordings: [String: QAModel.Recording] = [:]
            var order: [String] = []
            for e in mine {
                guard let g = graded.first(where: { e.column.hasPrefix($0.item + ".") }) else { continue }
                let grade = String(e.column.dropFirst(g.item.count + 1))
                let k = "\(e.occurredOn)|\(grade)|\(e.note ?? "")|\(e.recordedAt.timeIntervalSince1970.rounded())"
                if g.item == first?.item { counts[grade, default: 0] += 1 }
                if recordings[k] == nil { order.append(k); recordings[k] = QAModel.Recording(day: e.occurredOn, grade: grade, note: e.note ?? "", by: e.recordedBy.flatMap { names[$0] } ?? "", ids: []) }
                recordings[k]!.ids.append(try e.requireID())
                if recordings[k]!.checklist == nil, let d = checklistOf[try e.requireID()] { recordings[k]!.checklist = d }
            }
            rows.append(QAModel.Row(id: try p.requireID(), number: p.number, name: p.name, team: p.team?.name ?? "", counts: counts,
                                    recordings: order.map { recordings[$0]! }))
        }
        let focusTarget = focus ?? rows.first { r in r.counts.values.reduce(0, +) < (first?.expected ?? 10) }?.number
        return QAModel(csrf: req.csrfToken, schemes: available.values.sorted { $0.key < $1.key }.map { ($0.key, $0.name) }, scheme: key, period: period,
                     graded: graded, rows: rows, today: today.description, message: message, error: error, focus: focusTarget,
                     teams: teams.sorted { $0.value < $1.value }.map { ($0.key.uuidString, $0.value) }, team: team?.uuidString,
                     page: page, pages: pages, people: inTeam.count)
    }

    func page(req: Request) async throws -> Response {
        // one agent's checklist form (issue 17 §5)
        if let employee = req.query[String.self, at: "checklist"].flatMap(UUID.init(uuidString:)) {
            return try await checklistPage(req, employee: employee, scheme: req.query[String.self, at: "scheme"], period: req.query[String.self, at: "period"],
                                           team: req.query[String.self, at: "team"], page: req.query[Int.self, at: "page"],
                                           message: req.query[String.self, at: "message"])
        }
        let m = try await model(req, message: req.query[String.self, at: "message"], error: req.query[String.self, at: "error"],
                                focus: req.query[String.self, at: "focus"])
        return Page.render(title: "录音质检", user: try req.user, csrf: req.csrfToken, body: QAView.body(m))
    }

    struct Form: Content { var scheme: String; var period: String; var employee: UUID; var grade: String?; var day: String; var note: String?; var team: String?; var page: Int?
        /// "1": record beyond the month's expected count (R-002-14), confirmed on the form
        var beyond: String?
        /// "1": graded with the item's QA checklist (issue 17 §5): the grade follows from `fault`
        var checklist: String?
        /// the checklist's criteria ticked: scoring criteria not met, auto-fail criteria found
        var fault: [String]?
        /// a link (http/https) to the recording or chat transcript, or a call id
        var reference: String?
        var comment: String? }

    func back(_ scheme: String, _ period: String, message: String? = nil, error: String? = nil, focus: String? = nil, team: String? = nil, page: Int? = nil) -> String {
        var c = URLComponents()
        c.path = SiteURL.qa.path
        c.queryItems = [URLQueryItem(name: "scheme", value: scheme), URLQueryItem(name: "period", value: period)]
            + [team.map { URLQueryItem(name: "team", value: $0) }, page.map { URLQueryItem(name: "page", value: String($0)) }].compactMap { $0 }
            + [message.map { URLQueryItem(name: "message", value: $0) }, error.map { URLQueryItem(name: "error", value: $0) },
               focus.map { URLQueryItem(name: "focus", value: $0) }].compactMap { $0 }
        return c.string! + (focus.map { "#qa-\($0)" } ?? "")
    }

    func record(req: Request) async throws -> Response {
        let user = try req.user
        guard Access.canRecordQA(user.viewer) else { throw KaoheError.forbidden("质检员和人事使用", en: "QA inspectors and HR") }
        let form = try req.content.decode(Form.self)
        if form.checklist == "1" { return try await recordChecklist(req, form) }
        guard let latest = try await Self.schemes(on: req.db)[form.scheme] else { throw KaoheError.notFound("scheme: 没有录音质检的方案 “\(form.scheme)”") }
        let engine = try Scoring.engine(latest)
        let graded = Self.gradedItems(engine.scheme)
        guard let employee = try await PeopleStore.employee(form.employee, on: req.db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }
        func fail(_ why: String) -> Response { req.redirect(to: back(form.scheme, form.period, error: "\(employee.number)：\(why)", focus: employee.number, team: form.team, page: form.page)) }
        guard let grade = form.grade, graded.first?.grades.contains(where: { $0.id == grade }) == true else { return fail("请选择等级") }
        guard let period = engine.scheme.calendar.period(ofDate: form.day) else { return fail("日期 “\(form.day)” 无效（YYYY-MM-DD）") }
        guard period == form.period else { return fail("日期 \(form.day) 不在 \(form.period) 考核月内") }
        // the grade goes to the version of its month's sheets (issue 14 §5)
        let version = try await SheetStore.writeVersion(key: form.scheme, period: period, on: req.db) ?? latest
        guard form.day <= req.application.config.todayDate.description else { return fail("日期 \(form.day) 还没到") }
        let note = form.note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let columns = graded.compactMap { g in g.grades.contains { $0.id == grade } ? "\(g.item).\(grade)" : nil }
        for c in columns { try EvidenceAccess.authorize(column: c, user.viewer, employee, engine) }
        let schemeId = try version.requireID()
        // the month's count is the scheme's (R-002-14, ten): one more only when the inspector confirms it
        let gradeColumns = (graded.first?.grades ?? []).map { "\(graded[0].item).\($0.id)" }
        let expected = graded.first?.expected ?? 10
        let already = try await EventStore.count(employee: form.employee, scheme: schemeId, period: period, columns: gradeColumns, on: req.db)
        if already >= expected, form.beyond != "1" {
            return fail("本月已评定 \(already)/\(expected) 条录音（R-002-14）；确需多记一条，请勾选“超出仍记录”后再提交")
        }
        if let closed = try await SheetStore.firstClosed(employees: [form.employee], periods: [period], key: form.scheme, on: req.db) {
            return fail("\(closed.period) 的考核结果已\(closed.stage == SheetStage.locked.rawValue ? "锁定" : "发布")，质检结果只能在考核表上以“更正”修改（R-100-02）")
        }
        let n = try await req.db.writeTransaction { db -> Int in
            try await SheetStore.refuseIfClosed(employees: [form.employee], periods: [period], key: form.scheme, what: "qa", on: db)
            try await SheetStore.touch(employees: [form.employee], period: period, scheme: schemeId, by: user, on: db)
            var n = 0
            for c in columns {
                try await EventRecord(employeeId: form.employee, schemeId: schemeId, period: period, column: c, occurredOn: form.day, note: note, recordedBy: user.id).save(on: db)
                _ = try await EvidenceStore.recount(employee: employee, scheme: version, period: period, column: c, on: db)
            }
            n = try await EventStore.count(employee: form.employee, scheme: schemeId, period: period, columns: gradeColumns, on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "qa_recording", id: "\(employee.number)/\(form.day)/\(grade)",
                                   after: columns.joined(separator: ",") + (note.map { " \($0)" } ?? ""))
            try await Rescorer.rescore(version, period: period, for: [form.employee], on: db)
            return n
        }
        let label = graded.first?.grades.first { $0.id == grade }?.label ?? grade
        return req.redirect(to: back(form.scheme, form.period, message: "\(employee.number)：已记录 \(label)（本月第 \(n) 条）", focus: employee.number, team: form.team, page: form.page))
    }

    struct RemoveForm: Content { var scheme: String; var period: String; var ids: String; var reason: String? }

    func remove(req: Request) async throws -> Response {
        let user = try req.user
        guard Access.canRecordQA(user.viewer) else { throw KaoheError.forbidden("质检员和人事使用", en: "QA inspectors and HR") }
        let form = try req.content.decode(RemoveForm.self)
        guard let reason = form.reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty else {
            return req.redirect(to: back(form.scheme, form.period, error: "删除须写原因"))
        }
        let ids = form.ids.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        let events = try await EventStore.events(ids, on: req.db)
        guard !events.isEmpty, events.count == ids.count else { throw KaoheError.notFound("没有这条质检记录") }
        for e in events {
            let engine = try Scoring.engine(e.scheme)
            try EvidenceAccess.authorize(column: e.column, user.viewer, e.employee, engine)
            guard Self.gradedItems(engine.scheme).contains(where: { e.column.hasPrefix($0.item + ".") }) else { throw KaoheError.badInput("不是质检记录") }
        }
        if let closed = try await SheetStore.firstClosed(employees: events.map { $0.$employee.id }, periods: Array(Set(events.map(\.period))), key: form.scheme, on: req.db) {
            return req.redirect(to: back(form.scheme, form.period, error: "\(closed.period) 的考核结果已发布，质检结果只能在考核表上以“更正”修改（R-100-02）"))
        }
        try await req.db.writeTransaction { db in
            // the checklists of these recordings go with them (issue 17 §5)
            try await QAChecklistStore.delete(events: ids, employees: Array(Set(events.map { $0.$employee.id })), on: db)
            for e in events {
                try await SheetStore.touch(employees: [e.$employee.id], period: e.period, scheme: e.$scheme.id, by: user, on: db)
                try await e.delete(on: db)
                _ = try await EvidenceStore.recount(employee: e.employee, scheme: e.scheme, period: e.period, column: e.column, on: db)
                try await Audit.record(on: db, actor: user, action: "delete", entity: "qa_recording", id: "\(e.employee.number)/\(e.occurredOn)/\(e.column)",
                                       before: e.note ?? "", reason: reason)
            }
            for e in Dictionary(events.map { ("\($0.$scheme.id)|\($0.period)", $0) }, uniquingKeysWith: { a, _ in a }).values {
                try await Rescorer.rescore(e.scheme, period: e.period, for: Set(events.map { $0.$employee.id }), on: db)
            }
        }
        return req.redirect(to: back(form.scheme, form.period, message: "已删除 \(events[0].employee.number) 的一条质检记录", focus: events[0].employee.number))
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
