import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// The agent's view (issue 17 §4) through HTTP, on a November of ecommerce-monthly for one team:
/// the performance pay and money lines appear only once the month is published (R-100-01); the
/// rater's comment on an item is stored, escaped and shown to the agent, who cannot comment; an
/// objection names two items, the reviewer upholds one and changes the other, the agent reads
/// both decisions and the new total; an item that is not on the sheet is refused by name; the
/// month links to its sheet.
///
/// The figures, worked out by hand from the preset (Presets/ecommerce-monthly.yaml). Both people
/// of the team have the same month, so every group average is their own value:
/// - 定性考核: the five hand-rated items 3 each = 15, 考勤与模拟接待抽查 no offence = 5 → 20.
/// - 关键业绩指标: 咨询转化率 70 ÷ 100 = 70 % (≥ 60 %, −0) 5; 平均响应时间 30 秒 (0–50, −0) 5;
///   客户流失率 10 % (0–40 %, −0) 5; 销售额 10 × 200000 ÷ 200000 = 10; 订单量 10 × 70 ÷ 70 − 0 = 10;
///   退款退货 0 ÷ 70 = 0 % (0–5 %, −0) 10; 本月差评 0 → 10; 错件 1 × 1 → 5 − 1 = 4; 客户投诉
///   1 × 1 → 4; 部门主管整体评价 标准 = 4 → 67.
/// - Total 20 + 67 = **87** (等级 按比例). Pay (R-001-13, band 70 ≤ score < 90 "base × score ÷
///   100"): 当月绩效工资 2000 × 87 ÷ 100 = **1740.00** 元.
/// - Money lines (R-001-17): 考核处罚 1 × −50 = −50.00; 承担发错货损失 −20.00; 未按时催付 1 day
///   > 0 → −30.00; 月度平均退货率 13 % > 12 % → −50.00.
/// - The objection changes 部门主管整体评价 from 标准 (4) to 优秀 (5): total **88**, pay 2000 × 88 ÷ 100
///   = **1760.00** 元; 协调与沟通 is upheld at 3.
@Suite("The agent's view: pay, money lines, comments and objections per item (issue 17 §4)", .serialized)
struct AgentViewTests {
    struct Month { var agentSheet: UUID; var leadSheet: UUID; var cycle: UUID; var department: UUID }

    static let november: [String: String] = [
        "inquiries": "100", "orders": "70", "inquiry_orders": "70", "inquiry_paid": "70", "paid_orders": "70", "refund_orders": "0",
        "response_time": "30", "churn_rate": "10", "sales_amount": "200000", "refund_amount": "0", "paid_amount": "200000", "void_orders": "0",
        "return_rate": "13", "exchange_orders": "0", "bad_reviews": "0", "wrong_shipments": "1", "shipment_loss": "20", "complaints": "1",
        "reminder_days": "1", "sales_target": "150000", "performance_pay": "2000", "probation": "0", "penalties.wrong_shipment_error": "1",
    ]
    static let marks = ["communication": "3", "knowledge": "3", "attitude": "3", "efficiency": "3", "initiative": "3", "evaluation": "标准"]

