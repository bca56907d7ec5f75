import Fluent
import Foundation
import SnapshotTesting
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

/// Every page of the demo company as each role receives it (DESIGN.md: HTML snapshots per page
/// and role). The snapshot holds the status and the HTML, one tag to a line, so a changed figure
/// (2500 % where 25 % was) shows as one changed line in the diff. What differs between runs —
/// ids, CSRF tokens, clock times — is replaced by placeholders; the figures a person reads stay.
///
/// A changed page fails here; when the change is meant, re-record with
/// `KAOHE_RECORD_SNAPSHOTS=1 swift test --filter PageSnapshotTests` and read the diff before committing.
@Suite("Page snapshots, per role", .serialized)
struct PageSnapshotTests {
    /// The roles of the demo company (Demo.logins) and the pages each is shown, or refused.
    static let roles = ["hr", "manager1", "lead11", "qa1", "agent1"]

    @Test("every page, for every role, in 简体中文", arguments: roles)
    func pages(role: String) async throws {
        try await withDemoCompany({ $0.today = "2026-11-20"; $0.currentMonth = "2026-11" }) { app in
            let paths = try await Self.paths(app)
            let (browser, status) = try await Browser.signIn(app, role, password: Demo.password)
            #expect(status == .seeOther, "\(role) signs in")
            for (name, path) in paths {
                var headers = browser.headers
                headers.replaceOrAdd(name: "Accept-Language", value: "zh-CN")
                try await app.testing().test(.GET, path, headers: headers) { res in
                    let page = "HTTP \(res.status.code)\n" + Self.normalise(res.body.string)
                    withSnapshotTesting(record: Self.record) {
                        assertSnapshot(of: page, as: .lines, named: "\(role)-\(name)", testName: "pages")
                    }
                }
            }
        }
    }

    @Test("the sign-in page, before anyone signs in")
    func login() async throws {
        try await withDemoCompany({ $0.today = "2026-11-20"; $0.currentMonth = "2026-11" }) { app in
            try await app.testing().test(.GET, "login", headers: ["Accept-Language": "zh-CN"]) { res in
                #expect(res.status == .ok)
                withSnapshotTesting(record: Self.record) {
                    assertSnapshot(of: "HTTP \(res.status.code)\n" + Self.normalise(res.body.string), as: .lines, named: "anonymous-login", testName: "pages")
                }
            }
        }
    }

    static var record: SnapshotTestingConfiguration.Record {
        ProcessInfo.processInfo.environment["KAOHE_RECORD_SNAPSHOTS"] == "1" ? .all : .never
    }

    /// The pages, with the ids of the demo's records chosen the same way each run: the latest
    /// cycle of 售前一组's scheme, agent1's latest sheet and their person page, a scheme, one
    /// report of each kind.
    static func paths(_ app: Application) async throws -> [(String, String)] {
        let agent = try #require(try await User.query(on: app.db).filter(\.$username == "agent1").first())
        let employee = try #require(agent.$employee.id)
        let sheet = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == employee).join(Cycle.self, on: \Sheet.$cycle.$id == \Cycle.$id)
            .sort(Cycle.self, \.$period, .descending).first())
        let cycle = sheet.$cycle.id
        let key = try #require(try await SchemeVersion.query(on: app.db).sort(\.$key).first()).key
        var paths: [(String, String)] = [
            ("home", "/"), ("sheets", "/sheets"), ("sheet", "/sheets/\(try sheet.requireID())"),
            ("employee", "/employees/\(employee)"), ("password", "/account/password"), ("tokens", "/account/tokens"),
            ("cycles", "/cycles"), ("calibration", "/cycles/\(cycle)/calibration"),
            ("people", "/people"), ("person", "/people/\(employee)"), ("audit", "/audit"), ("retention", "/retention"),
            ("schemes", "/schemes"), ("scheme", "/schemes/\(key)"), ("imports", "/imports"), ("qa", "/qa"), ("reports", "/reports"),
        ]
        for form in ExportService.Form.allCases { paths.append(("report-\(form.rawValue)", "/reports/\(form.rawValue)?period=2026-10")) }
        return paths
    }

    /// One tag to a line; ids, tokens and clock times as placeholders (each distinct id keeps its
    /// own number within the page, so a link to the wrong record still shows).
    static func normalise(_ html: String) -> String {
        var s = html
        s = s.replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: #"name="_csrf" value="CSRF""#, options: .regularExpression)
        s = s.replacingOccurrences(of: #"<meta name="csrf-token" content="[^"]*""#, with: #"<meta name="csrf-token" content="CSRF""#, options: .regularExpression)
        s = s.replacingOccurrences(of: #"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"#, with: "TIME", options: .regularExpression)
        var ids: [String: Int] = [:]
        let uuid = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/
        s = s.replacing(uuid) { m in
            let k = m.output.lowercased()
            if ids[k] == nil { ids[k] = ids.count + 1 }
            return "ID\(ids[k]!)"
        }
        return s.replacingOccurrences(of: "><", with: ">\n<")
    }
}
