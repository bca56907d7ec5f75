import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

/// Cycles that cannot go wrong (issue 16 §4), with the demo company (电商客服部: 售前一组 and
/// 售前二组 on ecommerce-monthly, 12 people each, 101001–101024; 售后组 on after-sales, 10 people,
/// 101025–101034), opened for November on 1 December 2026.
@Suite("Cycle controls: each team's scheme, preview, one sheet per person, cancel, withdraw, deadlines, publication confirmed", .serialized)
struct CycleControlTests {
    static let today = "2026-12-01"

    static func hr(_ app: Application) async throws -> User { try #require(try await User.query(on: app.db).filter(\.$username == "hr").first()) }
    static func department(_ app: Application) async throws -> UUID { try #require(try await Department.query(on: app.db).filter(\.$name == "电商客服部").first()?.id) }
    static func team(_ app: Application, _ name: String) async throws -> UUID { try #require(try await Team.query(on: app.db).filter(\.$name == name).first()?.id) }
    static func employee(_ app: Application, _ number: String) async throws -> Employee {
        try #require(try await Employee.query(on: app.db).filter(\.$number == number).first())
    }

    /// A signed-in browser holding a page's CSRF token.
    static func browser(_ app: Application, _ user: String) async throws -> Browser {
        var b = try await Browser.signIn(app, user, password: Demo.password).0
        _ = try await RolePagesTests.page(app, &b, "sheets")
        return b
    }

    /// The November sheets of one person that are not withdrawn, with their cycles.
    static func novemberSheets(_ app: Application, _ number: String) async throws -> [Sheet] {
        let e = try await employee(app, number)
        return try await Sheet.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$stage != .withdrawn).with(\.$cycle) { $0.with(\.$scheme) }.all()
            .filter { $0.cycle.period == "2026-11" }
    }

    /// Opens November for the whole 电商客服部 as the page does after its preview.
    static func openDepartment(_ app: Application) async throws -> [CycleService.CycleDTO] {
        try await CycleService.openAll(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: try await department(app), teamIds: nil),
                                       user: try await hr(app), config: app.config, db: app.db)
    }

    @Test("opening for 电商客服部 previews each team with its scheme and who is left out and why; confirmed, 售后组 gets after-sales; deadlines from the opening day")
    func previewAndOpen() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            // 101014 joined on 1 October (in probation at the end of November), 101026 has left
            let newcomer = try await Self.employee(app, "101014")
            newcomer.hireDate = "2026-10-01"
            try await newcomer.save(on: app.db)
            let leaver = try await Self.employee(app, "101026")
            leaver.status = .left
            try await leaver.save(on: app.db)
            let dept = try await Self.department(app)
            let fields = [("scheme", "ecommerce-monthly"), ("period", "2026-11"), ("department", dept.uuidString), ("team", "")]
            var hr = try await Self.browser(app, "hr")
            _ = try await RolePagesTests.page(app, &hr, "cycles")
            let preview = try await RolePagesTests.form(app, hr, "cycles/preview", fields)
            let html = preview.body.string
            #expect(preview.status == .ok, "\(html.prefix(600))")
            // each team with the scheme it will get and where that comes from
            #expect(html.contains("（ecommerce-monthly v1）：23 人") && html.contains("（after-sales v1）：9 人"), "\(html)")
            #expect(html.contains(">售后组</span></td><td>班组指定</td><td class=\"num\">9</td>"), "\(html)")
            // the people left out, with why
            #expect(html.contains("101014") && html.contains("入职 2026-10-01，至本期末") && html.contains("未满 3 个月"), "\(html)")
            #expect(html.contains("101026") && html.contains("已离职，不参加考核"), "\(html)")
            // the deadlines count from today (R-002-30: rating 2 days, review 2 more, done within 5), editable
            #expect(html.contains("下发日期 2026-12-01") && html.contains("name=\"rating_due\" value=\"2026-12-03\"")
                    && html.contains("name=\"review_due\" value=\"2026-12-05\"") && html.contains("name=\"publish_due\" value=\"2026-12-06\""), "\(html)")
            #expect(html.contains("确认发起并下发考核表"))
            // a preview writes nothing
            #expect(try await Cycle.query(on: app.db).filter(\.$period == "2026-11").count() == 0)

