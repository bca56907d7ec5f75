import Foundation

/// How a platform's raw interaction log — one row per chat, call or order — becomes the
/// scheme's metrics per employee-period (issue 5, R-001-12): which log column names the agent,
/// which the time, which other columns exist (with the labels platforms give them), and one
/// aggregate per metric. Rates such as 咨询转化率 stay the scheme's derived formulas over the
/// counts aggregated here, so a zero denominator is still reported, not divided.
///
/// ```yaml
/// interaction_log:
///   rule: R-001-12
///   agent: {labels: [客服工号, 工号]}
///   time: {labels: [开始时间, 咨询时间]}
///   columns:
///     - {id: outcome, labels: [结果], kind: text}
///     - {id: first_response, labels: [首次响应秒数], kind: number}
///   aggregate:
///     - {metric: inquiries, function: count}
///     - {metric: orders, function: count, where: {column: outcome, in: [下单, 付款]}}
///     - {metric: response_time, function: mean, column: first_response}
/// ```
public struct LogSpec: Codable, Sendable, Equatable {
    public var rules: [String]
    public var agent: LogColumn
    public var time: LogColumn?
    public var columns: [LogColumn]
    public var aggregate: [LogAggregate]

    enum CodingKeys: String, CodingKey, CaseIterable { case rules = "rule", agent, time, columns, aggregate }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rules = try c.decodeRules(forKey: .rules)
        agent = try c.decode(LogColumn.self, forKey: .agent)
        time = try c.decodeIfPresent(LogColumn.self, forKey: .time)
        columns = try c.decodeIfPresent([LogColumn].self, forKey: .columns) ?? []
        aggregate = try c.decode([LogAggregate].self, forKey: .aggregate)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeRules(rules, forKey: .rules); try c.encode(agent, forKey: .agent); try c.encodeIfPresent(time, forKey: .time)
        try c.encode(columns, forKey: .columns); try c.encode(aggregate, forKey: .aggregate)
    }

    /// What each metric is, in words, for the preview and the evidence note (R-001-12).
    public var explanations: [String: String] {
        var out: [String: String] = [:]
        for g in aggregate {
            let cond = g.where.map { " where \($0.text)" } ?? ""
            switch g.function {
            case .count: out[g.metric] = "count(rows\(cond))"
            case .percent: out[g.metric] = "count(rows\(cond)) / count(rows) × 100"
            default: out[g.metric] = "\(g.function.rawValue)(\(g.column ?? "")\(cond))"
            }
        }
        return out
    }

    /// The log's fields for column mapping: `agent` and `time` (required), then the declared
    /// columns (optional: an aggregate whose column a file lacks is skipped and reported).
    public var targets: [MappingTarget] {
        [MappingTarget(id: "agent", labels: agent.labels + ["agent", "employee_id", "工号"], required: true)]
            + (time.map { [MappingTarget(id: "time", labels: $0.labels + ["time", "date", "日期", "时间"], required: true)] } ?? [])
            + columns.map { col in
                MappingTarget(id: col.id ?? "", labels: col.labels)
            }
    }
}

public struct LogColumn: Codable, Sendable, Equatable {
    /// Field id (`agent` and `time` have fixed ids).
    public var id: String?
    /// Headers platforms use for it (Chinese and English).
    public var labels: [String]
    public var kind: Kind

    public enum Kind: String, Codable, Sendable { case text, number, money, datetime }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, labels, kind }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? []
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .text
    }
}

public struct LogAggregate: Codable, Sendable, Equatable {
    public enum Function: String, Codable, Sendable, CaseIterable {
        /// rows (matching `where`)
        case count
        /// sum of `column` over rows (matching `where`)
        case sum
        /// arithmetic mean of `column` over rows with a value (matching `where`)
        case mean
        /// share of the agent's rows matching `where`, in percentage points
        case percent
        case max, min
    }
    public var metric: String
    public var function: Function
    public var column: String?
    public var `where`: LogCondition?
    public var rules: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case metric, function, column, `where`, rule }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metric = try c.decode(String.self, forKey: .metric)
        function = try c.decode(Function.self, forKey: .function)
        column = try c.decodeIfPresent(String.self, forKey: .column)
        `where` = try c.decodeIfPresent(LogCondition.self, forKey: .where)
        rules = try c.decodeRules(forKey: .rule)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric, forKey: .metric); try c.encode(function, forKey: .function)
        try c.encodeIfPresent(column, forKey: .column); try c.encodeIfPresent(`where`, forKey: .where)
        try c.encodeRules(rules, forKey: .rule)
    }
}

