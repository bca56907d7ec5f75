import Fluent
import Foundation
import KaoheCore
import Vapor

/// What `kaohe import` and `kaohe export` do, on the same database and with the same services as
/// the web application (the store is configured exactly as for `kaohe serve`; migrations run).
public enum KaoheTasks {
    /// A task's refusal: the message names the place (file, sheet, row, column) or the setting.
    public struct Refused: Error, CustomStringConvertible {
        public var status: Int
        public var description: String
        package init(status: Int, description: String) { self.status = status; self.description = description }
    }

    package static func withApp<T: Sendable>(_ config: AppConfig, _ body: @Sendable (Application) async throws -> T) async throws -> T {
        var env = Environment(name: "production", arguments: ["kaohe"])
        env.arguments = ["kaohe"]
        let app = try await Application.make(env)
        app.logger.logLevel = .error
        do {
            try await configure(app, config)
            let out = try await body(app)
            try await app.asyncShutdown()
            return out
        } catch let e as AbortError {
            try? await app.asyncShutdown()
            throw Refused(status: Int(e.status.code), description: e.reason)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    static func account(_ name: String, on db: Database) async throws -> User {
        guard let u = try await AccountStore.user(username: name, on: db) else {
            throw KaoheError.notFound("--user: 没有账号 “\(name)”", en: "--user: no such account “\(name)”")
        }
        return u
    }

    /// Imports a file; returns the preview (or committed counts) as JSON.
    public static func importFile(_ config: AppConfig, kind: String, path: String, scheme: String?, sheet: String?, source: String?,
                                  period: String?, mapping: [String: String], commit: Bool, user: String) async throws -> String {
        guard let k = ImportService.Kind(rawValue: kind) else {
            throw Refused(status: 400, description: "kind: 可选 allowed: \(ImportService.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw Refused(status: 400, description: "\(path): 找不到文件 no such file") }
        let options = ImportService.Options(kind: k, scheme: scheme, file: (path as NSString).lastPathComponent, sheet: sheet, source: source,
                                            mapping: mapping, period: period, dryRun: !commit)
        return try await withApp(config) { app in
            let u = try await account(user, on: app.db)
            let preview = try await ImportService.run(options, input: .path(path), user: u, db: app.db)
            return String(decoding: try JSONEncoder.kaohe(pretty: true).encode(preview), as: UTF8.self)
        }
    }

    /// Builds a form; returns the file's bytes.
    public static func export(_ config: AppConfig, form: String, period: String?, department: String?, scheme: String?,
                              format: String, user: String) async throws -> Data {
        guard let f = ExportService.Form(rawValue: form) else {
            throw Refused(status: 400, description: "form: 可选 allowed: \(ExportService.Form.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try await withApp(config) { app in
            let u = try await account(user, on: app.db)
            let (_, sheets) = try await ExportService.build(.init(form: f, period: period, department: department, scheme: scheme), viewer: u.viewer, on: app.db)
            let (data, _) = try ExportService.render(sheets, format: format)
            try await Audit.record(on: app.db, actor: u, action: "export", entity: "form", id: form, after: "cli period=\(period ?? "") format=\(format)")
            return data
        }
    }

    /// The form names, for help texts.
    public static let forms = ExportService.Form.allCases.map(\.rawValue)
    public static let importKinds = ImportService.Kind.allCases.map(\.rawValue)
}
