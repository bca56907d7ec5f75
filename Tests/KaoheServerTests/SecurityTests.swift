import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import KaoheServer

/// Issue 13: each finding of the attack on `kaohe serve --demo` as a regression test.
@Suite("Security: what an attacker sends")
struct SecurityTests {
    static func json(_ app: Application, _ b: Browser, _ method: HTTPMethod = .POST, _ path: String, _ body: String,
                     _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        try await OrganisationTests.post(app, b, path, body, method: method, check)
    }

    static func token(_ app: Application, _ b: Browser, scope: String = "write", days: Int = 90) async throws -> (id: String, token: String) {
        var out = ("", "")
        try await json(app, b, .POST, "api/v1/tokens", #"{"name":"集成","scope":"\#(scope)","expires_days":\#(days)}"#) { res in
            #expect(res.status == .created, "\(res.body.string)")
            out = (OrganisationTests.id(res), OrganisationTests.id(res, "token"))
        }
        return out
    }

    static func bearer(_ t: String, json: Bool = false) -> HTTPHeaders {
        var h: HTTPHeaders = ["Authorization": "Bearer \(t)"]
        if json { h.contentType = .json }
        return h
    }

    /// The 1.5 KB workbook that ended the server: a cell reference far beyond Excel's sheet.
    static func overflowWorkbook() throws -> Data {
        try handWorkbookForServer(sheet: #"<row r="1"><c r="ZZZZZZZZZZZZZZZZZZZZ99999999999999999999" t="inlineStr"><is><t>工号</t></is></c></row>"#)
    }

    @Test("the cell-reference workbook: an agent is refused before it is read; HR gets an error naming the cell, and the server goes on")
    func overflowWorkbookRefused() async throws {
        try await withKaohe { app, _ in
            let data = try Self.overflowWorkbook()
            #expect(data.count < 2_000)
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=ecommerce-monthly&file=x.xlsx", headers: alice.headers, body: ByteBuffer(data: data)) { res in
                #expect(res.status == .forbidden, "\(res.body.string)")
            }
            _ = try await EvidenceTests.preset(app, "online-shop-cs")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=online-shop-cs&file=x.xlsx", headers: hr.headers, body: ByteBuffer(data: data)) { res in
                #expect(res.status.code >= 400 && res.status.code < 500, "\(res.status)")
                #expect(res.body.string.contains("无效的单元格引用"), "\(res.body.string)")
            }
            try await app.testing().test(.GET, "healthz") { res in #expect(res.status == .ok) }
        }
    }

