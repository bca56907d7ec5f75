import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheDemo
@testable import KaoheServer

/// The QA form (issue 17 §5): the inspector grades a recording with the scheme's checklist, a
/// reference to the recording and a comment; the grade follows from the criteria (R-002-14) and
/// counts as a chosen grade does; the agent reads the criteria and the comment on their sheet
/// once it is published; a wrong role, an unknown criterion, a `javascript:` link and a 10 KB
/// comment are refused, naming the field, and nothing is stored.
@Suite("QA checklist pages (issue 17 §5)", .serialized)
struct QAChecklistPageTests {
    static let today = "2026-11-23"
    static let link = "https://rec.example.com/calls/20261120-0012?from=qa&x=1"
    static let comment = "开场未自报工号，未主动引导用户办理。"

    /// The demo company on 2026-11-23, with an agent of 话务一组 (callcentre-agent) who is not its leader.
    func withDemo(_ body: (Application, Employee) async throws -> Void) async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let team = try #require(try await Team.query(on: app.db).filter(\.$name == "话务一组").first())
            let members = try await Employee.query(on: app.db).filter(\.$team.$id == team.requireID()).sort(\.$number).all()
            let agent = try #require(members.first { $0.id != team.leaderId })
            try await body(app, agent)
        }
    }

    static func events(_ app: Application, _ e: Employee) async throws -> [EventRecord] {
        try await EventRecord.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$period == "2026-11").all()
    }

    static func checklists(_ app: Application, _ e: Employee) async throws -> [QAChecklistRecord] {
        try await QAChecklistRecord.query(on: app.db).filter(\.$employee.$id == e.requireID()).sort(\.$occurredOn).all()
    }

    static func total(_ app: Application, _ e: Employee) async throws -> String? {
        try await StoredResult.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$period == "2026-11").first()?.total
    }

    static func base(_ e: Employee) throws -> [(String, String)] {
        [("scheme", "callcentre-agent"), ("period", "2026-11"), ("employee", try e.requireID().uuidString), ("checklist", "1")]
    }

    @Test("the inspector records a recording with the checklist: grade from the criteria, reference and comment stored with who and when, audited, re-scored")
    func inspectorRecords() async throws {
        try await withDemo { app, agent in
            var qa = try await Browser.signIn(app, "qa1", password: Demo.password).0
            let id = try agent.requireID().uuidString
            // the list links each agent to their checklist form
            let list = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            #expect(list.status == .ok && list.body.string.contains("按质检清单评定") && list.body.string.contains("checklist=\(id)"))
            let form = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11&checklist=\(id)")
            let html = form.body.string
            #expect(form.status == .ok, "\(html.prefix(500))")
            // the criteria, scoring ones with their points, auto-fail ones marked; the grade scale; the live script
            #expect(html.contains("开场白规范：问候语、自报工号") && html.contains("−5 分") && html.contains("业务准确、无差错，不答非所问") && html.contains("−10 分"))
            #expect(html.contains("严重违纪：聊天、不应答、出现话外音") && html.contains("data-auto-fail=\"1\"") && html.contains("致命项（出现请勾选）"))
            #expect(html.contains("data-checklist=\"100\"") && html.contains("data-auto-fail-grade=\"lie\"") && html.contains("data-grade-points=\"85\""))
            #expect(html.contains("name=\"reference\"") && html.contains("name=\"comment\"") && html.contains("/assets/sheet.js"))
            // nothing ticked yet: 100 → 优, computed by the server
            #expect(html.contains("<span id=\"checklist-score\" class=\"num\">100</span>") && html.contains("<strong id=\"checklist-grade\">优</strong>"), "\(html)")

            // 中 (seed 002, 4.1.4): 开场白 5 + 语气 5 + 灵活应变 10 + 服务周到 10 = 30 off → 70
            let first = try await RolePagesTests.form(app, qa, "qa", try Self.base(agent) + [
                ("fault", "voice"), ("fault", "greeting"), ("fault", "guidance"), ("fault", "attitude"),
                ("day", "2026-11-20"), ("reference", Self.link), ("comment", Self.comment)])
            #expect(first.status == .seeOther)
            let location = try #require(first.headers.first(name: .location))
            #expect(location.removingPercentEncoding?.contains("已记录 中（按清单 70 分，本月第 1 条）") == true, "\(location.removingPercentEncoding ?? location)")
            #expect(location.contains("checklist=\(id)"))
            #expect(try await Self.events(app, agent).map(\.column) == ["qa_score.zhong"])
            #expect(try await Self.total(app, agent) == "70")
            let stored = try await Self.checklists(app, agent)
            let qaUser = try #require(try await User.query(on: app.db).filter(\.$username == "qa1").first())
            #expect(stored.count == 1)
            #expect(stored.first?.faults == "greeting,voice,attitude,guidance" && stored.first?.score == "70" && stored.first?.grade == "zhong")
            #expect(stored.first?.reference == Self.link && stored.first?.comment == Self.comment && stored.first?.recordedBy == qaUser.id)
            let eventIds = try await Self.events(app, agent).map { try $0.requireID() }
            #expect(stored.first?.events == eventIds)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "qa_recording").filter(\.$action == "create").all()
            #expect(audit.count == 1 && audit[0].entityId == "\(agent.number)/2026-11-20/zhong" && audit[0].actorName == "qa1")
            #expect(audit[0].after?.contains("定为「中」") == true && audit[0].after?.contains(Self.comment) == true && audit[0].after?.contains(Self.link) == true)

            // the page after it: the message, the recording with its checklist, the link escaped
            let after = try await RolePagesTests.page(app, &qa, location)
            let page = after.body.string
            #expect(page.contains("\(agent.number)：已记录 中（按清单 70 分，本月第 1 条）") && page.contains("本月已评") && page.contains(" 1/10 "))
            #expect(page.contains("href=\"https://rec.example.com/calls/20261120-0012?from=qa&amp;x=1\"") && page.contains(Self.comment))
            #expect(page.contains("未达标：") && page.contains("灵活应变、正确引导用户（−10 分）"))

            // an auto-fail criterion: 劣 whatever the score (95), and (100 − … ) the month averages (70 + 0) / 2 = 35
            let second = try await RolePagesTests.form(app, qa, "qa", try Self.base(agent) + [
                ("fault", "voice"), ("fault", "rude"), ("day", "2026-11-21"), ("reference", "CALL-20261121-0007")])
            #expect(second.headers.first(name: .location)?.removingPercentEncoding?.contains("已记录 劣（按清单 95 分，出现致命项，本月第 2 条）") == true,
                    "\(second.headers.first(name: .location)?.removingPercentEncoding ?? "")")
            #expect(try await Self.events(app, agent).map(\.column).sorted() == ["qa_score.lie", "qa_score.zhong"])
            #expect(try await Self.total(app, agent) == "35")
            #expect(try await Self.checklists(app, agent).last?.reference == "CALL-20261121-0007")
            // the list shows both, the call id as text (no link)
            let again = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            #expect(again.body.string.contains("CALL-20261121-0007") && !again.body.string.contains("href=\"CALL-") && again.body.string.contains("服务态度生硬恶劣"))

            // removing the 劣 recording removes its checklist too; re-scored to 70
            let lie = try await Self.events(app, agent).filter { $0.column.hasSuffix(".lie") }.map { try $0.requireID().uuidString }.joined(separator: ",")
            _ = try await RolePagesTests.form(app, qa, "qa/remove", [("scheme", "callcentre-agent"), ("period", "2026-11"), ("ids", lie), ("reason", "评错了录音")])
            #expect(try await Self.checklists(app, agent).map(\.grade) == ["zhong"])
            #expect(try await Self.total(app, agent) == "70")
            // a grade chosen directly, without the checklist, works as before and has no checklist
            _ = try await RolePagesTests.form(app, qa, "qa", [("scheme", "callcentre-agent"), ("period", "2026-11"), ("employee", id),
                                                               ("grade", "you"), ("day", "2026-11-22"), ("note", "REC-9")])
            #expect(try await Self.events(app, agent).count == 2)
            #expect(try await Self.checklists(app, agent).count == 1)
            #expect(try await Self.total(app, agent) == "85")
        }
    }

    @Test("the agent reads each recording's criteria, reference and comment on their sheet once it is published, not before")
    func agentSeesChecklist() async throws {
        try await withDemo { app, agent in
            var qa = try await Browser.signIn(app, "qa1", password: Demo.password).0
            _ = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            _ = try await RolePagesTests.form(app, qa, "qa", try Self.base(agent) + [
                ("fault", "accuracy"), ("fault", "misconduct"), ("day", "2026-11-20"), ("reference", Self.link), ("comment", Self.comment)])
            #expect(try await Self.checklists(app, agent).count == 1)
            // HR opens the month's cycle for the team; the agent signs in with an account of their own
            let hr = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            let team = try #require(agent.$team.id)
            let cycle = try await CycleService.open(.init(scheme: "callcentre-agent", period: "2026-11", departmentId: nil, teamIds: [team]),
                                                    user: hr, config: app.config, db: app.db)
            let sheet = try #require(try await Sheet.query(on: app.db).filter(\.$cycle.$id == cycle.id).filter(\.$employee.$id == agent.requireID()).first())
            try await User(username: "agent21", displayName: agent.name, passwordHash: try app.password.hash(Demo.password), role: .agent,
                           employeeId: agent.id, teamId: team, departmentId: agent.$department.id).save(on: app.db)
            var me = try await Browser.signIn(app, "agent21", password: Demo.password).0
            let before = try await RolePagesTests.page(app, &me, "sheets/\(try sheet.requireID())")
            #expect(before.status == .ok && !before.body.string.contains(Self.comment), "before publication the agent sees no marks in progress")
            // published (what publishing the cycle does to the sheet; the cycle tests cover that flow)
            sheet.stage = .published
            try await sheet.save(on: app.db)
            let after = try await RolePagesTests.page(app, &me, "sheets/\(try sheet.requireID())")
            let html = after.body.string
            #expect(after.status == .ok)
            #expect(html.contains("质检清单") && html.contains(" 1 ") && html.contains("条录音"), "\(html)")
            #expect(html.contains("按清单") && html.contains(" 90 ") && html.contains("<strong>劣</strong>"))
            #expect(html.contains("致命项") && html.contains("严重违纪：聊天、不应答、出现话外音"))
            #expect(html.contains("业务准确、无差错，不答非所问（−10 分）") && html.contains("达标项： 8"))
            #expect(html.contains(Self.comment) && html.contains("href=\"https://rec.example.com/calls/20261120-0012?from=qa&amp;x=1\""))
            #expect(html.contains("质检 何静") && html.contains("2026-11-20 "))
            // the API's sheet carries the same, on the item
            let dto = try await CycleFlowTests.sheet(app, me, try sheet.requireID())
            let recording = try #require(dto.items.first { $0.id == "qa_score" }?.recordings?.first)
            #expect(recording.grade == "劣" && recording.score == "90" && recording.autoFail && recording.met == 8)
            #expect(recording.faults.map(\.id) == ["accuracy", "misconduct"] && recording.faults.map(\.autoFail) == [false, true])
            #expect(recording.reference == Self.link && recording.link == Self.link && recording.comment == Self.comment && recording.by == "质检 何静")
        }
    }

    @Test("in English the checklist form, a recording's checklist and the message read without Chinese (names and typed text aside)")
    func english() async throws {
        try await withDemo { app, agent in
            var qa = try await Browser.signIn(app, "qa1", password: Demo.password).0
            _ = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            let switched = try await RolePagesTests.form(app, qa, "language", [("language", "en")])
            #expect(switched.status == .seeOther)
            let recorded = try await RolePagesTests.form(app, qa, "qa", try Self.base(agent) + [
                ("fault", "voice"), ("fault", "rude"), ("day", "2026-11-20"), ("reference", Self.link), ("comment", Self.comment)])
            let location = try #require(recorded.headers.first(name: .location))
            let page = try await RolePagesTests.page(app, &qa, location)
            let html = page.body.string
            #expect(page.status == .ok && html.contains("<html lang=\"en\">"))
            #expect(untranslated(html).isEmpty, "\(untranslated(html))")
            #expect(html.contains("Curt or hostile service") && html.contains("Unacceptable"))
            let list = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            #expect(untranslated(list.body.string).isEmpty, "\(untranslated(list.body.string))")
        }
    }

    @Test("refused, naming the field, nothing stored: a wrong role, an unknown criterion, a javascript: link, a 10 KB comment")
    func hostileInput() async throws {
        try await withDemo { app, agent in
            let id = try agent.requireID().uuidString
            // a wrong role: the agent and the team lead may neither open the form nor post it
            for user in ["agent1", "lead11"] {
                var b = try await Browser.signIn(app, user, password: Demo.password).0
                _ = try await RolePagesTests.page(app, &b, "account/password")
                #expect(try await RolePagesTests.page(app, &b, "qa?scheme=callcentre-agent&period=2026-11&checklist=\(id)").status == .forbidden, "\(user)")
                let posted = try await RolePagesTests.form(app, b, "qa", try Self.base(agent) + [("day", "2026-11-20")])
                #expect(posted.status == .forbidden, "\(user)")
            }
            var qa = try await Browser.signIn(app, "qa1", password: Demo.password).0
            _ = try await RolePagesTests.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11&checklist=\(id)")
            let cases: [([(String, String)], String, String)] = [
                ([("fault", "voice"), ("fault", "chatting")], "fault", "chatting"),
                ([("reference", "javascript:alert(document.cookie)")], "reference", "http:// 或 https://"),
                ([("reference", "JavaScript:alert(1)")], "reference", "http:// 或 https://"),
                ([("reference", "data:text/html,<script>alert(1)</script>")], "reference", "http:// 或 https://"),
                ([("reference", "//evil.example/x")], "reference", "http:// 或 https://"),
                ([("reference", "https://" + String(repeating: "a", count: 600))], "reference", "太长：上限 500 字符，实际 608"),
                ([("comment", String(repeating: "x", count: 10 * 1024))], "comment", "太长：上限 2000 字符，实际 10240"),
                ([("day", "2026-12-01")], "day", "不在 2026-11 考核月内"),
            ]
            for (fields, field, why) in cases {
                let hasDay = fields.contains(where: { $0.0 == "day" })
                let day: [(String, String)] = hasDay ? [] : [("day", "2026-11-20")]
                let res = try await RolePagesTests.form(app, qa, "qa", try Self.base(agent) + fields + day)
                let html = res.body.string
                #expect(res.status == .unprocessableEntity, "\(field): \(res.status)")
                #expect(html.contains("role=\"alert\"") && html.contains(field) && html.contains(why), "\(field): \(html.prefix(800))")
                #expect(!html.contains("href=\"javascript") && !html.contains("href=\"data:") && !html.contains("<script>alert"))
            }
            // the typed values come back (the legal criteria ticked, the comment kept)
            let kept = try await RolePagesTests.form(app, qa, "qa", try Self.base(agent) + [("fault", "voice"), ("fault", "chatting"), ("day", "2026-11-20"),
                                                                                          ("comment", "保留的评语")])
            #expect(kept.body.string.contains("value=\"voice\" checked") && !kept.body.string.contains("chatting\" checked") && kept.body.string.contains("保留的评语"))
            #expect(try await Self.events(app, agent).isEmpty)
            #expect(try await Self.checklists(app, agent).isEmpty)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "qa_recording").count() == 0)
        }
    }
}
