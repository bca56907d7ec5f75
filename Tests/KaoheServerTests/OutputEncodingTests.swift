import Fluent
import Foundation
import Plot
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheServer

/// Hostile values in every free-text field and query parameter the pages show, in all three
/// languages: never markup, never an event handler; in the CSV files, never a formula (issue 13).
@Suite("Output encoding: HTML attributes and hand-built markup escaped once, CSV cells never formulas (issue 13)", .serialized)
struct OutputEncodingTests {
    /// Ends an attribute and the tag, then a script.
    static let script = "\"><script>alert(1)</script>"
    /// Ends a double-quoted attribute and adds a handler.
    static let doubleQuoted = "\" onmouseover=\"alert(2)"
    /// The same for a single-quoted attribute.
    static let singleQuoted = "' onmouseover='alert(3)"
    /// Ends the attribute and the tag, then a redirect.
    static let refresh = "\"><meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">"
    static let formula = "=HYPERLINK(\"http://x\",\"y\")"
    static let departmentName = "客服一部" + script + singleQuoted

    static let scriptEscaped = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    static let refreshEscaped = "&quot;&gt;&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=http://evil.example/&quot;&gt;"

    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    // MARK: a page's tags, read as a browser would

    struct Tag: CustomStringConvertible {
        var name: String
        var attributes: [(name: String, value: String)]
        var description: String { "<\(name) " + attributes.map { "\($0.name)=«\($0.value)»" }.joined(separator: " ") + ">" }
    }

    /// Every start tag with its attributes (values as written, quotes respected, entities not decoded).
    static func tags(_ html: String) -> [Tag] {
        let b = Array(html.utf8)
        func space(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 12 || c == 13 }
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
        let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/"), eq = UInt8(ascii: "=")
        let dquote = UInt8(ascii: "\""), squote = UInt8(ascii: "'")
        var out: [Tag] = []
        var i = 0
        while i < b.count {
            guard b[i] == lt, i + 1 < b.count, letter(b[i + 1]) else { i += 1; continue }
            i += 1
            var name: [UInt8] = []
            while i < b.count, !space(b[i]), b[i] != gt, b[i] != slash { name.append(b[i]); i += 1 }
            var attributes: [(name: String, value: String)] = []
            while i < b.count, b[i] != gt {
                if space(b[i]) || b[i] == slash { i += 1; continue }
                var attr: [UInt8] = []
                while i < b.count, !space(b[i]), b[i] != eq, b[i] != gt, b[i] != slash { attr.append(b[i]); i += 1 }
                var value: [UInt8] = []
                if i < b.count, b[i] == eq {
                    i += 1
                    if i < b.count, b[i] == dquote || b[i] == squote {
                        let q = b[i]
                        i += 1
                        while i < b.count, b[i] != q { value.append(b[i]); i += 1 }
                        i += 1
                    } else {
                        while i < b.count, !space(b[i]), b[i] != gt { value.append(b[i]); i += 1 }
                    }
                }
                guard !attr.isEmpty else { continue }
                attributes.append((name: String(decoding: attr, as: UTF8.self).lowercased(), value: String(decoding: value, as: UTF8.self)))
            }
            out.append(Tag(name: String(decoding: name, as: UTF8.self).lowercased(), attributes: attributes))
            i += 1
        }
        return out
    }

    /// No payload became markup: no injected script or meta refresh, no event handler, and every
    /// attribute value escaped (no raw quote or angle bracket left in one).
    static func expectEncoded(_ html: String, _ page: String) {
        #expect(!html.contains("\"><script>"), "\(page)")
        #expect(!html.contains("<script>alert"), "\(page)")
        #expect(!html.lowercased().contains("<meta http-equiv"), "\(page)")
        for tag in tags(html) {
            let handler = tag.attributes.contains { $0.name.hasPrefix("on") }
            let redirect = tag.name == "meta" && tag.attributes.contains { $0.name == "http-equiv" }
            let inline = tag.name == "script" && !tag.attributes.contains { $0.name == "src" && ["/assets/sheet.js", SiteURL.reviewScript.path].contains($0.value) }
            let raw = tag.attributes.contains { a in a.value.contains { $0 == "'" || $0 == "\"" || $0 == "<" || $0 == ">" } }
            #expect(!handler && !redirect && !inline && !raw, "\(page): \(tag)")
        }
    }

