import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

@Suite("Permission matrix (issue 4 §6)")
struct AccessMatrixTests {
    let e1 = UUID(), e2 = UUID(), t1 = UUID(), t2 = UUID(), d1 = UUID(), d2 = UUID()

    @Test func eachRoleSeesItsScopeOnly() {
        let mine = Subject(employeeId: e1, teamId: t1, departmentId: d1)
        let teammate = Subject(employeeId: e2, teamId: t1, departmentId: d1)
        let otherTeam = Subject(employeeId: UUID(), teamId: t2, departmentId: d1)
        let otherDept = Subject(employeeId: UUID(), teamId: UUID(), departmentId: d2)
        let agent = Viewer(userId: UUID(), role: .agent, employeeId: e1, teamId: t1, departmentId: d1)
        #expect(Access.canView(agent, mine) && !Access.canView(agent, teammate) && !Access.canView(agent, otherDept))
        let lead = Viewer(userId: UUID(), role: .lead, employeeId: e2, teamId: t1, departmentId: d1)
        #expect(Access.canView(lead, mine) && Access.canView(lead, teammate) && !Access.canView(lead, otherTeam))
        let manager = Viewer(userId: UUID(), role: .manager, departmentId: d1)
        #expect(Access.canView(manager, otherTeam) && !Access.canView(manager, otherDept))
        let hr = Viewer(userId: UUID(), role: .hr)
        #expect(Access.canView(hr, otherDept))
        let qa = Viewer(userId: UUID(), role: .qa, employeeId: e2, teamId: t2, departmentId: d1)
        #expect(Access.canRecordQA(qa) && !Access.canRecordQA(agent) && !Access.canView(qa, mine))
        // nobody records evidence on their own sheet except HR; agents and QA never on others'
        #expect(!Access.canRecordEvidence(lead, teammate.employeeId == lead.employeeId! ? teammate : Subject(employeeId: e2, teamId: t1, departmentId: d1)))
        #expect(Access.canRecordEvidence(lead, mine) && !Access.canRecordEvidence(agent, teammate) && Access.canAdminister(hr) && !Access.canAdminister(manager))
    }
}

@Suite("HTTP: sign-in, sessions, API and permissions", .serialized)
struct HTTPAccessTests {
    @Test func apiNeedsSignInOrToken() async throws {
        try await withKaohe { app, _ in
            try await app.testing().test(.GET, "api/v1/me") { res in
                #expect(res.status == .unauthorized)
                #expect(res.body.string.contains("\"error\""))
            }
        }
    }

