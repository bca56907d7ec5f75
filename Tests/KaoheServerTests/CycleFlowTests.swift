import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// A month run end to end through HTTP for a small department (issue 6 §9): open → self →
/// rate → review adjustment → publish → objection changed → lock → correction; probation
/// exclusion; deadlines; concurrent edits; submitting twice.
@Test("what stops a sheet reads as sentences, each once, without the engine's codes (issue 17 §3)")
func sheetFlagLines() {
    let gap = KaoheCore.Flag(code: "band_gap", rules: ["R-001-03"], item: "conversion", message: "咨询转化率 55.23% 不在任何档位内，须由评分人裁定")
    let mark = KaoheCore.Flag(code: "missing_mark", rules: ["R-001-01"], item: "attitude", message: "「工作态度」尚未评分")
    #expect(CycleService.flagLines([gap, mark, gap, mark, gap]) == [gap.message, mark.message])
    #expect(CycleService.flagLines([]).isEmpty)
}

@Suite("Appraisal cycle through HTTP", .serialized)
struct CycleFlowTests {
    static func today(_ app: Application, _ day: String) {
        var c = app.config
        c.today = day
        app.storage[ConfigKey.self] = c
    }

    static func json(_ app: Application, _ b: Browser, _ method: HTTPMethod, _ path: String, _ body: String? = nil,
                     _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var h = b.headers
        h.contentType = .json
        try await app.testing().test(method, path, headers: h, body: body.map { ByteBuffer(string: $0) }, afterResponse: check)
    }

    static func decode<T: Decodable>(_ t: T.Type, _ res: TestingHTTPResponse) throws -> T {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return try d.decode(t, from: Data(res.body.readableBytesView))
    }

    typealias SheetDTO = CycleService.SheetDTO

    static func sheet(_ app: Application, _ b: Browser, _ id: UUID) async throws -> SheetDTO {
        var out: SheetDTO?
        try await json(app, b, .GET, "api/v1/sheets/\(id)") { res in
            #expect(res.status == .ok, "\(res.body.string)")
            out = try decode(SheetDTO.self, res)
        }
        return try #require(out)
    }

    /// Performs an action; returns the sheet (or nil when refused, with the status checked).
    @discardableResult
    static func act(_ app: Application, _ b: Browser, _ id: UUID, _ action: String, version: Int, reason: String? = nil, values: [String: String]? = nil,
                    expect status: HTTPStatus = .ok) async throws -> SheetDTO? {
        var body: [String: Any] = ["action": action, "version": version]
        if let reason { body["reason"] = reason }
        if let values { body["values"] = values }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        var out: SheetDTO?
        try await json(app, b, .POST, "api/v1/sheets/\(id)/actions", text) { res in
            #expect(res.status == status, "\(action): \(res.body.string)")
            if res.status == .ok { out = try decode(SheetDTO.self, res) }
        }
        return out
    }

    static let marksSelf = #"{"task_completion.self":"80"}"#

    @Test("a department's month: self → rate → adjust → publish → object → change → lock → correct")
    func wholeMonth() async throws {
        try await withKaohe { app, org in
            // the department: alice reports to bob (lead); bob and carol to the manager; a newcomer in probation
            let alice = try #require(try await Employee.find(org.alice, on: app.db))
            alice.superiorId = org.bob
            try await alice.save(on: app.db)
            let newcomer = Employee(number: "101009", name: "新人", position: "客服专员", hireDate: "2026-09-15", departmentId: org.deptA, teamId: org.team1)
            try await newcomer.save(on: app.db)
            _ = try await EvidenceTests.preset(app, "online-shop-cs")
            Self.today(app, "2026-10-28")
            let (hr, _) = try await Browser.signIn(app, "hr")
            var cycle: CycleService.CycleDTO?
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
                #expect(res.status == .created, "\(res.body.string)")
                cycle = try Self.decode(CycleService.CycleDTO.self, res)
            }
            let c = try #require(cycle)
            // R-002-30: issued the 28th, rating by the 30th, review by 1 Nov, published by 2 Nov
            #expect(c.issuedOn == "2026-10-28" && c.ratingDue == "2026-10-30" && c.reviewDue == "2026-11-01" && c.publishDue == "2026-11-02")
            #expect(c.sheets == 3 && c.stages == ["self": 3])
            #expect(c.excluded["101009"]?.contains("R-002-30") == true)
            // the same cycle twice is refused
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
                #expect(res.status == .conflict)
            }
            let sheets = try await Sheet.query(on: app.db).with(\.$employee).all()
            let aliceSheet = try #require(sheets.first { $0.$employee.id == org.alice }?.id)

