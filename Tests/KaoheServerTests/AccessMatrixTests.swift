import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

// Issue 13 (5): the access matrix as a test.
//
// The requests are generated, not listed: every path × method of the OpenAPI document served at
// /api/v1/openapi.json (so a route documented tomorrow is walked tomorrow — OpenAPITests keeps
// every /api/v1 route documented) and every GET route of the router outside /api (the pages).
// Path parameters are filled from the fixture by the collection they follow (`employees/{id}`:
// alice and carol of 客服一部, dave of 客服二部; `sheets/{id}`, `cycles/{id}` … likewise), enum
// parameters from the document's enum; some routes get query variants (department=客服二部, a
// period, format=csv so that an export's text can be searched) and writes get a body built for
// the route so that the access check, not the validation, answers.
//
// Each request is sent by every caller: anonymous, a deactivated account, a read-only token,
// alice (agent), carol (QA), bob (lead of 一组), mgr (manager of 客服一部) and HR. Every problem
// over the whole matrix is collected and reported in one `#expect`, so one run shows every leak.

enum Matrix {
    /// The matrix runs on 3 November 2026: every October deadline has passed (overdue lists are full).
    static func config() -> AppConfig {
        var c = testConfig()
        c.today = "2026-11-03"
        return c
    }

    // MARK: HTTP helpers

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json: String? = nil) async throws -> TestingHTTPResponse {
        var h = headers
        if json != nil { h.contentType = .json }
        return try await app.testing().sendRequest(method, path, headers: h, body: json.map { ByteBuffer(string: $0) })
    }

    static func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

    /// A session's API write: the cookie and the page's CSRF token in `X-CSRF-Token`.
    static func sessionHeaders(_ b: Browser) -> HTTPHeaders {
        var h = b.headers
        h.replaceOrAdd(name: "X-CSRF-Token", value: b.csrf)
        return h
    }

    static func object(_ res: TestingHTTPResponse) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(res.body.readableBytesView))) as? [String: Any]) ?? [:]
    }

    static func uuid(in res: TestingHTTPResponse, _ key: String = "id") -> UUID? {
        (object(res)[key] as? String).flatMap(UUID.init(uuidString:))
    }

    /// Signs in through the form and reads a page, so that the browser holds the session's CSRF token.
    static func session(_ app: Application, _ user: String) async throws -> Browser {
        let (signedIn, status) = try await Browser.signIn(app, user)
        #expect(status == .seeOther, "sign-in of \(user) → \(status.code)")
        var b = signedIn
        let page = try await app.testing().sendRequest(.GET, "/account/password", headers: b.headers)
        b.remember(page)
        return b
    }

    /// `POST /api/v1/tokens` from a signed-in session (a bearer token may not mint tokens).
    static func mint(_ app: Application, _ b: Browser, name: String, scope: String = "write") async throws -> (id: UUID, token: String) {
        let res = try await send(app, .POST, "/api/v1/tokens", headers: sessionHeaders(b), json: #"{"name":"\#(name)","scope":"\#(scope)","expires_days":30}"#)
        #expect(res.status == .created, "token “\(name)” → \(res.status.code): \(res.body.string)")
        let o = object(res)
        let granted = o["scope"] as? String
        #expect(granted == scope, "token “\(name)”: \(res.body.string)")
        let token = try #require(o["token"] as? String, "token “\(name)”: \(res.body.string)")
        let id = try #require(uuid(in: res), "token “\(name)” has no id: \(res.body.string)")
        return (id, token)
    }

    // MARK: the fixture

    /// Support.seed's two departments, with data in both: deptB gets a manager (mgr2, 韦伯) and an
    /// account for dave; an evidence import per department, events (praise and fines: the pay
    /// ledger), a cycle per department and a company-wide one, rated sheets (calibration), a
    /// finding per department; a lead of 二组 whose account is deactivated; sessions and tokens.
    struct Fixture {
        var org: Org
        var hrUser: UUID, mgrUser: UUID, mgr2: UUID, daveUser: UUID, gone: UUID
        var cycleA: UUID, cycleB: UUID, cycleAll: UUID
        var sheetAlice: UUID, sheetBob: UUID, sheetCarol: UUID, sheetDave: UUID
        var sheetAliceAll: UUID, sheetBobAll: UUID, sheetCarolAll: UUID, sheetDaveAll: UUID
        var eventA: UUID, eventB: UUID
        var batchA: UUID, batchB: UUID
        var findingA: UUID, findingB: UUID
        /// Tokens the matrix may delete: mgr's and mgr2's spares.
        var spareA: UUID, spareB: UUID
        var sessions: [String: Browser]
        /// Bearer secrets by user name; "hr-read" is HR's read-only token.
        var tokens: [String: String]
    }

    static let header = "employee_id,name,period,satisfaction,response_time,quality,attitude,workload_rate\n"
    static let rowsA = header + "101001,艾丽,2026-10,91,25,18,13,100\n"
    static let rowsB = header + "102001,戴夫,2026-10,71,60,12,10,70\n"

    static func build(_ app: Application, _ org: Org) async throws -> Fixture {
        let db = app.db
        let hash = try app.password.hash(Org.password)
        let mgr2 = User(username: "mgr2", displayName: "韦伯", passwordHash: hash, role: .manager, departmentId: org.deptB)
        let dave = User(username: "dave", displayName: "戴夫", passwordHash: hash, role: .agent, employeeId: org.dave, teamId: org.team3, departmentId: org.deptB)
        let gone = User(username: "gone", displayName: "离任组长", passwordHash: hash, role: .lead, teamId: org.team2, departmentId: org.deptA)
        for u in [mgr2, dave, gone] { try await u.save(on: db) }
        func account(_ name: String) async throws -> UUID {
            try #require(try await User.query(on: db).filter(\.$username == name).first()?.id, "no account \(name)")
        }
        let hrUser = try await account("hr"), mgrUser = try await account("mgr")
        _ = try await EvidenceTests.preset(app, "callcentre-agent")
        _ = try await EvidenceTests.preset(app, "weighted-template")

        var sessions: [String: Browser] = [:], tokens: [String: String] = [:]
        let tokenNames = [("alice", "艾丽的令牌"), ("carol", "卡萝的令牌"), ("bob", "鲍勃的令牌"), ("mgr", "经理的令牌"), ("hr", "人事的令牌"),
                          ("mgr2", "韦伯的令牌"), ("gone", "离任组长的令牌")]
        for (user, name) in tokenNames {
            let b = try await session(app, user)
            sessions[user] = b
            tokens[user] = try await mint(app, b, name: name).token
        }
        let hrSession = try #require(sessions["hr"]), mgrSession = try #require(sessions["mgr"]), mgr2Session = try #require(sessions["mgr2"])
        tokens["hr-read"] = try await mint(app, hrSession, name: "人事只读", scope: "read").token
        let spareA = try await mint(app, mgrSession, name: "经理备用").id
        let spareB = try await mint(app, mgr2Session, name: "韦伯备用").id
        let hr = bearer(try #require(tokens["hr"]))

        // results: an evidence import per department (each a batch that can be reverted)
        func importFile(_ file: String, _ csv: String) async throws -> UUID {
            var h = hr
            h.contentType = HTTPMediaType(type: "text", subType: "csv")
            let res = try await app.testing().sendRequest(.POST, "/api/v1/imports/evidence?scheme=weighted-template&file=\(file)&dry_run=false",
                                                          headers: h, body: ByteBuffer(string: csv))
            #expect(res.status == .ok, "import \(file): \(res.body.string)")
            return try #require(try await ImportRecord.query(on: db).filter(\.$fileName == file).first()?.id, "no import \(file)")
        }
        let batchA = try await importFile("matrix-a.csv", rowsA + "101002,鲍勃,2026-10,85,45,14,12,80\n101003,卡萝,2026-10,80,30,15,12,90\n")
        let batchB = try await importFile("matrix-b.csv", rowsB)

        // pay: praise and fines (callcentre-agent's money lines, the ledger) in both departments
        func event(_ e: UUID, _ column: String, _ day: String) async throws -> UUID {
            let res = try await send(app, .POST, "/api/v1/events", headers: hr,
                                     json: #"{"employee_id":"\#(e)","scheme":"callcentre-agent","column":"\#(column)","occurred_on":"\#(day)","note":"矩阵测试"}"#)
            #expect(res.status == .created, "event \(column): \(res.body.string)")
            return try #require(uuid(in: res), "event \(column): \(res.body.string)")
        }
        let eventA = try await event(org.alice, "praise.phone", "2026-10-12")
        _ = try await event(org.carol, "agent_fines.leave_post", "2026-10-13")
        let eventB = try await event(org.dave, "praise.phone", "2026-10-12")
        _ = try await event(org.dave, "agent_fines.leave_post", "2026-10-14")

        // sheets: a cycle per department and a company-wide one
        func openCycle(_ body: String) async throws -> UUID {
            let res = try await send(app, .POST, "/api/v1/cycles", headers: hr, json: body)
            #expect(res.status == .created, "cycle \(body): \(res.body.string)")
            return try #require(uuid(in: res), "cycle \(body): \(res.body.string)")
        }
        let cycleA = try await openCycle(#"{"scheme":"callcentre-agent","period":"2026-10","department_id":"\#(org.deptA)"}"#)
        let cycleB = try await openCycle(#"{"scheme":"callcentre-agent","period":"2026-10","department_id":"\#(org.deptB)"}"#)
        let cycleAll = try await openCycle(#"{"scheme":"callcentre-agent","period":"2026-09"}"#)
        func sheet(_ cycle: UUID, _ e: UUID) async throws -> Sheet {
            try #require(try await Sheet.query(on: db).filter(\.$cycle.$id == cycle).filter(\.$employee.$id == e).first(), "no sheet of \(e) in \(cycle)")
        }
        // calibration (R-004-04) in both departments: rated sheets, waiting for review
        let rated: [(UUID, UUID, String, String)] = [(cycleA, org.alice, "88.5", "良"), (cycleA, org.carol, "76", "中"),
                                                     (cycleB, org.dave, "69.5", "差"), (cycleAll, org.dave, "71", "中")]
        for (cycle, e, total, grade) in rated {
            let s = try await sheet(cycle, e)
            s.stage = .review
            s.raterTotal = total
            s.finalTotal = total
            s.grade = grade
            try await s.save(on: db)
        }
        let sheetAlice = try await sheet(cycleA, org.alice).requireID(), sheetBob = try await sheet(cycleA, org.bob).requireID()
        let sheetCarol = try await sheet(cycleA, org.carol).requireID(), sheetDave = try await sheet(cycleB, org.dave).requireID()
        let sheetAliceAll = try await sheet(cycleAll, org.alice).requireID(), sheetBobAll = try await sheet(cycleAll, org.bob).requireID()
        let sheetCarolAll = try await sheet(cycleAll, org.carol).requireID(), sheetDaveAll = try await sheet(cycleAll, org.dave).requireID()

        // a missed deduction found on each department's sheet (R-001-15), charged to its rater
        func finding(_ sheet: UUID, rater: UUID) async throws -> UUID {
            let x = Finding()
            x.$sheet.id = sheet
            x.period = "2026-10"
            x.raterUserId = rater
            x.column = "agent_fines.leave_post"
            x.instances = 1
            x.perInstance = "50"
            x.deduction = "100"
            x.note = "矩阵测试：漏扣"
            x.status = .pending
            x.createdBy = hrUser
            x.createdAt = Date()
            try await x.save(on: db)
            return try x.requireID()
        }
        let findingA = try await finding(sheetAlice, rater: mgrUser)
        let findingB = try await finding(sheetDave, rater: try mgr2.requireID())

        return Fixture(org: org, hrUser: hrUser, mgrUser: mgrUser, mgr2: try mgr2.requireID(), daveUser: try dave.requireID(), gone: try gone.requireID(),
                       cycleA: cycleA, cycleB: cycleB, cycleAll: cycleAll,
                       sheetAlice: sheetAlice, sheetBob: sheetBob, sheetCarol: sheetCarol, sheetDave: sheetDave,
                       sheetAliceAll: sheetAliceAll, sheetBobAll: sheetBobAll, sheetCarolAll: sheetCarolAll, sheetDaveAll: sheetDaveAll,
                       eventA: eventA, eventB: eventB, batchA: batchA, batchB: batchB, findingA: findingA, findingB: findingB,
                       spareA: spareA, spareB: spareB, sessions: sessions, tokens: tokens)
    }

    /// HR deactivates “gone”: its session and its token stop at once, and it cannot sign in again.
    static func deactivate(_ app: Application, _ f: Fixture) async throws -> [String] {
        var out: [String] = []
        guard let session = f.sessions["gone"], let token = f.tokens["gone"], let hr = f.tokens["hr"] else { return ["no session or token for “gone”"] }
        for (label, h) in [("session", session.headers), ("token", bearer(token))] {
            let me = try await send(app, .GET, "/api/v1/me", headers: h)
            if me.status != .ok { out.append("deactivation: before it, /api/v1/me with gone's \(label) → \(me.status.code)") }
        }
        let off = try await send(app, .POST, "/api/v1/users/\(f.gone)/deactivate", headers: bearer(hr), json: #"{"reason":"离职"}"#)
        if off.status != .ok { out.append("deactivation: POST /api/v1/users/{gone}/deactivate by HR → \(off.status.code): \(off.body.string.prefix(300))") }
        for (label, h) in [("session", session.headers), ("token", bearer(token))] {
            let me = try await send(app, .GET, "/api/v1/me", headers: h)
            if me.status != .unauthorized { out.append("deactivated: /api/v1/me with the account's existing \(label) → \(me.status.code), expected 401") }
        }
        let home = try await send(app, .GET, "/", headers: session.headers)
        if !(300..<400).contains(Int(home.status.code)) || home.headers.first(name: .location) != SiteURL.login.path {
            out.append("deactivated: the home page with the account's existing session → \(home.status.code) \(home.headers.first(name: .location) ?? ""), expected a redirect to /login")
        }
        let (again, status) = try await Browser.signIn(app, "gone")
        if status == .seeOther { out.append("deactivated: POST /login was accepted") }
        let me = try await send(app, .GET, "/api/v1/me", headers: again.headers)
        if me.status != .unauthorized { out.append("deactivated: after the refused sign-in /api/v1/me → \(me.status.code)") }
        return out
    }

    // MARK: who may see what

    /// What identifies each person (and deptB as a whole) in a response.
    static func identities(_ f: Fixture) -> [String: [(String, String)]] {
        let o = f.org
        return [
            "alice": [("101001", "alice's 工号"), ("艾丽", "alice's name"), (o.alice.uuidString, "alice's employee id"), (f.sheetAlice.uuidString, "alice's sheet"),
                      (f.sheetAliceAll.uuidString, "alice's company-cycle sheet"), (f.eventA.uuidString, "alice's event"), (f.findingA.uuidString, "the finding on alice's sheet")],
            "bob": [("101002", "bob's 工号"), ("鲍勃", "bob's name"), (o.bob.uuidString, "bob's employee id"), (f.sheetBob.uuidString, "bob's sheet"),
                    (f.sheetBobAll.uuidString, "bob's company-cycle sheet")],
            "carol": [("101003", "carol's 工号"), ("卡萝", "carol's name"), (o.carol.uuidString, "carol's employee id"), (f.sheetCarol.uuidString, "carol's sheet"),
                      (f.sheetCarolAll.uuidString, "carol's company-cycle sheet")],
            "deptB": [("102001", "dave's 工号"), ("戴夫", "dave's name"), (o.dave.uuidString, "dave's employee id"), (f.daveUser.uuidString, "dave's account id"),
                      ("韦伯", "mgr2's name"), ("mgr2", "mgr2's user name"), (f.mgr2.uuidString, "mgr2's account id"),
                      ("客服二部", "deptB's name"), (o.deptB.uuidString, "deptB's id"), ("三组", "deptB's team"), (o.team3.uuidString, "deptB's team id"),
                      (f.cycleB.uuidString, "deptB's cycle"), (f.sheetDave.uuidString, "dave's sheet"), (f.sheetDaveAll.uuidString, "dave's company-cycle sheet"),
                      (f.eventB.uuidString, "dave's event"), (f.findingB.uuidString, "the finding on dave's sheet"), (f.batchB.uuidString, "deptB's import"),
                      (f.spareB.uuidString, "mgr2's token")],
        ]
    }

    struct Caller {
        var name: String
        /// The name in the `allowed` sets (the read-only token reads as HR).
        var policy: String
        /// Calls run in phases; the data are compared after each (refused writes change nothing).
        var phase: Int
        /// Anonymous or deactivated: 401 from the API, the login page for pages.
        var signedOut = false
        var readOnly = false
        var apiOnly = false
        var api: HTTPHeaders = [:]
        var web: HTTPHeaders = [:]
        /// Strings no response to this caller may contain, with what they are.
        var forbidden: [(String, String)] = []
    }

    static func callers(_ f: Fixture) -> [Caller] {
        let p = identities(f)
        let alice = p["alice"] ?? [], bob = p["bob"] ?? [], carol = p["carol"] ?? [], deptB = p["deptB"] ?? []
        func member(_ user: String, _ forbidden: [(String, String)], phase: Int) -> Caller {
            Caller(name: user, policy: user, phase: phase, api: bearer(f.tokens[user] ?? "none"), web: f.sessions[user]?.headers ?? [:], forbidden: forbidden)
        }
        return [
            Caller(name: "anonymous", policy: "anonymous", phase: 1, signedOut: true, forbidden: alice + bob + carol + deptB),
            Caller(name: "deactivated", policy: "gone", phase: 1, signedOut: true, api: bearer(f.tokens["gone"] ?? "none"), web: f.sessions["gone"]?.headers ?? [:],
                   forbidden: alice + bob + carol + deptB),
            Caller(name: "read-only token", policy: "hr", phase: 1, readOnly: true, apiOnly: true, api: bearer(f.tokens["hr-read"] ?? "none")),
            // an agent and a QA inspector: themselves only
            member("alice", bob + carol + deptB, phase: 1),
            member("carol", alice + bob + deptB, phase: 1),
            // a lead: his team (alice and himself); a manager: his department
            member("bob", carol + deptB, phase: 2),
            member("mgr", deptB, phase: 2),
            member("hr", [], phase: 3),
        ]
    }

    /// Where a forbidden string legitimately appears, and why. Keep this short: every entry is a
    /// decision that someone outside the scope may see it.
    struct Allowance { var caller: String; var route: String; var strings: Set<String>; var why: String }

    static func allowances(_ f: Fixture) -> [Allowance] {
        let o = f.org
        return [
            Allowance(caller: "carol", route: "GET /qa",
                      strings: Set(["101001", "艾丽", o.alice.uuidString, "101002", "鲍勃", o.bob.uuidString, "102001", "戴夫", o.dave.uuidString, "三组", o.team3.uuidString].map { $0.lowercased() }),
                      why: "QA inspectors grade the recordings of every agent on a QA-graded scheme (R-002-14; Access.canRecordQA and EvidenceController.authorize have no department): the grading list names each agent, their team and their recording counts — not their results"),
        ]
    }

    // MARK: the requests

    enum Scope: Int, Comparable {
        case unscoped, inside, mixed, outside
        static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }
        func combined(_ o: Scope) -> Scope { Swift.max(self, o) }
    }

    struct Candidate { var value: String; var label: String; var scope: Scope; var owner: String? = nil }
    struct Target { var path: String; var label: String; var scope: Scope; var owner: String? }

    struct Probe {
        var method: HTTPMethod
        /// "GET /api/v1/employees/{id}/results" (the document's template) or "GET /sheets/:id" (the router's)
        var route: String
        /// Without the leading slash, with its query.
        var path: String
        var body: String?
        var type: HTTPMediaType?
        /// What the parameters were, for the report.
        var target: String
        var scope: Scope
        /// Callers (by policy name) who may do this; nil: the status is not asserted (the leak check still is).
        var allowed: Set<String>?
        /// A refusal is 401/403/404; when false (a body the route may reject first) a 400/409/422 counts too.
        var exact: Bool
        var page: Bool
    }

    static func candidates(_ f: Fixture, collection: String, enumValues: [String]?) -> [Candidate] {
        if let e = enumValues, !e.isEmpty { return e.map { Candidate(value: $0, label: $0, scope: .unscoped) } }
        func c(_ id: UUID, _ label: String, _ scope: Scope, _ owner: String? = nil) -> Candidate {
            Candidate(value: id.uuidString, label: label, scope: scope, owner: owner)
        }
        let o = f.org
        switch collection {
        case "employees", "people":
            return [c(o.alice, "alice", .inside), c(o.carol, "carol", .inside), c(o.dave, "dave", .outside)]
        case "sheets":
            return [c(f.sheetAlice, "alice's sheet", .inside), c(f.sheetCarol, "carol's sheet", .inside), c(f.sheetDave, "dave's sheet", .outside),
                    c(f.sheetDaveAll, "dave's company-cycle sheet", .outside)]
        case "cycles":
            return [c(f.cycleA, "deptA's cycle", .inside), c(f.cycleB, "deptB's cycle", .outside), c(f.cycleAll, "the company-wide cycle", .mixed)]
        case "findings":
            return [c(f.findingA, "finding on alice", .inside), c(f.findingB, "finding on dave", .outside)]
        case "events":
            return [c(f.eventA, "alice's event", .inside), c(f.eventB, "dave's event", .outside)]
        case "import-batches", "imports":
            return [c(f.batchA, "deptA's import", .inside), c(f.batchB, "deptB's import", .outside)]
        case "users":
            return [c(f.gone, "gone (deptA)", .inside), c(f.mgr2, "mgr2 (deptB)", .outside)]
        case "tokens":
            return [c(f.spareA, "mgr's spare token", .inside, "mgr"), c(f.spareB, "mgr2's spare token", .outside, "mgr2")]
        case "schemes":
            return [Candidate(value: "callcentre-agent", label: "callcentre-agent", scope: .unscoped)]
        case "reports":
            return ExportService.Form.allCases.map { Candidate(value: $0.rawValue, label: $0.rawValue, scope: .unscoped) }
        case "grid":
            // a cycle's team grid (issue 17 §1): a team of deptA, and deptB's
            return [c(o.team1, "team 一组", .inside), c(o.team3, "team 三组", .outside)]
        default:
            return []
        }
    }

    /// The template with its parameters filled (`{id}` as in the document, `:id` as in the router).
    static func fill(_ f: Fixture, _ template: String, enums: [String: [String]], route: String, failures: inout [String]) -> [Target] {
        var partial = [Target(path: "", label: "", scope: .unscoped, owner: nil)]
        let segments = template.split(separator: "/").map(String.init)
        for (i, s) in segments.enumerated() {
            let name: String?
            if s.hasPrefix("{") && s.hasSuffix("}") { name = String(s.dropFirst().dropLast()) } else if s.hasPrefix(":") { name = String(s.dropFirst()) } else { name = nil }
            guard let name else {
                partial = partial.map { (t: Target) -> Target in
                    var n = t
                    n.path += (n.path.isEmpty ? "" : "/") + s
                    return n
                }
                continue
            }
            let collection = i > 0 ? segments[i - 1] : ""
            var values = candidates(f, collection: collection, enumValues: enums[name])
            if values.isEmpty {
                failures.append("\(route): the matrix has no fixture value for {\(name)} after “\(collection)” — add one to Matrix.candidates")
                values = [Candidate(value: UUID().uuidString, label: "unknown \(name)", scope: .unscoped)]
            }
            partial = partial.flatMap { (t: Target) -> [Target] in
                values.map { (v: Candidate) -> Target in
                    var n = t
                    n.path += (n.path.isEmpty ? "" : "/") + v.value
                    n.label += (n.label.isEmpty ? "" : ", ") + v.label
                    n.scope = n.scope.combined(v.scope)
                    n.owner = v.owner ?? n.owner
                    return n
                }
            }
        }
        return partial
    }

    /// The period a form takes: a year for the year forms, none for the star board, else October.
    static func period(_ form: String) -> String {
        if form == "star-board" { return "" }
        return ExportService.Form(rawValue: form)?.needsYear == true ? "2026" : "2026-10"
    }

    static func apiQueries(_ f: Fixture, _ template: String, _ t: Target) -> [(String, Scope)] {
        switch template {
        case "/api/v1/exports/{form}":
            // csv: the file's text is searched; xlsx is zipped, so only its status counts
            let p = period(t.label)
            return [("?period=\(p)&format=csv", .unscoped), ("?period=\(p)&format=csv&department=02", .outside),
                    ("?period=\(p)&format=csv&department=\(f.org.deptB.uuidString)", .outside), ("?period=\(p)", .unscoped)]
        case "/api/v1/employees/{id}/events": return [("", .unscoped), ("?period=2026-10", .unscoped)]
        case "/api/v1/cycles/{id}/calibration": return [("", .unscoped), ("?department_grade=B", .unscoped)]
        case "/api/v1/tokens": return [("", .unscoped), ("?all=true", .unscoped)]
        case "/api/v1/imports/{kind}": return [("?scheme=weighted-template&file=matrix.csv&dry_run=true", .unscoped)]
        default: return [("", .unscoped)]
        }
    }

    /// Reads refused to everyone but these callers (nil: not asserted, the leak check decides).
    static func apiReaders(_ key: String, _ scope: Scope) -> Set<String>? {
        if scope == .outside { return ["hr"] }
        switch key {
        case "GET /api/v1/audit", "GET /api/v1/audit.csv", "GET /api/v1/retention", "GET /api/v1/retention/archive", "GET /api/v1/users": return ["hr"]
        case "GET /api/v1/cycles", "GET /api/v1/cycles/{id}", "GET /api/v1/cycles/{id}/calibration", "GET /api/v1/exports/{form}": return ["hr", "mgr"]
        default: return nil
        }
    }

    struct Write {
        var body: String?
        var type: HTTPMediaType? = .json
        var label: String = ""
        var scope: Scope = .unscoped
        var allowed: Set<String>?
        var exact: Bool = true
    }

    /// A body built for each write, with who may send it; a route without one gets `{}` and is HR's only.
    static func writes(_ f: Fixture, _ key: String, _ t: Target) -> [Write] {
        let o = f.org
        let line: Set<String> = ["bob", "mgr", "hr"], hr: Set<String> = ["hr"]
        // on someone's sheet or finding: outside the department only HR; inside, the sheet's own rules (not asserted)
        let sheetRule: Set<String>? = t.scope == .outside ? hr : nil
        let reason = #"{"reason":"矩阵测试"}"#
        func evidence(_ e: UUID) -> String {
            #"{"employee_id":"\#(e)","period":"2026-10","scheme":"weighted-template","values":{"satisfaction":"90"},"reason":"矩阵测试"}"#
        }
        func event(_ e: UUID) -> String {
            #"{"employee_id":"\#(e)","scheme":"callcentre-agent","column":"praise.phone","occurred_on":"2026-10-20","note":"矩阵测试"}"#
        }
        switch key {
        case "PUT /api/v1/evidence":
            return [Write(body: evidence(o.alice), label: "for alice", scope: .inside, allowed: line),
                    Write(body: evidence(o.dave), label: "for dave", scope: .outside, allowed: hr)]
        case "POST /api/v1/events":
            return [Write(body: event(o.alice), label: "for alice", scope: .inside, allowed: line),
                    Write(body: event(o.dave), label: "for dave", scope: .outside, allowed: hr)]
        case "DELETE /api/v1/events/{id}":
            return [Write(body: reason, allowed: t.scope == .outside ? hr : line)]
        case "POST /api/v1/cycles":
            return [Write(body: #"{"scheme":"callcentre-agent","period":"2026-12","department_id":"\#(o.deptB)"}"#, label: "deptB", scope: .outside, allowed: hr)]
        case "POST /api/v1/tokens":
            // a bearer token cannot mint tokens, whoever holds it
            return [Write(body: #"{"name":"矩阵","scope":"read","expires_days":1}"#, allowed: [])]
        case "DELETE /api/v1/tokens/{id}":
            return [Write(body: nil, type: nil, allowed: Set([t.owner ?? "hr", "hr"]))]
        case "POST /api/v1/imports/{kind}":
            let csv = HTTPMediaType(type: "text", subType: "csv")
            if t.label == "evidence" {
                return [Write(body: rowsA, type: csv, label: "alice's row", scope: .inside, allowed: line),
                        Write(body: rowsB, type: csv, label: "dave's row", scope: .outside, allowed: hr)]
            }
            return [Write(body: rowsB, type: csv, label: "dave's row", scope: .outside, allowed: hr, exact: false)]
        case "PUT /api/v1/sheets/{id}":
            return [Write(body: #"{"version":1,"values":{}}"#, allowed: sheetRule)]
        case "POST /api/v1/sheets/{id}/preview":
            return [Write(body: #"{"values":{}}"#, allowed: sheetRule)]
        case "POST /api/v1/sheets/{id}/actions":
            return [Write(body: #"{"action":"approve","version":1,"reason":"矩阵测试"}"#, allowed: sheetRule)]
        case "POST /api/v1/sheets/{id}/findings":
            return [Write(body: #"{"column":"agent_fines.leave_post","instances":1,"note":"矩阵测试"}"#, allowed: sheetRule)]
        case "POST /api/v1/findings/{id}/justify":
            return [Write(body: #"{"justification":"矩阵测试"}"#, allowed: sheetRule)]
        case "POST /api/v1/findings/{id}/decide":
            return [Write(body: #"{"accept":false,"reason":"矩阵测试"}"#, allowed: sheetRule)]
        case "POST /api/v1/import-batches/{id}/revert", "PATCH /api/v1/users/{id}", "POST /api/v1/users/{id}/deactivate", "POST /api/v1/users/{id}/activate":
            return [Write(body: reason, allowed: hr)]
        case "PATCH /api/v1/employees/{id}":
            return [Write(body: #"{"position":"客服专员","reason":"矩阵测试"}"#, allowed: hr)]
        case "POST /api/v1/cycles/{id}/remind", "POST /api/v1/cycles/{id}/publish", "POST /api/v1/cycles/{id}/lock":
            return [Write(body: nil, type: nil, allowed: hr)]
        case "POST /api/v1/employees", "POST /api/v1/employees/cleanup", "POST /api/v1/departments", "POST /api/v1/teams", "POST /api/v1/schemes",
             "PUT /api/v1/schemes/{key}", "POST /api/v1/users", "PUT /api/v1/import-mappings", "POST /api/v1/retention/purge":
            return [Write(body: "{}", allowed: hr)]
        default:
            // a route the matrix has no body for: HR's only until someone decides otherwise
            return [Write(body: "{}", allowed: hr, exact: false)]
        }
    }

    static func apiProbes(_ f: Fixture, _ doc: [String: Any], failures: inout [String]) -> [Probe] {
        guard let paths = doc["paths"] as? [String: Any], !paths.isEmpty else {
            failures.append("openapi.json has no paths")
            return []
        }
        var out: [Probe] = [Probe(method: .GET, route: "GET /api/v1/openapi.json", path: "api/v1/openapi.json", body: nil, type: nil, target: "",
                                  scope: .unscoped, allowed: nil, exact: true, page: false)]
        for template in paths.keys.sorted() {
            guard let ops = paths[template] as? [String: Any] else { continue }
            for m in ["get", "post", "put", "patch", "delete"] {
                guard let op = ops[m] as? [String: Any] else { continue }
                let method = HTTPMethod(rawValue: m.uppercased())
                let key = "\(m.uppercased()) \(template)"
                var enums: [String: [String]] = [:]
                for p in (ops["parameters"] as? [[String: Any]] ?? []) + (op["parameters"] as? [[String: Any]] ?? []) {
                    if let n = p["name"] as? String, let e = (p["schema"] as? [String: Any])?["enum"] as? [String] { enums[n] = e }
                }
                for t in fill(f, template, enums: enums, route: key, failures: &failures) {
                    for (query, qScope) in apiQueries(f, template, t) {
                        let scope = t.scope.combined(qScope)
                        if method == .GET {
                            out.append(Probe(method: method, route: key, path: t.path + query, body: nil, type: nil, target: t.label, scope: scope,
                                             allowed: apiReaders(key, scope), exact: true, page: false))
                            continue
                        }
                        for w in writes(f, key, t) {
                            let target = [t.label, w.label].filter { !$0.isEmpty }.joined(separator: ", ")
                            out.append(Probe(method: method, route: key, path: t.path + query, body: w.body, type: w.body == nil ? nil : w.type, target: target,
                                             scope: scope.combined(w.scope), allowed: w.allowed, exact: w.exact, page: false))
                        }
                    }
                }
            }
        }
        return out
    }

    static func pageQueries(_ f: Fixture, _ key: String, _ t: Target) -> [(String, Scope)] {
        let b = f.org.deptB.uuidString
        switch key {
        case "GET /reports/:form", "GET /reports/:form/print":
            let p = period(t.label)
            return [("?period=\(p)", .unscoped), ("?period=\(p)&department=02", .outside), ("?period=\(p)&department=\(b)", .outside)]
        case "GET /exports/download":
            return ExportService.Form.allCases.flatMap { form -> [(String, Scope)] in
                let p = period(form.rawValue)
                return [("?form=\(form.rawValue)&period=\(p)&format=csv", .unscoped), ("?form=\(form.rawValue)&period=\(p)&format=csv&department=02", .outside)]
            }
        case "GET /people": return [("", .unscoped), ("?status=all", .unscoped), ("?department=\(b)", .outside), ("?q=102001", .outside)]
        case "GET /qa":
            return [("", .unscoped), ("?scheme=callcentre-agent&period=2026-10", .unscoped),
                    ("?scheme=callcentre-agent&period=2026-10&team=\(f.org.team3.uuidString)", .outside)]
        case "GET /audit": return [("", .unscoped), ("?entity=evidence", .unscoped)]
        case "GET /cycles/:id/calibration": return [("", .unscoped), ("?department_grade=B", .unscoped)]
        case "GET /login", "GET /healthz", "GET /readyz", "GET /metrics": return [("", .unscoped)]
        default: return [("", .unscoped), ("?period=2026-10&department=\(b)", .unscoped)]
        }
    }

    /// Pages refused to everyone but these callers (nil: not asserted).
    static func pageReaders(_ key: String, _ scope: Scope) -> Set<String>? {
        switch key {
        case "GET /qa": return ["hr", "carol"]      // see the allow-list: QA is company-wide
        case "GET /people", "GET /people/:id", "GET /people/organisation", "GET /people/new", "GET /people/accounts", "GET /people/accounts/bulk", "GET /audit", "GET /retention", "GET /schemes", "GET /schemes/:key", "GET /settings/notifications": return ["hr"]
        default: break
        }
        if scope == .outside { return ["hr"] }
        switch key {
        case "GET /cycles", "GET /reports", "GET /reports/:form", "GET /reports/:form/print", "GET /exports/download", "GET /cycles/:id/calibration": return ["hr", "mgr"]
        case "GET /imports": return ["hr", "mgr", "bob"]
        default: return nil
        }
    }

    /// Every GET route of the router outside /api.
    static func pageProbes(_ f: Fixture, _ app: Application, failures: inout [String]) -> [Probe] {
        var out: [Probe] = []
        var seen = Set<String>()
        let routes = app.routes.all.filter { $0.method == .GET }
            .map { $0.path.map(\.description).joined(separator: "/") }
            .filter { $0 != "api" && !$0.hasPrefix("api/") }
            .sorted()
        for template in routes {
            let key = "GET /\(template)"
            guard seen.insert(key).inserted else { continue }
            for t in fill(f, template, enums: [:], route: key, failures: &failures) {
                for (query, qScope) in pageQueries(f, key, t) {
                    let scope = t.scope.combined(qScope)
                    out.append(Probe(method: .GET, route: key, path: t.path + query, body: nil, type: nil, target: t.label, scope: scope,
                                     allowed: pageReaders(key, scope), exact: true, page: true))
                }
            }
        }
        return out
    }

    static func isPublic(_ route: String) -> Bool {
        // monitoring (docs/operations.md): no session, no personal data
        ["GET /login", "GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json"].contains(route) || route.hasPrefix("GET /assets/")
    }

    // MARK: running and checking

    static func run(_ app: Application, _ c: Caller, _ probes: [Probe], _ allow: [Allowance]) async throws -> [String] {
        var out: [String] = []
        for p in probes where !(p.page && c.apiOnly) {
            var h = p.page ? c.web : c.api
            if let t = p.type { h.contentType = t }
            let res = try await app.testing().sendRequest(p.method, "/" + p.path, headers: h, body: p.body.map { ByteBuffer(string: $0) })
            out += check(c, p, res, allow)
        }
        return out
    }

    static func check(_ c: Caller, _ p: Probe, _ res: TestingHTTPResponse, _ allow: [Allowance]) -> [String] {
        var out: [String] = []
        let code = Int(res.status.code)
        let body = res.body.string
        let location = res.headers.first(name: .location) ?? ""
        let what = "\(c.name) · \(p.method.rawValue) /\(p.path)\(p.target.isEmpty ? "" : " (\(p.target))") → \(code)"
        if code >= 500 { out.append("\(what): server error — \(body.prefix(200))") }
        if c.signedOut {
            if isPublic(p.route) {
                if code != 200 { out.append("\(what): a public route should answer 200") }
            } else if p.page {
                if !(300..<400).contains(code) || location != SiteURL.login.path {
                    out.append("\(what): expected a redirect to /login\(location.isEmpty ? "" : ", not to \(location)")")
                }
            } else if code != 401 {
                out.append("\(what): expected 401")
            }
        } else if c.readOnly && !p.page && p.method != .GET {
            if code != 403 { out.append("\(what): a read-only token must get 403 for every write") }
        } else if let allowed = p.allowed, !allowed.contains(c.policy) {
            let refusals: Set<Int> = p.exact ? [401, 403, 404] : [400, 401, 403, 404, 409, 422]
            if !refusals.contains(code) { out.append("\(what): not allowed for \(c.name), expected \(p.exact ? "401, 403 or 404" : "a refusal")") }
        }
        // what the request itself carried may come back (an id in the path, a row of the file); nothing else
        let text = (body + "\n" + location).lowercased()
        let sent = (p.path + "\n" + (p.body ?? "")).lowercased()
        for (s, label) in c.forbidden {
            let needle = s.lowercased()
            guard !sent.contains(needle), text.contains(needle) else { continue }
            if allow.contains(where: { $0.caller == c.name && $0.route == p.route && $0.strings.contains(needle) }) { continue }
            out.append("\(what): leaks \(label) “\(s)”")
        }
        return out
    }

    // MARK: the data, to show that refused writes changed nothing

    /// One line per stored fact, tagged B (deptB's), A (deptA's, writable by its lead and manager) or
    /// HR (writable by HR only). Audit entries are left out: reads are audited too (exports, sign-ins).
    static func snapshot(_ db: Database, _ f: Fixture) async throws -> [String] {
        var out: [String] = []
        let employees = try await Employee.query(on: db).all()
        let deptOf = Dictionary(employees.compactMap { e in e.id.map { ($0, e.$department.id) } }, uniquingKeysWith: { a, _ in a })
        func tag(_ e: UUID?) -> String { e.flatMap { deptOf[$0] } == f.org.deptB ? "B" : "A" }
        for e in employees {
            out.append("HR employee \(e.number) \(e.name) \(e.position) \(e.status) \(e.$team.id?.uuidString ?? "-") \(e.level ?? "-") \(e.star.map(String.init) ?? "-")")
        }
        for d in try await Department.query(on: db).all() { out.append("HR department \(d.code) \(d.name)") }
        for t in try await Team.query(on: db).all() { out.append("HR team \(t.name) \(t.$department.id) \(t.leaderId?.uuidString ?? "-")") }
        for u in try await User.query(on: db).all() {
            out.append("HR user \(u.username) \(u.roleName) \(u.$department.id?.uuidString ?? "-") \(u.$team.id?.uuidString ?? "-") \(u.$employee.id?.uuidString ?? "-")")
        }
        for v in try await SchemeVersion.query(on: db).all() { out.append("HR scheme \(v.key) v\(v.version)") }
        for c in try await Cycle.query(on: db).all() { out.append("HR cycle \(c.id?.uuidString ?? "-") \(c.period) \(c.status)") }
        for r in try await ImportRecord.query(on: db).all() { out.append("HR import \(r.fileName) \(r.status)") }
        for m in try await ImportMapping.query(on: db).all() { out.append("HR mapping \(m.source) \(m.kind) \(m.mapping)") }
        for t in try await UserToken.query(on: db).all() {
            let owner = t.$user.id
            out.append("\(owner == f.mgr2 ? "B" : owner == f.mgrUser ? "A" : "HR") token \(t.id?.uuidString ?? "-") of \(owner)")
        }
        for r in try await StoredResult.query(on: db).all() {
            out.append("\(tag(r.$employee.id)) result \(r.$employee.id) \(r.$scheme.id) \(r.period) \(r.total) \(r.grade ?? "-")")
        }
        for e in try await EvidenceEntry.query(on: db).all() {
            out.append("\(tag(e.$employee.id)) evidence \(e.$employee.id) \(e.$scheme.id) \(e.period) \(e.column)=\(e.value)")
        }
        for e in try await EventRecord.query(on: db).all() { out.append("\(tag(e.$employee.id)) event \(e.id?.uuidString ?? "-") \(e.column) \(e.occurredOn)") }
        let sheets = try await Sheet.query(on: db).all()
        let sheetOwner = Dictionary(sheets.compactMap { s in s.id.map { ($0, s.$employee.id) } }, uniquingKeysWith: { a, _ in a })
        for s in sheets {
            out.append("\(tag(s.$employee.id)) sheet \(s.id?.uuidString ?? "-") \(s.stage) v\(s.version) \(s.raterTotal ?? "-") \(s.finalTotal ?? "-") \(s.grade ?? "-")")
        }
        for x in try await Finding.query(on: db).all() {
            out.append("\(tag(sheetOwner[x.$sheet.id])) finding \(x.id?.uuidString ?? "-") \(x.status) \(x.justification ?? "-")")
        }
        let inbox = try await InboxItem.query(on: db).count()
        out.append("A inbox items \(inbox)")
        return out.sorted()
    }

    /// Lines gone (−) and new (+), of the tags given (all when nil).
    static func diff(_ before: [String], _ after: [String], tags: [String]? = nil) -> [String] {
        func keep(_ s: String) -> Bool { tags.map { t in t.contains { s.hasPrefix($0 + " ") } } ?? true }
        let b = Set(before.filter(keep)), a = Set(after.filter(keep))
        return b.subtracting(a).sorted().map { "− \($0)" } + a.subtracting(b).sorted().map { "+ \($0)" }
    }
}

@Suite("Access matrix over HTTP: every documented API route and every page × every caller (issue 13)", .serialized)
struct HTTPAccessMatrixTests {
    @Test("no response carries another scope's people, sheets, results, pay, calibration or audit; refused writes change nothing")
    func matrix() async throws {
        try await withKaohe(Matrix.config()) { app, org in
            let f = try await Matrix.build(app, org)
            var failures: [String] = []
            let deactivation = try await Matrix.deactivate(app, f)
            failures += deactivation
            if let read = f.tokens["hr-read"] {
                let me = try await Matrix.send(app, .GET, "/api/v1/me", headers: Matrix.bearer(read))
                if me.status != .ok { failures.append("read-only token: GET /api/v1/me → \(me.status.code)") }
            }

            let docRes = try await Matrix.send(app, .GET, "/api/v1/openapi.json")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(docRes.body.readableBytesView)) as? [String: Any], "openapi.json is not a JSON object")
            let api = Matrix.apiProbes(f, doc, failures: &failures)
            let pages = Matrix.pageProbes(f, app, failures: &failures)
            let probes = api + pages
            // the account API the matrix relies on must be in the document (so it is walked)
            let documented = Set(api.map { $0.route.replacingOccurrences(of: #"\{[^}]*\}"#, with: "{}", options: .regularExpression) })
            for needed in ["GET /api/v1/tokens", "DELETE /api/v1/tokens/{}", "POST /api/v1/users/{}/deactivate", "POST /api/v1/users/{}/activate"]
            where !documented.contains(needed) {
                failures.append("\(needed) is not in openapi.json, so the matrix does not walk it")
            }
            #expect(api.count > 100 && pages.count > 30, "api \(api.count), pages \(pages.count)")

            let callers = Matrix.callers(f), allow = Matrix.allowances(f)
            var before = try await Matrix.snapshot(app.db, f)
            for phase in 1...3 {
                for c in callers where c.phase == phase {
                    let found = try await Matrix.run(app, c, probes, allow)
                    failures += found
                }
                let after = try await Matrix.snapshot(app.db, f)
                switch phase {
                case 1:
                    // anonymous, deactivated, read-only, agent, QA: nothing they sent may have changed anything
                    failures += Matrix.diff(before, after).map { "after the anonymous, deactivated, read-only, agent and QA calls the data changed: \($0)" }
                case 2:
                    // the lead and the manager may change their own department's records, never deptB's or HR's
                    failures += Matrix.diff(before, after, tags: ["B", "HR"]).map { "after the lead's and the manager's calls deptB's or HR-only data changed: \($0)" }
                    if let t = f.tokens["mgr2"] {
                        let me = try await Matrix.send(app, .GET, "/api/v1/me", headers: Matrix.bearer(t))
                        if me.status != .ok { failures.append("after the lead's and the manager's calls mgr2's token no longer works: \(me.status.code)") }
                    }
                default:
                    break
                }
                before = after
            }
            let shown = failures.prefix(400).joined(separator: "\n")
            #expect(failures.isEmpty, "\(failures.count) problem(s) over \(probes.count) requests × \(callers.count) callers:\n\(shown)\(failures.count > 400 ? "\n…" : "")")
        }
    }

    @Test("regression: a manager gets 403 for another department's calibration, by API and page; his own and HR's still work")
    func calibrationOfAnotherDepartment() async throws {
        try await withKaohe(Matrix.config()) { app, org in
            let hash = try app.password.hash(Org.password)
            try await User(username: "mgr2", displayName: "韦伯", passwordHash: hash, role: .manager, departmentId: org.deptB).save(on: app.db)
            _ = try await EvidenceTests.preset(app, "callcentre-agent")
            let hr = try await Matrix.session(app, "hr"), mgr = try await Matrix.session(app, "mgr")
            var cycles: [UUID: UUID] = [:]
            for d in [org.deptA, org.deptB] {
                let res = try await Matrix.send(app, .POST, "/api/v1/cycles", headers: Matrix.sessionHeaders(hr),
                                                json: #"{"scheme":"callcentre-agent","period":"2026-10","department_id":"\#(d)"}"#)
                #expect(res.status == .created, "\(res.body.string)")
                cycles[d] = Matrix.uuid(in: res)
            }
            for s in try await Sheet.query(on: app.db).all() {
                s.stage = .review
                s.raterTotal = "80"
                s.finalTotal = "80"
                s.grade = "中"
                try await s.save(on: app.db)
            }
            let mine = try #require(cycles[org.deptA]), theirs = try #require(cycles[org.deptB])
            let api = try await Matrix.send(app, .GET, "/api/v1/cycles/\(theirs)/calibration", headers: mgr.headers)
            #expect(api.status == .forbidden, "GET /api/v1/cycles/{deptB's}/calibration by deptA's manager → \(api.status.code): \(api.body.string.prefix(300))")
            #expect(!api.body.string.contains("mgr2") && !api.body.string.contains("韦伯"))
            let page = try await Matrix.send(app, .GET, "/cycles/\(theirs)/calibration", headers: mgr.headers)
            #expect(page.status == .forbidden && !page.body.string.contains("韦伯"), "page → \(page.status.code)")
            let own = try await Matrix.send(app, .GET, "/api/v1/cycles/\(mine)/calibration", headers: mgr.headers)
            #expect(own.status == .ok && own.body.string.contains("（mgr）"), "own → \(own.status.code): \(own.body.string.prefix(300))")
            let all = try await Matrix.send(app, .GET, "/api/v1/cycles/\(theirs)/calibration", headers: hr.headers)
            #expect(all.status == .ok && all.body.string.contains("mgr2"), "HR → \(all.status.code): \(all.body.string.prefix(300))")
        }
    }

    @Test("a session's API writes need the page's CSRF token in X-CSRF-Token; a bearer token needs none")
    func sessionWritesNeedTheCSRFHeader() async throws {
        try await withKaohe(Matrix.config()) { app, org in
            _ = try await EvidenceTests.preset(app, "callcentre-agent")
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let mgr = try await Matrix.session(app, "mgr")
            let event = #"{"employee_id":"\#(org.alice)","scheme":"callcentre-agent","column":"praise.phone","occurred_on":"2026-10-12","note":"x"}"#
            let evidence = #"{"employee_id":"\#(org.alice)","period":"2026-10","scheme":"weighted-template","values":{"satisfaction":"90"}}"#
            // the cookie alone (Browser.headers adds the page's token, as a script would)
            let cookieOnly: HTTPHeaders = ["Cookie": mgr.cookie]
            let bare = try await Matrix.send(app, .POST, "/api/v1/events", headers: cookieOnly, json: event)
            #expect(bare.status == .forbidden, "POST /api/v1/events with the cookie only → \(bare.status.code)")
            var wrong = cookieOnly
            wrong.add(name: "X-CSRF-Token", value: "not-the-token")
            let forged = try await Matrix.send(app, .POST, "/api/v1/events", headers: wrong, json: event)
            #expect(forged.status == .forbidden, "with a wrong token → \(forged.status.code)")
            let put = try await Matrix.send(app, .PUT, "/api/v1/evidence", headers: cookieOnly, json: evidence)
            #expect(put.status == .forbidden, "PUT /api/v1/evidence with the cookie only → \(put.status.code)")
            #expect(try await EventRecord.query(on: app.db).count() == 0)
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            // reads need no token; with it the write goes through
            #expect(try await Matrix.send(app, .GET, "/api/v1/me", headers: mgr.headers).status == .ok)
            let ok = try await Matrix.send(app, .POST, "/api/v1/events", headers: Matrix.sessionHeaders(mgr), json: event)
            #expect(ok.status == .created, "with the token → \(ok.status.code): \(ok.body.string)")
            let token = try await Matrix.mint(app, mgr, name: "报表").token
            let byToken = try await Matrix.send(app, .POST, "/api/v1/events", headers: Matrix.bearer(token), json: event)
            #expect(byToken.status == .created, "bearer → \(byToken.status.code): \(byToken.body.string)")
            #expect(try await EventRecord.query(on: app.db).count() == 2)
        }
    }

    @Test("API tokens: a read token gets 403 for writes; a bearer cannot mint; the list shows no secret; only the owner or HR deletes")
    func tokens() async throws {
        try await withKaohe(Matrix.config()) { app, _ in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let mgr = try await Matrix.session(app, "mgr"), hr = try await Matrix.session(app, "hr"), alice = try await Matrix.session(app, "alice")
            let read = try await Matrix.mint(app, mgr, name: "只读", scope: "read")
            let write = try await Matrix.mint(app, mgr, name: "报表")
            // default scope write, an expiry; 1…365 days, read or write
            let plain = try await Matrix.send(app, .POST, "/api/v1/tokens", headers: Matrix.sessionHeaders(alice), json: #"{"name":"默认"}"#)
            let defaults = Matrix.object(plain)
            let scope = defaults["scope"] as? String, expires = defaults["expires_at"] as? String
            #expect(plain.status == .created && scope == "write" && expires != nil, "\(plain.body.string)")
            for bad in [#"{"name":"x","expires_days":0}"#, #"{"name":"x","expires_days":366}"#, #"{"name":"x","scope":"admin"}"#] {
                let res = try await Matrix.send(app, .POST, "/api/v1/tokens", headers: Matrix.sessionHeaders(mgr), json: bad)
                #expect([HTTPStatus.badRequest, .unprocessableEntity].contains(res.status), "\(bad) → \(res.status.code)")
            }
            #expect(try await Matrix.send(app, .GET, "/api/v1/me", headers: Matrix.bearer(read.token)).status == .ok)
            let refused = try await Matrix.send(app, .PUT, "/api/v1/evidence", headers: Matrix.bearer(read.token), json: "{}")
            #expect(refused.status == .forbidden, "a read token's write → \(refused.status.code)")
            for t in [read.token, write.token] {
                let res = try await Matrix.send(app, .POST, "/api/v1/tokens", headers: Matrix.bearer(t), json: #"{"name":"再发"}"#)
                #expect(res.status == .forbidden, "a bearer token minting → \(res.status.code)")
            }
            // the caller's own, without secrets; HR's ?all=true everyone's
            let mine = try await Matrix.send(app, .GET, "/api/v1/tokens?all=true", headers: mgr.headers)
            #expect(mine.status == .ok || mine.status == .forbidden, "\(mine.status.code)")
            let own = try await Matrix.send(app, .GET, "/api/v1/tokens", headers: mgr.headers)
            #expect(own.status == .ok && own.body.string.contains("只读") && own.body.string.contains("报表"), "\(own.body.string)")
            for list in [mine, own] {
                #expect(!list.body.string.contains("默认") && !list.body.string.contains(read.token) && !list.body.string.contains(write.token), "\(list.body.string)")
            }
            let everyone = try await Matrix.send(app, .GET, "/api/v1/tokens?all=true", headers: hr.headers)
            #expect(everyone.status == .ok && everyone.body.string.contains("默认") && everyone.body.string.contains("报表"), "\(everyone.body.string)")
            #expect(!everyone.body.string.contains(read.token) && !everyone.body.string.contains(write.token))
            // someone else's is not theirs to delete; the owner's and HR's deletions end the token at once
            let other = try await Matrix.send(app, .DELETE, "/api/v1/tokens/\(write.id)", headers: Matrix.sessionHeaders(alice))
            #expect([HTTPStatus.forbidden, .notFound].contains(other.status), "alice deleting mgr's token → \(other.status.code)")
            #expect(try await Matrix.send(app, .GET, "/api/v1/me", headers: Matrix.bearer(write.token)).status == .ok)
            #expect(try await Matrix.send(app, .DELETE, "/api/v1/tokens/\(write.id)", headers: Matrix.sessionHeaders(mgr)).status == .noContent)
            #expect(try await Matrix.send(app, .GET, "/api/v1/me", headers: Matrix.bearer(write.token)).status == .unauthorized)
            #expect(try await Matrix.send(app, .DELETE, "/api/v1/tokens/\(read.id)", headers: Matrix.sessionHeaders(hr)).status == .noContent)
            #expect(try await Matrix.send(app, .GET, "/api/v1/me", headers: Matrix.bearer(read.token)).status == .unauthorized)
        }
    }
}