    @Test func agentSeesOwnResultsAndGets403ForAnothers() async throws {
        try await withKaohe { app, org in
            let (b, status) = try await Browser.signIn(app, "alice")
            #expect(status == .seeOther)
            try await app.testing().test(.GET, "api/v1/employees/\(org.alice)/results", headers: b.headers) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("88.5"))
                #expect(res.body.string.contains("\"scheme_version\":1"))
            }
            for other in [org.bob, org.carol, org.dave] {
                try await app.testing().test(.GET, "api/v1/employees/\(other)/results", headers: b.headers) { res in
                    #expect(res.status == .forbidden)
                    #expect(!res.body.string.contains("91") && !res.body.string.contains("76"))
                }
                try await app.testing().test(.GET, "employees/\(other)", headers: b.headers) { res in #expect(res.status == .forbidden) }
            }
            try await app.testing().test(.GET, "api/v1/employees", headers: b.headers) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("101001") && !res.body.string.contains("101002"))
            }
            try await app.testing().test(.GET, "api/v1/employees/\(UUID())/results", headers: b.headers) { res in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "api/v1/employees/not-a-uuid/results", headers: b.headers) { res in #expect(res.status == .notFound) }
        }
    }

    @Test func leadManagerAndHRSeeTheirScopes() async throws {
        try await withKaohe { app, org in
            let cases: [(String, [UUID], [UUID])] = [
                ("bob", [org.alice, org.bob], [org.carol, org.dave]),
                ("mgr", [org.alice, org.bob, org.carol], [org.dave]),
                ("hr", [org.alice, org.bob, org.carol, org.dave], []),
                ("carol", [org.carol], [org.alice, org.dave]),
            ]
            for (user, allowed, denied) in cases {
                let (b, _) = try await Browser.signIn(app, user)
                for id in allowed {
                    try await app.testing().test(.GET, "api/v1/employees/\(id)/results", headers: b.headers) { res in #expect(res.status == .ok, "\(user) → \(id)") }
                }
                for id in denied {
                    try await app.testing().test(.GET, "api/v1/employees/\(id)/results", headers: b.headers) { res in #expect(res.status == .forbidden, "\(user) → \(id)") }
                }
            }
        }
    }

    @Test func loginNeedsTheFormsCSRFTokenAndAuditsTheSignIn() async throws {
        try await withKaohe { app, _ in
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "login", headers: headers, body: ByteBuffer(string: "username=hr&password=\(Org.password)")) { res in
                #expect(res.status == .forbidden)
            }
            let (b, status) = try await Browser.signIn(app, "hr")
            #expect(status == .seeOther)
            try await app.testing().test(.GET, "people", headers: b.headers) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("戴夫"))
            }
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "login").all()
            #expect(audit.map(\.actorName) == ["hr"])
            // logout without the token is refused; with it the session ends
            try await app.testing().test(.POST, "logout", headers: b.headers) { res in #expect(res.status == .forbidden) }
            var h = b.headers
            h.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "logout", headers: h, body: ByteBuffer(string: "_csrf=\(b.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")) { res in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.GET, "api/v1/me", headers: b.headers) { res in #expect(res.status == .unauthorized) }
        }
    }

    @Test func signInIssuesANewSessionId() async throws {
        try await withKaohe { app, _ in
            var before = Browser()
            try await app.testing().test(.GET, "login") { res in before.remember(res) }
            #expect(!before.cookie.isEmpty)
            var after = before
            var h = before.headers
            h.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "login", headers: h,
                                         body: ByteBuffer(string: "_csrf=\(before.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&username=hr&password=\(Org.password)")) { res in
                #expect(res.status == .seeOther)
                after.remember(res)
            }
            #expect(after.cookie != before.cookie)
            try await app.testing().test(.GET, "api/v1/me", headers: after.headers) { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "api/v1/me", headers: before.headers) { res in #expect(res.status == .unauthorized) }
        }
    }

    @Test func failedSignInsAreThrottled() async throws {
        try await withKaohe { app, _ in
            for _ in 0..<5 {
                let (_, status) = try await Browser.signIn(app, "alice", password: "wrong")
                #expect(status == .unauthorized)
            }
            let (_, status) = try await Browser.signIn(app, "alice")
            #expect(status == .tooManyRequests)
            let (_, other) = try await Browser.signIn(app, "bob")
            #expect(other == .seeOther)
        }
    }

    @Test func apiTokensAuthenticateAndBadBodiesAre400() async throws {
        try await withKaohe { app, org in
            let (b, _) = try await Browser.signIn(app, "mgr")
            var h = b.headers
            h.contentType = .json
            try await app.testing().test(.POST, "api/v1/tokens", headers: h, body: ByteBuffer(string: "{\"name\": ")) { res in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.POST, "api/v1/tokens", headers: h, body: ByteBuffer(string: "{\"nam\": \"x\"}")) { res in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("name"))
            }
            var token = ""
            try await app.testing().test(.POST, "api/v1/tokens", headers: h, body: ByteBuffer(string: "{\"name\": \"报表系统\"}")) { res in
                #expect(res.status == .created)
                token = (try? JSONDecoder().decode([String: String].self, from: Data(res.body.string.utf8)))?["token"] ?? ""
            }
            #expect(token.count >= 40)
            let stored = try await UserToken.query(on: app.db).all()
            #expect(stored.count == 1 && stored[0].tokenHash != token)
            try await app.testing().test(.GET, "api/v1/employees/\(org.carol)/results", headers: ["Authorization": "Bearer \(token)"]) { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "api/v1/employees/\(org.dave)/results", headers: ["Authorization": "Bearer \(token)"]) { res in #expect(res.status == .forbidden) }
            try await app.testing().test(.GET, "api/v1/me", headers: ["Authorization": "Bearer nope"]) { res in #expect(res.status == .unauthorized) }
        }
    }

    @Test func securityHeadersAndCookieFlags() async throws {
        try await withKaohe { app, _ in
            try await app.testing().test(.GET, "login") { res in
                #expect(res.headers.first(name: "X-Frame-Options") == "DENY")
                #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(res.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
                // before sign-in only the pre-session CSRF cookie, no session (issue 13)
                let cookie = res.headers[.setCookie].joined()
                #expect(cookie.contains("kaohe_pre=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                #expect(!cookie.contains("kaohe_session"))
            }
            var b = Browser()
            try await app.testing().test(.GET, "login") { res in b.remember(res) }
            var h = b.headers
            h.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "login", headers: h,
                                         body: ByteBuffer(string: "_csrf=\(b.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&username=hr&password=\(Org.password)")) { res in
                let cookie = res.headers[.setCookie].joined()
                #expect(cookie.contains("kaohe_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            }
            try await app.testing().test(.GET, "api/v1/openapi.json") { res in
                #expect(res.status == .ok && res.body.string.contains("\"openapi\""))
            }
        }
    }

    @Test func firstStartCreatesOneAdministratorOnce() async throws {
        try await withApp(configure: { app in try await configure(app, testConfig()) }) { app in
            let pw = try await Accounts.ensureAdministrator(app)
            #expect(pw?.count == 16)
            let again = try await Accounts.ensureAdministrator(app)
            #expect(again == nil)
            let admin = try #require(try await User.query(on: app.db).filter(\.$username == "admin").first())
            #expect(admin.role == .hr && admin.mustChangePassword)
            #expect(try app.password.verify(pw!, created: admin.passwordHash))
        }
    }
}
