import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

@Suite("Demo company and stored results", .serialized)
struct DemoTests {
    @Test("the demo's stored outcomes for October are what kaohe score computes from its published evidence, written out as a CSV (R-100-03)")
    func demoOutcomesEqualTheCLI() async throws {
        var config = testConfig()
        config.demo = true
        try await withApp(configure: { app in try await configure(app, config) }) { app in
            try await Demo.load(app)
            var compared = 0
            for v in try await SchemeVersion.query(on: app.db).all() {
                let key = v.key
                let engine = try Scoring.engine(v)
                // the published months' evidence as the CSV a user would hand to `kaohe score`
                let people = Dictionary(try await Employee.query(on: app.db).with(\.$team).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
                var rows: [String: [String: String]] = [:]
                for e in try await EvidenceEntry.query(on: app.db).filter(\.$scheme.$id == v.requireID()).all() {
                    let p = people[e.$employee.id]!
                    rows["\(p.number)|\(e.period)|\(p.team?.name ?? "")", default: [:]][e.column] = e.value
                }
                let columns = engine.inputs.map(\.column)
                var csv = "employee_id,period,team," + columns.joined(separator: ",") + "\n"
                for (k, values) in rows.sorted(by: { $0.key < $1.key }) {
                    csv += k.split(separator: "|", omittingEmptySubsequences: false).joined(separator: ",") + "," + columns.map { values[$0] ?? "" }.joined(separator: ",") + "\n"
                }
                let read = try EvidenceCSV.read(Data(csv.utf8), file: "\(key).csv", engine: engine)
                let policies = try OutcomeEngine(engine: engine)
                if policies.isEmpty { continue }
                var records: [OutcomeRecord] = []
                engine.scoreAll(read) { r, values in if let rec = policies.record(r, values: values) { records.append(rec) } }
                let cli = Set(policies.evaluate(records, asOf: MonthIndex("2026-10")).outcomes.map { o -> String in
                    let s = o.value.stored
                    return "\(o.employeeId) \(o.kind) \(s.text) \(o.rules.joined(separator: ",")) \(o.explanation)"
                })
                let stored = Set(try await OutcomeStore.outcomes(period: "2026-10", key: key, teams: false, on: app.db).map {
                    "\($0.employee!.number) \($0.kind) \($0.value) \($0.rules) \($0.explanation)"
                })
                // (a scheme whose policies flag nobody this month compares two empty sets; the total below is not 0)
                #expect(stored == cli, "\(key): stored \(stored.subtracting(cli).sorted().prefix(3)) cli \(cli.subtracting(stored).sorted().prefix(3))")
                compared += stored.count
            }
            #expect(compared > 60)
        }
    }

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
