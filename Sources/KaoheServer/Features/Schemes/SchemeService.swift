import Fluent
import Foundation
import KaoheCore
import Vapor

/// Checking a scheme text and storing it as a new version, for the API and the editor page alike.
enum SchemeService {
    /// A scheme text decoded and checked as a save would check it: the validator, the engine and
    /// the outcome policies compiled, the id kept.
    static func check(_ text: String, key: String) -> (Scheme?, [SchemeProblem]) {
        var problems: [SchemeProblem] = []
        do {
            let s = try SchemeLoader.decode(text, format: SchemeLoader.format(for: "\(key).yaml", text: text))
            problems = SchemeValidator.validate(s)
            if !problems.contains(where: { $0.severity == .error }) {
                do { _ = try ScoringEngine(scheme: s); _ = try OutcomeEngine(engine: try ScoringEngine(scheme: s)) } catch { problems += error.problems }
            }
            if s.id != key { problems.append(SchemeProblem(.error, "id", "方案 id “\(s.id)” 须与 “\(key)” 一致 must stay \(key)")) }
            return (s, problems)
        } catch { return (nil, error.problems) }
    }

    /// Stores a checked scheme as the next version (sheets keep the version they were scored with).
    static func save(_ scheme: Scheme, text: String, after current: SchemeVersion, reason: String, user: User, db: Database) async throws -> SchemeVersion {
        let next = SchemeVersion(key: current.key, version: current.version + 1, name: scheme.name, text: text, preset: current.preset,
                                 departmentId: current.$department.id, createdBy: user.id)
        try await next.save(on: db)
        try await Audit.record(on: db, actor: user, action: "update", entity: "scheme", id: current.key,
                               before: "v\(current.version)", after: "v\(next.version)", reason: reason)
        return next
    }
}
