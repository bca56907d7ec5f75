import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

@Suite("HR: audit trail, retention, passwords", .serialized)
struct AdminTests {
    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    @Test("R-004-03: HR views and exports the audit trail; others get 403")
    func auditTrail() async throws {
        try await withKaohe { app, _ in
            _ = try await Browser.signIn(app, "alice")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "api/v1/audit", headers: hr.headers) { res in
                #expect(res.status == .ok)
                let list = try JSONDecoder().decode([[String: String?]].self, from: Data(res.body.string.utf8))
                #expect(list.filter { $0["action"] == "login" }.count == 2)
                #expect(list.first?["actor"] == "hr")   // newest first
            }
            try await app.testing().test(.GET, "api/v1/audit.csv", headers: hr.headers) { res in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.subType == "csv")
                #expect(res.body.string.hasPrefix("at,actor,action,entity,entity_id,before,after,reason\n"))
                #expect(res.body.string.contains(",alice,login,user,alice,"))
            }
            let (agent, _) = try await Browser.signIn(app, "alice")
            for path in ["api/v1/audit", "api/v1/audit.csv", "api/v1/retention", "api/v1/retention/archive"] {
                try await app.testing().test(.GET, path, headers: agent.headers) { res in
                    #expect(res.status == .forbidden, "\(path)")
                    #expect(!res.body.string.contains("login"))
                }
            }
        }
    }

    @Test("R-000-07: records past two years are listed, archived, then purged by HR; purging is audited")
    func retention() async throws {
        var c = testConfig()
        c.currentMonth = "2026-11"   // cutoff 2024-11
        try await withKaohe(c) { app, org in
            let scheme = try #require(try await SchemeVersion.query(on: app.db).first())
            try await StoredResult(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2024-10", total: "80", grade: nil, json: "{}").save(on: app.db)
            try await EvidenceEntry(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2024-10", column: "orders", value: "18", recordedBy: nil).save(on: app.db)
            try await StoredResult(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2024-11", total: "81", grade: nil, json: "{}").save(on: app.db)
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "api/v1/retention", headers: hr.headers) { res in
                #expect(res.body.string.contains("\"cutoff\":\"2024-11\""))
                #expect(res.body.string.contains("\"results\":1") && res.body.string.contains("\"evidence\":1"))
            }
            try await app.testing().test(.GET, "api/v1/retention/archive", headers: hr.headers) { res in
                #expect(res.body.string.contains("\"period\":\"2024-10\"") && !res.body.string.contains("\"period\":\"2024-11\""))
            }
            var h = hr.headers
            h.contentType = .json
            for (body, why) in [("{\"cutoff\": \"2024-11\", \"archived\": false}", "archived"),
                                ("{\"cutoff\": \"2025-06\", \"archived\": true}", "2025-06"),
                                ("{\"cutoff\": \"2024-13\", \"archived\": true}", "YYYY-MM"),
                                ("{\"archived\": true}", "cutoff")] {
                try await app.testing().test(.POST, "api/v1/retention/purge", headers: h, body: ByteBuffer(string: body)) { res in
                    #expect(res.status == .badRequest, "\(body)")
                    #expect(res.body.string.contains(why), "\(res.body.string)")
                }
            }
            let before = try await StoredResult.query(on: app.db).count()
            #expect(before == 6)
            try await app.testing().test(.POST, "api/v1/retention/purge", headers: h, body: ByteBuffer(string: "{\"cutoff\": \"2024-11\", \"archived\": true}")) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"results\":1"))
            }
            let after = try await StoredResult.query(on: app.db).count()
            let evidence = try await EvidenceEntry.query(on: app.db).count()
            #expect(after == 5 && evidence == 0)
            let purge = try await AuditEntry.query(on: app.db).filter(\.$action == "purge").all()
            #expect(purge.count == 1 && purge[0].actorName == "hr" && purge[0].before?.hasPrefix("evidence=1 results=1 ") == true)
        }
    }

    @Test("a first-start password must be changed before anything else")
    func mustChangePassword() async throws {
        try await withApp(configure: { app in try await configure(app, testConfig()) }) { app in
            let pw = try #require(try await Accounts.ensureAdministrator(app))
            let (b, status) = try await Browser.signIn(app, "admin", password: pw)
            #expect(status == .seeOther)
            try await app.testing().test(.GET, "", headers: b.headers) { res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/account/password")
            }
            var h = b.headers
            h.contentType = .urlEncodedForm
            let csrf = Self.enc(b.csrf)
            for (form, status) in [("current=nope&new=longenough1&confirm=longenough1", HTTPStatus.badRequest),
                                   ("current=\(pw)&new=short&confirm=short", .badRequest),
                                   ("current=\(pw)&new=longenough1&confirm=longenough2", .badRequest),
                                   ("current=\(pw)&new=longenough1&confirm=longenough1", .seeOther)] {
                try await app.testing().test(.POST, "account/password", headers: h, body: ByteBuffer(string: "_csrf=\(csrf)&" + form)) { res in
                    #expect(res.status == status, "\(form)")
                }
            }
            try await app.testing().test(.GET, "", headers: b.headers) { res in #expect(res.status == .ok) }
            let admin = try #require(try await User.query(on: app.db).filter(\.$username == "admin").first())
            #expect(!admin.mustChangePassword)
            #expect(try app.password.verify("longenough1", created: admin.passwordHash))
            let changed = try await AuditEntry.query(on: app.db).filter(\.$after == "password changed").count()
            #expect(changed == 1)
        }
    }
}

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every /api/v1 route is documented, with its method")
    func everyRouteDocumented() async throws {
        try await withKaohe { app, _ in
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.utf8)) as? [String: Any])
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            for route in app.routes.all {
                let parts = route.path.map { c -> String in
                    if case .parameter(let p) = c { return "{\(p)}" }
                    return c.description
                }
                guard parts.starts(with: ["api", "v1"]), parts.count > 2 else { continue }
                let path = "/" + parts.joined(separator: "/")
                if path == "/api/v1/openapi.json" { continue }
                let methods = paths[path]
                #expect(methods != nil, "\(path) is not documented")
                #expect(methods?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is not documented")
            }
        }
    }
}
