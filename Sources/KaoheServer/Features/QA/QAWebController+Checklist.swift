import Fluent
import Foundation
import KaoheCore
import Vapor

/// The QA checklist (issue 17 §5): `GET /qa?checklist=<employee>` is one agent's checklist form;
/// `POST /qa` with `checklist=1` grades a recording from the criteria ticked (Core's
/// `checklistGrade`, R-002-14), with a reference to the recording or chat transcript and a
/// comment. Every field is checked before anything is written: a refused form comes back with
/// what was typed and the error naming its field (422), and nothing is stored. A recording is
/// written as the one-line form writes it — one event per graded item, counted into the sheet
/// and re-scored in one transaction — with its checklist beside it, audited.
extension QAWebController {
    func checklistPage(_ req: Request, employee: UUID, scheme: String?, period: String?, team: String?, page: Int?,
                       message: String? = nil, error: String? = nil, values: QAChecklistService.Values = .init(),
                       status: HTTPStatus = .ok) async throws -> Response {
        let m = try await checklistModel(req, employee: employee, scheme: scheme, period: period, team: team, page: page,
                                         values: values, message: message, error: error)
        return Page.render(status: status, title: "按质检清单评定录音", user: try req.user, csrf: req.csrfToken, body: QAChecklistView.body(m))
    }

    func checklistModel(_ req: Request, employee id: UUID, scheme: String?, period: String?, team: String?, page: Int?,
                        values: QAChecklistService.Values, message: String?, error: String?) async throws -> QAChecklistModel {
        let user = try req.user
        guard Access.canRecordQA(user.viewer) else { throw KaoheError.forbidden("质检员和人事使用", en: "QA inspectors and HR") }
        let available = try await Self.schemes(on: req.db)
        guard let key = scheme.flatMap({ available[$0] != nil ? $0 : nil }) ?? available.keys.sorted().first, let version = available[key] else {
            throw KaoheError.notFound("scheme: 没有需要录音质检的方案", en: "scheme: no scheme has QA-graded recordings")
        }
        let engine = try Scoring.engine(version)
        let graded = Self.gradedItems(engine.scheme)
        guard let first = graded.first, let rule = first.rule, first.hasChecklist else {
            throw KaoheError.notFound("checklist: 方案 “\(key)” 没有质检清单", en: "checklist: the scheme “\(key)” has no QA checklist")
        }
        let today = req.application.config.todayDate
        let month = period.flatMap { MonthIndex($0) != nil ? $0 : nil }
            ?? engine.scheme.calendar.period(ofDate: today.description) ?? String(today.description.prefix(7))
        guard let e = try await PeopleStore.employeeWithUnits(id, on: req.db), e.status == .active, e.id != user.$employee.id else {
            throw KaoheError.notFound("没有这个员工", en: "no such employee")
        }
        let versions = try await SchemeStore.versionIds(key: key, on: req.db)
        let events = try await EventStore.events(employees: [id], schemes: versions, period: month, on: req.db)
        let checklists = try await QAChecklistStore.checklists(employees: [id], schemes: versions, period: month, on: req.db)
        let who = try await QAChecklistService.names(Set(events.compactMap(\.recordedBy)).union(checklists.compactMap(\.recordedBy)), on: req.db)
        var checklistOf: [UUID: QAChecklistService.DTO] = [:]
        for c in checklists {
            let d = QAChecklistService.dto(c, rule: graded.first { $0.item == c.item }?.rule, names: who)
            for ev in c.events { checklistOf[ev] = d }
        }
        // the month's recordings as the list groups them (one recording: an event per graded item)
        var done = 0
        var recordings: [String: QAModel.Recording] = [:]
        var order: [String] = []
        for ev in events {
            guard let g = graded.first(where: { ev.column.hasPrefix($0.item + ".") }) else { continue }
            let grade = String(ev.column.dropFirst(g.item.count + 1))
            if g.item == first.item { done += 1 }
            let k = "\(ev.occurredOn)|\(grade)|\(ev.note ?? "")|\(ev.recordedAt.timeIntervalSince1970.rounded())"
            if recordings[k] == nil {
                order.append(k)
                recordings[k] = QAModel.Recording(day: ev.occurredOn, grade: grade, note: ev.note ?? "", by: ev.recordedBy.flatMap { who[$0] } ?? "", ids: [])
            }
            let eid = try ev.requireID()
            recordings[k]!.ids.append(eid)
            if recordings[k]!.checklist == nil, let d = checklistOf[eid] { recordings[k]!.checklist = d }
        }
        let known = values.faults.filter { f in (rule.checklist ?? []).contains { $0.id == f } }
        return QAChecklistModel(csrf: req.csrfToken, scheme: key, period: month, team: team.flatMap { $0.isEmpty ? nil : $0 }, page: max(page ?? 1, 1),
                                employee: id, number: e.number, name: e.name, teamName: e.team?.name ?? "",
                                item: first.item, itemLabel: first.label, rule: rule, done: done, expected: first.expected,
                                day: min(today.description, QAView.lastDay(month)), values: values,
                                outcome: try? rule.checklistGrade(item: first.item, faults: known),
                                recordings: order.map { recordings[$0]! }, message: message, error: error)
    }

    /// The agent's checklist form again after a recording: the next one is graded on the same page.
    func checklistBack(_ form: Form, message: String) -> String {
        SiteURL.qa.path([("scheme", form.scheme), ("period", form.period), ("team", form.team ?? ""), ("page", String(form.page ?? 1)),
                         ("checklist", form.employee.uuidString), ("message", message)])
    }

