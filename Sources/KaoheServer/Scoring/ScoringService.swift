import Fluent
import Foundation
import SQLKit
import KaoheCore
import Vapor

/// Results are computed by Core from stored evidence, with the scheme version they name
/// (issue 4 §5): recomputing gives the same numbers.
enum Scoring {
    /// The engine of a stored scheme version. A version never changes (an edit is a new version),
    /// so its compiled engine is kept, keyed by the version's id and text: pages that ask for it
    /// per request no longer parse the YAML each time.
    static func engine(_ v: SchemeVersion) throws -> ScoringEngine {
        let key = "\(v.id?.uuidString ?? "-")|\(v.text.hashValue)"
        if let e = EngineCache.shared.get(key) { return e }
        let format = SchemeLoader.format(for: "\(v.key).yaml", text: v.text)
        let scheme = try SchemeLoader.decode(v.text, format: format)
        let e = try ScoringEngine(scheme: scheme)
        EngineCache.shared.put(key, e)
        return e
    }

    /// Scores every employee with evidence under `scheme` for `period`, grouped by team (group
    /// aggregates such as a team average are taken over the team, as when it was first scored).
    static func score(scheme v: SchemeVersion, period: String, members: Set<UUID>? = nil, on db: Database) async throws -> [(Employee, SheetResult)] {
        try await score(engine: try engine(v), version: v, period: period, members: members, on: db)
    }

    /// Everyone scored in the same group as these people: a team-relative item (a share of the
    /// team's orders, the team's average) is scored over the rows with the same team name (as
    /// `ScoringRow.team` groups them), so a change to one person's evidence can change only
    /// that group's results. nil when someone has no team (then the whole period).
    static func teams(of people: Set<UUID>, on db: Database) async throws -> Set<UUID>? {
        guard !people.isEmpty else { return [] }
        let found = try await Employee.query(on: db).filter(\.$id ~~ people).with(\.$team).all()
        guard found.allSatisfy({ $0.team != nil }) else { return nil }
        let names = Set(found.compactMap { $0.team?.name })
        let sameName = try await Team.query(on: db).filter(\.$name ~~ names).all().compactMap(\.id)
        return people.union(try await Employee.query(on: db).filter(\.$team.$id ~~ sameName).all().compactMap(\.id))
    }

    /// Scores the evidence stored under version `v` with `engine` (the scheme editor's preview
    /// scores an edited scheme over the current version's evidence).
    static func score(engine: ScoringEngine, version v: SchemeVersion, period: String, members: Set<UUID>? = nil, on db: Database) async throws -> [(Employee, SheetResult)] {
        // plain rows through SQLKit: tens of thousands of Fluent models with eager loading took seconds
        struct Entry: Decodable { var employee_id: UUID; var column: String; var value: String }
        let sql = try db.sql()
        var query = sql.select().columns("employee_id", "column", "value").from(EvidenceEntry.schema)
            .where("scheme_id", .equal, SQLBind(try v.requireID())).where("period", .equal, SQLBind(period))
        if let members, members.count <= 1000 { query = query.where("employee_id", .in, SQLBind.group(Array(members))) }
        let entries = try await query.all(decoding: Entry.self)
        Trace.mark("evidence loaded")
        var values: [UUID: [String: String]] = [:]
        for e in entries { values[e.employee_id, default: [:]][e.column] = e.value }
        if let members { values = values.filter { members.contains($0.key) } }
        // people with a sheet in a cycle of this scheme version and period are scored even with no
        // evidence at all (no deduction recorded is full marks, not no result)
        struct OnSheet: Decodable { var employee_id: UUID }
        let onSheets = try await sql.raw("""
            SELECT s.employee_id AS employee_id FROM \(unsafeRaw: Sheet.schema) s JOIN \(unsafeRaw: Cycle.schema) c ON c.id = s.cycle_id
            WHERE c.scheme_id = \(bind: try v.requireID()) AND c.period = \(bind: period)
            """).all(decoding: OnSheet.self)
        for s in onSheets where values[s.employee_id] == nil && (members?.contains(s.employee_id) ?? true) {
            values[s.employee_id] = [:]
        }
        var byEmployee: [UUID: (Employee, [String: String])] = [:]
        let ids = Array(values.keys)
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 2000, ids.count)])
            for emp in try await Employee.query(on: db).filter(\.$id ~~ chunk).with(\.$team).all() {
                byEmployee[try emp.requireID()] = (emp, values[try emp.requireID()] ?? [:])
            }
            start += 2000
        }
        var rows: [ScoringRow] = []
        var people: [Employee] = []
        for (_, (emp, values)) in byEmployee.sorted(by: { $0.value.0.number < $1.value.0.number }) {
            do {
                rows.append(ScoringRow(employee: emp.number, period: period, team: emp.team?.name, values: try engine.evidence(values)))
            } catch {
                throw KaoheError.invalid("\(emp.number) \(period): \(error.description)")
            }
            people.append(emp)
        }
        return Array(zip(people, engine.scoreAll(rows)))
    }

    /// The stored form of a sheet: the typed result (issue 14 §1), numbers as exact decimal text.
    static func json(_ r: SheetResult) throws -> String { try r.encodeStored() }
}

/// Compiled engines of stored scheme versions (a few dozen at most).
final class EngineCache: @unchecked Sendable {
    static let shared = EngineCache()
    private let lock = NSLock()
    private var engines: [String: ScoringEngine] = [:]
    func get(_ key: String) -> ScoringEngine? { lock.lock(); defer { lock.unlock() }; return engines[key] }
    func put(_ key: String, _ e: ScoringEngine) {
        lock.lock(); defer { lock.unlock() }
        if engines.count > 200 { engines.removeAll() }
        engines[key] = e
    }
}