            // alice assesses herself; she sees her own marks, not a total
            var (a, _) = try await Browser.signIn(app, "alice")
            try await Self.json(app, a, .GET, "api/v1/sheets") { res in #expect(res.body.string.contains("\"role\":\"self\"")) }
            var s = try await Self.sheet(app, a, aliceSheet)
            #expect(s.stage == "self" && s.editable.keys.sorted() == ["task_completion.self"] && s.total == nil)
            try await Self.json(app, a, .PUT, "api/v1/sheets/\(aliceSheet)", #"{"version":1,"values":\#(Self.marksSelf)}"#) { res in #expect(res.status == .ok, "\(res.body.string)") }
            // she may not write her superior's marks
            try await Self.json(app, a, .PUT, "api/v1/sheets/\(aliceSheet)", #"{"version":2,"values":{"report_quality.manager":"5"}}"#) { res in #expect(res.status == .forbidden) }
            s = try #require(try await Self.act(app, a, aliceSheet, "submit_self", version: 2))
            #expect(s.stage == "rating")
            // submitting twice is harmless
            try await Self.act(app, a, aliceSheet, "submit_self", version: 2)

            // overdue: on 31 October bob has not rated
            Self.today(app, "2026-10-31")
            try await Self.json(app, hr, .GET, "api/v1/cycles/\(c.id)") { res in
                let d = try Self.decode(CycleService.CycleDTO.self, res)
                #expect(d.overdue.contains { $0.user.contains("bob") && $0.stage == "rating" && $0.employees == ["101001"] }, "\(d.overdue)")
            }
            try await Self.json(app, hr, .POST, "api/v1/cycles/\(c.id)/remind") { res in #expect(res.status == .ok && !res.body.string.contains("\"reminders\":0")) }
            let (bobInbox, _) = try await Browser.signIn(app, "bob")
            try await Self.json(app, bobInbox, .GET, "api/v1/inbox") { res in #expect(res.body.string.contains("催办") && res.body.string.contains("101001")) }

            // bob rates; a second tab with a stale version is refused, not overwritten
            let (bob, _) = try await Browser.signIn(app, "bob")
            s = try await Self.sheet(app, bob, aliceSheet)
            #expect(s.editable.keys.contains("report_quality.manager") && s.editable.keys.contains("conversion.override") && s.total != nil)
            let v = s.version
            try await Self.json(app, bob, .PUT, "api/v1/sheets/\(aliceSheet)", #"{"version":\#(v),"values":{"report_timeliness.manager":"5"}}"#) { res in #expect(res.status == .ok) }
            try await Self.json(app, bob, .PUT, "api/v1/sheets/\(aliceSheet)", #"{"version":\#(v),"values":{"report_timeliness.manager":"3"}}"#) { res in
                #expect(res.status == .conflict && res.body.string.contains("鲍勃"), "\(res.body.string)")
            }
            // the live total while typing: unsaved marks scored over the stored evidence, nothing written
            try await Self.json(app, bob, .POST, "api/v1/sheets/\(aliceSheet)/preview", #"{"values":{"report_quality.manager":"5","report_truthfulness.manager":"5"}}"#) { res in
                #expect(res.status == .ok && res.body.string.contains("\"total\"") && res.body.string.contains("explanation"), "\(res.body.string)")
            }
            try await Self.json(app, bob, .POST, "api/v1/sheets/\(aliceSheet)/preview", #"{"values":{"report_quality.manager":"50"}}"#) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("report_quality.manager"))
            }
            try await Self.json(app, a, .POST, "api/v1/sheets/\(aliceSheet)/preview", #"{"values":{"report_quality.manager":"5"}}"#) { res in #expect(res.status == .forbidden) }
            #expect(try await Self.sheet(app, bob, aliceSheet).version == v + 1)
            try await app.testing().test(.GET, "assets/sheet.js") { res in
                #expect(res.status == .ok && res.headers.contentType?.subType == "javascript" && res.body.string.contains("/preview") == false && res.body.string.contains("data-preview"))
            }
            // an evidence-driven item overridden without a reason is refused
            try await Self.json(app, bob, .PUT, "api/v1/sheets/\(aliceSheet)", #"{"version":\#(v + 1),"values":{"conversion.override":"3"}}"#) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("reason"))
            }
            s = try #require(try await Self.act(app, bob, aliceSheet, "submit_rating", version: v + 1,
                                                 values: ["report_truthfulness.manager": "5", "report_quality.manager": "5"]))
            #expect(s.stage == "review" && s.raterTotal != nil && s.raterTotal == s.finalTotal)
            let raterTotal = try #require(s.raterTotal)

            // the manager reviews: an adjustment needs a reason; both totals stay visible
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await Self.act(app, mgr, aliceSheet, "adjust", version: s.version, values: ["report_quality.manager": "3"], expect: .conflict)
            s = try #require(try await Self.act(app, mgr, aliceSheet, "adjust", version: s.version, reason: "报表有两处数据错误，质量分调为 3",
                                                 values: ["report_quality.manager": "3"]))
            #expect(s.stage == "ready" && s.raterTotal == raterTotal && s.finalTotal != raterTotal)
            #expect(s.history.contains { $0.action == "adjust" && $0.reason?.contains("两处数据错误") == true && $0.before == raterTotal })

            // the other two sheets: bob's and carol's are rated by the manager and reviewed by HR
            for other in sheets where other.$employee.id != org.alice {
                let me = other.$employee.id == org.bob ? "bob" : "carol"
                let (emp, _) = try await Browser.signIn(app, me)
                var o = try await Self.sheet(app, emp, other.id!)
                #expect(try await Self.act(app, emp, other.id!, "submit_self", version: o.version, values: [:], expect: .unprocessableEntity) == nil)
                o = try #require(try await Self.act(app, emp, other.id!, "submit_self", version: o.version,
                                                     values: ["task_completion.self": "80"]))
                o = try #require(try await Self.act(app, mgr, other.id!, "submit_rating", version: o.version,
                                                     values: ["report_timeliness.manager": "4", "report_truthfulness.manager": "4", "report_quality.manager": "4"]))
                _ = try #require(try await Self.act(app, hr, other.id!, "approve", version: o.version))
            }

            // calibration: the manager's and HR's scales against the department; a B department's quota
            try await Self.json(app, hr, .GET, "api/v1/cycles/\(c.id)/calibration?department_grade=B") { res in
                let cal = try Self.decode(CycleService.CalibrationDTO.self, res)
                // online-shop-cs has no grade bands, so there is no distribution to force (quotas: CalibrationTests)
                #expect(cal.department.count == 3 && cal.raters.count == 2 && cal.quota.isEmpty && cal.department.mean != nil)
                #expect(cal.raters.contains { $0.rater.contains("bob") && $0.stats.count == 1 })
            }
            try await Self.json(app, hr, .GET, "api/v1/cycles/\(c.id)/calibration?department_grade=Z") { res in #expect(res.status == .badRequest) }
            // a calibration adjustment before publication, with its reason
            let ready = try await Self.sheet(app, hr, aliceSheet)
            let calibrated = try #require(try await Self.act(app, mgr, aliceSheet, "adjust", version: ready.version, reason: "校准会：与同组标准对齐",
                                                             values: ["report_truthfulness.manager": "4"]))
            #expect(calibrated.stage == "ready" && calibrated.history.last?.reason == "校准会：与同组标准对齐")

            // HR publishes on 2 November: the window for objections runs 3 days
            Self.today(app, "2026-11-02")
            try await Self.json(app, hr, .POST, "api/v1/cycles/\(c.id)/publish") { res in #expect(res.status == .ok && res.body.string.contains("\"sheets\":3")) }
            (a, _) = try await Browser.signIn(app, "alice")
            s = try await Self.sheet(app, a, aliceSheet)
            #expect(s.stage == "published" && s.finalTotal != nil && !s.items.isEmpty && s.items.allSatisfy { !$0.explanation.isEmpty && !$0.rule.isEmpty })
            #expect(s.deadline == "2026-11-05")
            try await Self.json(app, a, .GET, "api/v1/inbox") { res in #expect(res.body.string.contains("已发布")) }

            // alice objects; the manager changes the result with a reason; she sees the outcome
            try await Self.act(app, a, aliceSheet, "object", version: s.version, expect: .conflict)      // no reason
            s = try #require(try await Self.act(app, a, aliceSheet, "object", version: s.version, reason: "两处错误中一处是系统导出问题"))
            #expect(s.stage == "objected")
            // HR cannot lock while an objection is open
            try await Self.json(app, hr, .POST, "api/v1/cycles/\(c.id)/lock") { res in #expect(res.status == .conflict) }
            s = try await Self.sheet(app, mgr, aliceSheet)
            let beforeChange = try #require(s.finalTotal)
            s = try #require(try await Self.act(app, mgr, aliceSheet, "change", version: s.version, reason: "核实系统导出问题属实，质量分改为 4",
                                                 values: ["report_quality.manager": "4"]))
            #expect(s.stage == "resolved" && s.finalTotal != beforeChange)
            try await Self.json(app, a, .GET, "api/v1/inbox") { res in #expect(res.body.string.contains("申诉已处理")) }
            // a second objection is refused
            try await Self.act(app, a, aliceSheet, "object", version: s.version, reason: "再申诉", expect: .conflict)

            // bob acknowledges; carol says nothing: the lock waits for the window to close
            let bobSheet = try #require(sheets.first { $0.$employee.id == org.bob }?.id)
            let (bob2, _) = try await Browser.signIn(app, "bob")
            let bs = try await Self.sheet(app, bob2, bobSheet)
            try await Self.act(app, bob2, bobSheet, "acknowledge", version: bs.version)
            try await Self.json(app, hr, .POST, "api/v1/cycles/\(c.id)/lock") { res in #expect(res.status == .conflict && res.body.string.contains("2026-11-05")) }
            Self.today(app, "2026-11-06")
            try await Self.json(app, hr, .POST, "api/v1/cycles/\(c.id)/lock") { res in #expect(res.status == .ok, "\(res.body.string)") }
            s = try await Self.sheet(app, hr, aliceSheet)
            #expect(s.stage == "locked")
            // a locked result changes only by a recorded correction (HR, with a reason)
            try await Self.json(app, mgr, .PUT, "api/v1/sheets/\(aliceSheet)", #"{"version":\#(s.version),"values":{"report_quality.manager":"5"}}"#) { res in
                #expect(res.status == .conflict && res.body.string.contains("R-100-02"), "\(res.body.string)")
            }
            let locked = try #require(s.finalTotal)
            s = try #require(try await Self.act(app, hr, aliceSheet, "correct", version: s.version, reason: "工资核对：报表质量复核为 5",
                                                 values: ["report_quality.manager": "5"]))
            #expect(s.stage == "locked" && s.finalTotal != locked && s.history.last?.action == "correct")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "sheet").count()
            #expect(audit >= 10)
        }
    }

    @Test("who may do what: an agent cannot open a cycle or see another's sheet; unknown scheme 404; bad period 400")
    func access() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "online-shop-cs")
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await Self.json(app, alice, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10"}"#) { res in #expect(res.status == .forbidden) }
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"nope","period":"2026-10"}"#) { res in #expect(res.status == .notFound) }
            // no scheme chosen: a valid request the API refuses as unprocessable, naming the field (schemathesis ST202)
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"","period":"2026-10"}"#) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("scheme:"), "\(res.status) \(res.body.string)")
            }
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-13"}"#) { res in #expect(res.status == .badRequest) }
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
                #expect(res.status == .created)
            }
            let carolSheet = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.carol).first()?.id)
            // a team leader is rated by the manager, not by himself
            let team1 = try #require(try await Team.find(org.team1, on: app.db))
            team1.leaderId = org.bob
            try await team1.save(on: app.db)
            // one team's cycle next to another's; the whole department again overlaps both
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-11","department_id":"\#(org.deptA)","team_ids":["\#(org.team1)"]}"#) { res in
                #expect(res.status == .created && res.body.string.contains("\"sheets\":2") && res.body.string.contains("\"excluded\":{}"), "\(res.body.string)")
            }
            let mgrUser = try #require(try await User.query(on: app.db).filter(\.$username == "mgr").first())
            let bobNov = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.bob).join(Cycle.self, on: \Sheet.$cycle.$id == \Cycle.$id)
                .filter(Cycle.self, \.$period == "2026-11").first())
            #expect(bobNov.raterId == mgrUser.id)
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-11","department_id":"\#(org.deptA)","team_ids":["\#(org.team2)"]}"#) { res in
                #expect(res.status == .created && res.body.string.contains("\"sheets\":1"), "\(res.body.string)")
            }
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-11","department_id":"\#(org.deptA)"}"#) { res in #expect(res.status == .conflict) }
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-12","department_id":"\#(org.deptA)","team_ids":["\#(org.team3)"]}"#) { res in
                #expect(res.status == .unprocessableEntity)
            }
            // the probation minimum is configurable: with 6 months, people hired on 2025-03-01 are not assessed in June 2025
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2025-06","department_id":"\#(org.deptA)","probation_months":6}"#) { res in
                #expect(res.status == .created && res.body.string.contains("\"sheets\":0") && res.body.string.contains("6 个月"), "\(res.body.string)")
            }
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2025-07","probation_months":24}"#) { res in
                #expect(res.status == .unprocessableEntity)
            }
            try await Self.json(app, alice, .GET, "api/v1/sheets/\(carolSheet)") { res in #expect(res.status == .forbidden) }
            try await Self.act(app, alice, carolSheet, "submit_self", version: 1, expect: .forbidden)
        }
    }
}

