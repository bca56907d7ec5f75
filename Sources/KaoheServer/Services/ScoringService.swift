import Fluent
import Foundation
import KaoheCore
import Vapor

/// Results are computed by Core from stored evidence, with the scheme version they name
/// (issue 4 §5): recomputing gives the same numbers.
enum Scoring {
    /// The engine of a stored scheme version.
    static func engine(_ v: SchemeVersion) throws -> ScoringEngine {
        let format = SchemeLoader.format(for: "\(v.key).yaml", text: v.text)
        let scheme = try SchemeLoader.decode(v.text, format: format)
        return try ScoringEngine(scheme: scheme)
    }

    /// Scores every employee with evidence under `scheme` for `period`, grouped by team (group
    /// aggregates such as a team average are taken over the team, as when it was first scored).
    static func score(scheme v: SchemeVersion, period: String, on db: Database) async throws -> [(Employee, SheetResult)] {
        let engine = try engine(v)
        let entries = try await EvidenceEntry.query(on: db)
            .filter(\.$scheme.$id == v.requireID()).filter(\.$period == period)
            .with(\.$employee) { $0.with(\.$team) }
            .all()
        var byEmployee: [UUID: (Employee, [String: String])] = [:]
        for e in entries {
            let id = try e.employee.requireID()
            byEmployee[id, default: (e.employee, [:])].1[e.column] = e.value
        }
        var rows: [ScoringRow] = []
        var people: [Employee] = []
        for (_, (emp, values)) in byEmployee.sorted(by: { $0.value.0.number < $1.value.0.number }) {
            do {
                rows.append(ScoringRow(employee: emp.number, period: period, team: emp.team?.name, values: try engine.evidence(values)))
            } catch {
                throw Abort(.unprocessableEntity, reason: "\(emp.number) \(period): \(error.description)")
            }
            people.append(emp)
        }
        return Array(zip(people, engine.scoreAll(rows)))
    }

    /// The stored form of a sheet: `kaohe score` JSON of one result.
    static func json(_ r: SheetResult) -> String {
        var sink = ByteSink()
        ResultWriter.json(r, into: &sink, first: true)
        return String(decoding: sink.bytes.drop { $0 == UInt8(ascii: "\n") }, as: UTF8.self)
    }
}
