import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheServer

/// The visual scheme builder (issue 16 §2): the page's JSON document is the scheme, the preview
/// checks it as a save would and scores a sample employee, saving makes version N+1 (audited),
/// only HR reaches it, and hostile documents are refused with nothing stored.
@Suite("Scheme builder (issue 16 §2)", .serialized)
struct SchemeBuilderTests {
    /// A small company scheme: 服务态度 (manual, 40), 满意度 in bands (30), 服务差错 deductions (30).
    /// `bands` is the band table of 满意度.
    static func small(id: String = "small-shop", bands: String = #"[{"min":90,"value":30},{"min":80,"max":90,"value":20},{"min":0,"max":80,"value":0}]"#,
                      deductionKind: String = "deductions") -> String {
        #"""
        {"id":"\#(id)","name":"小店客服月度考核","period":"month","max":100,
         "metrics":[{"id":"satisfaction","label":"满意度","kind":"percent"}],
         "sections":[{"id":"main","label":"考核项目","max":100,"items":[
           {"id":"attitude","label":"服务态度","kind":"manual","max":40},
           {"id":"sat","label":"客户满意度","kind":"banded","max":30,"metric":"satisfaction","mode":"points","bands":\#(bands)},
           {"id":"faults","label":"服务差错","kind":"\#(deductionKind)","max":30,"offences":[{"id":"late","label":"迟到","points":5},{"id":"rude","label":"态度恶劣","points":10,"cap":20}]}]}],
         "grades":[{"label":"优秀","min":90},{"label":"合格","min":60},{"label":"不合格"}]}
        """#
    }

    static func body(_ csrf: String, _ fields: [String: Any]) throws -> ByteBuffer {
        var f = fields
        f["_csrf"] = csrf
        return ByteBuffer(string: String(decoding: try JSONSerialization.data(withJSONObject: f), as: UTF8.self))
    }

    static func post(_ app: Application, _ b: Browser, _ step: String, _ fields: [String: Any]) async throws -> TestingHTTPResponse {
        var h = b.headers
        h.contentType = .json
        var out: TestingHTTPResponse?
        try await app.testing().test(.POST, SiteURL.schemeBuilderStep(step).path, headers: h, body: try body(b.csrf, fields)) { res in out = res }
        return try #require(out)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ res: TestingHTTPResponse) throws -> T {
        try JSONDecoder().decode(type, from: Data(res.body.string.utf8))
    }

    /// The JSON document in the page's `#builder-json`, unescaped.
    static func document(in html: String) throws -> String {
        let start = try #require(html.range(of: "id=\"builder-json\""))
        let open = try #require(html.range(of: ">", range: start.upperBound..<html.endIndex))
        let close = try #require(html.range(of: "</textarea>", range: open.upperBound..<html.endIndex))
        return String(html[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func instantiate(_ app: Application, _ hr: Browser, _ preset: String) async throws {
        var h = hr.headers
        h.contentType = .json
        try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: #"{"preset": "\#(preset)"}"#)) { res in
            #expect(res.status == .created)
        }
    }

    @Test("every preset round-trips: scheme → the builder's JSON → scheme, and JSON → YAML → scheme")
    func presetsRoundTrip() throws {
        for entry in Presets.all() {
            let scheme = try Presets.scheme(entry.id)
            let json = try SchemeText.json(scheme)
            let back = try JSONDecoder().decode(Scheme.self, from: Data(json.utf8))
            #expect(back == scheme, "\(entry.id): JSON")
            let yaml = try SchemeText.yaml(fromJSON: json)
            let again = try SchemeLoader.decode(yaml, format: .yaml)
            #expect(again == scheme, "\(entry.id): YAML\n\(yaml.prefix(400))")
            #expect(!yaml.contains(": []"), "\(entry.id): empty lists are left out")
        }
    }

    @Test("HR opens the builder of a preset-based scheme: the page's JSON document is the scheme; the list links to it")
    func pageDocumentIsTheScheme() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.instantiate(app, hr, "weighted-template")
            var html = ""
            try await app.testing().test(.GET, SiteURL.schemeBuilder("weighted-template").path, headers: hr.headers) { res in
                #expect(res.status == .ok)
                html = res.body.string
            }
            let doc = try Self.document(in: html)
            let scheme = try JSONDecoder().decode(Scheme.self, from: Data(doc.utf8))
            #expect(try Presets.scheme("weighted-template") == scheme)
            // the palette's words and the script come with the page; the key is the scheme's
            #expect(html.contains(">档位/区间<") && html.contains(">扣分项<") && html.contains(">手工评分<"))
            #expect(html.contains("data-key=\"weighted-template\"") && html.contains(SiteURL.schemeBuilderScript.path))
            // the JSON the page would post back converts to YAML that is the same scheme
            let converted = try await Self.post(app, hr, "convert", ["to": "yaml", "document": doc])
            #expect(converted.status == .ok)
            let yaml = try #require(try Self.decode(SchemeBuilderController.Converted.self, converted).text)
            #expect(try SchemeLoader.decode(yaml, format: .yaml) == scheme)
            // and back: the YAML tab's text gives the visual editor the same document
            let json = try await Self.post(app, hr, "convert", ["to": "json", "yaml": yaml])
            let text = try #require(try Self.decode(SchemeBuilderController.Converted.self, json).text)
            #expect(try JSONDecoder().decode(Scheme.self, from: Data(text.utf8)) == scheme)
            // the list and the blank builder
            try await app.testing().test(.GET, "schemes", headers: hr.headers) { res in
                #expect(res.body.string.contains(SiteURL.schemeBuilder("weighted-template").path) && res.body.string.contains(SiteURL.schemeBuilderNew.path))
            }
            try await app.testing().test(.GET, SiteURL.schemeBuilderNew.path, headers: hr.headers) { res in
                #expect(res.status == .ok)
                let blank = try JSONSerialization.jsonObject(with: Data(try Self.document(in: res.body.string).utf8)) as? [String: Any]
                #expect((blank?["sections"] as? [Any])?.isEmpty == true && blank?["id"] as? String == "")
            }
        }
    }

    @Test("a band gap is reported at its path; the preview scores the sample item by item with explanations and the attainable maximum")
    func previewAndGap() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            // 80–90 is left out: the band starting at 90 (bands[0]) follows a gap
            let gap = #"[{"min":90,"value":30},{"min":70,"max":80,"value":20},{"min":0,"max":70,"value":0}]"#
            let res = try await Self.post(app, hr, "preview", ["document": Self.small(bands: gap)])
            #expect(res.status == .ok)
            let out = try Self.decode(SchemeBuilderService.Outcome.self, res)
            let p = try #require(out.problems.first { $0.path == "sections[0].items[1].bands[0]" }, "\(out.problems)")
            #expect(p.severity == "warning" && p.message.contains("空档"), "\(p)")
            // a gap is a warning (a value there goes to a rater): the sample is still scored
            #expect(out.errors == 0)
            #expect(out.attainableMax == "100" && out.declaredMax == "100")
            let pv = try #require(out.preview)
            // the middle of each range: a mark of 20 of 40, 满意度 50 %, no offences
            #expect(pv.inputs.first { $0.column == "attitude" }?.value == "20")
            #expect(pv.inputs.first { $0.column == "satisfaction" }?.value == "50")
            #expect(pv.inputs.first { $0.column == "faults.late" }?.value == "0")
            let points = Dictionary(uniqueKeysWithValues: pv.items.map { ($0.id, $0.points) })
            #expect(points["attitude"] == "20" && points["sat"] == "0" && points["faults"] == "30", "\(points)")
            #expect(pv.total == "50" && pv.max == "100" && pv.grade == "不合格")
            #expect(pv.items.allSatisfy { !$0.explanation.isEmpty }, "\(pv.items.map(\.explanation))")

            // typed values: 85 % falls in the gap (left to a rater), one late arrival costs 5
            let typed = try await Self.post(app, hr, "preview", ["document": Self.small(bands: gap), "values": ["satisfaction": "85", "faults.late": "1", "attitude": "36"]])
            let t = try #require(try Self.decode(SchemeBuilderService.Outcome.self, typed).preview)
            let sat = try #require(t.items.first { $0.id == "sat" })
            #expect(sat.points == nil && sat.flag != nil, "\(sat)")
            #expect(t.items.first { $0.id == "faults" }?.points == "25" && t.items.first { $0.id == "attitude" }?.points == "36")
            #expect(t.total == "61", "36 + 25 with 满意度 unscored")

            // an overlap is an error at its path, and no preview
            let overlap = #"[{"min":85,"value":30},{"min":70,"max":90,"value":20},{"min":0,"max":70,"value":0}]"#
            let bad = try Self.decode(SchemeBuilderService.Outcome.self, try await Self.post(app, hr, "preview", ["document": Self.small(bands: overlap)]))
            #expect(bad.errors >= 1 && bad.preview == nil)
            #expect(bad.problems.contains { $0.severity == "error" && $0.path.hasPrefix("sections[0].items[1].bands[") }, "\(bad.problems)")
            // a formula naming a metric the scheme does not have is named at the formula
            let formula = Self.small().replacingOccurrences(of: #"{"id":"attitude","label":"服务态度","kind":"manual","max":40}"#,
                                                            with: #"{"id":"attitude","label":"服务态度","kind":"formula","max":40,"formula":"satisfaction * 0.4 + bonus_points"}"#)
            let f = try Self.decode(SchemeBuilderService.Outcome.self, try await Self.post(app, hr, "preview", ["document": formula]))
            #expect(f.problems.contains { $0.severity == "error" && $0.path.hasPrefix("sections[0].items[0]") && $0.message.contains("bonus_points") }, "\(f.problems)")
        }
    }

    @Test("saving makes version N+1 through the scheme save path and audits it; a new scheme is version 1; errors and a missing reason save nothing")
    func save() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.instantiate(app, hr, "weighted-template")
            var html = ""
            try await app.testing().test(.GET, SiteURL.schemeBuilder("weighted-template").path, headers: hr.headers) { res in html = res.body.string }
            var doc = try #require(try JSONSerialization.jsonObject(with: Data(try Self.document(in: html).utf8)) as? [String: Any])
            var grades = try #require(doc["grades"] as? [[String: Any]])
            #expect(grades[0]["label"] as? String == "优秀")
            grades[0]["min"] = 95
            doc["grades"] = grades
            let edited = String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self)

            // no reason: refused, nothing stored
            let noReason = try await Self.post(app, hr, "save", ["key": "weighted-template", "document": edited, "reason": " "])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("R-004-03"))
            #expect(try await SchemeVersion.query(on: app.db).filter(\.$key == "weighted-template").count() == 1)

            let saved = try await Self.post(app, hr, "save", ["key": "weighted-template", "document": edited, "reason": "提高优秀线"])
            #expect(saved.status == .created, "\(saved.body.string)")
            let s = try Self.decode(SchemeBuilderController.Saved.self, saved)
            #expect(s.version == 2 && s.key == "weighted-template" && s.url == SiteURL.schemeBuilder("weighted-template").path)
            let v2 = try #require(try await SchemeStore.newest(key: "weighted-template", on: app.db))
            #expect(v2.version == 2 && v2.preset == "weighted-template")
            #expect(try SchemeLoader.decode(v2.text, format: .yaml).grades[0].min == Fixed(95))
            let audit = try #require(try await AuditEntry.query(on: app.db).filter(\.$entity == "scheme").filter(\.$action == "update").first())
            #expect(audit.before == "v1" && audit.after == "v2" && audit.reason == "提高优秀线" && audit.actorName == "hr")
            // the same document again is no change
            let same = try await Self.post(app, hr, "save", ["key": "weighted-template", "document": edited, "reason": "再存一次"])
            #expect(same.status == .unprocessableEntity)
            #expect(try Self.decode(SchemeBuilderController.Refused.self, same).message.contains("没有改动"))

            // a new scheme from blank: version 1 under its own id, audited, then opened in the builder
            let created = try await Self.post(app, hr, "save", ["document": Self.small(), "reason": ""])
            #expect(created.status == .created, "\(created.body.string)")
            let c = try Self.decode(SchemeBuilderController.Saved.self, created)
            #expect(c.key == "small-shop" && c.version == 1)
            let stored = try await SchemeVersion.query(on: app.db).filter(\.$key == "small-shop").all()
            #expect(stored.count == 1 && stored[0].preset == nil && stored[0].name == "小店客服月度考核")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "scheme").filter(\.$action == "create").filter(\.$entityId == "small-shop v1").count() == 1)
            try await app.testing().test(.GET, SiteURL.schemeBuilder("small-shop").path, headers: hr.headers) { res in #expect(res.status == .ok) }
            // the id is taken now: a second new scheme with it is refused at `id`
            let again = try await Self.post(app, hr, "save", ["document": Self.small(), "reason": ""])
            #expect(again.status == .unprocessableEntity)
            #expect(try Self.decode(SchemeBuilderController.Refused.self, again).problems.contains { $0.path == "id" })
            // errors: refused with the problems, nothing stored
            let overlap = #"[{"min":85,"value":30},{"min":70,"max":90,"value":20},{"min":0,"max":70,"value":0}]"#
            let refused = try await Self.post(app, hr, "save", ["document": Self.small(id: "other-shop", bands: overlap), "reason": ""])
            #expect(refused.status == .unprocessableEntity)
            #expect(try Self.decode(SchemeBuilderController.Refused.self, refused).problems.contains { $0.path.hasPrefix("sections[0].items[1].bands[") })
            #expect(try await SchemeVersion.query(on: app.db).filter(\.$key == "other-shop").count() == 0)
        }
    }

    @Test("every builder route is HR's: the other roles get 403")
    func hrOnly() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.instantiate(app, hr, "weighted-template")
            for name in ["alice", "bob", "carol", "mgr"] {
                let (b, _) = try await Browser.signIn(app, name)
                for path in [SiteURL.schemeBuilder("weighted-template").path, SiteURL.schemeBuilderNew.path] {
                    try await app.testing().test(.GET, path, headers: b.headers) { res in #expect(res.status == .forbidden, "\(name) GET \(path)") }
                }
                for step in ["preview", "convert", "save"] {
                    let res = try await Self.post(app, b, step, ["key": "weighted-template", "document": Self.small(id: "weighted-template"), "to": "yaml", "reason": "x"])
                    #expect(res.status == .forbidden, "\(name) POST \(step): \(res.status)")
                }
            }
            #expect(try await SchemeVersion.query(on: app.db).filter(\.$key == "weighted-template").count() == 1)
        }
    }

    @Test("hostile documents — 10 MB, deeply nested, an unknown kind, not JSON — are refused with a clear error and nothing saved")
    func hostile() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            let before = try await SchemeVersion.query(on: app.db).count()
            // 10 MB: over the body limit
            let huge = "{\"id\":\"huge\",\"name\":\"" + String(repeating: "考", count: 3_500_000) + "\"}"
            let big = try await Self.post(app, hr, "save", ["document": huge, "reason": ""])
            #expect(big.status == .payloadTooLarge, "\(big.status)")
            // nested far deeper than a scheme is: refused before any parser reads it
            let deep = "{\"id\":\"deep\",\"name\":\"x\",\"sections\":" + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "}"
            let nested = try await Self.post(app, hr, "save", ["document": deep, "reason": ""])
            #expect(nested.status == .unprocessableEntity)
            #expect(try Self.decode(SchemeBuilderController.Refused.self, nested).problems.contains { $0.message.contains("嵌套过深") })
            let nestedPreview = try Self.decode(SchemeBuilderService.Outcome.self, try await Self.post(app, hr, "preview", ["document": deep]))
            #expect(nestedPreview.errors == 1 && nestedPreview.preview == nil)
            // a kind the format does not have is named at its path
            let unknown = try await Self.post(app, hr, "save", ["document": Self.small(deductionKind: "deduction"), "reason": ""])
            #expect(unknown.status == .unprocessableEntity)
            let u = try Self.decode(SchemeBuilderController.Refused.self, unknown)
            #expect(u.problems.contains { $0.path == "sections[0].items[2].kind" && $0.message.contains("deduction") }, "\(u.problems)")
            // YAML anchors in a "JSON" document, a document that is not an object, a body that is not JSON
            let anchors = try await Self.post(app, hr, "save", ["document": #"{"id": &a "x", "name": *a}"#, "reason": ""])
            #expect(anchors.status == .unprocessableEntity)
            let list = try await Self.post(app, hr, "save", ["document": "[1, 2]", "reason": ""])
            #expect(list.status == .unprocessableEntity)
            var h = hr.headers
            h.contentType = .json
            try await app.testing().test(.POST, SiteURL.schemeBuilderStep("save").path, headers: h,
                                         body: ByteBuffer(string: #"{"_csrf": "\#(hr.csrf)", "document": 12}"#)) { res in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.POST, SiteURL.schemeBuilderStep("publish").path, headers: h,
                                         body: try Self.body(hr.csrf, ["document": Self.small()])) { res in
                #expect(res.status == .notFound)
            }
            #expect(try await SchemeVersion.query(on: app.db).count() == before)
        }
    }
}
