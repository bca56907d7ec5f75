import Fluent
import Foundation
import SQLKit
import KaoheCore
import Vapor

/// Results are computed by Core from stored evidence, with the scheme version they name
/// (issue 4 §5): recomputing gives the same numbers.
package enum Scoring {
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
        let found = try await PeopleStore.employeesWithTeams(people, on: db)
        guard found.allSatisfy({ $0.team != nil }) else { return nil }
        let names = Set(found.compactMap { $0.team?.name })
        let sameName = try await PeopleStore.teams(named: names, on: db).compactMap(\.id)
        return people.union(try await PeopleStore.memberIds(teams: sameName, on: db))
    }

    /// Scores the evidence stored under version `v` with `engine` (the scheme editor's preview
    /// scores an edited scheme over the current version's evidence). `overlay` replaces the
    /// stored values of those people (a sheet's unsaved marks, scored among its team).
    static func score(engine: ScoringEngine, version v: SchemeVersion, period: String, members: Set<UUID>? = nil,
                      overlay: [UUID: [String: String]] = [:], on db: Database) async throws -> [(Employee, SheetResult)] {
        // plain rows: tens of thousands of Fluent models with eager loading took seconds; up to a
        // thousand members are filtered in SQL, more below
        var only: [UUID]? = nil
        if let members, members.count <= 1000 { only = Array(members) }
        let entries = try await EvidenceStore.plainValues(scheme: try v.requireID(), period: period, employees: only, on: db)
        Trace.mark("evidence loaded")
        var values: [UUID: [String: String]] = [:]
        for e in entries { values[e.employee_id, default: [:]][e.column] = e.value }
        if let members { values = values.filter { members.contains($0.key) } }
        for (id, v) in overlay { values[id] = v }
        // people with a sheet in a cycle of this scheme version and period are scored even with no
        // evidence at all (no deduction recorded is full marks, not no result)
        let onSheets = try await SheetStore.employeesOnSheets(scheme: try v.requireID(), period: period, on: db)
        for s in onSheets where values[s] == nil && (members?.contains(s) ?? true) {
            values[s] = [:]
        }
        var byEmployee: [UUID: (Employee, [String: String])] = [:]
        let ids = Array(values.keys)
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 2000, ids.count)])
            for emp in try await PeopleStore.employeesWithTeams(chunk, on: db) {
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
    package static func json(_ r: SheetResult) throws -> String { try r.encodeStored() }
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