            // confirmed: two cycles, one per scheme; 售后组's nine on after-sales
            let opened = try await RolePagesTests.form(app, hr, "cycles", fields + [("self_due", "2026-12-02"), ("rating_due", "2026-12-03"),
                                                                                     ("review_due", "2026-12-05"), ("publish_due", "2026-12-06")])
            #expect(opened.status == .ok && opened.body.string.contains("已下发 32 张考核表（ecommerce-monthly 23 张，after-sales 9 张），2 人未下发"), "\(opened.body.string.prefix(900))")
            let cycles = try await Cycle.query(on: app.db).filter(\.$period == "2026-11").with(\.$scheme).all()
            #expect(Set(cycles.map(\.scheme.key)) == ["ecommerce-monthly", "after-sales"])
            for c in cycles {
                #expect(c.issuedOn == "2026-12-01" && c.ratingDue == "2026-12-03" && c.reviewDue == "2026-12-05" && c.publishDue == "2026-12-06", "\(c.scheme.key)")
            }
            for n in 25...34 where n != 26 {
                let s = try await Self.novemberSheets(app, "1010\(n)")
                #expect(s.count == 1 && s.first?.cycle.scheme.key == "after-sales", "1010\(n)")
            }
            #expect(try await Self.novemberSheets(app, "101026").isEmpty)
            #expect(try await Self.novemberSheets(app, "101014").isEmpty)
            #expect(try await Self.novemberSheets(app, "101001").first?.cycle.scheme.key == "ecommerce-monthly")
            // through the API the chosen scheme's cycle only: 售后组 is named, left to its own
            let rating = try await CycleService.open(.init(scheme: "callcentre-agent", period: "2026-11", departmentId: nil, teamIds: nil),
                                                     user: try await Self.hr(app), config: app.config, db: app.db)
            #expect(rating.ratingDue == "2026-12-03")
            #expect(rating.excluded.values.contains { $0.contains("话务二组") && $0.contains("star-agent") && $0.contains("另行发起") }, "\(rating.excluded)")
        }
    }

    @Test("a second sheet for the same person and period is refused, the existing one named with its scheme, cycle and link")
    func secondSheetRefused() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            _ = try await Self.openDepartment(app)
            let existing = try #require(try await Self.novemberSheets(app, "101025").first)
            let existingId = try existing.requireID().uuidString
            let (hr, _) = try await Browser.signIn(app, "hr", password: Demo.password)
            let afterSales = try await Self.team(app, "售后组")
            let dept = try await Self.department(app)
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles",
                                          #"{"scheme":"after-sales","period":"2026-11","department_id":"\#(dept)","team_ids":["\#(afterSales)"]}"#) { res in
                let text = res.body.string
                #expect(res.status == .conflict, "\(text)")
                #expect(text.contains("不能再发第二张考核表") && text.contains("101025") && text.contains("（after-sales）") && text.contains("2026-11 考核周期")
                        && text.contains(existingId), "\(text)")
            }
            // 售后组 named with a scheme it does not use: refused, naming the one it uses
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles",
                                          #"{"scheme":"ecommerce-monthly","period":"2026-11","department_id":"\#(dept)","team_ids":["\#(afterSales)"]}"#) { res in
                #expect(res.status == .conflict && res.body.string.contains("班组 售后组 使用方案 after-sales"), "\(res.body.string)")
            }
            // the whole department again, on the page: refused before anything is written
            var b = try await Self.browser(app, "hr")
            _ = try await RolePagesTests.page(app, &b, "cycles")
            let again = try await RolePagesTests.form(app, b, "cycles/preview", [("scheme", ""), ("period", "2026-11"), ("department", dept.uuidString), ("team", "")])
            #expect(again.status == .conflict && again.body.string.contains("不能再发第二张考核表"), "\(again.body.string.prefix(600))")
            #expect(try await Self.novemberSheets(app, "101025").count == 1)
            #expect(try await Cycle.query(on: app.db).filter(\.$period == "2026-11").count() == 2)
        }
    }

    @Test("HR cancels a cycle with a reason: its sheets leave every list, their messages are done, audited; a reason is required; others get 403")
    func cancel() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let opened = try await Self.openDepartment(app)
            let presales = try #require(opened.first { $0.scheme == "ecommerce-monthly" })
            let sheet = try #require(try await Self.novemberSheets(app, "101002").first)
            let sid = try sheet.requireID(), firstStage = sheet.stage
            var lead = try await Self.browser(app, "lead11")
            let listed = try await RolePagesTests.page(app, &lead, "sheets").body.string
            #expect(listed.contains("/sheets/\(sid)"))
            // not HR: refused, nothing changes
            for name in ["manager1", "lead11", "agent1"] {
                let b = try await Self.browser(app, name)
                let res = try await RolePagesTests.form(app, b, "cycles/\(presales.id)/cancel", [("reason", "试试")])
                #expect(res.status == .forbidden, "\(name) → \(res.status)")
            }
            var hr = try await Self.browser(app, "hr")
            _ = try await RolePagesTests.page(app, &hr, "cycles")
            let bare = try await RolePagesTests.form(app, hr, "cycles/\(presales.id)/cancel", [("reason", " ")])
            #expect(bare.status == .unprocessableEntity && bare.body.string.contains("取消考核周期须写明原因"), "\(bare.body.string.prefix(400))")
            #expect(try await Cycle.find(presales.id, on: app.db)?.status == .open)
            let done = try await RolePagesTests.form(app, hr, "cycles/\(presales.id)/cancel", [("reason", "方案选错，重新发起")])
            #expect(done.status == .ok && done.body.string.contains("考核周期已取消，撤回 24 张考核表") && done.body.string.contains("已取消，原因："), "\(done.body.string.prefix(600))")
            let c = try #require(try await Cycle.find(presales.id, on: app.db))
            #expect(c.status == .cancelled && c.cancelReason == "方案选错，重新发起")
            #expect(try await Sheet.query(on: app.db).filter(\.$cycle.$id == presales.id).filter(\.$stage != .withdrawn).count() == 0)
            #expect(try await SheetStep.query(on: app.db).filter(\.$action == "cancel").filter(\.$reason == "方案选错，重新发起").count() == 24)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "cancel").filter(\.$entity == "cycle").all()
            #expect(audit.count == 1 && audit.first?.reason == "方案选错，重新发起" && audit.first?.entityId == presales.id.uuidString)
            // gone from the rater's list; the message asking to rate it is done
            let after = try await RolePagesTests.page(app, &lead, "sheets").body.string
            // (the inbox below keeps the done message, with its link, among the read ones)
            let waiting = after.components(separatedBy: "消息（")[0]
            #expect(after.contains("消息（") && !waiting.contains("/sheets/\(sid)"))
            let asked = try await InboxItem.query(on: app.db).filter(\.$topic == Inbox.sheet(sid, firstStage)).all()
            #expect(!asked.isEmpty && asked.allSatisfy { $0.doneAt != nil })
            // after-sales is untouched; 售前一组 can be opened again (a withdrawn sheet is nobody's sheet)
            #expect(try await Self.novemberSheets(app, "101025").count == 1)
            let again = try await CycleService.open(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: nil, teamIds: [try await Self.team(app, "售前一组")]),
                                                    user: try await Self.hr(app), config: app.config, db: app.db)
            #expect(again.sheets == 12)
            // a cancelled cycle is not cancelled twice
            let refused = try await RolePagesTests.form(app, hr, "cycles/\(presales.id)/cancel", [("reason", "再取消")])
            #expect(refused.status == .conflict)
        }
    }

    /// Takes every sheet of the cycle to 待发布 directly (the rating itself is CycleFlowTests').
    static func makeReady(_ app: Application, _ cycle: UUID) async throws {
        for s in try await Sheet.query(on: app.db).filter(\.$cycle.$id == cycle).filter(\.$stage != .withdrawn).all() {
            s.stage = .ready; s.finalTotal = "80"; s.version += 1
            try await s.save(on: app.db)
        }
    }

    @Test("one sheet withdrawn with a reason: the rest are published, not it; its result never counts; after publication withdrawal is refused, pointing at correction")
    func withdrawOne() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let opened = try await Self.openDepartment(app)
            let afterSales = try #require(opened.first { $0.scheme == "after-sales" })
            let target = try #require(try await Self.novemberSheets(app, "101027").first)
            let tid = try target.requireID()
            var hr = try await Self.browser(app, "hr")
            let page = try await RolePagesTests.page(app, &hr, "sheets/\(tid)")
            #expect(page.body.string.contains("撤回这张考核表（人事）"))
            // others may not; a reason is required
            for name in ["manager1", "lead13"] {
                let b = try await Self.browser(app, name)
                #expect(try await RolePagesTests.form(app, b, "sheets/\(tid)/withdraw", [("reason", "x")]).status == .forbidden, "\(name)")
            }
            let bare = try await RolePagesTests.form(app, hr, "sheets/\(tid)/withdraw", [("reason", "")])
            #expect(bare.status == .unprocessableEntity && bare.body.string.contains("撤回考核表须写明原因"))
            #expect(try await Sheet.find(tid, on: app.db)?.stage != .withdrawn)
            let done = try await RolePagesTests.form(app, hr, "sheets/\(tid)/withdraw", [("reason", "已调往售前一组")])
            #expect(done.status == .seeOther)
            let shown = try await RolePagesTests.page(app, &hr, "sheets/\(tid)").body.string
            #expect(shown.contains("阶段：已撤回") && shown.contains("<td>撤回考核表</td>") && shown.contains("已调往售前一组"), "\(shown.suffix(1200))")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "withdraw").filter(\.$reason == "已调往售前一组").count() == 1)
            // it is no result: no total, grade or pay on its page, nothing to print — and it says so, with why
            #expect(shown.contains("这张考核表已撤回，不是考核结果") && shown.contains("撤回原因：<span"), "\(shown.prefix(2000))")
            #expect(!shown.contains("当前总分") && !shown.contains("/print") && !shown.contains("id=\"live-grade\"") && !shown.contains("id=\"live-flags\""), "\(shown.prefix(2000))")
            let printed = try await RolePagesTests.page(app, &hr, "sheets/\(tid)/print")
            #expect(printed.status == .conflict && printed.body.string.contains("已撤回") && printed.body.string.contains("不能打印"), "\(printed.status)")
            // the confirmation before publication: how many, who is missing
            try await Self.makeReady(app, afterSales.id)
            let confirm = try await RolePagesTests.page(app, &hr, "cycles/\(afterSales.id)/publish").body.string
            #expect(confirm.contains("将发布 <strong id=\"publish-count\">9</strong> 张考核表") && confirm.contains("确认发布 9 张") && !confirm.contains("101027"), "\(confirm)")
            let published = try await RolePagesTests.form(app, hr, "cycles/\(afterSales.id)/publish", [])
            #expect(published.status == .ok && published.body.string.contains("已发布 9 张"), "\(published.body.string.prefix(600))")
            #expect(try await Sheet.find(tid, on: app.db)?.stage == .withdrawn)
            let e = try await Self.employee(app, "101027")
            let results = try await StoredResult.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$period == "2026-11").all()
            #expect(results.allSatisfy { $0.status == .draft })
            // after publication: refused, pointing at correction (R-100-02)
            let other = try #require(try await Self.novemberSheets(app, "101028").first)
            let late = try await RolePagesTests.form(app, hr, "sheets/\(try other.requireID())/withdraw", [("reason", "太晚了")])
            #expect(late.status == .conflict && late.body.string.contains("更正") && late.body.string.contains("R-100-02"), "\(late.body.string.prefix(400))")
            #expect(try await Sheet.find(try other.requireID(), on: app.db)?.stage == .published)
            let cancelLate = try await RolePagesTests.form(app, hr, "cycles/\(afterSales.id)/cancel", [("reason", "太晚了")])
            #expect(cancelLate.status == .conflict && cancelLate.body.string.contains("R-100-02"))
        }
    }

    @Test("a scheme rated by the quarter is not opened for a month, nor a monthly one for a quarter: refused saying what would do, nothing opened")
    func periodKinds() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let hr = try await Self.hr(app)
            _ = try await SchemeService.create(from: "centre-scorecard", key: "centre-q", name: "中心季度星级", departmentId: nil, user: hr, db: app.db)
            let before = try await Cycle.query(on: app.db).count()
            for (key, period, said) in [("centre-q", "2026-11", "方案「中心季度星级」（centre-q）按季度考核，2026-11 是一个月：请以期间 2026-Q4 发起，或在方案中把考核周期改为「月」"),
                                        ("ecommerce-monthly", "2026-Q4", "按月考核，2026-Q4 是一个季度：请在方案中把考核周期改为「季度」")] {
                do {
                    // as the API opens it: the chosen scheme's cycle (every demo team has its own scheme)
                    _ = try await CycleService.open(.init(scheme: key, period: period, departmentId: try await Self.department(app), teamIds: nil),
                                                    user: hr, config: app.config, db: app.db)
                    Issue.record("\(key) opened for \(period)")
                } catch let e as KaoheError {
                    #expect(e.status == .unprocessableEntity && e.texts.zh.contains(said), "\(e.texts.zh)")
                }
            }
            #expect(try await Cycle.query(on: app.db).count() == before)
        }
    }

    @Test("the publication's confirmation shows the count, who is still missing by stage and person, and what people will read")
    func publishConfirmation() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let opened = try await Self.openDepartment(app)
            let afterSales = try #require(opened.first { $0.scheme == "after-sales" })
            // all but 101030 ready
            try await Self.makeReady(app, afterSales.id)
            let waiting = try #require(try await Self.novemberSheets(app, "101030").first)
            waiting.stage = .rating
            try await waiting.save(on: app.db)
            var hr = try await Self.browser(app, "hr")
            let html = try await RolePagesTests.page(app, &hr, "cycles/\(afterSales.id)/publish").body.string
            #expect(html.contains("将发布 <strong id=\"publish-count\">9</strong> 张考核表；尚未完成 <strong id=\"missing-count\">1</strong> 张"), "\(html)")
            #expect(html.contains(">101030</a>") && html.contains("<td>上级评分</td>") && html.contains("（评分）") && html.contains("<td>2026-12-03</td>"), "\(html)")
            // what the people will see: the objection window from today (3 days)
            #expect(html.contains("员工将看到（申诉截止 2026-12-04）") && html.contains(">80</td>"), "\(html)")
            // nothing to confirm while a sheet is missing; the POST is refused too
            #expect(!html.contains("确认发布"))
            let refused = try await RolePagesTests.form(app, hr, "cycles/\(afterSales.id)/publish", [])
            #expect(refused.status == .conflict)
            // not HR: 403
            var manager = try await Self.browser(app, "manager1")
            let managerPage = try await RolePagesTests.page(app, &manager, "cycles/\(afterSales.id)/publish")
            #expect(managerPage.status == .forbidden)
        }
    }

    @Test("deadlines edited by HR are checked and audited; others get 403; each team's scheme set by HR only, audited")
    func deadlinesAndAssignments() async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let opened = try await Self.openDepartment(app)
            let c = try #require(opened.first { $0.scheme == "ecommerce-monthly" })
            var hr = try await Self.browser(app, "hr")
            _ = try await RolePagesTests.page(app, &hr, "cycles")
            let wrong = try await RolePagesTests.form(app, hr, "cycles/\(c.id)/deadlines", [("self_due", "2026-12-02"), ("rating_due", "2026-12-08"),
                                                                                          ("review_due", "2026-12-07"), ("publish_due", "2026-12-10")])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("review_due") && wrong.body.string.contains("复核截止（2026-12-07）不能早于评分截止（2026-12-08）"),
                    "\(wrong.body.string.prefix(500))")
            let manager = try await Self.browser(app, "manager1")
            #expect(try await RolePagesTests.form(app, manager, "cycles/\(c.id)/deadlines", [("rating_due", "2026-12-09")]).status == .forbidden)
            #expect(try await Cycle.find(c.id, on: app.db)?.ratingDue == "2026-12-03")
            let saved = try await RolePagesTests.form(app, hr, "cycles/\(c.id)/deadlines", [("self_due", "2026-12-02"), ("rating_due", "2026-12-08"),
                                                                                          ("review_due", "2026-12-10"), ("publish_due", "2026-12-11"), ("reason", "双十二大促")])
            #expect(saved.status == .ok && saved.body.string.contains("截止日期已保存"))
            let moved = try #require(try await Cycle.find(c.id, on: app.db))
            #expect(moved.ratingDue == "2026-12-08" && moved.reviewDue == "2026-12-10" && moved.publishDue == "2026-12-11")
            let audit = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "deadlines").first())
            #expect(audit.before == "self=2026-12-02 rating=2026-12-03 review=2026-12-05 publish=2026-12-06"
                    && audit.after == "self=2026-12-02 rating=2026-12-08 review=2026-12-10 publish=2026-12-11" && audit.reason == "双十二大促")

            // each team's scheme: the page lists them; HR changes one, audited; others 403, nothing changes
            let page = try await RolePagesTests.page(app, &hr, "cycles").body.string
            #expect(page.contains("各班组的考核方案") && page.contains("保存各班组的方案"))
            let afterSales = try await Self.team(app, "售后组")
            for name in ["manager1", "lead11", "agent1"] {
                let b = try await Self.browser(app, name)
                let res = try await RolePagesTests.form(app, b, "cycles/schemes", [("team.\(afterSales.uuidString)", "ecommerce-monthly")])
                #expect(res.status == .forbidden, "\(name)")
            }
            #expect(try await SchemeAssignment.query(on: app.db).filter(\.$teamId == afterSales).first()?.schemeKey == "after-sales")
            let bad = try await RolePagesTests.form(app, hr, "cycles/schemes", [("team.\(afterSales.uuidString)", "nope")])
            #expect(bad.status == .notFound && bad.body.string.contains("没有方案 “nope”"))
            let set = try await RolePagesTests.form(app, hr, "cycles/schemes", [("team.\(afterSales.uuidString)", "ecommerce-monthly")])
            #expect(set.status == .ok && set.body.string.contains("各班组的考核方案已保存（1 处改动）"), "\(set.body.string.prefix(500))")
            #expect(try await SchemeAssignment.query(on: app.db).filter(\.$teamId == afterSales).first()?.schemeKey == "ecommerce-monthly")
            let row = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "assign_scheme").first())
            #expect(row.before == "after-sales" && row.after == "ecommerce-monthly" && row.entityId == afterSales.uuidString)
            // non-HR opening: 403 on the preview and on the opening, nothing written
            let lead = try await Self.browser(app, "manager1")
            let fields = [("scheme", "ecommerce-monthly"), ("period", "2026-12"), ("department", ""), ("team", "")]
            #expect(try await RolePagesTests.form(app, lead, "cycles/preview", fields).status == .forbidden)
            #expect(try await RolePagesTests.form(app, lead, "cycles", fields).status == .forbidden)
            #expect(try await Cycle.query(on: app.db).filter(\.$period == "2026-12").count() == 0)
        }
    }
}