    func recordChecklist(_ req: Request, _ form: Form) async throws -> Response {
        let user = try req.user
        guard Access.canRecordQA(user.viewer) else { throw KaoheError.forbidden("质检员和人事使用", en: "QA inspectors and HR") }
        var values = QAChecklistService.Values(faults: QAChecklistService.faults(form.fault), day: form.day, reference: form.reference ?? "",
                                               comment: form.comment ?? "", beyond: form.beyond == "1")
        func refuse(_ why: String, status: HTTPStatus = .unprocessableEntity) async throws -> Response {
            try await checklistPage(req, employee: form.employee, scheme: form.scheme, period: form.period, team: form.team, page: form.page,
                                    error: why, values: values, status: status)
        }
        guard let latest = try await Self.schemes(on: req.db)[form.scheme] else {
            throw KaoheError.notFound("scheme: 没有录音质检的方案 “\(form.scheme)”", en: "scheme: no QA-graded scheme “\(form.scheme)”")
        }
        let engine = try Scoring.engine(latest)
        let graded = Self.gradedItems(engine.scheme)
        guard let first = graded.first, let rule = first.rule, first.hasChecklist else {
            throw KaoheError.invalid("checklist: 方案 “\(form.scheme)” 没有质检清单，请直接选择等级", en: "checklist: the scheme “\(form.scheme)” has no QA checklist; choose a grade")
        }
        guard let employee = try await PeopleStore.employee(form.employee, on: req.db) else { throw KaoheError.notFound("没有这个员工", en: "no such employee") }

        // every field first: the criteria (an id the checklist does not list is refused), the
        // reference (http/https links only) and the comment (length), the day
        let outcome: ChecklistOutcome
        do {
            outcome = try rule.checklistGrade(item: first.item, faults: values.faults)
        } catch let e as ChecklistError {
            values.faults = values.faults.filter { f in (rule.checklist ?? []).contains { $0.id == f } }
            return try await refuse(e.message)
        }
        let reference: String?
        let comment: String?
        do {
            reference = try QAChecklistService.reference(form.reference)
            comment = try QAChecklistService.comment(form.comment)
        } catch let e as QAChecklistService.FieldError {
            return try await refuse(e.message)
        }
        guard let period = engine.scheme.calendar.period(ofDate: form.day) else { return try await refuse("day（录音日期）：“\(form.day)” 无效（YYYY-MM-DD）") }
        guard period == form.period else { return try await refuse("day（录音日期）：\(form.day) 不在 \(form.period) 考核月内") }
        guard form.day <= req.application.config.todayDate.description else { return try await refuse("day（录音日期）：\(form.day) 还没到") }
        // the grade goes to the version of its month's sheets (issue 14 §5)
        let version = try await SheetStore.writeVersion(key: form.scheme, period: period, on: req.db) ?? latest
        let grade = outcome.grade.id
        let columns = graded.compactMap { g in g.grades.contains { $0.id == grade } ? "\(g.item).\(grade)" : nil }
        for c in columns { try EvidenceAccess.authorize(column: c, user.viewer, employee, engine) }
        let schemeId = try version.requireID()
        // the month's count is the scheme's (R-002-14, ten): one more only when the inspector confirms it
        let gradeColumns = first.grades.map { "\(first.item).\($0.id)" }
        let already = try await EventStore.count(employee: form.employee, scheme: schemeId, period: period, columns: gradeColumns, on: req.db)
        if already >= first.expected, form.beyond != "1" {
            return try await refuse("beyond（超出仍记录）：本月已评定 \(already)/\(first.expected) 条录音（R-002-14）；确需多记一条，请勾选“超出仍记录”后再提交")
        }
        if let closed = try await SheetStore.firstClosed(employees: [form.employee], periods: [period], key: form.scheme, on: req.db) {
            return try await refuse("\(closed.period) 的考核结果已\(closed.stage == SheetStage.locked.rawValue ? "锁定" : "发布")，质检结果只能在考核表上以“更正”修改（R-100-02）",
                                    status: .conflict)
        }
        let ticked = Set(values.faults)
        let faults = (rule.checklist ?? []).map(\.id).filter { ticked.contains($0) }
        let item = first.item
        let n = try await req.db.writeTransaction { db -> Int in
            try await SheetStore.refuseIfClosed(employees: [form.employee], periods: [period], key: form.scheme, what: "qa", on: db)
            try await SheetStore.touch(employees: [form.employee], period: period, scheme: schemeId, by: user, on: db)
            var ids: [UUID] = []
            for c in columns {
                let e = EventRecord(employeeId: form.employee, schemeId: schemeId, period: period, column: c, occurredOn: form.day, note: reference, recordedBy: user.id)
                try await e.save(on: db)
                ids.append(try e.requireID())
                _ = try await EvidenceStore.recount(employee: employee, scheme: version, period: period, column: c, on: db)
            }
            try await QAChecklistRecord(employeeId: form.employee, schemeId: schemeId, period: period, item: item, occurredOn: form.day, grade: grade,
                                        score: outcome.score.description, faults: faults, reference: reference, comment: comment,
                                        eventIds: ids, recordedBy: user.id).save(on: db)
            let n = try await EventStore.count(employee: form.employee, scheme: schemeId, period: period, columns: gradeColumns, on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "qa_recording", id: "\(employee.number)/\(form.day)/\(grade)",
                                   after: columns.joined(separator: ",") + " 质检清单：" + outcome.explanation
                                       + (reference.map { "；录音或聊天记录 \($0)" } ?? "") + (comment.map { "；评语 \($0)" } ?? ""))
            try await Rescorer.rescore(version, period: period, for: [form.employee], on: db)
            return n
        }
        let fatal = outcome.failed.isEmpty ? "" : "，出现致命项"
        return req.redirect(to: checklistBack(form, message: "\(employee.number)：已记录 \(outcome.grade.label)（按清单 \(outcome.score.format()) 分\(fatal)，本月第 \(n) 条）"))
    }
}
