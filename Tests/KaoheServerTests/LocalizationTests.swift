import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheDemo
@testable import KaoheServer

/// Han characters a page still shows outside what users typed (`translate="no"`), scripts and
/// styles: what the English catalogue is missing.
func untranslated(_ html: String) -> [String] {
    var s = html
    // drop elements left untranslated on purpose, innermost first
    let patterns = [#"<(script|style|textarea)\b[^>]*>[\s\S]*?</\1>"#, #"<(span|td|text|div|pre|button|desc)\b[^>]*translate="no"[^>]*>[^<]*(?:<(?!/?\1\b)[^<]*)*</\1>"#]
    for p in patterns { s = s.replacingOccurrences(of: p, with: " ", options: .regularExpression) }
    // readable attributes count; other attributes (values, ids) do not
    var texts: [String] = []
    for m in s.matches(of: #/ (?:title|placeholder|aria-label|alt|content)="([^"]*)"/#) { texts.append(String(m.1)) }
    s = s.replacingOccurrences(of: #"<[^>]*>"#, with: "\n", options: .regularExpression)
    texts += s.split(separator: "\n").map(String.init)
    var out: [String] = []
    for t in texts where t.unicodeScalars.contains(where: { $0.value >= 0x3400 && $0.value <= 0x9FFF }) {
        out.append(t.trimmingCharacters(in: .whitespaces))
    }
    return out
}

@Suite("Every page in every language (issue 7 §1)", .serialized)
struct LocalizationTests {
    static let today = "2026-11-23"

    /// The demo company with a November cycle open for the e-commerce department, so that sheets,
    /// cycles and calibration have something to show.
    func withDemo(_ body: (Application) async throws -> Void) async throws {
        try await withDemoCompany({ $0.today = Self.today }) { app in
            let hr = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            _ = try await CycleService.open(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: nil, teamIds: nil),
                                            user: hr, config: app.config, db: app.db)
            try await body(app)
        }
    }

    static func pages(_ app: Application, role: String) async throws -> [String] {
        let sheet = try await Sheet.query(on: app.db).first()?.requireID()
        let employee = try await Employee.query(on: app.db).first()?.requireID()
        let cycle = try await Cycle.query(on: app.db).first()?.requireID()
        var pages = ["/", "/sheets", "/account/password"]
        if let sheet, ["lead11", "hr"].contains(role) { pages.append("/sheets/\(sheet)") }
        if let employee, role == "hr" { pages.append("/employees/\(employee)") }
        if ["hr", "manager1"].contains(role) {
            pages += ["/cycles", "/reports"] + ExportService.Form.allCases.map { f in "/reports/\(f.rawValue)?period=\(f.needsYear ? "2026" : "2026-10")" }
            if let cycle { pages.append("/cycles/\(cycle)/calibration") }
        }
        if ["hr", "manager1", "lead11"].contains(role) { pages.append("/imports") }
        if role == "hr" { pages += ["/people", "/audit", "/retention", "/schemes", "/schemes/ecommerce-monthly"] }
        if ["hr", "qa1"].contains(role) { pages.append("/qa?period=2026-10") }
        return pages
    }

    @Test("English: every page of every demo role shows no Chinese but names and what users typed")
    func english() async throws {
        try await withDemo { app in
            var missing: [String: Set<String>] = [:]
            for role in ["hr", "manager1", "lead11", "qa1", "agent1"] {
                var (b, _) = try await Browser.signIn(app, role, password: Demo.password)
                try await app.testing().test(.GET, "/", headers: b.headers) { res in b.remember(res) }
                var h = b.headers
                h.contentType = .urlEncodedForm
                try await app.testing().test(.POST, "language", headers: h, body: ByteBuffer(string: "_csrf=\(b.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&language=en")) { res in
                    #expect(res.status == .seeOther)
                }
                for page in try await Self.pages(app, role: role) {
                    try await app.testing().test(.GET, page, headers: b.headers) { res in
                        #expect(res.status == .ok, "\(role) \(page)")
                        #expect(res.body.string.contains("<html lang=\"en\">"), "\(role) \(page)")
                        for t in untranslated(res.body.string) { missing[t, default: []].insert("\(role) \(page)") }
                    }
                }
            }
            if !missing.isEmpty {
                let report = missing.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value.sorted().first!)" }.joined(separator: "\n")
                try? report.write(toFile: "/tmp/kaohe-untranslated.txt", atomically: true, encoding: .utf8)
            }
            #expect(missing.isEmpty, "\(missing.count) texts untranslated, e.g. \(missing.keys.sorted().prefix(20))")
        }
    }
}

@Suite("Choosing a language (issue 7 §1)", .serialized)
struct LanguageChoiceTests {
    static func post(_ app: Application, _ b: inout Browser, _ path: String, _ form: String) async throws -> TestingHTTPResponse? {
        var h = b.headers
        h.contentType = .urlEncodedForm
        h.replaceOrAdd(name: .referer, value: "http://localhost/login")
        var out: TestingHTTPResponse?
        let body = "_csrf=\(b.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&" + form
        try await app.testing().test(.POST, path, headers: h, body: ByteBuffer(string: body)) { res in out = res }
        return out
    }

    @Test("简体 by default without glosses; 繁體 chosen before signing in is kept in a cookie; English chosen signed in is kept on the account")
    func choose() async throws {
        try await withKaohe { app, _ in
            // default: Simplified Chinese, whatever the browser asks for, and no English glosses
            var b = Browser()
            try await app.testing().test(.GET, "login", headers: ["Accept-Language": "en-US,en;q=0.9"]) { res in
                b.remember(res)
                #expect(res.body.string.contains("<html lang=\"zh-Hans\">"))
                #expect(res.body.string.contains("登录"))
                #expect(res.headers.first(name: .contentLanguage) == "zh-Hans")
            }
            // 繁體 before signing in: a cookie, back to the page it came from
            let res = try #require(try await Self.post(app, &b, "language", "language=zh-Hant"))
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/login")
            let cookie = try #require(res.headers.setCookie?["kaohe_lang"]?.string)
            #expect(cookie == "zh-Hant")
            var headers = b.headers
            headers.add(name: .cookie, value: "kaohe_lang=zh-Hant")
            try await app.testing().test(.GET, "login", headers: headers) { res in
                #expect(res.body.string.contains("<html lang=\"zh-Hant\">"))
                #expect(res.body.string.contains("登錄") && !res.body.string.contains("登录"), "\(res.body.string.components(separatedBy: "登录").map { $0.suffix(80) })")
            }
            // an unknown language is refused, naming the field and the choices
            let bad = try #require(try await Self.post(app, &b, "language", "language=fr"))
            #expect(bad.status == .badRequest && bad.body.string.contains("zh-Hans"))

            // signed in, English is saved on the account: a new browser signs in to English
            var (s, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.GET, "/", headers: s.headers) { res in s.remember(res) }
            let switched = try #require(try await Self.post(app, &s, "language", "language=en"))
            #expect(switched.status == .seeOther)
            let alice = try #require(try await User.query(on: app.db).filter(\.$username == "alice").first())
            #expect(alice.language == "en")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "user").filter(\.$after == "language=en").count()
            #expect(audit == 1)
            let (fresh, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.GET, "/", headers: fresh.headers) { res in
                #expect(res.body.string.contains("<html lang=\"en\">"))
                #expect(res.body.string.contains(">Home<"))
                #expect(untranslated(res.body.string).isEmpty, "\(untranslated(res.body.string))")
            }
            // API errors follow the account's language too
            try await app.testing().test(.GET, "api/v1/sheets/\(UUID())", headers: fresh.headers) { res in
                #expect(res.status == .notFound)
                #expect(!res.body.string.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(res.body.string)")
            }
        }
    }
}