/// A row filter: a text column in a list of values, or a number column above a value.
public struct LogCondition: Codable, Sendable, Equatable {
    public var column: String
    public var `in`: [String]?
    public var above: Fixed?
    enum CodingKeys: String, CodingKey, CaseIterable { case column, `in`, above }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        column = try c.decode(String.self, forKey: .column)
        `in` = try c.decodeIfPresent([String].self, forKey: .in)
        above = try c.decodeIfPresent(Fixed.self, forKey: .above)
    }

    /// In words, for explanations: `结果 ∈ {下单, 付款}`.
    public var text: String {
        if let list = `in` { return "\(column) ∈ {\(list.joined(separator: ", "))}" }
        return "\(column) > \(above?.description ?? "0")"
    }
}

extension SchemeValidator {
    /// Problems of a scheme's `interaction_log` (paths as written: `interaction_log.aggregate[2].metric`).
    static func validateLog(_ s: Scheme) -> [SchemeProblem] {
        guard let log = s.interactionLog else { return [] }
        var out: [SchemeProblem] = []
        func err(_ p: String, _ m: String) { out.append(SchemeProblem(.error, "interaction_log." + p, m, rules: log.rules)) }
        var columns: [String: LogColumn.Kind] = [:]
        for (i, c) in log.columns.enumerated() {
            guard let id = c.id, !id.isEmpty else { err("columns[\(i)].id", "日志列缺少 id — a log column needs an id"); continue }
            if id == "agent" || id == "time" || columns[id] != nil { err("columns[\(i)].id", "日志列重复 duplicate log column “\(id)”") }
            columns[id] = c.kind
        }
        let metrics = Dictionary(s.metrics.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        for (i, a) in log.aggregate.enumerated() {
            guard let m = metrics[a.metric] else {
                err("aggregate[\(i)].metric", "方案没有指标 “\(a.metric)” — not a metric of the scheme; 可选 allowed: \(s.metrics.map(\.id).joined(separator: ", "))")
                continue
            }
            if !seen.insert(a.metric).inserted { err("aggregate[\(i)].metric", "指标 “\(a.metric)” 被汇总两次 aggregated twice") }
            switch a.function {
            case .count:
                if a.column != nil { err("aggregate[\(i)].column", "count 不需要 column — count takes no column") }
                if m.kind != .count && m.kind != .number { err("aggregate[\(i)].metric", "count 的结果须是计数指标 count needs a count metric (\(a.metric) is \(m.kind.rawValue))") }
            case .percent:
                if a.where == nil { err("aggregate[\(i)].where", "percent 需要 where — percent needs a condition") }
                if m.kind != .percent { err("aggregate[\(i)].metric", "percent 的结果须是百分比指标 percent needs a percent metric (\(a.metric) is \(m.kind.rawValue))") }
            case .sum, .mean, .max, .min:
                guard let col = a.column else { err("aggregate[\(i)].column", "\(a.function.rawValue) 需要 column"); break }
                guard let k = columns[col] else { err("aggregate[\(i)].column", "没有日志列 “\(col)” — no such log column"); break }
                if k != .number && k != .money { err("aggregate[\(i)].column", "“\(col)” 不是数值列 is not a number column") }
            }
            if let w = a.where {
                if w.column != "agent", columns[w.column] == nil { err("aggregate[\(i)].where.column", "没有日志列 “\(w.column)” — no such log column") }
                if (w.in == nil) == (w.above == nil) { err("aggregate[\(i)].where", "where 须有 in 或 above 之一 — give exactly one of in / above") }
            }
        }
        return out
    }
}
