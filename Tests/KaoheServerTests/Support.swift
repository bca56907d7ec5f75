import Fluent
import KaoheCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

/// A small organisation for permission tests: two departments, three teams, agents, a lead,
/// a manager, a QA inspector and HR; one stored result per agent.
struct Org {
    var deptA: UUID, deptB: UUID
    var team1: UUID, team2: UUID, team3: UUID
    var alice: UUID, bob: UUID, carol: UUID, dave: UUID
    static let password = "pass-1234"
}

func testConfig() -> AppConfig {
    var c = AppConfig(database: .memory)
    c.bcryptCost = 4
    return c
}

func withKaohe(_ config: AppConfig = testConfig(), _ test: (Application, Org) async throws -> Void) async throws {
    try await withApp(configure: { app in try await configure(app, config) }) { app in
        let org = try await seed(app)
        try await test(app, org)
    }
}

func seed(_ app: Application) async throws -> Org {
    let db = app.db
    let a = Department(name: "客服一部", code: "01"), b = Department(name: "客服二部", code: "02")
    try await a.save(on: db); try await b.save(on: db)
    let t1 = Team(name: "一组", departmentId: try a.requireID()), t2 = Team(name: "二组", departmentId: try a.requireID()), t3 = Team(name: "三组", departmentId: try b.requireID())
    for t in [t1, t2, t3] { try await t.save(on: db) }
    func emp(_ n: String, _ name: String, _ d: Department, _ t: Team) async throws -> Employee {
        let e = Employee(number: n, name: name, position: "客服专员", hireDate: "2025-03-01", departmentId: try d.requireID(), teamId: try t.requireID())
        try await e.save(on: db)
        return e
    }
    let alice = try await emp("101001", "艾丽", a, t1), bob = try await emp("101002", "鲍勃", a, t1)
    let carol = try await emp("101003", "卡萝", a, t2), dave = try await emp("102001", "戴夫", b, t3)
    let hash = try app.password.hash(Org.password)
    let users: [User] = [
        User(username: "alice", displayName: "艾丽", passwordHash: hash, role: .agent, employeeId: alice.id, teamId: t1.id, departmentId: a.id),
        User(username: "bob", displayName: "鲍勃", passwordHash: hash, role: .lead, employeeId: bob.id, teamId: t1.id, departmentId: a.id),
        User(username: "carol", displayName: "卡萝", passwordHash: hash, role: .qa, employeeId: carol.id, teamId: t2.id, departmentId: a.id),
        User(username: "mgr", displayName: "经理", passwordHash: hash, role: .manager, departmentId: a.id),
        User(username: "hr", displayName: "人事", passwordHash: hash, role: .hr),
    ]
    for u in users { try await u.save(on: db) }
    let scheme = SchemeVersion(key: "ecommerce-monthly", version: 1, name: "电商客服月绩效考核表", text: "id: x", preset: "ecommerce-monthly", departmentId: nil, createdBy: nil)
    try await scheme.save(on: db)
    // one locked (counted) result each, typed as the engine writes it
    let engine = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
    for (e, total) in [(alice, "88.5"), (bob, "91"), (carol, "76"), (dave, "69.5")] {
        var r = engine.scoreAll([ScoringRow(employee: e.number, period: "2026-10", team: nil, values: try engine.evidence([:]))])[0]
        r.total = Fixed(total)!
        try await StoredResult(employeeId: try e.requireID(), schemeId: try scheme.requireID(), period: "2026-10", total: total, grade: nil,
                               json: try Scoring.json(r), status: .locked).save(on: db)
    }
    return Org(deptA: try a.requireID(), deptB: try b.requireID(), team1: try t1.requireID(), team2: try t2.requireID(), team3: try t3.requireID(),
               alice: try alice.requireID(), bob: try bob.requireID(), carol: try carol.requireID(), dave: try dave.requireID())
}

/// A browser-like session: keeps the cookie and the page's CSRF token.
struct Browser {
    var cookie: String = ""
    var csrf: String = ""

    static func csrf(in html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.prefix { $0 != "\"" }.description
    }

    mutating func remember(_ res: TestingHTTPResponse) {
        // the session cookie once signed in; before that the pre-session CSRF cookie (AnonymousSessions)
        if let c = res.headers.setCookie?["kaohe_session"] { cookie = "kaohe_session=\(c.string)" }
        else if cookie.isEmpty, let c = res.headers.setCookie?[PreSession.cookie] { cookie = "\(PreSession.cookie)=\(c.string)" }
        if let t = Self.csrf(in: res.body.string) { csrf = t }
    }

    /// The cookie, and the page's CSRF token as the header a script sends with API calls
    /// (APIAuthenticator: a session call that changes something must carry it).
    var headers: HTTPHeaders {
        var h: HTTPHeaders = cookie.isEmpty ? [:] : ["Cookie": cookie]
        if !csrf.isEmpty && cookie.hasPrefix("kaohe_session=") { h.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
        return h
    }

    /// Signs in through the login form; returns the response status of the POST.
    static func signIn(_ app: Application, _ user: String, password: String = Org.password) async throws -> (Browser, HTTPStatus) {
        var b = Browser()
        try await app.testing().test(.GET, "login") { res in b.remember(res) }
        var status = HTTPStatus.ok
        let form = "_csrf=\(b.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&username=\(user)&password=\(password)"
        var headers = b.headers
        headers.contentType = .urlEncodedForm
        try await app.testing().test(.POST, "login", headers: headers, body: ByteBuffer(string: form)) { res in
            status = res.status
            b.remember(res)
        }
        // the session has its own CSRF token, made after sign-in: read it from a page
        if status == .seeOther {
            let h = b.headers
            try await app.testing().test(.GET, "account/password", headers: h) { res in b.remember(res) }
        }
        return (b, status)
    }
}

extension Browser {
    /// A form posted as the browser posts it, with the page's CSRF token.
    func post(_ app: Application, _ path: String, _ fields: [(String, String)]) async throws -> TestingHTTPResponse {
        var h = headers
        h.contentType = .urlEncodedForm
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.")
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        let body = ([("_csrf", csrf)] + fields).map { "\(enc($0.0))=\(enc($0.1))" }.joined(separator: "&")
        return try await app.testing().sendRequest(.POST, path, headers: h, body: ByteBuffer(string: body))
    }

    /// A page opened as the browser opens it: its cookie and CSRF token remembered.
    mutating func open(_ app: Application, _ path: String) async throws -> TestingHTTPResponse {
        let res = try await app.testing().sendRequest(.GET, path, headers: headers)
        remember(res)
        return res
    }
}

/// Marks a month's results of a scheme as published — what publishing its cycle does (the cycle
/// and spine tests cover that flow through HTTP) — and computes the month's outcomes.
func publishResults(_ app: Application, _ key: String, _ period: String) async throws {
    let ids = try await SchemeVersion.query(on: app.db).filter(\.$key == key).all().compactMap(\.id)
    try await StoredResult.query(on: app.db).filter(\.$scheme.$id ~~ ids).filter(\.$period == period)
        .set(\.$status, to: .published).update()
    try await Rescorer.outcomes(key: key, from: period, on: app.db)
}

/// The demo company (`kaohe serve --demo`) in memory.
func withDemoCompany(_ adjust: (inout AppConfig) -> Void = { _ in }, _ test: (Application) async throws -> Void) async throws {
    var config = testConfig()
    config.demo = true
    adjust(&config)
    try await withApp(configure: { app in try await configure(app, config) }) { app in
        try await Demo.load(app)
        try await test(app)
    }
}
