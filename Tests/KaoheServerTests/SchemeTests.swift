import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

@Suite("Schemes stored and versioned (issue 4 §4)", .serialized)
struct SchemeTests {
    static func json(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed]), as: UTF8.self).dropFirst().dropLast().description
    }

    @Test func instantiateEditValidateAndKeepVersions() async throws {
        try await withKaohe { app, org in
            let (hr, _) = try await Browser.signIn(app, "hr")
            var h = hr.headers
            h.contentType = .json
            try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: "{\"preset\": \"weighted-template\", \"department_id\": \"\(org.deptA)\"}")) { res in
                #expect(res.status == .created && res.body.string.contains("\"version\":1"))
            }
            try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: "{\"preset\": \"weighted-template\"}")) { res in #expect(res.status == .conflict) }
            try await app.testing().test(.POST, "api/v1/schemes", headers: h, body: ByteBuffer(string: "{\"preset\": \"nope\"}")) { res in
                #expect(res.status == .notFound && res.body.string.contains("ecommerce-monthly"))
            }
            // a month scored with version 1
            let evidence = "{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"weighted-template\", \"values\": {\"satisfaction\": \"92\", \"response_time\": \"25\", \"quality\": \"18\", \"attitude\": \"13\", \"workload_rate\": \"100\"}}"
            try await app.testing().test(.PUT, "api/v1/evidence", headers: h, body: ByteBuffer(string: evidence)) { res in #expect(res.status == .ok) }
            let original = try String(contentsOf: try Demo.presetFile("weighted-template"), encoding: .utf8)
            // an overlapping band is refused with its path; nothing is stored
            let overlapping = original.replacingOccurrences(of: "{min: 80, max: 90, value: 20}", with: "{min: 75, max: 90, value: 20}")
            let put = { (text: String, reason: String) in "{\"text\": \(Self.json(text)), \"reason\": \"\(reason)\"}" }
            try await app.testing().test(.PUT, "api/v1/schemes/weighted-template", headers: h, body: ByteBuffer(string: put(overlapping, "试改"))) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(res.body.string.contains("sections[0].items[0].bands"), "\(res.body.string)")
            }
            try await app.testing().test(.PUT, "api/v1/schemes/weighted-template", headers: h, body: ByteBuffer(string: put(original.replacingOccurrences(of: "id: weighted-template", with: "id: other"), "改名"))) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("\"path\":\"id\""))
            }
            let stored = try await SchemeVersion.query(on: app.db).filter(\.$key == "weighted-template").count()
            #expect(stored == 1)
            // a stricter 优秀 cut-off becomes version 2
            let stricter = original.replacingOccurrences(of: "{label: 优秀, min: 90, rule: R-001-20}", with: "{label: 优秀, min: 97, rule: R-001-20}")
            #expect(stricter != original)
            try await app.testing().test(.PUT, "api/v1/schemes/weighted-template", headers: h, body: ByteBuffer(string: put(stricter, "公司调整优秀线"))) { res in
                #expect(res.status == .created && res.body.string.contains("\"version\":2"), "\(res.body.string)")
            }
            try await app.testing().test(.GET, "api/v1/schemes/weighted-template/versions", headers: hr.headers) { res in
                let list = try JSONDecoder().decode([[String: AnyCodable]].self, from: Data(res.body.string.utf8))
                #expect(list.count == 2)
            }
            // the October sheet keeps version 1 and its grade; November is scored with version 2
            let oct = try #require(try await StoredResult.query(on: app.db).filter(\.$period == "2026-10").filter(\.$employee.$id == org.alice).with(\.$scheme).all().first { $0.scheme.key == "weighted-template" })
            #expect(oct.scheme.version == 1 && oct.grade == "优秀")
            try await app.testing().test(.PUT, "api/v1/evidence", headers: h, body: ByteBuffer(string: evidence.replacingOccurrences(of: "2026-10", with: "2026-11"))) { res in
                #expect(res.status == .ok && res.body.string.contains("\"scheme_version\":2"))
            }
            let nov = try #require(try await StoredResult.query(on: app.db).filter(\.$period == "2026-11").with(\.$scheme).first())
            #expect(nov.scheme.version == 2 && nov.total == "96" && nov.grade == "良好")
            let audit = try #require(try await AuditEntry.query(on: app.db).filter(\.$entity == "scheme").filter(\.$action == "update").first())
            #expect(audit.before == "v1" && audit.after == "v2" && audit.reason == "公司调整优秀线")
            // only HR edits
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            var m = mgr.headers
            m.contentType = .json
            try await app.testing().test(.PUT, "api/v1/schemes/weighted-template", headers: m, body: ByteBuffer(string: put(stricter, "x"))) { res in #expect(res.status == .forbidden) }
            try await app.testing().test(.GET, "api/v1/schemes", headers: mgr.headers) { res in #expect(res.status == .ok) }
        }
    }
}

/// Decodes any JSON value (only the count of entries is read).
struct AnyCodable: Decodable {
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { return }
        if (try? c.decode(String.self)) != nil { return }
        if (try? c.decode(Double.self)) != nil { return }
        if (try? c.decode(Bool.self)) != nil { return }
    }
}
