import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

@Suite("HR: audit trail, retention, passwords", .serialized)
struct AdminTests {
    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    @Test("R-004-03: HR views and exports the audit trail; others get 403")
    func auditTrail() async throws {
        try await withKaohe { app, _ in
            _ = try await Browser.signIn(app, "alice")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "api/v1/audit", headers: hr.headers) { res in
                #expect(res.status == .ok)
                let list = try JSONDecoder().decode([[String: String?]].self, from: Data(res.body.string.utf8))
                #expect(list.filter { $0["action"] == "login" }.count == 2)
                #expect(list.first?["actor"] == "hr")   // newest first
            }
            try await app.testing().test(.GET, "api/v1/audit.csv", headers: hr.headers) { res in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.subType == "csv")
                #expect(res.body.string.hasPrefix("at,actor,action,entity,entity_id,before,after,reason\n"))
                #expect(res.body.string.contains(",alice,login,user,alice,"))
            }
            let (agent, _) = try await Browser.signIn(app, "alice")
            for path in ["api/v1/audit", "api/v1/audit.csv", "api/v1/retention", "api/v1/retention/archive"] {
                try await app.testing().test(.GET, path, headers: agent.headers) { res in
                    #expect(res.status == .forbidden, "\(path)")
                    #expect(!res.body.string.contains("login"))
                }
            }
        }
    }

    @Test("R-000-07: records past two years are listed, archived, then purged by HR; purging is audited")
    func retention() async throws {
        var c = testConfig()
        c.currentMonth = "2026-11"   // cutoff 2024-11
        try await withKaohe(c) { app, org in
            let scheme = try #require(try await SchemeVersion.query(on: app.db).first())
            try await StoredResult(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2024-10", total: "80", grade: nil, json: "{}").save(on: app.db)
            try await EvidenceEntry(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2024-10", column: "orders", value: "18", recordedBy: nil).save(on: app.db)
            try await StoredResult(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2024-11", total: "81", grade: nil, json: "{}").save(on: app.db)
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "api/v1/retention", headers: hr.headers) { res in
                #expect(res.body.string.contains("\"cutoff\":\"2024-11\""))
                #expect(res.body.string.contains("\"results\":1") && res.body.string.contains("\"evidence\":1"))
            }
            try await app.testing().test(.GET, "api/v1/retention/archive", headers: hr.headers) { res in
                #expect(res.body.string.contains("\"period\":\"2024-10\"") && !res.body.string.contains("\"period\":\"2024-11\""))
            }
            var h = hr.headers
            h.contentType = .json
            for (body, why) in [("{\"cutoff\": \"2024-11\", \"archived\": false}", "archived"),
                                ("{\"cutoff\": \"2025-06\", \"archived\": true}", "2025-06"),
                                ("{\"cutoff\": \"2024-13\", \"archived\": true}", "YYYY-MM"),
                                ("{\"archived\": true}", "cutoff")] {
                try await app.testing().test(.POST, "api/v1/retention/purge", headers: h, body: ByteBuffer(string: body)) { res in
                    #expect(res.status == .badRequest, "\(body)")
                    #expect(res.body.string.contains(why), "\(res.body.string)")
                }
            }
            let before = try await StoredResult.query(on: app.db).count()
            #expect(before == 6)
            try await app.testing().test(.POST, "api/v1/retention/purge", headers: h, body: ByteBuffer(string: "{\"cutoff\": \"2024-11\", \"archived\": true}")) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"results\":1"))
            }
            let after = try await StoredResult.query(on: app.db).count()
            let evidence = try await EvidenceEntry.query(on: app.db).count()
            #expect(after == 5 && evidence == 0)
            let purge = try await AuditEntry.query(on: app.db).filter(\.$action == "purge").all()
            #expect(purge.count == 1 && purge[0].actorName == "hr" && purge[0].before?.hasPrefix("evidence=1 results=1 ") == true)
        }
    }

    @Test("a first-start password must be changed before anything else")
    func mustChangePassword() async throws {
        try await withApp(configure: { app in try await configure(app, testConfig()) }) { app in
            let pw = try #require(try await Accounts.ensureAdministrator(app))
            let (b, status) = try await Browser.signIn(app, "admin", password: pw)
            #expect(status == .seeOther)
            try await app.testing().test(.GET, "", headers: b.headers) { res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/account/password")
            }
            var h = b.headers
            h.contentType = .urlEncodedForm
            let csrf = Self.enc(b.csrf)
            for (form, status) in [("current=nope&new=longenough1&confirm=longenough1", HTTPStatus.badRequest),
                                   ("current=\(pw)&new=short&confirm=short", .badRequest),
                                   ("current=\(pw)&new=longenough1&confirm=longenough2", .badRequest),
                                   ("current=\(pw)&new=longenough1&confirm=longenough1", .seeOther)] {
                try await app.testing().test(.POST, "account/password", headers: h, body: ByteBuffer(string: "_csrf=\(csrf)&" + form)) { res in
                    #expect(res.status == status, "\(form)")
                }
            }
            try await app.testing().test(.GET, "", headers: b.headers) { res in #expect(res.status == .ok) }
            let admin = try #require(try await User.query(on: app.db).filter(\.$username == "admin").first())
            #expect(!admin.mustChangePassword)
            #expect(try app.password.verify("longenough1", created: admin.passwordHash))
            let changed = try await AuditEntry.query(on: app.db).filter(\.$after == "password changed").count()
            #expect(changed == 1)
        }
    }
}

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every /api/v1 route is documented, with its method")
    func everyRouteDocumented() async throws {
        try await withKaohe { app, _ in
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.utf8)) as? [String: Any])
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            for route in app.routes.all {
                let parts = route.path.map { c -> String in
                    if case .parameter(let p) = c { return "{\(p)}" }
                    return c.description
                }
                guard parts.starts(with: ["api", "v1"]), parts.count > 2 else { continue }
                let path = "/" + parts.joined(separator: "/")
                if path == "/api/v1/openapi.json" { continue }
                let methods = paths[path]
                #expect(methods != nil, "\(path) is not documented")
                #expect(methods?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is not documented")
                // issue 20 §2: its bodies come from the route's own types, and every status it answers is listed
                let key = "\(route.method.rawValue) \(path)"
                #expect(OpenAPIContract.operations[key] != nil, "\(key) has no contract (OpenAPIContract.operations)")
                let op = methods?[route.method.rawValue.lowercased()] as? [String: Any]
                let responses = op?["responses"] as? [String: Any] ?? [:]
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(key): no success response")
                for code in ["401", "403"] { #expect(responses[code] != nil, "\(key): \(code) not documented") }
                if let contract = OpenAPIContract.operations[key], case .none = contract.response {} else {
                    let success = responses.first { $0.key.hasPrefix("2") }?.value as? [String: Any]
                    #expect(success?["content"] != nil, "\(key): the success response has no body schema")
                }
                if let body = op?["requestBody"] as? [String: Any], let json = (body["content"] as? [String: Any])?["application/json"] as? [String: Any] {
                    let schema = json["schema"] as? [String: Any]
                    #expect(schema?["additionalProperties"] as? Bool == false, "\(key): unknown fields are refused, so the schema says so")
                    for code in ["400", "415", "422"] { #expect(responses[code] != nil, "\(key): \(code) not documented") }
                }
            }
        }
    }

    @Test("schemas come from the routes' Codable types: required and optional fields, snake_case, ids, dates, lists, maps")
    func schemasFromTypes() throws {
        let user = SchemaProbe.schema(UserController.UserDTO.self)
        let props = try #require(user["properties"] as? [String: [String: Any]])
        #expect(Set(user["required"] as? [String] ?? []) == ["id", "username", "display_name", "role", "active"])
        #expect(props["id"]?["format"] as? String == "uuid" && props["deactivated_at"]?["format"] as? String == "date-time")
        #expect(props["deactivated_at"]?["nullable"] as? Bool == true && props["employee_id"]?["nullable"] as? Bool == true)
        let save = SchemaProbe.schema(CycleController.SaveRequest.self)
        let values = try #require((save["properties"] as? [String: [String: Any]])?["values"])
        #expect(values["type"] as? String == "object" && (values["additionalProperties"] as? [String: Any])?["type"] as? String == "string")
        let open = SchemaProbe.schema(CycleService.OpenRequest.self)
        #expect(Set(open["required"] as? [String] ?? []) == ["scheme", "period"])
        let ids = try #require((open["properties"] as? [String: [String: Any]])?["team_ids"])
        #expect(ids["type"] as? String == "array" && (ids["items"] as? [String: Any])?["format"] as? String == "uuid")
        #expect(SchemaProbe.snake("objectionDays") == "objection_days" && SchemaProbe.snake("sheetURL") == "sheet_url" && SchemaProbe.snake("id") == "id")
        // the document carries them: a response, a refined request, an enum that admits null where the field is optional
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.utf8)) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: [String: Any]]])
        let patch = try #require(paths["/api/v1/users/{id}"]?["patch"]?["requestBody"] as? [String: Any])
        let role = try #require(((((patch["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any])?["properties"] as? [String: Any])?["role"] as? [String: Any])
        #expect((role["enum"] as? [Any])?.count == Role.allCases.count + 1, "the roles and null")
    }

    @Test("a request body with a field its type does not have is refused, naming it; a repeated create is a conflict, not a server error")
    func unknownFieldsAndConflicts() async throws {
        try await withKaohe { app, org in
            let (hr, _) = try await Browser.signIn(app, "hr")
            var h = hr.headers
            h.contentType = .json
            try await app.testing().test(.POST, "api/v1/teams", headers: h, body: ByteBuffer(string: #"{"name": "夜班", "department_id": "\#(org.deptA)", "leader": "x"}"#)) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(res.body.string.contains("leader") && res.body.string.contains("unknown field") && res.body.string.contains("leader_id"), "\(res.body.string)")
            }
            #expect(try await Team.query(on: app.db).filter(\.$name == "夜班").count() == 0, "nothing written")
            for expected in [HTTPStatus.created, .conflict] {
                try await app.testing().test(.POST, "api/v1/teams", headers: h, body: ByteBuffer(string: #"{"name": "夜班", "department_id": "\#(org.deptA)"}"#)) { res in
                    #expect(res.status == expected, "\(res.body.string)")
                }
            }
            // a unique constraint that a check did not catch (two writes racing) answers 409 too
            try await app.testing().test(.POST, "api/v1/departments", headers: h, body: ByteBuffer(string: #"{"name": " ", "code": "77"}"#)) { res in
                #expect(res.status == .unprocessableEntity, "a blank name: \(res.body.string)")
            }
            try await app.testing().test(.GET, "api/v1/tokens?all=maybe", headers: hr.headers) { res in #expect(res.status == .badRequest) }
        }
    }

    @Test("a database constraint failure is a 409 naming the request, never a 500")
    func constraintIsConflict() async throws {
        try await withKaohe { app, org in
            app.get("test-constraint") { req async throws -> String in
                try await Team(name: "重复", departmentId: org.deptA).save(on: req.db)
                try await Team(name: "重复", departmentId: org.deptA).save(on: req.db)
                return "written twice"
            }
            try await app.testing().test(.GET, "test-constraint") { res in
                #expect(res.status == .conflict, "\(res.body.string)")
                #expect(res.headers.first(name: "X-Request-Id").map { res.body.string.contains($0) } == true, "the message names the request")
            }
        }
    }
}
