import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// The one place that scores a period and runs its outcome policies (the results spine, issue
/// 14 §7): evidence → Core engine → stored results; published history → Core outcome policies →
/// stored outcomes. Features call only this and the stores.
package enum Rescorer {
    /// Re-scores a scheme's period and stores each result (replacing the previous one), audited
    /// when a total changes. Given the people whose evidence changed, only their teams are
    /// re-scored (a rater's save re-scored all 1,156 sheets of a department: 0.3 s a mark).
    /// Returns the people whose stored result changed.
    @discardableResult
    static func rescore(_ version: SchemeVersion, period: String, for people: Set<UUID>? = nil, on db: Database) async throws -> Set<UUID> {
        try await Observability.time("kaohe_scoring_seconds", [("step", "rescore")]) { try await rescoreUntimed(version, period: period, for: people, on: db) }
    }

    private static func rescoreUntimed(_ version: SchemeVersion, period: String, for people: Set<UUID>?, on db: Database) async throws -> Set<UUID> {
        let schemeId = try version.requireID()
        let members = try await people.asyncMap { try await Scoring.teams(of: $0, on: db) } ?? nil
        var stored: [UUID: StoredResult] = [:]
        for r in try await ResultStore.results(scheme: schemeId, period: period, employees: members, on: db) { stored[r.$employee.id] = r }
        var created: [[any Encodable & Sendable]] = []
        Trace.mark("stored results loaded")
        let scored = try await Scoring.score(scheme: version, period: period, members: members, on: db)
        Trace.mark("scored")
        let fresh = try scored.compactMap { stored[try $0.0.requireID()] == nil ? try $0.0.requireID() : nil }
        let statuses = fresh.isEmpty ? [:] : try await ResultStore.statuses(scheme: schemeId, period: period, employees: fresh, on: db)
        var changed = Set<UUID>()
        for (emp, r) in scored {
            let total = r.total.format()
            let json = try Scoring.json(r)
            let id = try emp.requireID()
            if let old = stored[id] {
                guard old.json != json else { continue }
                let before = old.total
                old.total = total; old.grade = r.grade; old.json = json; old.computedAt = Date()
                try await old.save(on: db)
                changed.insert(id)
                if before != total {
                    try await Audit.record(on: db, actor: nil, action: "recompute", entity: "result", id: "\(emp.number)/\(period)", before: before, after: total)
                }
            } else {
                created.append([UUID(), period, total, r.grade, json, Date(), id, schemeId, (statuses[id] ?? .draft).rawValue])
                changed.insert(id)
            }
        }
        try await StoreSQL.bulkInsert(into: StoredResult.schema, columns: ["id", "period", "total", "grade", "json", "computed_at", "employee_id", "scheme_id", "status"],
                                           rows: created, on: db, batch: 200)
        try await followSubmitted(version, period: period, changed: changed, scored: scored, on: db)
        return changed
    }

    /// A submitted sheet (in review or waiting for publication) whose inputs changed by another
    /// path — an import, its revert, an event — carries the new result as its final one, with a
    /// step saying so; the rater's submitted total stays visible beside it (R-004-03).
    static func followSubmitted(_ version: SchemeVersion, period: String, changed: Set<UUID>, scored: [(Employee, SheetResult)], on db: Database) async throws {
        guard !changed.isEmpty else { return }
        let cycles = try await CycleStore.cycleIds(scheme: version.requireID(), period: period, on: db)
        guard !cycles.isEmpty else { return }
        let sheets = try await SheetStore.sheets(cycles: cycles, employees: changed, stages: [SheetStage.review, .ready], on: db)
        let now = Dictionary(scored.compactMap { e, r in e.id.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        for s in sheets {
            guard let r = now[s.$employee.id] else { continue }
            // less the accountability deductions applied to this person as a rater (R-001-15)
            let applied = try await FindingStore.applied(rater: s.$employee.id, period: period, on: db)
            let total = applied.reduce(r.total) { $0 - (Fixed($1.deduction) ?? .zero) }.format()
            guard s.finalTotal != total else { continue }
            let before = s.finalTotal
            s.finalTotal = total; s.grade = r.grade; s.updatedAt = Date()
            try await s.save(on: db)
            try await SheetStep(sheet: try s.requireID(), action: "recompute", actor: nil, from: s.stage, to: s.stage,
                                reason: "依据数据已变更，结果已重新计算 the inputs changed; the result was recomputed", before: before, after: s.finalTotal).save(on: db)
        }
    }

    /// Runs the outcome policies of scheme `key` as of `period` over the published history and
    /// stores them; then every later month with stored outcomes, whose history this month is
    /// part of (a correction in October moves November's consecutive runs). R-100-03.
    static func outcomes(key: String, from period: String, on db: Database) async throws {
        let later = try await OutcomeStore.periods(key: key, after: period, on: db)
        try await outcomes(key: key, months: [period] + Set(later).sorted(), on: db)
    }

    /// The outcomes of scheme `key` as of each of `months`, from the counted results up to it:
    /// each counted month's stored evidence is scored by the as-of month's engine (that of its
    /// sheets), exactly as `kaohe score` scores a multi-month file, and the policies are evaluated
    /// as of the month. A month with no counted result has no outcomes. Months whose sheets share
    /// a scheme version are evaluated over one scoring of the history.
    package static func outcomes(key: String, months: [String], on db: Database) async throws {
        try await Observability.time("kaohe_scoring_seconds", [("step", "outcomes")]) { try await outcomesUntimed(key: key, months: months, on: db) }
    }

    private static func outcomesUntimed(key: String, months: [String], on db: Database) async throws {
        guard let last = months.max() else { return }
        let versions = try await SchemeStore.versionsUnordered(key: key, on: db)
        let ids = versions.compactMap(\.id)
        guard !ids.isEmpty else { return }
        let counted = try await ResultStore.countedRows(schemes: ids, upTo: last, on: db)
        // each month's engine: the version of its sheets, else of its results
        var byVersion: [UUID: [String]] = [:]
        for m in Set(months).sorted() {
            let now = counted.filter { $0.period == m }
            guard !now.isEmpty, let v = try await SheetStore.version(key: key, period: m, on: db) ?? versions.first(where: { $0.id == now[0].scheme_id }) else {
                try await OutcomeStore.clear(key: key, period: m, on: db)
                continue
            }
            byVersion[v.id!, default: []].append(m)
        }
        guard !byVersion.isEmpty else { return }
        let people = try await Queries.plainEmployees(ids: Set(counted.map(\.employee_id)), on: db)
        var byId: [UUID: Employee] = [:]
        for p in people { byId[p.id!] = p }
        let periods = Array(Set(counted.map(\.period)))
        let entries = try await EvidenceStore.plainEntries(schemes: ids, periods: periods, on: db)
        Trace.mark("outcomes: history loaded")
        for (vid, asOfMonths) in byVersion {
            guard let version = versions.first(where: { $0.id == vid }) else { continue }
            let engine = try Scoring.engine(version)
            let policies: OutcomeEngine
            do { policies = try OutcomeEngine(engine: engine) } catch {
                throw KaoheError.invalid("方案 \(key) v\(version.version) 的结果规则有误：\(error.description)", en: "outcome policies of scheme \(key) v\(version.version): \(error.description)")
            }
            guard !policies.isEmpty else {
                for m in asOfMonths { try await OutcomeStore.clear(key: key, period: m, on: db) }
                continue
            }
            let upTo = asOfMonths.max()!
            let mine = counted.filter { $0.period <= upTo }
            // the counted months' evidence, each month under its own result's version
            var values: [String: [String: String]] = [:]
            for c in mine { values["\(c.employee_id)|\(c.period)|\(c.scheme_id)"] = [:] }
            for e in entries where e.period <= upTo {
                let k = "\(e.employee_id)|\(e.period)|\(e.scheme_id)"
                guard values[k] != nil, engine.columnIndex[e.column] != nil else { continue }
                values[k]![e.column] = e.value
            }
            var numbers: [String: UUID] = [:]
            var rows: [ScoringRow] = []
            for c in mine.sorted(by: { ($0.period, byId[$0.employee_id]?.number ?? "") < ($1.period, byId[$1.employee_id]?.number ?? "") }) {
                guard let e = byId[c.employee_id] else { continue }
                numbers[e.number] = c.employee_id
                do {
                    rows.append(ScoringRow(employee: e.number, period: c.period, team: e.team?.name, values: try engine.evidence(values["\(c.employee_id)|\(c.period)|\(c.scheme_id)"] ?? [:])))
                } catch {
                    throw KaoheError.invalid("\(e.number) \(c.period): \(error.description)")
                }
            }
            var records: [OutcomeRecord] = []
            engine.scoreAll(rows) { r, v in if let rec = policies.record(r, values: v) { records.append(rec) } }
            Trace.mark("outcomes: history scored")
            for m in asOfMonths.sorted() {
                guard let asOf = MonthIndex(m) else { continue }
                let (outcomes, teams) = policies.evaluate(records, asOf: asOf)
                let now = mine.filter { $0.period == m }
                let status: ResultStatus = now.allSatisfy { $0.status == ResultStatus.locked.rawValue } ? .locked : .published
                try await OutcomeStore.replace(key: key, period: m, status: status, outcomes: outcomes, teams: teams, employees: numbers, on: db)
            }
            Trace.mark("outcomes stored")
        }
    }

    /// Results stored before the typed form (the `kaohe score` JSON of earlier versions) are
    /// re-scored from their evidence with their own scheme version — the same numbers, now
    /// readable — and the outcomes of their counted months computed. Runs at start-up; a database
    /// with none does one query.
    static func upgradeStored(on db: Database) async throws {
        let legacy = try await ResultStore.legacyMonths(on: db)
        guard !legacy.isEmpty else { return }
        let months = try await db.writeTransaction { db -> [String: Set<String>] in
            var months: [String: Set<String>] = [:]
            for l in legacy {
                guard let v = try await SchemeStore.version(l.scheme_id, on: db) else { continue }
                try await rescore(v, period: l.period, on: db)
                months[v.key, default: []].insert(l.period)
            }
            return months
        }
        for (key, ms) in months { try await outcomes(key: key, months: ms.sorted(), on: db) }
    }
}

extension Optional {
    func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self { case .some(let w): return try await f(w); case .none: return nil }
    }
}
