import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheDemo
@testable import KaoheServer

@Suite("Charts as SVG (issue 7 §5)")
struct ChartTests {
    @Test("score bands: under 60, then tens; a boundary belongs to the band above")
    func bands() {
        let b = Charts.bands([59.99, 60, 69.99, 70, 85, 90, 100, 0], max: 100)
        #expect(b.map(\.label) == ["<60", "60–70", "70–80", "80–90", "90–100"])
        #expect(b.map(\.count) == [2, 2, 1, 1, 2])
    }

    @Test("a trend breaks its line where a month has no result, marks months under the threshold, lists every figure in its description")
    func trend() {
        let svg = Charts.trend([.init(label: "01", value: 80), .init(label: "02", value: 65), .init(label: "03", value: nil),
                                .init(label: "04", value: 90), .init(label: "05", value: 91)], max: 100, threshold: 70, title: "趋势")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4)
        #expect(svg.components(separatedBy: "fill=\"\(Charts.warn)\"").count - 1 == 1 + 1)   // one red point and the threshold label
        #expect(svg.contains("role=\"img\"") && svg.contains("<title>趋势</title>"))
        #expect(svg.contains("<desc translate=\"no\">01: 80; 02: 65; 03: —; 04: 90; 05: 91</desc>"))
    }

    @Test("rater names are escaped and never translated; a profile bar under 70 % is marked")
    func ratersAndProfile() {
        let svg = Charts.raters([.init(name: "王<芳>", count: 3, mean: 80, min: 70, max: 90)], departmentMean: 85, max: 100, title: "对比")
        #expect(svg.contains("translate=\"no\">王&lt;芳&gt;</text>"))
        #expect(svg.contains("部门平均 85"))
        // a long name widens the name column instead of running off the chart's left edge (issue 17 §2)
        let long = Charts.raters([.init(name: "电商客服部售前一组组长欧阳娜娜", count: 3, mean: 80, min: 70, max: 90)], departmentMean: 85, max: 100, title: "对比")
        let nameX = long.firstMatch(of: #/<text x="([0-9.]+)"[^>]*text-anchor="end"[^>]*>电商/#).flatMap { Double($0.output.1) }
        #expect(nameX.map { $0 >= 15 * 12 } == true, "the name's right edge (\(nameX ?? -1)) leaves room for its 15 characters")
        let p = Charts.profile([.init(label: "德", points: 10, max: 20), .init(label: "勤", points: 18, max: 20)], title: "维度")
        #expect(p.contains("10/20") && p.contains("18/20"))
        #expect(p.components(separatedBy: "fill=\"\(Charts.warn)\"").count - 1 == 1)
    }
}

@Suite("Pages by role: QA, HR's people, schemes, retention, the homes (issue 7 §2, §6)", .serialized)
struct RolePagesTests {
    func withDemo(_ body: (Application) async throws -> Void) async throws {
        var config = testConfig()
        config.demo = true
        config.today = "2026-11-23"
        try await withApp(configure: { app in try await configure(app, config) }) { app in
            try await Demo.load(app)
            try await body(app)
        }
    }

    static func form(_ app: Application, _ b: Browser, _ path: String, _ fields: [(String, String)]) async throws -> TestingHTTPResponse {
        try await b.post(app, path, fields)
    }

    static func page(_ app: Application, _ b: inout Browser, _ path: String) async throws -> TestingHTTPResponse {
        try await b.open(app, path)
    }

