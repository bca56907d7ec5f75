import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

@Suite("Evidence through the API: permissions, validation, audit, re-scoring", .serialized)
struct EvidenceTests {
    /// Stores a preset as a scheme version.
    static func preset(_ app: Application, _ id: String, version: Int = 1) async throws -> SchemeVersion {
        let text = try String(contentsOf: try Demo.presetFile(id), encoding: .utf8)
        let v = SchemeVersion(key: id, version: version, name: id, text: text, preset: id, departmentId: nil, createdBy: nil)
        try await v.save(on: app.db)
        return v
    }

    static func put(_ app: Application, _ b: Browser, _ json: String, _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var h = b.headers
        h.contentType = .json
        try await app.testing().test(.PUT, "api/v1/evidence", headers: h, body: ByteBuffer(string: json), afterResponse: check)
    }

    @Test("a team lead records a team member's month; the result is scored and stored; every value audited")
    func leadRecords() async throws {
        try await withKaohe { app, org in
            _ = try await Self.preset(app, "weighted-template")
            let (bob, _) = try await Browser.signIn(app, "bob")
            let body = """
            {"employee_id": "\(org.alice)", "period": "2026-10", "scheme": "weighted-template",
             "values": {"satisfaction": "92", "response_time": "25", "quality": "18", "attitude": "13", "workload_rate": "100"}}
            """
            try await Self.put(app, bob, body) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                #expect(res.body.string.contains("\"total\":\"96\""))   // 30 + 20 + 18 + 13 + 15
            }
            let stored = try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$period == "2026-10").with(\.$scheme).all()
            #expect(stored.contains { $0.scheme.key == "weighted-template" && $0.total == "96" })
            let evidence = try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == org.alice).all()
            #expect(evidence.count == 5 && evidence.allSatisfy { $0.recordedBy != nil })
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "evidence").all()
            #expect(audit.count == 5 && audit.allSatisfy { $0.actorName == "bob" && $0.action == "create" })
            // changing a stored value needs a reason; with one, before and after are kept
            let change = """
            {"employee_id": "\(org.alice)", "period": "2026-10", "scheme": "weighted-template", "values": {"quality": "14"}}
            """
            try await Self.put(app, bob, change) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(res.body.string.contains("R-004-03"))
            }
            try await Self.put(app, bob, change.replacingOccurrences(of: "}}", with: "}, \"reason\": \"复核录音后调整\"}")) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"total\":\"92\""))
            }
            let update = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "update").filter(\.$entity == "evidence").first())
            #expect(update.before == "18" && update.after == "14" && update.reason == "复核录音后调整")
            let recompute = try await AuditEntry.query(on: app.db).filter(\.$action == "recompute").all()
            #expect(recompute.count == 1 && recompute[0].before == "96" && recompute[0].after == "92")
        }
    }

    @Test("agents, other teams and other departments are refused; QA inspectors record QA grades only")
    func permissions() async throws {
        try await withKaohe { app, org in
            _ = try await Self.preset(app, "weighted-template")
            _ = try await Self.preset(app, "callcentre-agent")
            let one = { (e: UUID, scheme: String, col: String, v: String) in
                "{\"employee_id\": \"\(e)\", \"period\": \"2026-10\", \"scheme\": \"\(scheme)\", \"values\": {\"\(col)\": \"\(v)\"}}"
            }
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await Self.put(app, alice, one(org.alice, "weighted-template", "quality", "20")) { res in #expect(res.status == .forbidden) }
            let (bob, _) = try await Browser.signIn(app, "bob")
            try await Self.put(app, bob, one(org.carol, "weighted-template", "quality", "20")) { res in #expect(res.status == .forbidden) }
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await Self.put(app, mgr, one(org.dave, "weighted-template", "quality", "20")) { res in #expect(res.status == .forbidden) }
            try await Self.put(app, mgr, one(org.carol, "weighted-template", "quality", "20")) { res in #expect(res.status == .ok) }
            let (qa, _) = try await Browser.signIn(app, "carol")
            try await Self.put(app, qa, one(org.alice, "callcentre-agent", "qa_score.you", "10")) { res in #expect(res.status == .ok, "\(res.body.string)") }
            try await Self.put(app, qa, one(org.alice, "callcentre-agent", "agent_fines.leave_post", "1")) { res in #expect(res.status == .forbidden) }
            try await Self.put(app, qa, one(org.carol, "callcentre-agent", "qa_score.you", "10")) { res in #expect(res.status == .forbidden) }
            let rows = try await EvidenceEntry.query(on: app.db).count()
            #expect(rows == 2)
        }
    }

    @Test("bad input names the field and changes nothing")
    func badInput() async throws {
        try await withKaohe { app, org in
            _ = try await Self.preset(app, "weighted-template")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let cases: [(String, HTTPStatus, String)] = [
                ("{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"weighted-template\", \"values\": {\"foo\": \"1\"}}", .unprocessableEntity, "values.foo"),
                ("{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"weighted-template\", \"values\": {\"satisfaction\": \"abc\"}}", .unprocessableEntity, "satisfaction"),
                ("{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"weighted-template\", \"values\": {\"satisfaction\": \"140\"}}", .unprocessableEntity, "satisfaction"),
                ("{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-13\", \"scheme\": \"weighted-template\", \"values\": {\"quality\": \"1\"}}", .badRequest, "2026-13"),
                ("{\"employee_id\": \"\(org.alice)\", \"scheme\": \"weighted-template\", \"values\": {}}", .badRequest, "period"),
                ("{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"weighted-template\", \"values\": {\"quality\": 5}}", .badRequest, "values"),
                ("{\"employee_id\": ", .badRequest, "error"),
                ("{\"employee_id\": \"\(UUID())\", \"period\": \"2026-10\", \"scheme\": \"weighted-template\", \"values\": {\"quality\": \"1\"}}", .notFound, "员工"),
                ("{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"nope\", \"values\": {\"quality\": \"1\"}}", .notFound, "nope"),
            ]
            for (body, status, mention) in cases {
                try await Self.put(app, hr, body) { res in
                    #expect(res.status == status, "\(body) → \(res.body.string)")
                    #expect(res.body.string.contains(mention), "\(body) → \(res.body.string)")
                }
            }
            let rows = try await EvidenceEntry.query(on: app.db).count()
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "evidence").count()
            #expect(rows == 0 && audit == 0)
        }
    }
}
