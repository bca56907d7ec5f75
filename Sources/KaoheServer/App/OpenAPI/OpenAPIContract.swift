import KaoheCore
import Foundation

/// The bodies of every /api/v1 operation, by the Codable types its route decodes and encodes
/// (issue 20 §2), and the error responses every operation can give. `build` lays them over the
/// written paths of `OpenAPI.paths`; `OpenAPITests` checks that every route has a contract and
/// that the documented responses are what the routes send.
enum OpenAPIContract {
    typealias JSON = [String: Any]

    enum Body {
        /// JSON of this type
        case json(Decodable.Type)
        /// JSON of this schema (written where no single type describes it)
        case schema(JSON)
        /// a file of these media types
        case file([String])
        case none
    }

    struct Operation {
        var request: Body = .none
        var status: Int = 200
        var response: Body = .none
        /// Extra documented responses (status → body), e.g. a 422 with its own shape.
        var others: [Int: Body] = [:]
    }

    static func op(_ request: Body = .none, _ status: Int = 200, _ response: Body = .none, others: [Int: Body] = [:]) -> Operation {
        Operation(request: request, status: status, response: response, others: others)
    }

    static func list(_ t: Decodable.Type) -> Body {
        .schema(["type": "array", "items": SchemaProbe.schema(t)])
    }

