import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// The cycle's pages work with plain forms: HR opens a cycle, the agent self-assesses, the lead
/// rates (a stale form is refused with who changed it), the pages show totals and explanations.
@Suite("Cycle pages (forms without scripts)", .serialized)
struct CyclePageTests {
    static func form(_ app: Application, _ b: Browser, _ path: String, _ fields: [(String, String)], _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        try await check(try await b.post(app, path, fields))
    }

    @Test("HR opens a cycle from the page; alice self-assesses; bob rates; a stale form is refused")
    func pages() async throws {
        try await withKaohe { app, org in
            let alice = try #require(try await Employee.find(org.alice, on: app.db))
            alice.superiorId = org.bob
            try await alice.save(on: app.db)
            _ = try await EvidenceTests.preset(app, "online-shop-cs")
            CycleFlowTests.today(app, "2026-10-28")
            var (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "cycles", headers: hr.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("发起考核"))
                hr.remember(res)
            }
            try await Self.form(app, hr, "cycles", [("scheme", "online-shop-cs"), ("period", "2026-10"), ("department", org.deptA.uuidString)]) { res in
                #expect(res.status == .ok && res.body.string.contains("已下发 3 张") && res.body.string.contains("2026-10-30"), "\(res.body.string)")
            }
            let sheetId = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.alice).first()?.id)
            var (a, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.GET, "sheets", headers: a.headers) { res in
                #expect(res.body.string.contains("/sheets/\(sheetId)") && res.body.string.contains("自评") && res.body.string.contains("考核表待填写"))
            }
            try await app.testing().test(.GET, "sheets/\(sheetId)", headers: a.headers) { res in
                #expect(res.body.string.contains("提交自评") && res.body.string.contains("name=\"v.task_completion.self\""))
                a.remember(res)
            }
            try await Self.form(app, a, "sheets/\(sheetId)", [("version", "1"), ("action", "submit_self"), ("v.task_completion.self", "80"),
                                                               ("reason", "")]) { res in
                #expect(res.status == .seeOther, "\(res.body.string)")
            }
            var (bob, _) = try await Browser.signIn(app, "bob")
            var version = ""
            try await app.testing().test(.GET, "sheets/\(sheetId)", headers: bob.headers) { res in
                let html = res.body.string
                #expect(html.contains("上级评分") && html.contains("提交评分") && html.contains("依据与计算") && html.contains("R-000-"))
                // the history in words and the company's time (issue 17 §3): 提交自评, 自评 → 上级评分, 2026-… 16:54
                #expect(html.contains("<td>提交自评</td>") && html.contains("<td>自评 → 上级评分</td>") && !html.contains(">submit_self<"), "\(html.suffix(900))")
                #expect(html.contains(#/<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>/#) && !html.contains(#/\d{2}:\d{2}:\d{2}Z/#), "\(html.suffix(900))")
                if let r = html.range(of: "name=\"version\" value=\"") { version = String(html[r.upperBound...].prefix { $0 != "\"" }) }
                bob.remember(res)
            }
            try await Self.form(app, bob, "sheets/\(sheetId)", [("version", version), ("action", "save"), ("v.report_quality.manager", "4")]) { res in
                #expect(res.status == .seeOther)
            }
            // the same (now stale) form again: refused on the page, naming who changed the sheet
            try await Self.form(app, bob, "sheets/\(sheetId)", [("version", version), ("action", "submit_rating"), ("v.report_quality.manager", "5")]) { res in
                #expect(res.status == .conflict && res.body.string.contains("鲍勃") && res.body.string.contains("role=\"alert\""))
            }
            // an agent has no cycles page
            try await app.testing().test(.GET, "cycles", headers: a.headers) { res in #expect(res.status == .forbidden) }
        }
    }
}