    /// 客服三部 售前组: the leader 103001 (account lead3) rates 103002 (account agent3); the manager
    /// (mgr3) reviews and rates the leader, HR reviews the leader's sheet. November is open, with the
    /// month's figures recorded for both.
    static func month(_ app: Application) async throws -> Month {
        let db = app.db
        let d = Department(name: "客服三部", code: "03")
        try await d.save(on: db)
        let t = Team(name: "售前组", departmentId: try d.requireID())
        try await t.save(on: db)
        let lead = Employee(number: "103001", name: "组长甲", position: "组长", hireDate: "2020-01-01", departmentId: try d.requireID(), teamId: try t.requireID())
        let agent = Employee(number: "103002", name: "客服乙", position: "客服专员", hireDate: "2020-01-01", departmentId: try d.requireID(), teamId: try t.requireID())
        try await lead.save(on: db)
        try await agent.save(on: db)
        t.leaderId = lead.id
        try await t.save(on: db)
        let hash = try app.password.hash(Org.password)
        try await User(username: "lead3", displayName: "组长甲", passwordHash: hash, role: .lead, employeeId: lead.id, teamId: t.id, departmentId: d.id).save(on: db)
        try await User(username: "agent3", displayName: "客服乙", passwordHash: hash, role: .agent, employeeId: agent.id, teamId: t.id, departmentId: d.id).save(on: db)
        try await User(username: "mgr3", displayName: "三部经理", passwordHash: hash, role: .manager, departmentId: d.id).save(on: db)
        let v = try await EvidenceTests.preset(app, "ecommerce-monthly")
        var entries: [EvidenceEntry] = []
        for e in [lead, agent] {
            for (k, value) in november { entries.append(EvidenceEntry(employeeId: try e.requireID(), schemeId: try v.requireID(), period: "2026-11", column: k, value: value, recordedBy: nil)) }
        }
        try await entries.create(on: db)
        try await Rescorer.rescore(v, period: "2026-11", on: db)
        CycleFlowTests.today(app, "2026-11-28")
        let (hr, _) = try await Browser.signIn(app, "hr")
        var cycle: CycleService.CycleDTO?
        try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"ecommerce-monthly","period":"2026-11","department_id":"\#(try d.requireID())"}"#) { res in
            #expect(res.status == .created, "\(res.body.string)")
            cycle = try CycleFlowTests.decode(CycleService.CycleDTO.self, res)
        }
        let c = try #require(cycle)
        #expect(c.sheets == 2 && c.stages == ["rating": 2], "\(c)")
        let agentSheet = try #require(try await Sheet.query(on: db).filter(\.$employee.$id == agent.requireID()).first()?.id)
        let leadSheet = try #require(try await Sheet.query(on: db).filter(\.$employee.$id == lead.requireID()).first()?.id)
        return Month(agentSheet: agentSheet, leadSheet: leadSheet, cycle: c.id, department: try d.requireID())
    }

    /// A JSON call; returns the status and the body.
    @discardableResult
    static func call(_ app: Application, _ b: Browser, _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> (HTTPStatus, String) {
        var out: (HTTPStatus, String) = (.ok, "")
        let text = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        try await CycleFlowTests.json(app, b, method, path, text) { res in out = (res.status, res.body.string) }
        return out
    }

    /// A form posted as the page posts it; returns the status and the page.
    static func post(_ app: Application, _ b: Browser, _ path: String, _ fields: [(String, String)]) async throws -> (HTTPStatus, String) {
        var out: (HTTPStatus, String) = (.ok, "")
        try await CyclePageTests.form(app, b, path, fields) { res in out = (res.status, res.body.string) }
        return out
    }

    static func page(_ app: Application, _ b: Browser, _ path: String) async throws -> String {
        var html = ""
        try await app.testing().test(.GET, path, headers: b.headers) { res in
            #expect(res.status == .ok, "\(path): \(res.status)")
            html = res.body.string
        }
        return html
    }

    /// The lead rates and comments, the manager approves; the lead's own sheet is rated by the
    /// manager and approved by HR; the month is left at 待发布.
    static func rateAndReview(_ app: Application, _ m: Month) async throws {
        let (lead, _) = try await Browser.signIn(app, "lead3")
        var s = try await CycleFlowTests.sheet(app, lead, m.agentSheet)
        #expect(s.commentable && s.stage == "rating")
        // the form: the marks and a comment on a hand-rated item, with markup in it
        let fields = [("version", String(s.version)), ("action", "save"), ("c.evaluation", "沟通积极，但<b>催付</b>不及时 <script>alert(1)</script>")]
            + marks.map { ("v." + $0.key, $0.value) }
        let (saved, savedPage) = try await post(app, lead, "sheets/\(m.agentSheet)", fields)
        #expect(saved == .seeOther, "\(savedPage.prefix(600))")
        s = try await CycleFlowTests.sheet(app, lead, m.agentSheet)
        #expect(s.comments.count == 1 && s.comments[0].item == "evaluation" && s.comments[0].role == "rater" && s.comments[0].author == "组长甲" && s.comments[0].mine)
        #expect(s.comments[0].text == "沟通积极，但<b>催付</b>不及时 <script>alert(1)</script>")
        // any item of the sheet, not only the hand-rated ones: a comment on 错件 too
        let (ok, _) = try await call(app, lead, .PUT, "api/v1/sheets/\(m.agentSheet)", ["version": s.version, "values": [String: String](),
                                                                                            "comments": ["wrong_shipment": "错件 1 单：订单 8812"]])
        #expect(ok == .ok)
        s = try await CycleFlowTests.sheet(app, lead, m.agentSheet)
        // hostile comments: refused with the field and the rule named, nothing written
        let before = try await SheetComment.query(on: app.db).count()
        let (long, longBody) = try await call(app, lead, .PUT, "api/v1/sheets/\(m.agentSheet)", ["version": s.version, "values": [String: String](),
                                                                                                  "comments": ["attitude": String(repeating: "a", count: 10 * 1024)]])
        #expect(long == .unprocessableEntity && longBody.contains("comments.attitude") && longBody.contains("1000") && longBody.contains("10240"), "\(longBody)")
        let (bell, bellBody) = try await call(app, lead, .PUT, "api/v1/sheets/\(m.agentSheet)", ["version": s.version, "values": [String: String](),
                                                                                                  "comments": ["attitude": "好\u{0007}"]])
        #expect(bell == .unprocessableEntity && bellBody.contains("U+7"), "\(bellBody)")
        let (unknown, unknownBody) = try await call(app, lead, .PUT, "api/v1/sheets/\(m.agentSheet)", ["version": s.version, "values": [String: String](),
                                                                                                        "comments": ["nonsense": "x"]])
        #expect(unknown == .unprocessableEntity && unknownBody.contains("nonsense"), "\(unknownBody)")
        #expect(try await SheetComment.query(on: app.db).count() == before)
        #expect(try await CycleFlowTests.sheet(app, lead, m.agentSheet).version == s.version)
        // submitted; the live total is the hand figure
        s = try #require(try await CycleFlowTests.act(app, lead, m.agentSheet, "submit_rating", version: s.version))
        #expect(s.stage == "review" && s.raterTotal == "87", "\(s.raterTotal ?? "nil")")

        let (mgr, _) = try await Browser.signIn(app, "mgr3")
        s = try await CycleFlowTests.sheet(app, mgr, m.agentSheet)
        _ = try #require(try await CycleFlowTests.act(app, mgr, m.agentSheet, "approve", version: s.version))
        var l = try await CycleFlowTests.sheet(app, mgr, m.leadSheet)
        l = try #require(try await CycleFlowTests.act(app, mgr, m.leadSheet, "submit_rating", version: l.version, values: marks))
        let (hr, _) = try await Browser.signIn(app, "hr")
        _ = try #require(try await CycleFlowTests.act(app, hr, m.leadSheet, "approve", version: l.version))
    }

    @Test("pay and money lines only after publication; the rater's comments stored, escaped and shown; the agent cannot comment")
    func payAndComments() async throws {
        try await ResultsSpineTests.withCompany { app in
            let m = try await Self.month(app)
            let (agent, _) = try await Browser.signIn(app, "agent3")
            // while rating: the agent sees the stage, no pay, no money, no comments
            var a = try await CycleFlowTests.sheet(app, agent, m.agentSheet)
            #expect(a.pay == nil && a.money.isEmpty && a.comments.isEmpty && !a.commentable)
            // an agent cannot comment on the rater's items, by the form or the API; nothing is written
            let (refused, refusedBody) = try await Self.call(app, agent, .PUT, "api/v1/sheets/\(m.agentSheet)",
                                                              ["version": a.version, "values": [String: String](), "comments": ["evaluation": "我觉得很好"]])
            #expect(refused == .forbidden && refusedBody.contains("comments"), "\(refusedBody)")

            try await Self.rateAndReview(app, m)
            // reviewed, not yet published (待发布): still no pay, no money, no comments for the agent
            a = try await CycleFlowTests.sheet(app, agent, m.agentSheet)
            #expect(a.stage == "ready" && a.pay == nil && a.money.isEmpty && a.comments.isEmpty)
            var html = try await Self.page(app, agent, "sheets/\(m.agentSheet)")
            #expect(!html.contains("绩效工资") && !html.contains("1740.00") && !html.contains("1,740.00") && !html.contains("催付"), "\(html.suffix(1500))")
            #expect(!(try await Self.page(app, agent, "")).contains("1740.00"))

            let (hr, _) = try await Browser.signIn(app, "hr")
            let (published, body) = try await Self.call(app, hr, .POST, "api/v1/cycles/\(m.cycle)/publish")
            #expect(published == .ok && body.contains("\"sheets\":2"), "\(body)")

            // published: the pay as the scheme's rule works it out, and every money line in yuan
            a = try await CycleFlowTests.sheet(app, agent, m.agentSheet)
            #expect(a.total == "87" && a.grade == "按比例")
            let pay = try #require(a.pay)
            #expect(pay.paid == "1740.00" && pay.base == "2000.00" && !pay.provisional && pay.rule == "R-001-13", "\(pay)")
            #expect(pay.explanation.contains("2,000.00 元") && pay.explanation.contains("87") && pay.explanation.contains("1,740.00 元"), "\(pay.explanation)")
            let lines = Dictionary(a.money.map { ($0.id, $0.amount) }, uniquingKeysWith: { x, _ in x })
            #expect(lines["penalties"] == "-50.00" && lines["shipment_loss_charge"] == "-20.00" && lines["reminder_penalty"] == "-30.00"
                    && lines["return_penalty"] == "-50.00", "\(a.money)")
            #expect(a.money.allSatisfy { $0.amount.wholeMatch(of: #/-?\d+\.\d{2}/#) != nil }, "\(a.money.map(\.amount))")
            let sum = a.money.reduce(Decimal(0)) { $0 + Decimal(string: $1.amount)! }
            #expect(a.moneyTotal == sum.yuan)
            // the comments, to the agent, under their items
            #expect(a.comments.count == 2 && Set(a.comments.map(\.item)) == ["evaluation", "wrong_shipment"] && a.comments.allSatisfy { !$0.mine })
            html = try await Self.page(app, agent, "sheets/\(m.agentSheet)")
            #expect(html.contains("绩效工资 <strong id=\"pay\">1,740.00</strong> 元"), "\(html.prefix(3000))")
            #expect(html.contains("-50.00") && html.contains("-20.00") && html.contains("-30.00") && html.contains("承担发错货损失"))
            // the markup is text: escaped, never a tag
            #expect(html.contains("沟通积极，但&lt;b&gt;催付&lt;/b&gt;不及时 &lt;script&gt;alert(1)&lt;/script&gt;"), "\(html)")
            #expect(!html.contains("<script>alert(1)") && !html.contains("<b>催付"))
            #expect(html.contains("评分人评语") && html.contains("错件 1 单：订单 8812"))
            let why = try #require(html.range(of: "id=\"why-evaluation\""))
            #expect(html[why.upperBound...].prefix(1200).contains("催付"), "the comment is under its item's explanation")
            // the phone's cards: the items table and its cells say what they hold
            #expect(html.contains("<table id=\"items\" class=\"cards\">") && html.contains("data-label=\"得分\"") && html.contains("class=\"label\" data-label=\"项目\""))
            // the home shows the month's pay too
            let home = try await Self.page(app, agent, "")
            #expect(home.contains("<strong id=\"pay\">1,740.00</strong>"), "\(home.prefix(2000))")
            // published, the agent still cannot comment (the form's acknowledge with a comment is refused whole)
            let (fromForm, formPage) = try await Self.post(app, agent, "sheets/\(m.agentSheet)",
                                                            [("version", String(a.version)), ("action", "acknowledge"), ("c.evaluation", "我不同意")])
            #expect(fromForm == .forbidden && formPage.contains("role=\"alert\""), "\(formPage.prefix(500))")
            #expect(try await SheetComment.query(on: app.db).count() == 2)
            #expect(try await CycleFlowTests.sheet(app, agent, m.agentSheet).stage == "published")
            // the comments are part of the record: audited with who and what
            let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "comment").all()
            #expect(audited.count == 2 && audited.contains { $0.entityId == "103002/2026-11/evaluation" && $0.actorName == "lead3" })
        }
    }

    @Test("an objection on two items: one upheld, one changed; the agent reads both decisions and the new total; an item not on the sheet is refused by name")
    func objectionPerItem() async throws {
        try await ResultsSpineTests.withCompany { app in
            let m = try await Self.month(app)
            try await Self.rateAndReview(app, m)
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.call(app, hr, .POST, "api/v1/cycles/\(m.cycle)/publish")
            let (agent, _) = try await Browser.signIn(app, "agent3")
            var a = try await CycleFlowTests.sheet(app, agent, m.agentSheet)
            #expect(a.stage == "published" && a.finalTotal == "87")
            // the page offers a tick and a reason on every item
            let page = try await Self.page(app, agent, "sheets/\(m.agentSheet)")
            #expect(page.contains("name=\"o.communication\"") && page.contains("name=\"or.evaluation\"") && page.contains("name=\"o.penalties\""))

            // refused, naming the item: one that is not on the sheet; an item without a reason; nothing changes
            let (bogus, bogusBody) = try await Self.call(app, agent, .POST, "api/v1/sheets/\(m.agentSheet)/actions",
                ["action": "object", "version": a.version, "objection_items": [["item": "communication", "reason": "协助了跨组工单"], ["item": "bogus_item", "reason": "x"]]])
            #expect(bogus == .unprocessableEntity && bogusBody.contains("bogus_item"), "\(bogusBody)")
            let (bare, bareBody) = try await Self.call(app, agent, .POST, "api/v1/sheets/\(m.agentSheet)/actions",
                ["action": "object", "version": a.version, "objection_items": [["item": "communication", "reason": "  "]]])
            #expect(bare == .unprocessableEntity && bareBody.contains("communication"), "\(bareBody)")
            #expect(try await CycleFlowTests.sheet(app, agent, m.agentSheet).stage == "published")
            #expect(try await ObjectionItem.query(on: app.db).count() == 0)

            // the objection from the page: two items ticked, each with its reason, no overall note
            let (objected, objectedPage) = try await Self.post(app, agent, "sheets/\(m.agentSheet)", [
                ("version", String(a.version)), ("action", "object"), ("reason", ""),
                ("o.communication", "1"), ("or.communication", "本月协助了两次跨组工单"),
                ("o.evaluation", "1"), ("or.evaluation", "主管评价没有考虑本月 3 条好评"),
            ])
            #expect(objected == .seeOther, "\(objectedPage.prefix(800))")
            a = try await CycleFlowTests.sheet(app, agent, m.agentSheet)
            #expect(a.stage == "objected" && a.objection.map(\.item).sorted() == ["communication", "evaluation"], "\(a.objection)")
            #expect(a.objection.first { $0.item == "evaluation" }?.points == "4" && a.objection.allSatisfy { $0.decision == nil })
            #expect(a.history.last?.action == "object" && a.history.last?.reason?.contains("本月协助了两次跨组工单") == true)

            // the reviewer decides each item: refused while an item is left undecided, or a "changed" item keeps its marks
            let (mgr, _) = try await Browser.signIn(app, "mgr3")
            var r = try await CycleFlowTests.sheet(app, mgr, m.agentSheet)
            let reviewPage = try await Self.page(app, mgr, "sheets/\(m.agentSheet)")
            #expect(reviewPage.contains("name=\"d.communication\"") && reviewPage.contains("name=\"d.evaluation\"") && reviewPage.contains("本月协助了两次跨组工单"))
            let (undecided, undecidedPage) = try await Self.post(app, mgr, "sheets/\(m.agentSheet)", [
                ("version", String(r.version)), ("action", "change"), ("reason", "核实"), ("d.evaluation", "changed"), ("v.evaluation", "优秀"),
            ])
            #expect(undecided == .unprocessableEntity && undecidedPage.contains("decisions.communication"), "\(undecidedPage.prefix(800))")
            let (unchanged, unchangedPage) = try await Self.post(app, mgr, "sheets/\(m.agentSheet)", [
                ("version", String(r.version)), ("action", "change"), ("reason", "核实"), ("d.communication", "upheld"), ("d.evaluation", "changed"), ("v.evaluation", "标准"),
            ])
            #expect(unchanged == .unprocessableEntity && unchangedPage.contains("decisions.evaluation"), "\(unchangedPage.prefix(800))")
            #expect(try await CycleFlowTests.sheet(app, mgr, m.agentSheet).stage == "objected")

            // 协调与沟通 upheld, 部门主管整体评价 changed from 标准 to 优秀
            let (changed, changedPage) = try await Self.post(app, mgr, "sheets/\(m.agentSheet)", [
                ("version", String(r.version)), ("action", "change"), ("reason", "核实本月好评 3 条"),
                ("d.communication", "upheld"), ("dn.communication", "跨组工单已计入工作效率"),
                ("d.evaluation", "changed"), ("dn.evaluation", "好评属实，整体评价改为优秀"), ("v.evaluation", "优秀"),
            ])
            #expect(changed == .seeOther, "\(changedPage.prefix(800))")
            r = try await CycleFlowTests.sheet(app, mgr, m.agentSheet)
            #expect(r.stage == "resolved" && r.finalTotal == "88" && r.total == "88", "\(r.finalTotal ?? "nil")")

            // the agent reads each decision and the new total and pay
            a = try await CycleFlowTests.sheet(app, agent, m.agentSheet)
            let comm = try #require(a.objection.first { $0.item == "communication" })
            let eval = try #require(a.objection.first { $0.item == "evaluation" })
            #expect(comm.decision == "upheld" && comm.after == "3" && comm.note == "跨组工单已计入工作效率" && comm.decidedBy == "三部经理")
            #expect(eval.decision == "changed" && eval.points == "4" && eval.after == "5" && eval.note == "好评属实，整体评价改为优秀")
            #expect(a.finalTotal == "88" && a.pay?.paid == "1760.00", "\(String(describing: a.pay))")
            let html = try await Self.page(app, agent, "sheets/\(m.agentSheet)")
            #expect(html.contains("维持原结果（3）") && html.contains("已修改：4 → 5") && html.contains("好评属实，整体评价改为优秀"), "\(html.suffix(3000))")
            #expect(html.contains("申诉项目"))
            // the change is a recorded correction (R-100-02)
            let corr = try #require(try await Correction.query(on: app.db).filter(\.$sheet.$id == m.agentSheet).first())
            #expect(corr.beforeTotal == "87" && corr.afterTotal == "88" && corr.beforePay == "1740.00" && corr.afterPay == "1760.00")
        }
    }

    @Test("past months are links to their sheets, on the home and on /sheets")
    func pastMonthsLink() async throws {
        try await ResultsSpineTests.withCompany { app in
            let m = try await Self.month(app)
            try await Self.rateAndReview(app, m)
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.call(app, hr, .POST, "api/v1/cycles/\(m.cycle)/publish")
            let (agent, _) = try await Browser.signIn(app, "agent3")
            let link = "<a href=\"/sheets/\(m.agentSheet)\">2026-11</a>"
            let home = try await Self.page(app, agent, "")
            #expect(home.contains("历史成绩") && home.contains(link), "\(home.suffix(1500))")
            let sheets = try await Self.page(app, agent, "sheets")
            #expect(sheets.contains(link), "\(sheets.suffix(1500))")
        }
    }
}