    /// "METHOD /path" → its contract.
    static var operations: [String: Operation] {
        [
            "GET /api/v1/me": op(.none, 200, .json(UserController.UserDTO.self)),
            "GET /api/v1/employees": op(.none, 200, list(OrganisationController.EmployeeDTO.self)),
            "POST /api/v1/employees": op(.json(OrganisationController.EmployeeRequest.self), 201, .json(OrganisationController.CreatedDTO.self)),
            "PATCH /api/v1/employees/{id}": op(.json(OrganisationController.EmployeePatch.self), 200, .json(OrganisationController.EmployeeDTO.self)),
            "POST /api/v1/employees/cleanup": op(.json(OrganisationController.CleanupRequest.self), 200, .json(OrganisationController.CleanupDTO.self)),
            "GET /api/v1/employees/{id}/results": op(.none, 200, list(HomeRoutes.ResultDTO.self)),
            "GET /api/v1/employees/{id}/events": op(.none, 200, list(EventController.EventDTO.self)),
            "GET /api/v1/outcomes": op(.none, 200, list(OutcomeRoutes.OutcomeDTO.self)),
            "POST /api/v1/tokens": op(.json(AccountRoutes.TokenRequest.self), 201, .json(AccountRoutes.TokenDTO.self)),
            "GET /api/v1/tokens": op(.none, 200, list(AccountRoutes.TokenInfo.self)),
            "DELETE /api/v1/tokens/{id}": op(.none, 204),
            "GET /api/v1/users": op(.none, 200, list(UserController.UserDTO.self)),
            "POST /api/v1/users": op(.json(UserController.CreateRequest.self), 201, .json(UserController.CreatedDTO.self)),
            "PATCH /api/v1/users/{id}": op(.json(UserController.UpdateRequest.self), 200, .json(UserController.UserDTO.self)),
            "POST /api/v1/users/{id}/deactivate": op(.json(UserController.ReasonRequest.self), 200, .json(UserController.UserDTO.self)),
            "POST /api/v1/users/{id}/activate": op(.json(UserController.ReasonRequest.self), 200, .json(UserController.UserDTO.self)),
            "PUT /api/v1/evidence": op(.json(EvidenceController.EvidenceRequest.self), 200, .json(EvidenceController.RecordedDTO.self)),
            "GET /api/v1/schemes": op(.none, 200, list(SchemeController.VersionDTO.self)),
            "POST /api/v1/schemes": op(.json(SchemeController.InstantiateRequest.self), 201, .json(SchemeController.VersionDTO.self)),
            "PUT /api/v1/schemes/{key}": op(.json(SchemeController.EditRequest.self), 201, .json(SchemeController.EditedDTO.self),
                                            others: [422: .schema(rejectedSchema)]),
            "GET /api/v1/schemes/{key}/versions": op(.none, 200, list(SchemeController.VersionDTO.self)),
            "POST /api/v1/events": op(.json(EventController.EventRequest.self), 201, .json(EventController.EventDTO.self)),
            "DELETE /api/v1/events/{id}": op(.json(EventController.DeleteRequest.self), 204),
            "POST /api/v1/imports/{kind}": op(.file(["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]), 200,
                                              .json(ImportService.Preview.self)),
            "GET /api/v1/imports": op(.none, 200, list(ImportController.ImportDTO.self)),
            "POST /api/v1/import-batches/{id}/revert": op(.json(ImportController.RevertRequest.self), 200, .json(ImportService.RevertResult.self)),
            "GET /api/v1/import-mappings": op(.none, 200, list(ImportController.MappingDTO.self)),
            "PUT /api/v1/import-mappings": op(.json(ImportController.MappingDTO.self), 200, .json(ImportController.MappingDTO.self)),
            "GET /api/v1/exports/{form}": op(.none, 200, .file(["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"])),
            "POST /api/v1/cycles": op(.json(CycleService.OpenRequest.self), 201, .json(CycleService.CycleDTO.self)),
            "GET /api/v1/cycles": op(.none, 200, list(CycleService.CycleDTO.self)),
            "GET /api/v1/cycles/{id}": op(.none, 200, .json(CycleService.CycleDTO.self)),
            "GET /api/v1/cycles/{id}/calibration": op(.none, 200, .json(CycleService.CalibrationDTO.self)),
            "POST /api/v1/cycles/{id}/remind": op(.none, 200, .json(CycleController.Sent.self)),
            "POST /api/v1/cycles/{id}/publish": op(.none, 200, .json(CycleController.Count.self)),
            "POST /api/v1/cycles/{id}/lock": op(.none, 200, .json(CycleController.Count.self)),
            "GET /api/v1/sheets": op(.none, 200, list(CycleService.Mine.self)),
            "GET /api/v1/sheets/{id}": op(.none, 200, .json(CycleService.SheetDTO.self)),
            "PUT /api/v1/sheets/{id}": op(.json(CycleController.SaveRequest.self), 200, .json(CycleService.SheetDTO.self)),
            "POST /api/v1/sheets/{id}/preview": op(.json(CycleController.PreviewRequest.self), 200, .json(CycleService.PreviewDTO.self)),
            "POST /api/v1/sheets/{id}/actions": op(.json(CycleController.ActRequest.self), 200, .json(CycleService.SheetDTO.self)),
            "POST /api/v1/sheets/{id}/findings": op(.json(CycleService.FindingRequest.self), 201, .json(CycleService.FindingDTO.self)),
            "GET /api/v1/findings/{id}": op(.none, 200, .json(CycleService.FindingDTO.self)),
            "POST /api/v1/findings/{id}/justify": op(.json(CycleService.JustifyRequest.self), 200, .json(CycleService.FindingDTO.self)),
            "POST /api/v1/findings/{id}/decide": op(.json(CycleService.DecideRequest.self), 200, .json(CycleService.FindingDTO.self)),
            "GET /api/v1/inbox": op(.none, 200, list(CycleService.InboxDTO.self)),
            "POST /api/v1/departments": op(.json(OrganisationController.DepartmentRequest.self), 201, .json(OrganisationController.CreatedDTO.self)),
            "POST /api/v1/teams": op(.json(OrganisationController.TeamRequest.self), 201, .json(OrganisationController.CreatedDTO.self)),
            "GET /api/v1/audit": op(.none, 200, list(AdminController.AuditDTO.self)),
            "GET /api/v1/audit.csv": op(.none, 200, .file(["text/csv"])),
            "GET /api/v1/retention": op(.none, 200, .json(AdminController.RetentionDTO.self)),
            "GET /api/v1/retention/archive": op(.none, 200, .schema(archiveSchema)),
            "POST /api/v1/retention/purge": op(.json(AdminController.PurgeRequest.self), 200, .json(AdminController.PurgeDTO.self)),
        ]
    }

    /// What a property must hold beyond its Swift type (the routes' validations), by operation;
    /// `*` applies to every request body.
    static var refinements: [String: [String: JSON]] {
        let text: JSON = ["minLength": 1, "pattern": "\\S"]
        let month: JSON = ["pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$", "minLength": 7, "maxLength": 7, "example": "2026-10"]
        let period: JSON = ["pattern": periodPattern, "minLength": 4, "maxLength": 7, "example": "2026-10"]
        let day: JSON = ["format": "date", "example": "2026-10-09"]
        return [
            "*": ["reason": text],
            "POST /api/v1/departments": ["name": ["minLength": 1, "maxLength": 60, "pattern": "\\S"],
                                         "code": ["pattern": "^[0-9]{2}$", "minLength": 2, "maxLength": 2]],
            "POST /api/v1/teams": ["name": ["minLength": 1, "maxLength": 60, "pattern": "\\S"]],
            "POST /api/v1/employees": ["name": ["minLength": 1, "maxLength": 40, "pattern": "\\S"], "position": ["minLength": 1, "maxLength": 40, "pattern": "\\S"],
                                       "hire_date": day, "probation_end": day, "birth_date": day],
            "POST /api/v1/employees/cleanup": ["year": ["minimum": 2000, "maximum": 2100]],
            "PATCH /api/v1/employees/{id}": ["probation_end": day, "status": ["enum": ["active", "left"]]],
            "POST /api/v1/retention/purge": ["cutoff": month],
            "PUT /api/v1/evidence": ["values": ["minProperties": 1], "period": period],
            "POST /api/v1/cycles": ["period": period, "schedule": ["enum": ["monthly", "annual"]], "objection_days": ["minimum": 1, "maximum": 30],
                                    "probation_months": ["minimum": 0, "maximum": 12]],
            "POST /api/v1/users": ["role": ["enum": Role.allCases.map(\.rawValue)], "username": ["pattern": "^[A-Za-z0-9_.-]{2,40}$", "minLength": 2, "maxLength": 40], "display_name": text],
            "PATCH /api/v1/users/{id}": ["role": ["enum": Role.allCases.map(\.rawValue)]],
            "POST /api/v1/sheets/{id}/actions": ["action": ["enum": SheetAction.allCases.filter { ![.publish, .lock].contains($0) }.map(\.rawValue)]],
            "PUT /api/v1/import-mappings": ["kind": ["enum": ImportService.Kind.allCases.map(\.rawValue)], "source": text],
            "POST /api/v1/events": ["occurred_on": day],
        ]
    }

    /// `Period.isValid`: a year (1900–2999), or a month, quarter, half or week of it.
    static let periodPattern = "^(19[0-9]{2}|2[0-9]{3})(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|W([1-9]|0[1-9]|[1-4][0-9]|5[0-3])))?$"

    static func refine(_ schema: JSON, _ key: String) -> JSON {
        guard var props = schema["properties"] as? JSON else { return schema }
        let rules = (refinements["*"] ?? [:]).merging(refinements[key] ?? [:]) { $1 }
        for (name, extra) in rules {
            guard var p = props[name] as? JSON else { continue }
            p.merge(extra) { $1 }
            // an optional field may be null: null is one of its values
            if p["nullable"] as? Bool == true, let values = p["enum"] as? [Any] { p["enum"] = values + [NSNull()] }
            props[name] = p
        }
        var out = schema
        out["properties"] = props
        // the routes refuse a field their type does not have (Request.decodeBody)
        out["additionalProperties"] = false
        return out
    }

    /// A refused scheme: the error, and its problems each at its path (a refusal before the
    /// scheme is read, such as a missing reason, has no problems).
    static var rejectedSchema: JSON {
        var s = SchemaProbe.schema(SchemeController.RejectedDTO.self)
        s["required"] = ["error", "message"]
        return s
    }

    /// The archive: its readable part (ArchiveDTO) and `records`, table → rows as the database holds them.
    static var archiveSchema: JSON {
        var s = SchemaProbe.schema(AdminController.ArchiveDTO.self)
        var props = s["properties"] as? JSON ?? [:]
        props["records"] = ["type": "object", "additionalProperties": ["type": "array", "items": ["type": "object"]]]
        s["properties"] = props
        s["required"] = ((s["required"] as? [String]) ?? []) + ["records"]
        return s
    }

    static var errorSchema: JSON { ["type": "object", "required": ["error", "message"],
                                    "properties": ["error": ["type": "string"], "message": ["type": "string"]]] }

    static func content(_ body: Body) -> JSON? {
        switch body {
        case .json(let t): return ["application/json": ["schema": SchemaProbe.schema(t)]]
        case .schema(let s): return ["application/json": ["schema": s]]
        case .file(let types): return Dictionary(uniqueKeysWithValues: types.map { ($0, ["schema": ["type": "string", "format": "binary"]] as JSON) })
        case .none: return nil
        }
    }

    /// Why an operation may answer each error status.
    static func errors(path: String, method: String, hasBody: Bool, hasQuery: Bool) -> [Int: String] {
        var out: [Int: String] = [401: "not signed in, or the token has expired or was revoked",
                                  403: "the caller's role or scope does not reach this (or a read-only token writes)"]
        if path.contains("{") { out[404] = "nothing with this id or key (or not visible to the caller)" }
        if hasBody && method != "get" { out[404] = out[404] ?? "a scheme, preset or record named in the body does not exist" }
        if hasBody {
            out[400] = "the body is not JSON of this shape (a missing field, a wrong type), named"
            out[415] = "the body is not of a documented media type"
            out[422] = "a value the rules refuse (a bad value, a missing reason, an unknown column), named"
            out[413] = "the body is larger than the limit"
        }
        if hasQuery { out[400] = out[400] ?? "a query parameter is malformed, named" }
        if method != "get" { out[409] = out[409] ?? "the state changed since it was read, or the month is closed (R-100-02)" }
        return out
    }

    /// `getEmployeesByIdResults` for GET /api/v1/employees/{id}/results: the name a generated client gives the call.
    static func operationId(_ method: String, _ path: String) -> String {
        var out = method.lowercased()
        for part in path.split(separator: "/").dropFirst(2) {
            let words = part.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: "")
                .split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." })
            for w in words { out += w.prefix(1).uppercased() + w.dropFirst() }
        }
        return out
    }

    /// The document: the written paths with bodies, schemas and every error status added.
    static func build(_ text: String) -> String {
        guard var doc = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? JSON, var paths = doc["paths"] as? JSON else { return text }
        let contracts = operations
        for (path, value) in paths {
            guard var item = value as? JSON else { continue }
            for (method, v) in item {
                guard var op = v as? JSON else { continue }
                let key = "\(method.uppercased()) \(path)"
                let contract = contracts[key] ?? Operation()
                op["operationId"] = operationId(method, path)
                if op["requestBody"] == nil, let c = content(contract.request) { op["requestBody"] = ["required": true, "content": c] }
                if var body = op["requestBody"] as? JSON, var c = body["content"] as? JSON, var json = c["application/json"] as? JSON,
                   let schema = json["schema"] as? JSON {
                    json["schema"] = refine(schema, key)
                    c["application/json"] = json
                    body["content"] = c
                    op["requestBody"] = body
                }
                var responses = op["responses"] as? JSON ?? [:]
                var success = responses["\(contract.status)"] as? JSON ?? ["description": contract.status == 204 ? "done" : "ok"]
                if success["content"] == nil, let c = content(contract.response) { success["content"] = c }
                responses["\(contract.status)"] = success
                // a written 2xx other than the contract's is not what the route sends
                for k in responses.keys where k.hasPrefix("2") && k != "\(contract.status)" { responses.removeValue(forKey: k) }
                let params = op["parameters"] as? [JSON] ?? []
                let hasQuery = params.contains { $0["in"] as? String == "query" }
                let hasBody = op["requestBody"] != nil
                for (status, why) in errors(path: path, method: method, hasBody: hasBody, hasQuery: hasQuery) {
                    var r = responses["\(status)"] as? JSON ?? ["description": why]
                    if r["content"] == nil { r["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]] }
                    responses["\(status)"] = r
                }
                for (status, body) in contract.others {
                    var r = responses["\(status)"] as? JSON ?? ["description": "see the summary"]
                    if let c = content(body) { r["content"] = c }
                    responses["\(status)"] = r
                }
                for (k, r) in responses {
                    guard var r = r as? JSON, r["content"] == nil, let code = Int(k), code >= 400 else { continue }
                    r["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]
                    responses[k] = r
                }
                op["responses"] = responses
                item[method] = op
            }
            paths[path] = item
        }
        doc["paths"] = paths
        var components = doc["components"] as? JSON ?? [:]
        var schemas = components["schemas"] as? JSON ?? [:]
        schemas["Error"] = errorSchema
        components["schemas"] = schemas
        doc["components"] = components
        guard let data = try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes]) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
