import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// A company's own schemes (issue 16 §2): the template gallery copies a preset as many times as
/// wanted under the company's own key and name, or starts blank; keys are checked and refusals
/// name the field; only HR may; and the builder's service functions check, convert and preview.
@Suite("Scheme authoring: gallery, keys, builder services (issue 16 §2)", .serialized)
struct SchemeAuthoringTests {
    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    /// Posts the gallery's form as a browser would.
    static func create(_ app: Application, _ b: Browser, from: String, key: String, name: String) async throws -> TestingHTTPResponse {
        var h = b.headers
        h.contentType = .urlEncodedForm
        let body = "_csrf=\(enc(b.csrf))&from=\(enc(from))&key=\(enc(key))&name=\(enc(name))&department="
        var out: TestingHTTPResponse?
        try await app.testing().test(.POST, "schemes", headers: h, body: ByteBuffer(string: body)) { res in out = res }
        return try #require(out)
    }

    @Test("ecommerce-monthly copied twice under two keys: two schemes with their own keys and names, each scoring like the preset")
    func copyAPresetTwice() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            // the gallery lists the presets with a link to start from each
            try await app.testing().test(.GET, "schemes", headers: hr.headers) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("新建方案") && res.body.string.contains("空白方案"))
                #expect(res.body.string.contains("/schemes?from=ecommerce-monthly#new"))
            }
            try await app.testing().test(.GET, "schemes?from=ecommerce-monthly", headers: hr.headers) { res in
                #expect(res.body.string.contains("<option value=\"ecommerce-monthly\" selected=\"selected\">"), "the template chosen in the gallery is preselected")
            }
            let east = try await Self.create(app, hr, from: "ecommerce-monthly", key: "shop-east", name: "华东电商客服月度考核")
            #expect(east.status == .seeOther && east.headers.first(name: .location) == "/schemes/shop-east")
            let west = try await Self.create(app, hr, from: "ecommerce-monthly", key: "shop-west", name: "华西电商客服月度考核")
            #expect(west.status == .seeOther && west.headers.first(name: .location) == "/schemes/shop-west")

            let preset = try ScoringEngine(scheme: try Presets.scheme("ecommerce-monthly"))
            let sample = ["inquiries": "1200", "orders": "300"]
            let expected = try preset.score(sample)
            for (key, name) in [("shop-east", "华东电商客服月度考核"), ("shop-west", "华西电商客服月度考核")] {
                let v = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == key).first())
                #expect(v.version == 1 && v.name == name && v.preset == "ecommerce-monthly")
                let scheme = try SchemeLoader.decode(v.text, format: .yaml)
                #expect(scheme.id == key && scheme.name == name)
                // the preset's comments and rules come along
                #expect(v.text.contains("# 电商客服月绩效考核表 (seed 001)"))
                let engine = try Scoring.engine(v)
                let got = try engine.score(sample)
                #expect(got.total == expected.total && got.items.map(\.points) == expected.items.map(\.points))
                #expect(try engine.score([:]).total == (try preset.score([:])).total)
                // no SPEC-id warnings on the company's copy
                let (_, problems) = SchemeService.check(v.text, key: key)
                #expect(!problems.contains { $0.message.contains("SPEC id") })
                #expect(!problems.contains { $0.severity == .error })
            }
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "scheme").filter(\.$action == "create").all()
            #expect(Set(audit.map(\.after)) == ["preset ecommerce-monthly"] && audit.count == 2)
            // the list shows both with the preset they came from, the gallery counts the copies
            try await app.testing().test(.GET, "schemes", headers: hr.headers) { res in
                let html = res.body.string
                #expect(html.contains("华东电商客服月度考核") && html.contains("华西电商客服月度考核"))
                #expect(html.contains("<td>ecommerce-monthly</td>"))
            }
            // the API copies too, with the same key and name parameters
            var h = hr.headers
            h.contentType = .json
            try await app.testing().test(.POST, "api/v1/schemes", headers: h,
                                         body: ByteBuffer(string: #"{"preset": "ecommerce-monthly", "key": "shop-north", "name": "华北电商客服月度考核"}"#)) { res in
                #expect(res.status == .created, "\(res.body.string)")
                #expect(res.body.string.contains("\"key\":\"shop-north\"") && res.body.string.contains("\"preset\":\"ecommerce-monthly\""))
            }
            try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: #"{"key": "api-blank", "name": "接口空白方案"}"#)) { res in
                #expect(res.status == .created, "\(res.body.string)")
            }
            let blank = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "api-blank").first())
            #expect(blank.preset == nil)
        }
    }

    @Test("a blank scheme validates: no error, no warning, 100 points attainable")
    func blankScheme() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            let res = try await Self.create(app, hr, from: "blank", key: "our-own", name: "本公司客服考核")
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/schemes/our-own")
            let v = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "our-own").first())
            #expect(v.preset == nil && v.name == "本公司客服考核")
            let (scheme, problems) = SchemeService.check(v.text, key: "our-own")
            #expect(scheme?.name == "本公司客服考核")
            #expect(!problems.contains { $0.severity == .error || $0.severity == .warning }, "\(problems)")
            let made = try #require(scheme)
            #expect(made.id == "our-own" && SchemeValidator.attainableMax(made) == Fixed(100))
            // the editor opens on it
            try await app.testing().test(.GET, "schemes/our-own", headers: hr.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("校验通过，没有错误或警告"), "\(res.body.string)")
            }
            // scored with the engine: the one marked item
            let result = try ScoringEngine(scheme: made).score(["performance": "87.5"])
            #expect(result.total == Fixed("87.5")!)
        }
    }

    @Test("only HR starts a scheme: a manager, a lead and an agent get 403 and nothing is stored")
    func onlyHR() async throws {
        try await withKaohe { app, _ in
            let before = try await SchemeVersion.query(on: app.db).count()
            for user in ["mgr", "bob", "alice", "carol"] {
                let (b, _) = try await Browser.signIn(app, user)
                let res = try await Self.create(app, b, from: "ecommerce-monthly", key: "by-\(user)", name: "越权")
                #expect(res.status == .forbidden, "\(user)")
                let blank = try await Self.create(app, b, from: "blank", key: "blank-\(user)", name: "越权")
                #expect(blank.status == .forbidden, "\(user)")
                var h = b.headers
                h.contentType = .json
                try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: #"{"preset": "after-sales", "key": "api-x", "name": "越权"}"#)) { res in
                    #expect(res.status == .forbidden, "\(user)")
                }
            }
            #expect(try await SchemeVersion.query(on: app.db).count() == before)
        }
    }

    @Test("bad keys are refused naming the field, the form keeps what was typed, nothing is stored")
    func badKeys() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            #expect(try await Self.create(app, hr, from: "ecommerce-monthly", key: "shop-east", name: "华东").status == .seeOther)
            let before = try await SchemeVersion.query(on: app.db).count()
            let upper = try await Self.create(app, hr, from: "ecommerce-monthly", key: "Shop-East", name: "华东二")
            #expect(upper.status == .unprocessableEntity)
            #expect(upper.body.string.contains("key：") || upper.body.string.contains("key:"), "\(upper.body.string)")
            #expect(upper.body.string.contains("不能有大写字母"))
            #expect(upper.body.string.contains("value=\"Shop-East\"") && upper.body.string.contains("value=\"华东二\""), "what was typed is kept")
            let spaced = try await Self.create(app, hr, from: "ecommerce-monthly", key: "shop east", name: "华东三")
            #expect(spaced.status == .unprocessableEntity && spaced.body.string.contains("不能有空格"))
            let duplicate = try await Self.create(app, hr, from: "after-sales", key: "shop-east", name: "重复")
            #expect(duplicate.status == .conflict && duplicate.body.string.contains("已有方案 “shop-east”"), "\(duplicate.body.string)")
            let empty = try await Self.create(app, hr, from: "blank", key: "", name: "无 key")
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("须填写方案 key"))
            // /schemes/new and /schemes/builder are pages, not schemes
            for word in ["new", "builder"] {
                let reserved = try await Self.create(app, hr, from: "blank", key: word, name: "保留字")
                #expect(reserved.status == .unprocessableEntity && reserved.body.string.contains("不能是 “\(word)”（保留字）"), "\(word): \(reserved.body.string)")
            }
            let noName = try await Self.create(app, hr, from: "blank", key: "no-name", name: "  ")
            #expect(noName.status == .unprocessableEntity && noName.body.string.contains("须填写方案名称"))
            let unknown = try await Self.create(app, hr, from: "no-such-preset", key: "x-1", name: "无此预设")
            #expect(unknown.status == .notFound && unknown.body.string.contains("ecommerce-monthly"))
            #expect(try await SchemeVersion.query(on: app.db).count() == before)
            // the API names the field in its message too
            var h = hr.headers
            h.contentType = .json
            try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: #"{"preset": "ecommerce-monthly", "key": "Bad Key", "name": "x"}"#)) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("key:"), "\(res.body.string)")
            }
            try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: #"{"preset": "ecommerce-monthly", "key": "shop-east"}"#)) { res in
                #expect(res.status == .conflict && res.body.string.contains("key:"), "\(res.body.string)")
            }
        }
    }
}