    @Test("API calls on a session cookie need the CSRF token or same-origin JSON; form and text/plain posts from elsewhere are refused; tokens need none")
    func apiCSRF() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            let cookieOnly: HTTPHeaders = ["Cookie": hr.cookie]
            let newUser = #"{"username":"evil","display_name":"x","role":"hr"}"#
            let before = try await User.query(on: app.db).count()
            for (type, body) in [("application/x-www-form-urlencoded", "username=evil&display_name=x&role=hr"), ("text/plain", newUser), ("application/json", newUser)] {
                var h = cookieOnly
                h.replaceOrAdd(name: .contentType, value: type)
                h.replaceOrAdd(name: .origin, value: "https://evil.example")
                try await app.testing().test(.POST, "api/v1/users", headers: h, body: ByteBuffer(string: body)) { res in
                    #expect(res.status == .forbidden, "\(type): \(res.status)")
                    #expect(res.body.string.contains("CSRF"))
                }
            }
            for path in ["api/v1/retention/purge", "api/v1/import-batches/\(UUID())/revert"] {
                var h = cookieOnly
                h.contentType = .urlEncodedForm
                try await app.testing().test(.POST, path, headers: h, body: ByteBuffer(string: "archived=true&reason=x")) { res in #expect(res.status == .forbidden) }
            }
            #expect(try await User.query(on: app.db).count() == before, "no account was created")
            // JSON from the site's own origin (the live preview's fetch), or the token header: accepted
            var same = cookieOnly
            same.contentType = .json
            same.replaceOrAdd(name: .origin, value: "http://localhost:8080")
            same.replaceOrAdd(name: .host, value: "localhost:8080")
            try await app.testing().test(.POST, "api/v1/users", headers: same, body: ByteBuffer(string: #"{"username":"ok1","display_name":"x","role":"hr"}"#)) { res in
                #expect(res.status == .created, "\(res.body.string)")
            }
            try await Self.json(app, hr, .POST, "api/v1/users", #"{"username":"ok2","display_name":"x","role":"hr"}"#) { res in #expect(res.status == .created) }
            let t = try await Self.token(app, hr)
            try await app.testing().test(.POST, "api/v1/users", headers: Self.bearer(t.token, json: true), body: ByteBuffer(string: #"{"username":"ok3","display_name":"x","role":"hr"}"#)) { res in
                #expect(res.status == .created)
            }
        }
    }

    @Test("a manager cannot read another department's calibration through the API (the page refused it already)")
    func calibrationScope() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "online-shop-cs")
            let (hr, _) = try await Browser.signIn(app, "hr")
            var other = ""
            try await Self.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptB)"}"#) { res in
                #expect(res.status == .created, "\(res.body.string)")
                other = OrganisationTests.id(res)
            }
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await app.testing().test(.GET, "api/v1/cycles/\(other)/calibration", headers: mgr.headers) { res in
                #expect(res.status == .forbidden, "\(res.body.string)")
                #expect(!res.body.string.contains("rater"))
            }
            try await app.testing().test(.GET, "cycles/\(other)/calibration", headers: mgr.headers) { res in #expect(res.status == .forbidden) }
            try await app.testing().test(.GET, "api/v1/cycles/\(other)/calibration", headers: hr.headers) { res in #expect(res.status == .ok) }
        }
    }

    @Test("tokens: named, read-only or write, expiring, listed without secrets, revocable by owner and HR; a token cannot mint tokens")
    func tokens() async throws {
        try await withKaohe { app, _ in
            let (bob, _) = try await Browser.signIn(app, "bob")
            let read = try await Self.token(app, bob, scope: "read")
            let write = try await Self.token(app, bob)
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(read.token)) { res in #expect(res.status == .ok) }
            try await app.testing().test(.POST, "api/v1/events", headers: Self.bearer(read.token, json: true), body: ByteBuffer(string: "{}")) { res in
                #expect(res.status == .forbidden && res.body.string.contains("只能读取"))
            }
            // a token cannot make more tokens
            try await app.testing().test(.POST, "api/v1/tokens", headers: Self.bearer(write.token, json: true), body: ByteBuffer(string: #"{"name":"more"}"#)) { res in
                #expect(res.status == .forbidden)
            }
            for bad in [#"{"name":""}"#, #"{"name":"x","scope":"admin"}"#, #"{"name":"x","expires_days":0}"#, #"{"name":"x","expires_days":366}"#] {
                try await Self.json(app, bob, .POST, "api/v1/tokens", bad) { res in #expect(res.status == .unprocessableEntity, "\(bad)") }
            }
            // listed without secrets
            try await app.testing().test(.GET, "api/v1/tokens", headers: bob.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("\"scope\":\"read\"") && res.body.string.contains("expires_at"))
                #expect(!res.body.string.contains(read.token) && !res.body.string.contains("token_hash"))
            }
            try await app.testing().test(.GET, "api/v1/tokens?all=true", headers: bob.headers) { res in #expect(res.status == .forbidden) }
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "api/v1/tokens?all=true", headers: hr.headers) { res in #expect(res.body.string.contains("\"owner\":\"bob\"")) }
            // revoked by the owner: refused at once; another person's token cannot be revoked by an agent
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.DELETE, "api/v1/tokens/\(read.id)", headers: alice.headers) { res in #expect(res.status == .notFound) }
            try await app.testing().test(.DELETE, "api/v1/tokens/\(read.id)", headers: bob.headers) { res in #expect(res.status == .noContent) }
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(read.token)) { res in #expect(res.status == .unauthorized) }
            // and by HR
            try await app.testing().test(.DELETE, "api/v1/tokens/\(write.id)", headers: hr.headers) { res in #expect(res.status == .noContent) }
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(write.token)) { res in #expect(res.status == .unauthorized) }
            // an expired token no longer works
            let old = try await Self.token(app, bob, days: 1)
            let rec = try #require(try await UserToken.find(UUID(uuidString: old.id), on: app.db))
            rec.expiresAt = Date().addingTimeInterval(-1)
            try await rec.save(on: app.db)
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(old.token)) { res in #expect(res.status == .unauthorized) }
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "api_token").all().map(\.action)
            #expect(audit.filter { $0 == "create" }.count == 3 && audit.filter { $0 == "revoke" }.count == 2)
        }
    }

    @Test("a deactivated account: sign-in refused, its session and tokens end at once; a leaver is deactivated by their status")
    func deactivation() async throws {
        try await withKaohe { app, org in
            let (bob, _) = try await Browser.signIn(app, "bob")
            let t = try await Self.token(app, bob)
            let (hr, _) = try await Browser.signIn(app, "hr")
            let bobId = try #require(try await User.query(on: app.db).filter(\.$username == "bob").first()?.id)
            try await Self.json(app, hr, .POST, "api/v1/users/\(bobId)/deactivate", #"{"reason":""}"#) { res in #expect(res.status == .unprocessableEntity) }
            try await Self.json(app, hr, .POST, "api/v1/users/\(bobId)/deactivate", #"{"reason":"离职 2026-11-30"}"#) { res in
                #expect(res.status == .ok && res.body.string.contains("\"active\":false"), "\(res.body.string)")
            }
            try await app.testing().test(.GET, "api/v1/me", headers: bob.headers) { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "", headers: bob.headers) { res in #expect(res.headers.first(name: .location) == "/login") }
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(t.token)) { res in #expect(res.status == .unauthorized) }
            let (_, status) = try await Browser.signIn(app, "bob")
            #expect(status == .unauthorized)
            // HR cannot shut themselves out; an agent cannot deactivate anyone
            let hrId = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first()?.id)
            try await Self.json(app, hr, .POST, "api/v1/users/\(hrId)/deactivate", #"{"reason":"x"}"#) { res in #expect(res.status == .unprocessableEntity) }
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await Self.json(app, alice, .POST, "api/v1/users/\(hrId)/deactivate", #"{"reason":"x"}"#) { res in #expect(res.status == .forbidden) }
            // alice leaves (HR marks her 离职): her account ends with it
            try await Self.json(app, hr, .PATCH, "api/v1/employees/\(org.alice)", #"{"status":"left","reason":"离职"}"#) { res in #expect(res.status == .ok, "\(res.body.string)") }
            try await app.testing().test(.GET, "api/v1/me", headers: alice.headers) { res in #expect(res.status == .unauthorized) }
            let aliceUser = try #require(try await User.query(on: app.db).filter(\.$username == "alice").first())
            #expect(!aliceUser.active && aliceUser.deactivatedReason?.contains("101001") == true)
            // activated again with a reason: bob signs in
            try await Self.json(app, hr, .POST, "api/v1/users/\(bobId)/activate", #"{"reason":"返聘"}"#) { res in #expect(res.status == .ok) }
            #expect(try await Browser.signIn(app, "bob").1 == .seeOther)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "user").all().map(\.action)
            #expect(audit.filter { $0 == "deactivate" }.count == 2 && audit.contains("activate"))
        }
    }

    @Test("a roster import that marks a person 离职 deactivates their account in the same commit; a dry run does not")
    func rosterLeaver() async throws {
        try await withKaohe { app, _ in
            let (alice, _) = try await Browser.signIn(app, "alice")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let csv = "工号,姓名,部门,班组,岗位,入职日期,状态\n101001,艾丽,01,一组,客服专员,2025-03-01,离职\n"
            for dry in ["true", "false"] {
                try await ImportKindsTests.post(app, hr, "api/v1/imports/roster?file=roster.csv&dry_run=\(dry)", Data(csv.utf8)) { res in
                    #expect(res.status == .ok, "\(res.body.string)")
                }
                let active = try #require(try await User.query(on: app.db).filter(\.$username == "alice").first()).active
                #expect(active == (dry == "true"), "dry_run=\(dry)")
            }
            try await app.testing().test(.GET, "api/v1/me", headers: alice.headers) { res in #expect(res.status == .unauthorized) }
            #expect(try await Browser.signIn(app, "alice").1 == .unauthorized)
        }
    }

    @Test("a password change ends the account's other sessions and its tokens; this session goes on; the policy refuses weak passwords")
    func passwordChange() async throws {
        try await withKaohe { app, _ in
            let (one, _) = try await Browser.signIn(app, "bob")
            let (two, _) = try await Browser.signIn(app, "bob")
            let t = try await Self.token(app, two)
            var h = one.headers
            h.contentType = .urlEncodedForm
            let csrf = one.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            func change(_ new: String) async throws -> (HTTPStatus, String) {
                var out: (HTTPStatus, String) = (.ok, "")
                try await app.testing().test(.POST, "account/password", headers: h,
                                             body: ByteBuffer(string: "_csrf=\(csrf)&current=\(Org.password)&new=\(new)&confirm=\(new)")) { res in out = (res.status, res.body.string) }
                return out
            }
            for weak in ["aaaaaaaaaa", "password123", "1234567890", "short-1", "qwertyuiop", "bob-is-great-1"] {
                let (s, body) = try await change(weak)
                #expect(s == .badRequest, "\(weak) accepted")
                #expect(body.contains("密码"), "\(weak)")
            }
            #expect(try await change("Violet-Harbour-42").0 == .seeOther)
            try await app.testing().test(.GET, "api/v1/me", headers: one.headers) { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "api/v1/me", headers: two.headers) { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(t.token)) { res in #expect(res.status == .unauthorized) }
        }
    }

    @Test("the account page makes a token (its secret shown once), lists it without the secret, and revokes it")
    func tokensPage() async throws {
        try await withKaohe { app, _ in
            let (bob, _) = try await Browser.signIn(app, "bob")
            var h = bob.headers
            h.contentType = .urlEncodedForm
            let csrf = bob.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            var secret = ""
            try await app.testing().test(.POST, "account/tokens", headers: h, body: ByteBuffer(string: "_csrf=\(csrf)&name=%E6%8A%A5%E8%A1%A8&scope=read&days=30")) { res in
                #expect(res.status == .ok)
                let body = res.body.string
                secret = body.range(of: "id=\"new-token\">").map { String(body[$0.upperBound...].prefix { $0 != "<" }) } ?? ""
                #expect(secret.count > 30 && body.contains("只读"), "\(body.prefix(300))")
            }
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(secret)) { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "account/tokens", headers: bob.headers) { res in
                #expect(res.body.string.contains("报表") && !res.body.string.contains(secret))
            }
            try await app.testing().test(.POST, "account/tokens", headers: h, body: ByteBuffer(string: "_csrf=\(csrf)&name=x&scope=root&days=30")) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("scope"))
            }
            // without the form's token: refused
            try await app.testing().test(.POST, "account/tokens", headers: ["Cookie": bob.cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "name=x&scope=write")) { res in #expect(res.status == .forbidden) }
            let id = try #require(try await UserToken.query(on: app.db).filter(\.$name == "报表").first()?.id)
            try await app.testing().test(.POST, "account/tokens/\(id)/revoke", headers: h, body: ByteBuffer(string: "_csrf=\(csrf)")) { res in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(secret)) { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "account/tokens", headers: bob.headers) { res in #expect(res.body.string.contains("已吊销")) }
            // in English
            let en = bob.headers
            var enForm = en
            enForm.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "language", headers: enForm, body: ByteBuffer(string: "_csrf=\(csrf)&language=en")) { _ in }
            try await app.testing().test(.GET, "account/tokens", headers: en) { res in
                #expect(res.body.string.contains("API tokens") && res.body.string.contains("Revoked"), "\(res.body.string.suffix(600))")
            }
        }
    }

    @Test("PasswordPolicy by hand: length, repeats, common words, sequences, the user name")
    func passwordPolicy() {
        #expect(PasswordPolicy.problem("Violet-Harbour-42", username: "bob") == nil)
        #expect(PasswordPolicy.problem("zx8#Lq2!pW", username: "hr") == nil)
        for p in ["aaaaaaaaa", "aaaaaaaaaa", "ababababab", "password1!", "Password12", "abcdefghij", "9876543210", "demo123456", "kaohe2026", "hr-1234-hr-x"] {
            #expect(PasswordPolicy.problem(p, username: "hr") != nil, "\(p)")
        }
    }

    @Test("40 parallel guesses check at most the allowed five passwords; the rest are throttled")
    func parallelThrottle() async throws {
        try await withKaohe { app, _ in
            var pre = Browser()
            try await app.testing().test(.GET, "login") { res in pre.remember(res) }
            var h = pre.headers
            h.contentType = .urlEncodedForm
            let body = "_csrf=\(pre.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&username=alice&password=guess"
            let headers = h
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<40 {
                    group.addTask { [app] in
                        var s = HTTPStatus.ok
                        try await app.testing().test(.POST, "login", headers: headers, body: ByteBuffer(string: body)) { res in s = res.status }
                        return s
                    }
                }
                var all: [HTTPStatus] = []
                for try await s in group { all.append(s) }
                return all
            }
            let checked = statuses.filter { $0 == .unauthorized }.count
            #expect(checked <= app.config.loginAttempts, "\(checked) passwords checked")
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 40 - app.config.loginAttempts)
        }
    }

    @Test("anonymous pages, stale cookies and bearer calls store no session row")
    func noAnonymousSessions() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            let t = try await Self.token(app, hr)
            let before = try await SessionRecord.query(on: app.db).count()
            for i in 0..<20 {
                try await app.testing().test(.GET, "login") { res in #expect(res.status == .ok) }
                try await app.testing().test(.GET, "login", headers: ["Cookie": "kaohe_session=forged\(i)"]) { res in #expect(res.status == .ok) }
                try await app.testing().test(.GET, "api/v1/me", headers: Self.bearer(t.token)) { res in #expect(res.status == .ok) }
                try await app.testing().test(.GET, "healthz") { _ in }
            }
            #expect(try await SessionRecord.query(on: app.db).count() == before)
        }
    }

    @Test("a login with an unknown user name checks a password as a known one does (the same bcrypt work)")
    func unknownUsersCostTheSame() async throws {
        try await withKaohe { app, _ in
            let (_, status) = try await Browser.signIn(app, "nobody-here", password: "whatever-1")
            #expect(status == .unauthorized)
            // the dummy hash it was checked against exists, at the configured cost
            let dummy = try #require(app.storage[Accounts.DummyHashKey.self])
            #expect(dummy.hasPrefix("$2b$04$") || dummy.hasPrefix("$2a$04$") || dummy.hasPrefix("$2y$04$"), "\(dummy.prefix(7))")
        }
    }
}

/// The server tests' copy of the hand-made workbook (the Core tests' helper is in another target).
func handWorkbookForServer(sheet: String) throws -> Data {
    let a = try Archive(data: Data(), accessMode: .create)
    func add(_ p: String, _ t: String) throws {
        let d = Data(t.utf8)
        try a.addEntry(with: p, type: .file, uncompressedSize: Int64(d.count), compressionMethod: .deflate) { pos, n in d.subdata(in: Int(pos)..<Int(pos) + n) }
    }
    try add("xl/workbook.xml", #"<workbook xmlns:r="r"><sheets><sheet name="十月" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
    try add("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#)
    try add("xl/worksheets/sheet1.xml", "<worksheet><sheetData>\(sheet)</sheetData></worksheet>")
    return a.data!
}
