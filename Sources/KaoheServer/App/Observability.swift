import Dispatch
import Fluent
import Foundation
import Metrics
import Prometheus
import SQLKit
import Vapor

/// What an operator watches (issue 20 §3; docs/operations.md): `/metrics` in Prometheus text
/// (Vapor's request counts and latencies by route, the database, imports, scoring time),
/// `/readyz` (the database answers), `/healthz` (the process answers; no database), and one
/// log line per request with its id, which the response carries as `X-Request-Id`.
enum Observability {
    /// Every metric of the process. swift-metrics takes one backend per process, so the several
    /// applications of a test run share it.
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    static func bootstrap() { _ = bootstrapped }

    static func register(_ app: Application) {
        bootstrap()
        Gauge(label: "kaohe_db_pool_connections_max", dimensions: [("database", app.config.database.kind)])
            .record(Double(System.coreCount))
        app.get(SiteURL.ready.route) { req async -> Response in
            let r = await ping(req.db)
            let res = Response(status: r.error == nil ? .ok : .serviceUnavailable)
            struct Ready: Content { var status: String; var database: String; var ms: Double; var error: String? }
            try? res.content.encode(Ready(status: r.error == nil ? "ready" : "unavailable", database: req.application.config.database.kind,
                                          ms: (r.seconds * 1e5).rounded() / 100, error: r.error))
            res.headers.cacheControl = .init(noStore: true)
            return res
        }
        app.get(SiteURL.metrics.route) { req async -> Response in
            let r = await ping(req.db)
            let db = [("database", req.application.config.database.kind)]
            Gauge(label: "kaohe_db_up", dimensions: db).record(r.error == nil ? 1 : 0)
            Gauge(label: "kaohe_db_ping_seconds", dimensions: db).record(r.seconds)
            let res = Response(status: .ok, body: .init(string: registry.emitToString()))
            res.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
            res.headers.cacheControl = .init(noStore: true)
            return res
        }
    }

    /// A query that needs the schema (the data-version row every write bumps), so a database
    /// that is reachable but not migrated is not ready either.
    static func ping(_ db: Database) async -> (seconds: Double, error: String?) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            try await DataVersionStore.ping(on: db)
            return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, nil)
        } catch {
            return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, String(String(describing: error).prefix(200)))
        }
    }

    /// Times `body` into the histogram `label` (seconds) with `dimensions`.
    static func time<T>(_ label: String, _ dimensions: [(String, String)], _ body: () async throws -> T) async rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds).recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - t0)) }
        return try await body()
    }
}

extension AppConfig.Database {
    /// sqlite, memory or postgresql: a label for metrics and readiness.
    var kind: String {
        switch self {
        case .memory: return "memory"
        case .sqlite: return "sqlite"
        case .postgres: return "postgresql"
        }
    }
}

/// One log line per request (info): its id, method, route, status, time and account; the id
/// (the client's `X-Request-Id`, or Vapor's own) goes back in the response header, so that an
/// operator finds the line a user's error page or an API client names. A client's id longer
/// than 128 characters or with characters other than letters, digits and `._:-` is replaced.
struct RequestLog: AsyncMiddleware {
    static func acceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x3A || c == 0x2D
        }
    }

    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let id = Self.acceptable(req.id) ? req.id : UUID().uuidString
        req.logger[metadataKey: "request-id"] = .string(id)
        func line(_ status: HTTPResponseStatus) {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            let route = req.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "-"
            var meta: Logger.Metadata = ["method": .string(req.method.rawValue), "path": .string(req.url.path), "route": .string(route),
                                         "status": .stringConvertible(status.code), "ms": .string(String(format: "%.1f", ms))]
            if let u = req.auth.get(User.self) { meta["user"] = .string(u.username) }
            req.logger.log(level: status.code >= 500 ? .error : .info, "request", metadata: meta)
        }
        do {
            let res = try await next.respond(to: req)
            res.headers.replaceOrAdd(name: "X-Request-Id", value: id)
            line(res.status)
            return res
        } catch {
            line((error as? AbortError)?.status ?? .internalServerError)
            throw error
        }
    }
}

extension Request {
    /// The id of this request in the log (RequestLog), as the response's `X-Request-Id` carries it.
    var requestId: String {
        if case .string(let s)? = logger[metadataKey: "request-id"] { return s }
        return id
    }
}
