import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// What an operator watches (issue 20 §3): /metrics, /readyz, request ids.
@Suite("Operations: metrics, readiness, request ids", .serialized)  // one registry per process: kaohe_db_up is shared
struct OperationsTests {
    /// The value of the sample `name{labels}` in Prometheus text, if present.
    static func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let close = line.firstIndex(of: "}") else { continue }
            let inner = line[line.index(line.startIndex, offsetBy: name.count + 1)..<close]
            var found: [String: String] = [:]
            for pair in inner.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { found[String(kv[0])] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            if labels.allSatisfy({ found[$0.key] == $0.value }) {
                return Double(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    @Test("/metrics serves Prometheus text: request counts and latencies by route and status, the database, imports and scoring; /readyz answers 200 with the database up")
    func metricsAndReadiness() async throws {
        try await withKaohe { app, org in
            let (hr, _) = try await Browser.signIn(app, "hr")
            for _ in 0..<3 { try await app.testing().test(.GET, "healthz") { res in #expect(res.status == .ok) } }
            try await app.testing().test(.GET, "api/v1/employees/\(org.alice)/results", headers: hr.headers) { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "api/v1/nowhere", headers: hr.headers) { res in #expect(res.status == .notFound) }
            // an import preview and a refused import, counted by outcome
            var h = hr.headers
            h.contentType = HTTPMediaType(type: "text", subType: "csv")
            let v = try await EvidenceTests.preset(app, "online-shop-cs")
            try await Rescorer.rescore(v, period: "2026-10", on: app.db)
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=online-shop-cs&file=a.csv&dry_run=true", headers: h,
                                         body: ByteBuffer(string: "employee_id,period,orders\n101001,2026-10,30\n")) { res in #expect(res.status == .ok, "\(res.body.string)") }
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=online-shop-cs&file=b.csv&dry_run=true", headers: h,
                                         body: ByteBuffer(string: "employee_id,period,nonsense\n101001,2026-10,30\n")) { res in #expect(res.status == .unprocessableEntity, "\(res.body.string)") }

            try await app.testing().test(.GET, "readyz") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"status\":\"ready\"") && res.body.string.contains("\"database\":\"memory\""), "\(res.body.string)")
            }
            try await app.testing().test(.GET, "metrics") { res in
                #expect(res.status == .ok)
                #expect(res.headers.first(name: .contentType) == "text/plain; version=0.0.4; charset=utf-8")
                let text = res.body.string
                #expect((Self.sample(text, "http_requests_total", ["method": "GET", "path": "/healthz", "status": "200"]) ?? 0) >= 3, "\(text.prefix(2000))")
                #expect((Self.sample(text, "http_requests_total", ["method": "GET", "path": "/api/v1/employees/:id/results", "status": "200"]) ?? 0) >= 1,
                        "routes are labelled by their pattern, never by a person's id")
                #expect(!text.contains(org.alice.uuidString), "no id of a person in the metrics")
                #expect(!text.contains("/api/v1/nowhere"), "an unknown path is not a label (an attacker cannot grow the metrics)")
                #expect(text.contains("# TYPE http_request_duration_seconds histogram"))
                #expect((Self.sample(text, "http_request_duration_seconds_bucket", ["method": "GET", "path": "/healthz", "status": "200", "le": "+Inf"]) ?? 0) >= 3)
                #expect((Self.sample(text, "kaohe_imports_total", ["kind": "evidence", "outcome": "preview"]) ?? 0) >= 1)
                #expect((Self.sample(text, "kaohe_imports_total", ["kind": "evidence", "outcome": "refused"]) ?? 0) >= 1)
                #expect(Self.sample(text, "kaohe_db_up", ["database": "memory"]) == 1)
                #expect(text.contains("# TYPE kaohe_scoring_seconds histogram"))
            }
        }
    }

    @Test("/readyz answers 503 naming the failure when the database cannot answer; /healthz still answers")
    func notReady() async throws {
        try await withKaohe { app, _ in
            try await app.db.sql().raw("DROP TABLE data_version").run()
            try await app.testing().test(.GET, "readyz") { res in
                #expect(res.status == .serviceUnavailable)
                #expect(res.body.string.contains("\"status\":\"unavailable\"") && res.body.string.contains("data_version"), "\(res.body.string)")
            }
            try await app.testing().test(.GET, "healthz") { res in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "metrics") { res in
                #expect(Self.sample(res.body.string, "kaohe_db_up", ["database": "memory"]) == 0)
            }
        }
    }

    @Test("every response carries a request id: the client's X-Request-Id, or a new one per request")
    func requestIds() async throws {
        try await withKaohe { app, _ in
            var ids: [String] = []
            for _ in 0..<2 {
                try await app.testing().test(.GET, "login") { res in ids.append(res.headers.first(name: "X-Request-Id") ?? "") }
            }
            #expect(ids.allSatisfy { !$0.isEmpty } && ids[0] != ids[1], "\(ids)")
            try await app.testing().test(.GET, "api/v1/me", headers: ["X-Request-Id": "trace-42"]) { res in
                #expect(res.status == .unauthorized)
                #expect(res.headers.first(name: "X-Request-Id") == "trace-42", "an error response carries it too")
            }
            let long = String(repeating: "a", count: 129)
            for hostile in ["<script>", long, "a b", "编号"] {
                try await app.testing().test(.GET, "login", headers: ["X-Request-Id": hostile]) { res in
                    let id = res.headers.first(name: "X-Request-Id") ?? ""
                    #expect(id != hostile && UUID(uuidString: id) != nil, "a client's unusable id is replaced: \(id)")
                }
            }
        }
    }

    @Test("a method a path does not answer gets 405 with Allow, for the API and pages; an unknown path stays 404")
    func methodNotAllowed() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            for (method, path, allow) in [(HTTPMethod.TRACE, "api/v1/users", "GET, HEAD, POST"), (.DELETE, "api/v1/me", "GET, HEAD"),
                                          (.PUT, "api/v1/users/\(UUID())", "PATCH"), (.PATCH, "healthz", "GET, HEAD")] {
                try await app.testing().test(method, path, headers: hr.headers) { res in
                    #expect(res.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(res.headers.first(name: "Allow") == allow, "\(method) \(path): \(res.headers.first(name: "Allow") ?? "-")")
                    if path.hasPrefix("api/") { #expect(res.body.string.contains("\"error\":\"Method Not Allowed\""), "\(res.body.string)") }
                }
            }
            try await app.testing().test(.GET, "api/v1/nowhere", headers: hr.headers) { res in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "api/v1/users", headers: hr.headers) { res in #expect(res.status == .ok) }
        }
    }
}
