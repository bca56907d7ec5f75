import Fluent
import Foundation
import KaoheCore
import SQLKit
import Vapor

/// One outcome of a scheme's policies (level, stars, rank and rank money, eligibility, team
/// awards, promotion flags …) as of a month, as the engine computed it from the published
/// history, with its rule ids and explanation (R-100-03).
final class StoredOutcome: Model, @unchecked Sendable {
    static let schema = "outcomes"
    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "computed_at") var computedAt: Date
    // data fields
    @Field(key: "scheme_key") var schemeKey: String
    /// The month it is as of (YYYY-MM).
    @Field(key: "period") var period: String
    /// A team's outcome (advanced team …) names the team instead of an employee.
    @OptionalField(key: "team") var team: String?
    @Field(key: "kind") var kind: String
    /// number | money | text | flag
    @Field(key: "value_type") var valueType: String
    @Field(key: "value") var value: String
    /// Yuan with two decimals for a money outcome.
    @OptionalField(key: "amount") var amount: String?
    /// Comma-separated rule ids.
    @Field(key: "rules") var rules: String
    @Field(key: "explanation") var explanation: String
    /// published | locked: the status of the results it was computed from.
    @Field(key: "status") var status: ResultStatus
    // relationships
    @OptionalParent(key: "employee_id") var employee: Employee?

    init() {}

    var ruleList: [String] { rules.split(separator: ",").map(String.init) }

    /// The outcome as the Core forms read it.
    var form: Forms.Outcome {
        Forms.Outcome(employee: employee?.number ?? team ?? "", scheme: schemeKey, kind: kind, valueType: valueType, value: value,
                      amount: amount.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }, rules: ruleList, explanation: explanation)
    }

    /// Whether the line above should see it on their home (Core decides, for the forms alike).
    var needsAttention: Bool { form.needsAttention }
}

extension OutcomeValue {
    /// The stored form: type, text, and the amount of money.
    var stored: (type: String, text: String, amount: String?) {
        switch self {
        case .number(let f): return ("number", f.format(), nil)
        case .money(let d): return ("money", d.yuan, d.yuan)
        case .text(let s): return ("text", s, nil)
        case .flag(let b): return ("flag", b ? "true" : "false", nil)
        }
    }
}

/// Every SQL statement on stored outcomes.
enum OutcomeStore {
    /// Replaces the outcomes of `key` as of `period`.
    static func replace(key: String, period: String, status: ResultStatus, outcomes: [Outcome], teams: [TeamOutcome],
                        employees: [String: UUID], on db: Database) async throws {
        try await StoredOutcome.query(on: db).filter(\.$schemeKey == key).filter(\.$period == period).delete()
        let now = Date()
        var rows: [[any Encodable & Sendable]] = []
        for o in outcomes {
            guard let e = employees[o.employeeId] else { continue }
            let v = o.value.stored
            rows.append([UUID(), key, period, e, nil as String?, o.kind, v.type, v.text, v.amount, o.rules.joined(separator: ","), o.explanation, status.rawValue, now])
        }
        for t in teams {
            let v = t.value.stored
            rows.append([UUID(), key, period, nil as UUID?, t.team, t.kind, v.type, v.text, v.amount, t.rules.joined(separator: ","), t.explanation, status.rawValue, now])
        }
        try await StoreSQL.bulkInsert(into: StoredOutcome.schema,
                                           columns: ["id", "scheme_key", "period", "employee_id", "team", "kind", "value_type", "value", "amount", "rules", "explanation", "status", "computed_at"],
                                           rows: rows, on: db, batch: 200)
    }

    static func clear(key: String, period: String, on db: Database) async throws {
        try await StoredOutcome.query(on: db).filter(\.$schemeKey == key).filter(\.$period == period).delete()
    }

    /// The outcomes as of `period` (of scheme `key`, of these people), in a stable order.
    static func outcomes(period: String, key: String? = nil, employees: Set<UUID>? = nil, teams: Bool = true, on db: Database) async throws -> [StoredOutcome] {
        let q = StoredOutcome.query(on: db).filter(\.$period == period).with(\.$employee)
        if let key { q.filter(\.$schemeKey == key) }
        // a person's or a team's outcomes read as theirs, not the whole company's month filtered
        // afterwards: an agent's home read 2,040 people's outcomes (issue 19 §6); team outcomes (no
        // employee) are wanted only with `teams`, which keeps the filter in memory
        if let employees, !teams, employees.count <= 500 {
            q.filter(\.$employee.$id ~~ employees.map(Optional.some))
        }
        var all = try await q.all()
        all = all.filter { o in o.$employee.id.map { employees?.contains($0) ?? true } ?? teams }
        return all.sorted { ($0.schemeKey, $0.employee?.number ?? "~" + ($0.team ?? ""), $0.kind) < ($1.schemeKey, $1.employee?.number ?? "~" + ($1.team ?? ""), $1.kind) }
    }

    /// Each person's outcomes as of `period`, by employee id.
    static func byEmployee(period: String, employees: Set<UUID>? = nil, on db: Database) async throws -> [UUID: [StoredOutcome]] {
        var out: [UUID: [StoredOutcome]] = [:]
        for o in try await outcomes(period: period, employees: employees, teams: false, on: db) {
            if let e = o.$employee.id { out[e, default: []].append(o) }
        }
        return out
    }

}

// The outcomes' read of re-scoring.
extension OutcomeStore {
    /// The periods after `period` with stored outcomes of scheme `key` (once per outcome row).
    static func periods(key: String, after period: String, on db: Database) async throws -> [String] {
        try await StoredOutcome.query(on: db).filter(\.$schemeKey == key).filter(\.$period > period).all().map(\.period)
    }
}