    /// Hostile values in the seed's free-text fields.
    static func hostile(_ app: Application, _ org: Org) async throws {
        let db = app.db
        let alice = try #require(try await Employee.find(org.alice, on: db))
        alice.name = "艾丽" + doubleQuoted
        alice.position = script
        alice.level = refresh
        alice.jobGrade = doubleQuoted
        alice.probationEnd = singleQuoted
        try await alice.save(on: db)
        let a = try #require(try await Department.find(org.deptA, on: db))
        a.name = departmentName
        try await a.save(on: db)
        let b = try #require(try await Department.find(org.deptB, on: db))
        b.code = "02" + script
        try await b.save(on: db)
        let team = try #require(try await Team.find(org.team1, on: db))
        team.name = "一组" + doubleQuoted
        try await team.save(on: db)
        let scheme = try #require(try await SchemeVersion.query(on: db).first())
        scheme.name = "电商" + refresh
        try await scheme.save(on: db)
        let hr = try #require(try await User.query(on: db).filter(\.$username == "hr").first())
        hr.displayName = "人事" + script
        try await hr.save(on: db)
    }

    // MARK: the escaping itself

    @Test("HTMLEscape: & < > \" ' in attributes; values with nothing to escape as they are")
    func htmlEscape() {
        #expect(HTMLEscape.attribute(Self.script) == Self.scriptEscaped)
        #expect(HTMLEscape.attribute(Self.singleQuoted) == "&#39; onmouseover=&#39;alert(3)")
        #expect(HTMLEscape.attribute(Self.doubleQuoted) == "&quot; onmouseover=&quot;alert(2)")
        #expect(HTMLEscape.attribute(Self.refresh) == Self.refreshEscaped)
        // data is data: an entity someone typed is shown as typed
        #expect(HTMLEscape.attribute("A&amp;B") == "A&amp;amp;B")
        #expect(HTMLEscape.attribute("R&D <1>") == "R&amp;D &lt;1&gt;")
        for plain in ["", "客服一部", "2026-10", "/reports/ranking?period=2026-10"] {
            #expect(HTMLEscape.attribute(plain) == plain)
        }
        // the page translation's encoding is the same five entities, and decodes what HTMLEscape writes
        for s in [Self.script, Self.singleQuoted, Self.doubleQuoted, Self.refresh, "A&amp;B 首页"] {
            #expect(Localizer.escapeHTML(s, quotes: true) == HTMLEscape.attribute(s))
            #expect(Localizer.unescapeHTML(HTMLEscape.attribute(s)) == s)
        }
    }

    @Test("an escaped value given to Plot is written escaped exactly once; the page title's meta tags too")
    func plotWritesOnce() throws {
        // Plot writes attribute values as given (the defect) and keeps entities in text as they are
        let node: Node<HTML.BodyContext> = .element(named: "span", nodes: [.attribute(named: "title", value: HTMLEscape.attribute(Self.script)), .text(Self.script)])
        #expect(node.render() == "<span title=\"\(Self.scriptEscaped)\">\"&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span>")
        let typed: Node<HTML.BodyContext> = .element(named: "span", nodes: [.attribute(named: "title", value: HTMLEscape.attribute("A&amp;B"))])
        #expect(typed.render() == "<span title=\"A&amp;amp;B\"></span>")
        // Page: the title (a scheme's name) in <title> and in the two meta tags Plot's .title made unescaped
        let res = Page.render(title: "考核方案 电商" + Self.refresh, body: .p("x"))
        let html = res.body.string ?? ""
        Self.expectEncoded(html, "Page.render")
        #expect(html.contains("content=\"考核方案 电商\(Self.refreshEscaped) · 考核 Kaohe\""))
        // a view: the login form keeps what was typed as the user name
        let login = Page.render(title: "登录", body: LoginView.body(LoginModel(csrf: "t", username: Self.script)))
        let form = login.body.string ?? ""
        Self.expectEncoded(form, "login view")
        #expect(form.contains("value=\"\(Self.scriptEscaped)\""))
    }