    @Test("QA: a graded recording counts for the score and the service pay, is re-scored at once; bad input changes nothing; removal needs a reason")
    func qa() async throws {
        try await withDemo { app in
            var qa = try await Browser.signIn(app, "qa1", password: Demo.password).0
            let list = try await Self.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            #expect(list.status == .ok)
            let scheme = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "callcentre-agent").first())
            let someone = try #require(try await StoredResult.query(on: app.db).filter(\.$scheme.$id == scheme.requireID()).filter(\.$period == "2026-10").with(\.$employee).first()).employee
            #expect(list.body.string.contains(someone.number) && list.body.string.contains("0/10"))
            let id = try someone.requireID().uuidString
            func events() async throws -> [EventRecord] {
                try await EventRecord.query(on: app.db).filter(\.$employee.$id == someone.requireID()).filter(\.$period == "2026-11").all()
            }
            func total() async throws -> String? {
                try await StoredResult.query(on: app.db).filter(\.$employee.$id == someone.requireID()).filter(\.$period == "2026-11").first()?.total
            }
            let base = [("scheme", "callcentre-agent"), ("period", "2026-11"), ("employee", id)]
            // bad input: no grade, a day outside the month, a day still to come — nothing written
            for (fields, why) in [([("grade", ""), ("day", "2026-11-20")], "请选择等级"), ([("grade", "you"), ("day", "2026-12-01")], "不在"),
                                  ([("grade", "you"), ("day", "2026-11-30")], "还没到")] {
                let res = try await Self.form(app, qa, "qa", base + fields)
                #expect(res.status == .seeOther)
                let location = try #require(res.headers.first(name: .location))
                #expect(location.removingPercentEncoding!.contains(why), "\(location.removingPercentEncoding!)")
            }
            #expect(try await events().isEmpty)
            // 优 then 劣: the score's average (100, then (100 + 0) / 2); one entry per recording, which the
            // service pay reads too (`from: qa_score`, issue 18)
            _ = try await Self.form(app, qa, "qa", base + [("grade", "you"), ("day", "2026-11-20"), ("note", "REC-1")])
            #expect(try await events().map(\.column).sorted() == ["qa_score.you"])
            #expect(try await total() == "100")
            _ = try await Self.form(app, qa, "qa", base + [("grade", "lie"), ("day", "2026-11-21"), ("note", "REC-2")])
            #expect(try await total() == "50")
            let evidence = try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == someone.requireID()).filter(\.$period == "2026-11").all()
            #expect(Dictionary(evidence.map { ($0.column, $0.value) }, uniquingKeysWith: { a, _ in a })["qa_score.lie"] == "1")
            let page = try await Self.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            #expect(page.body.string.contains("2/10") && page.body.string.contains("REC-2"))
            // removing the 劣 recording: refused without a reason, done with one, re-scored
            let lie = try await events().filter { $0.column.hasSuffix(".lie") }.map { try $0.requireID().uuidString }.joined(separator: ",")
            let refused = try await Self.form(app, qa, "qa/remove", [("scheme", "callcentre-agent"), ("period", "2026-11"), ("ids", lie), ("reason", " ")])
            #expect(refused.headers.first(name: .location)?.removingPercentEncoding?.contains("须写原因") == true)
            #expect(try await events().count == 2)
            _ = try await Self.form(app, qa, "qa/remove", [("scheme", "callcentre-agent"), ("period", "2026-11"), ("ids", lie), ("reason", "评错了录音")])
            #expect(try await events().count == 1)
            #expect(try await total() == "100")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "qa_recording").filter(\.$action == "delete").all().map(\.reason) == ["评错了录音"])
            // the month's ten (R-002-14): an 11th is refused unless confirmed, and the page offers the confirmation
            for day in 1...9 { _ = try await Self.form(app, qa, "qa", base + [("grade", "you"), ("day", String(format: "2026-11-%02d", day))]) }
            #expect(try await events().count == 10)
            let full = try await Self.page(app, &qa, "qa?scheme=callcentre-agent&period=2026-11")
            #expect(full.body.string.contains("10/10") && full.body.string.contains("name=\"beyond\""))
            let eleventh = try await Self.form(app, qa, "qa", base + [("grade", "you"), ("day", "2026-11-10")])
            #expect(eleventh.headers.first(name: .location)?.removingPercentEncoding?.contains("10/10 条录音") == true)
            #expect(try await events().count == 10)
            _ = try await Self.form(app, qa, "qa", base + [("grade", "you"), ("day", "2026-11-10"), ("beyond", "1")])
            #expect(try await events().count == 11)
            // an agent may not grade recordings
            var agent = try await Browser.signIn(app, "agent1", password: Demo.password).0
            #expect(try await Self.page(app, &agent, "qa").status == .forbidden)
        }
    }

    @Test("scheme editor: problems listed with their line, nothing saved with errors or without a reason; preview scores a sample; save makes a new version")
    func schemeEditor() async throws {
        try await withDemo { app in
            var hr = try await Browser.signIn(app, "hr", password: Demo.password).0
            #expect(try await Self.page(app, &hr, "schemes").body.string.contains("ecommerce-monthly"))
            let v1 = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").first())
            let page = try await Self.page(app, &hr, "schemes/ecommerce-monthly")
            #expect(page.status == .ok && page.body.string.contains("<textarea"))
            // an item max made negative: an error at its line, nothing saved
            let broken = v1.text.replacingOccurrences(of: "{id: communication, label: 协调与沟通, description: 同事与部门, kind: manual, max: 5, rule: R-001-01}",
                                                      with: "{id: communication, label: 协调与沟通, description: 同事与部门, kind: manual, max: -5, rule: R-001-01}")
            #expect(broken != v1.text)
            let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("max: -5") }! + 1
            let checked = try await Self.form(app, hr, "schemes/ecommerce-monthly", [("text", broken), ("action", "check")])
            #expect(checked.body.string.contains("行号") && checked.body.string.contains("id=\"L\(line)\""), "line \(line)")
            #expect(checked.body.string.contains("sections[0].items[0]"))
            let refused = try await Self.form(app, hr, "schemes/ecommerce-monthly", [("text", broken), ("action", "save"), ("reason", "试试")])
            #expect(refused.status == .unprocessableEntity)
            // a valid change: the preview shows both versions' points; saving needs a reason
            let edited = v1.text.replacingOccurrences(of: "{id: communication, label: 协调与沟通, description: 同事与部门, kind: manual, max: 5, rule: R-001-01}",
                                                      with: "{id: communication, label: 协调与沟通, description: 同事与部门, kind: manual, max: 5, rule: R-001-01}\n      - {id: extra, label: 额外项目, kind: manual, max: 0, rule: R-001-01}")
            let sample = try #require(try await EvidenceEntry.query(on: app.db).filter(\.$scheme.$id == v1.requireID()).filter(\.$period == "2026-10").first())
            let preview = try await Self.form(app, hr, "schemes/ecommerce-monthly", [("text", edited), ("action", "preview"), ("sample", sample.$employee.id.uuidString)])
            #expect(preview.body.string.contains("预览：2026-10") && preview.body.string.contains("额外项目"), "\(preview.body.string.suffix(2000))")
            let noReason = try await Self.form(app, hr, "schemes/ecommerce-monthly", [("text", edited), ("action", "save"), ("reason", "")])
            #expect(noReason.status == .unprocessableEntity)
            #expect(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").count() == 1)
            let saved = try await Self.form(app, hr, "schemes/ecommerce-monthly", [("text", edited), ("action", "save"), ("reason", "加一项")])
            #expect(saved.status == .ok && saved.body.string.contains("已保存为第 2 版"))
            let v2 = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").filter(\.$version == 2).first())
            #expect(v2.text.contains("额外项目"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "scheme").filter(\.$reason == "加一项").count() == 1)
        }
    }

    @Test("people: a change needs a reason and is audited; an unknown superior is named; retention purges only after the archive is confirmed")
    func peopleAndRetention() async throws {
        try await withDemo { app in
            var hr = try await Browser.signIn(app, "hr", password: Demo.password).0
            let list = try await Self.page(app, &hr, "people?q=10100")
            #expect(list.body.string.contains("101001") && !list.body.string.contains("102001"))
            let e = try #require(try await Employee.query(on: app.db).filter(\.$number == "101002").first())
            let path = "people/\(try e.requireID())"
            _ = try await Self.page(app, &hr, path)
            let noReason = try await Self.form(app, hr, path, [("position", "高级客服专员"), ("reason", "")])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("reason"))
            let badSuperior = try await Self.form(app, hr, path, [("position", "高级客服专员"), ("superior", "999999"), ("reason", "晋升")])
            #expect(badSuperior.status == .unprocessableEntity && badSuperior.body.string.contains("999999"))
            #expect(try await Employee.find(e.id, on: app.db)?.position == e.position)
            let ok = try await Self.form(app, hr, path, [("position", "高级客服专员"), ("superior", "101001"), ("status", "active"), ("reason", "晋升")])
            #expect(ok.status == .ok && ok.body.string.contains("已保存"))
            #expect(try await Employee.find(e.id, on: app.db)?.position == "高级客服专员")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "employee").filter(\.$reason == "晋升").count() == 1)
            // the audit page shows it
            #expect(try await Self.page(app, &hr, "audit?entity=employee").body.string.contains("晋升"))
            // retention
            _ = try await Self.page(app, &hr, "retention")
            let unconfirmed = try await Self.form(app, hr, "retention", [("cutoff", "2024-11")])
            #expect(unconfirmed.status == .badRequest)
            let tooLate = try await Self.form(app, hr, "retention", [("cutoff", "2026-01"), ("archived", "true")])
            #expect(tooLate.status == .badRequest)
            let purged = try await Self.form(app, hr, "retention", [("cutoff", "2024-11"), ("archived", "true")])
            #expect(purged.status == .ok && purged.body.string.contains("已清理"))
            #expect(try await StoredResult.query(on: app.db).count() == 720)
            // HR only
            var lead = try await Browser.signIn(app, "lead11", password: Demo.password).0
            for p in ["people", "audit", "retention", "schemes"] { #expect(try await Self.page(app, &lead, p).status == .forbidden, "\(p)") }
        }
    }

    @Test("homes: the agent's trend and latest result, a total withheld while rated; the lead's sheets to rate; R-001-14 flags as the rule says")
    func homes() async throws {
        try await withDemo { app in
            var agent = try await Browser.signIn(app, "agent1", password: Demo.password).0
            var home = try await Self.page(app, &agent, "")
            #expect(home.body.string.contains("<svg") && home.body.string.contains("近 12 个月总分"))
            let me = try #require(try await User.query(on: app.db).filter(\.$username == "agent1").first())
            let oct = try #require(try await StoredResult.query(on: app.db).filter(\.$employee.$id == me.$employee.id!).filter(\.$period == "2026-10").first())
            #expect(home.body.string.contains("2026-10 成绩：\(oct.total)"))
            // a November cycle: the lead has sheets to rate with their deadline; the agent sees the month being rated, no total
            let hr = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            _ = try await CycleService.open(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: nil, teamIds: nil), user: hr, config: app.config, db: app.db)
            // the first mark re-scores the month: a November result exists but is not shown to the agent
            let version = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").first())
            try await Rescorer.rescore(version, period: "2026-11", on: app.db)
            #expect(try await StoredResult.query(on: app.db).filter(\.$employee.$id == me.$employee.id!).filter(\.$period == "2026-11").first() != nil)
            home = try await Self.page(app, &agent, "")
            #expect(home.body.string.contains("评分中（发布后可见总分）：2026-11"))
            #expect(!home.body.string.contains("2026-11 成绩"))
            var lead = try await Browser.signIn(app, "lead11", password: Demo.password).0
            let leadHome = try await Self.page(app, &lead, "")
            #expect(leadHome.body.string.contains("待我处理的考核表") && leadHome.body.string.contains("2026-11-30"))
            #expect(leadHome.body.string.contains("分数分布"))
            // who needs attention is what the engine's outcome policies stored for the latest published
            // month (R-100-03: R-001-14's lost eligibility, R-000-12's duties …); the page states no rule
            var manager = try await Browser.signIn(app, "manager1", password: Demo.password).0
            let page = try await Self.page(app, &manager, "").body.string
            let dept = try #require(try await Department.query(on: app.db).filter(\.$code == "01").first())
            let people = Set(try await Employee.query(on: app.db).filter(\.$department.$id == dept.requireID()).all().compactMap(\.id))
            let stored = try await OutcomeStore.outcomes(period: "2026-10", employees: people, teams: false, on: app.db)
            let attention = stored.filter(\.needsAttention)
            #expect(!attention.isEmpty, "the demo's month has duties and lost eligibility to show")
            func html(_ t: String) -> String { t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") }
            let flagged = page.components(separatedBy: "<tr>").filter { row in attention.contains { row.contains(html($0.explanation)) } }
            #expect(flagged.count == attention.count, "\(flagged.count) rows for \(attention.count) outcomes")
            for o in attention { #expect(flagged.contains { $0.contains(">\(o.employee!.number)<") && $0.contains(html(o.explanation)) }, "\(o.employee!.number) \(o.explanation)") }
            #expect(attention.allSatisfy { $0.explanation.contains("R-") })
            // and nothing unpublished: November is being rated, so the page's month is October
            #expect(page.contains("2026-10") && !page.contains("2026-11 成绩"))
        }
    }

    @Test("a change re-scores only the person's team, and the stored results equal a re-score of the whole month (team shares included)")
    func teamScopedRescore() async throws {
        try await withDemo { app in
            let version = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").first())
            let e = try #require(try await Employee.query(on: app.db).filter(\.$number == "101003").first())
            // the sales amount feeds 销售订单比重, each one's share of the team's sales: the whole team moves
            let entry = try #require(try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == e.requireID())
                .filter(\.$period == "2026-10").filter(\.$column == "sales_amount").first())
            let before = Dictionary(try await StoredResult.query(on: app.db).filter(\.$period == "2026-10").filter(\.$scheme.$id == version.requireID()).all()
                .map { ($0.$employee.id, $0.json) }, uniquingKeysWith: { a, _ in a })
            entry.value = String((Double(entry.value) ?? 0) * 3 + 100_000)
            try await entry.save(on: app.db)
            let members = try #require(try await Scoring.teams(of: [e.requireID()], on: app.db))
            #expect(members.count == 12)
            try await Rescorer.rescore(version, period: "2026-10", for: [e.requireID()], on: app.db)
            let after = try await StoredResult.query(on: app.db).filter(\.$period == "2026-10").filter(\.$scheme.$id == version.requireID()).all()
            let whole = Dictionary(try await Scoring.score(scheme: version, period: "2026-10", on: app.db).map { ($0.0.id!, try Scoring.json($0.1)) }, uniquingKeysWith: { a, _ in a })
            var changed = 0
            for r in after {
                #expect(r.json == whole[r.$employee.id], "\(r.$employee.id)")
                if r.json != before[r.$employee.id] { changed += 1; #expect(members.contains(r.$employee.id)) }
            }
            #expect(changed > 1)   // not only the person: the team's shares moved
        }
    }
}