@Suite("Evaluator accountability through HTTP (R-001-15)", .serialized)
struct AccountabilityTests {
    @Test("a complaint the lead did not deduct costs the lead double, unless the reviewer accepts his reason")
    func missedDeduction() async throws {
        try await withKaohe { app, org in
            let alice = try #require(try await Employee.find(org.alice, on: app.db))
            alice.superiorId = org.bob
            try await alice.save(on: app.db)
            _ = try await EvidenceTests.preset(app, "property-cs")
            CycleFlowTests.today(app, "2026-10-30")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"property-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
                #expect(res.status == .created, "\(res.body.string)")
            }
            let sheets = try await Sheet.query(on: app.db).all()
            let aliceSheet = try #require(sheets.first { $0.$employee.id == org.alice }?.id)
            let bobSheet = try #require(sheets.first { $0.$employee.id == org.bob }?.id)
            let (bob, _) = try await Browser.signIn(app, "bob")
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            // bob rates alice without the complaint; the manager rates bob, HR approves
            var a = try await CycleFlowTests.sheet(app, bob, aliceSheet)
            #expect(a.stage == "rating", "\(a.flags)")
            // a scheme without a raters list: the superior fills the manual columns, not the metrics or the event counts
            #expect(a.editable["de_morality.other"] != nil && a.editable["checks"] == nil && a.editable["de_service_attitude.complaint"] == nil, "\(a.editable.keys.sorted())")
            a = try #require(try await CycleFlowTests.act(app, bob, aliceSheet, "submit_rating", version: a.version))
            var b = try await CycleFlowTests.sheet(app, mgr, bobSheet)
            b = try #require(try await CycleFlowTests.act(app, mgr, bobSheet, "submit_rating", version: b.version))
            b = try #require(try await CycleFlowTests.act(app, hr, bobSheet, "approve", version: b.version))
            let bobTotal = try #require(Double(b.finalTotal ?? ""))

            // only the reviewer (or HR) records a finding; the item must be a counted deduction
            func finding(_ who: Browser, _ body: String, _ status: HTTPStatus) async throws -> CycleService.FindingDTO? {
                var out: CycleService.FindingDTO?
                try await CycleFlowTests.json(app, who, .POST, "api/v1/sheets/\(aliceSheet)/findings", body) { res in
                    #expect(res.status == status, "\(res.body.string)")
                    if res.status == .created { out = try CycleFlowTests.decode(CycleService.FindingDTO.self, res) }
                }
                return out
            }
            _ = try await finding(bob, #"{"column":"de_service_attitude.complaint","note":"x"}"#, .forbidden)
            _ = try await finding(mgr, #"{"column":"checks","note":"x"}"#, .unprocessableEntity)
            let f = try #require(try await finding(mgr, #"{"column":"de_service_attitude.complaint","instances":1,"note":"10月12日客户投诉（工单 2381）未扣分"}"#, .created))
            let per = try #require(Double(f.perInstance))
            #expect(per > 0 && Double(f.deduction) == 2 * per && f.status == "pending" && f.explanation.contains("R-001-15") && f.explanation.contains("工单 2381"))
            try await CycleFlowTests.json(app, bob, .GET, "api/v1/inbox") { res in #expect(res.body.string.contains("R-001-15")) }
            // the inbox's link opens a page the rater may see: the sheet the finding concerns (it was
            // a link to /findings/{id}, which has no page)
            let link = try #require(try await InboxItem.query(on: app.db).filter(\.$text ~~ "R-001-15").first()?.link)
            #expect(link == "/sheets/\(aliceSheet)", "\(link)")
            try await app.testing().test(.GET, String(link.dropFirst()), headers: bob.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("评分责任（R-001-15）"))
            }
            // accepting needs a justification first
            try await CycleFlowTests.json(app, mgr, .POST, "api/v1/findings/\(f.id)/decide", #"{"accept":true,"reason":"x"}"#) { res in #expect(res.status == .conflict) }
            try await CycleFlowTests.json(app, bob, .POST, "api/v1/findings/\(f.id)/justify", #"{"justification":"当时客户撤回了投诉"}"#) { res in #expect(res.status == .ok) }
            try await CycleFlowTests.json(app, mgr, .POST, "api/v1/findings/\(f.id)/decide", #"{"accept":false,"reason":"投诉记录未撤回，理由不成立"}"#) { res in
                #expect(res.status == .ok && res.body.string.contains("\"status\":\"applied\""), "\(res.body.string)")
            }
            b = try await CycleFlowTests.sheet(app, hr, bobSheet)
            #expect(Double(b.finalTotal ?? "") == bobTotal - 2 * per, "\(b.finalTotal ?? "")")
            // the forms carry the final result once published (R-100-01), with the deduction as its own line
            try await publishResults(app, "property-cs", "2026-10")
            let (_, data, _) = try await ExportTests.get(app, hr, "api/v1/exports/monthly-record?period=2026-10&scheme=property-cs")
            let summary = try Grid.read(data, file: "m.xlsx", sheet: "汇总")
            #expect(Double(try #require(summary.rows.first { $0.cells[0] == "101002" }).cells[5]) == bobTotal - 2 * per)
            let detail = try Grid.read(data, file: "m.xlsx")
            #expect(detail.rows.contains { $0.cells[0] == "101002" && $0.cells[7] == "R-001-15" && $0.cells[10].contains("工单 2381") })
            #expect(b.history.last?.action == "accountability" && b.accountability.contains { $0.status == "applied" })
            // a second finding, justified and accepted: nothing more is deducted
            let g = try #require(try await finding(mgr, #"{"column":"de_service_attitude.complaint","instances":2,"note":"10月20日两起投诉"}"#, .created))
            try await CycleFlowTests.json(app, bob, .POST, "api/v1/findings/\(g.id)/justify", #"{"justification":"两起投诉经核实为同一客户重复提交，已按一起处理"}"#) { res in #expect(res.status == .ok) }
            try await CycleFlowTests.json(app, mgr, .POST, "api/v1/findings/\(g.id)/decide", #"{"accept":true,"reason":"核实属实"}"#) { res in
                #expect(res.body.string.contains("\"status\":\"waived\""))
            }
            b = try await CycleFlowTests.sheet(app, hr, bobSheet)
            #expect(Double(b.finalTotal ?? "") == bobTotal - 2 * per)
            // a later approval of bob's sheet keeps the deduction
            _ = a
        }
    }
}

@Suite("A self-assessment that never comes", .serialized)
struct SkipSelfTests {
    @Test("after the self deadline the superior moves on with a reason; the missing self marks do not block the rating")
    func skip() async throws {
        try await withKaohe { app, org in
            let alice = try #require(try await Employee.find(org.alice, on: app.db))
            alice.superiorId = org.bob
            try await alice.save(on: app.db)
            _ = try await EvidenceTests.preset(app, "online-shop-cs")
            CycleFlowTests.today(app, "2026-10-28")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
                #expect(res.status == .created)
            }
            let sheet = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.alice).first()?.id)
            let (bob, _) = try await Browser.signIn(app, "bob")
            // not overdue yet (due 29 October)
            try await CycleFlowTests.act(app, bob, sheet, "skip_self", version: 1, reason: "未自评", expect: .conflict)
            CycleFlowTests.today(app, "2026-10-30")
            try await CycleFlowTests.act(app, bob, sheet, "skip_self", version: 1, expect: .conflict)                 // no reason
            let (a, _) = try await Browser.signIn(app, "alice")
            try await CycleFlowTests.act(app, a, sheet, "skip_self", version: 1, reason: "x", expect: .conflict)        // not hers to skip
            var s = try #require(try await CycleFlowTests.act(app, bob, sheet, "skip_self", version: 1, reason: "艾丽休假，自评逾期"))
            #expect(s.stage == "rating" && s.history.last?.action == "skip_self")
            // a mark missing from the superior still blocks the submission, with the item named
            try await CycleFlowTests.act(app, bob, sheet, "submit_rating", version: s.version, values: ["report_timeliness.manager": "5"], expect: .unprocessableEntity)
            s = try #require(try await CycleFlowTests.act(app, bob, sheet, "submit_rating", version: s.version,
                                                           values: ["report_timeliness.manager": "5", "report_truthfulness.manager": "5", "report_quality.manager": "4"]))
            #expect(s.stage == "review" && s.raterTotal != nil)
            #expect(s.items.contains { $0.explanation.contains("被考核人本人") })
        }
    }
}
