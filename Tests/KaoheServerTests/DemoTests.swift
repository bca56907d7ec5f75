import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

@Suite("Demo company and stored results", .serialized)
struct DemoTests {
    @Test("kaohe serve --demo: 2 departments, 5 teams, 60 employees, 12 months scored; recomputing gives the same numbers")
    func demoCompany() async throws {
        var config = testConfig()
        config.demo = true
        try await withApp(configure: { app in try await configure(app, config) }) { app in
            try await Demo.load(app)
            try await Demo.load(app)   // a second start adds nothing
            let departments = try await Department.query(on: app.db).count()
            let teams = try await Team.query(on: app.db).count()
            let employees = try await Employee.query(on: app.db).count()
            let results = try await StoredResult.query(on: app.db).count()
            #expect(departments == 2 && teams == 5 && employees == 60)
            #expect(results == 60 * 12)
            // recompute a team-month from the stored evidence with the stored scheme version
            let scheme = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").first())
            let again = try await Scoring.score(scheme: scheme, period: "2026-10", on: app.db)
            #expect(again.count == 24)
            for (emp, r) in again {
                let stored = try #require(try await StoredResult.query(on: app.db)
                    .filter(\.$employee.$id == emp.requireID()).filter(\.$period == "2026-10").filter(\.$scheme.$id == scheme.requireID()).first())
                #expect(stored.total == r.total.format(), "\(emp.number)")
                #expect(stored.json == (try Scoring.json(r)))
            }
            // the demo logins are on the login page in demo mode
            try await app.testing().test(.GET, "login") { res in
                #expect(res.body.string.contains("demo1234") && res.body.string.contains("agent1"))
            }
            // and an agent of the demo sees only their own results
            let (b, status) = try await Browser.signIn(app, "agent1", password: Demo.password)
            #expect(status == .seeOther)
            try await app.testing().test(.GET, "api/v1/employees", headers: b.headers) { res in
                let list = try JSONDecoder().decode([[String: String?]].self, from: Data(res.body.string.utf8))
                #expect(list.count == 1)
            }
        }
    }

    @Test func noDemoLoginsOutsideDemoMode() async throws {
        try await withKaohe { app, _ in
            try await app.testing().test(.GET, "login") { res in #expect(!res.body.string.contains("demo1234")) }
        }
    }
}