    @Test("charts escape with HTMLEscape (one path): a rater's name with ' stays inside its attribute and text")
    func charts() {
        for s in [Self.script, Self.singleQuoted, Self.refresh] { #expect(Charts.escape(s) == HTMLEscape.attribute(s)) }
        let svg = Charts.raters([.init(name: Self.singleQuoted, count: 3, mean: 80, min: 70, max: 90)], departmentMean: 85, max: 100,
                                title: Self.departmentName)
        Self.expectEncoded(svg, "raters chart")
        #expect(svg.contains("translate=\"no\">&#39; onmouseover=&#39;alert(3)</text>"))
        #expect(svg.contains("aria-label=\"\(HTMLEscape.attribute(Self.departmentName))\""))
    }

    @Test("the page translation decodes an attribute to translate it and encodes it again, ' included")
    func localizerReencodes() {
        let value = Self.departmentName + " 分数分布"
        let page = "<p aria-label=\"\(HTMLEscape.attribute(value))\">x</p>"
        let hant = Localizer.shared.html(page, .zhHant)
        let translated = Localizer.shared.text(value, .zhHant)
        #expect(translated != value)   // the attribute was translated, so decoded and encoded again
        #expect(hant == "<p aria-label=\"\(HTMLEscape.attribute(translated))\">x</p>")
        for lang in Language.allCases { Self.expectEncoded(Localizer.shared.html(page, lang), "Localizer \(lang.rawValue)") }
    }

    @Test("CSV: a cell starting with = + - @ tab or CR gets a leading '; plain numbers and other text as they are")
    func csvCell() {
        #expect(CSVCell.neutralised(Self.formula) == "'" + Self.formula)
        for s in ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "+", "=", "-1e5", "--1", "-alice", "=1"] {
            #expect(CSVCell.neutralised(s) == "'" + s, "\(s.debugDescription)")
        }
        for s in ["-3.5", "+2", "-0", "-.5", "-12.", "12", "88.5", "", "abc", "1-2", " =1", "艾丽", "2026-10", "'=x"] {
            #expect(CSVCell.neutralised(s) == s, "\(s.debugDescription)")
        }
        var sink = ByteSink()
        sink.spreadsheetCell(Self.formula)
        sink.raw(",")
        sink.spreadsheetCell("\r=1")
        sink.raw(",")
        sink.spreadsheetCell("-3.5")
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'\r=1\",-3.5")
    }

    // MARK: the pages

