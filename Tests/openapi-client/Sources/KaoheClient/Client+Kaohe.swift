import OpenAPIRuntime

/// A few calls through the generated client, so that this package fails to build if an
/// operation a client depends on disappears from the document or changes its shape.
public enum KaoheAPI {
    public struct Refused: Swift.Error { public var status: Int; public var message: String }

    /// The signed-in account's user name.
    public static func username(_ client: Client) async throws -> String {
        switch try await client.getMe() {
        case .ok(let ok): return try ok.body.json.username
        case .unauthorized(let r): throw Refused(status: 401, message: try r.body.json.message)
        case .forbidden(let r): throw Refused(status: 403, message: try r.body.json.message)
        case .undocumented(let status, _): throw Refused(status: status, message: "undocumented")
        }
    }

    /// The outcomes of a month: employee, kind, value and amount as the engine stored them.
    public static func outcomes(_ client: Client, period: String) async throws -> [(employee: String?, kind: String, value: String, amount: String?)] {
        switch try await client.getOutcomes(query: .init(period: period)) {
        case .ok(let ok): return try ok.body.json.map { ($0.employee_number, $0.kind, $0.value, $0.amount) }
        default: return []
        }
    }
}