    @Test("every page HR opens, in every language: stored and reflected values escaped in attributes, never markup")
    func pages() async throws {
        try await withKaohe { app, org in
            try await Self.hostile(app, org)
            let (hr, _) = try await Browser.signIn(app, "hr")
            // each page, with what must be on it: the payload escaped in an attribute
            let pages: [(String, [String])] = [
                ("/", []),
                ("/people", []),
                ("/people?q=\(Self.enc(Self.script))", ["value=\"\(Self.scriptEscaped)\""]),
                ("/people/\(org.alice)", ["value=\"\(Self.scriptEscaped)\"", "value=\"\(Self.refreshEscaped)\"",
                                          "value=\"&quot; onmouseover=&quot;alert(2)\"", "value=\"&#39; onmouseover=&#39;alert(3)\""]),
                ("/employees/\(org.alice)", []),
                ("/audit?actor=\(Self.enc(Self.refresh))", ["value=\"\(Self.refreshEscaped)\""]),
                ("/schemes", []),
                ("/schemes/ecommerce-monthly", []),
                ("/reports", []),
                ("/reports/results?period=\(Self.enc("2026" + Self.script))", ["period=2026\(Self.scriptEscaped)&amp;department="]),
                ("/reports/star-board?period=\(Self.enc(Self.doubleQuoted))", ["period=&quot; onmouseover=&quot;alert(2)&amp;department="]),
                ("/reports/results?period=2026-10&department=\(Self.enc(Self.departmentName))",
                 ["department=\(HTMLEscape.attribute(Self.departmentName))&amp;format=", "department=客服一部\(Self.scriptEscaped)&#39; onmouseover=&#39;alert(3)"]),
                ("/imports", ["value=\"02\(Self.scriptEscaped)\""]),
                ("/cycles", []),
                ("/qa", []),
            ]
            for lang in Language.allCases {
                // the language is the account's (Localize: the account's choice before the cookie)
                let user = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
                user.language = lang.rawValue
                try await user.save(on: app.db)
                for (page, required) in pages {
                    try await app.testing().test(.GET, page, headers: hr.headers) { res in
                        let html = res.body.string
                        #expect(res.status == .ok, "\(lang.rawValue) \(page): \(html.prefix(300))")
                        #expect(res.headers.first(name: .contentLanguage) == lang.rawValue, "\(lang.rawValue) \(page)")
                        Self.expectEncoded(html, "\(lang.rawValue) \(page)")
                        for r in required { #expect(html.contains(r), "\(lang.rawValue) \(page): \(r)") }
                    }
                }
            }
        }
    }

    @Test("the login page shows a hostile user name escaped after a failed sign-in, in every language (the cookie's)")
    func login() async throws {
        try await withKaohe { app, _ in
            for lang in Language.allCases {
                var b = Browser()
                try await app.testing().test(.GET, "login") { res in b.remember(res) }
                var h: HTTPHeaders = ["Cookie": b.cookie + "; \(Localize.cookie)=\(lang.rawValue)"]
                h.contentType = .urlEncodedForm
                // a name per language: failed sign-ins are counted per name
                let name = Self.script + lang.rawValue
                let body = "_csrf=\(Self.enc(b.csrf))&username=\(Self.enc(name))&password=wrong"
                try await app.testing().test(.POST, "login", headers: h, body: ByteBuffer(string: body)) { res in
                    #expect(res.status == .unauthorized)
                    #expect(res.headers.first(name: .contentLanguage) == lang.rawValue)
                    Self.expectEncoded(res.body.string, "login \(lang.rawValue)")
                    #expect(res.body.string.contains("value=\"\(Self.scriptEscaped)\(lang.rawValue)\""))
                }
            }
        }
    }

    // MARK: the CSV files

    @Test("audit.csv and the form exports: names, user names and token names starting with = + - @ begin with '; XLSX keeps them as text")
    func csvFiles() async throws {
        try await withKaohe { app, org in
            let alice = try #require(try await Employee.find(org.alice, on: app.db))
            alice.name = Self.formula
            try await alice.save(on: app.db)
            let team = try #require(try await Team.find(org.team1, on: app.db))
            team.name = "@SUM(1+1)"
            try await team.save(on: app.db)
            let account = try #require(try await User.query(on: app.db).filter(\.$username == "alice").first())
            account.username = "-alice"
            try await account.save(on: app.db)
            // a sign-in is audited with the user name
            let (_, status) = try await Browser.signIn(app, "-alice")
            #expect(status == .seeOther)
            var (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "/", headers: hr.headers) { res in hr.remember(res) }
            // an API token's name is audited as the record's id
            var h = hr.headers
            h.contentType = .json
            let token = try JSONEncoder().encode(["name": Self.formula, "_csrf": hr.csrf])
            try await app.testing().test(.POST, "api/v1/tokens", headers: h, body: ByteBuffer(data: token)) { res in
                #expect(res.status == .created, "\(res.body.string)")
            }
            try await app.testing().test(.GET, "api/v1/audit.csv", headers: hr.headers) { res in
                let csv = res.body.string
                #expect(res.status == .ok)
                #expect(csv.contains(",hr,create,api_token,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","), "\(csv)")
                #expect(csv.contains(",'-alice,login,user,'-alice,"), "\(csv)")
                #expect(!csv.contains(",=") && !csv.contains(",\"=") && !csv.contains(",-alice"), "\(csv)")
            }
            try await app.testing().test(.GET, "exports/download?form=results&period=2026-10&department=&format=csv", headers: hr.headers) { res in
                let csv = res.body.string
                #expect(res.status == .ok && res.headers.contentType?.subType == "csv")
                #expect(csv.contains("101001,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",客服一部,'@SUM(1+1),2026-10,ecommerce-monthly,1,88.5,"), "\(csv)")
                #expect(!csv.contains(",=") && !csv.contains(",\"=") && !csv.contains(",@"), "\(csv)")
            }
            // XLSX: the same name is an inline string, never a formula
            let (xs, data, _) = try await ExportTests.get(app, hr, "api/v1/exports/results?period=2026-10")
            #expect(xs == .ok)
            let xml = try ExportTests.sheetXML(data, 1)
            #expect(xml.contains("<t xml:space=\"preserve\">=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</t>") && !xml.contains("<f>") && !xml.contains("<f "))
        }
    }
}
