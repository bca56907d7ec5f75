import Foundation

/// Scores employee-periods against a scheme. Build once per scheme (it validates and compiles
/// the scheme into a slot layout), then score any number of rows; it holds no mutable state
/// and can be shared across threads.
public final class ScoringEngine: Sendable {
    public let scheme: Scheme
    /// Every CSV column the scheme accepts, in scheme order.
    public let inputs: [InputSpec]
    /// Warnings and notes from validation (errors throw from `init`).
    public let problems: [SchemeProblem]
    /// The attainable regular maximum (R-002-25).
    public let attainableMax: Fixed
    /// The scheme pays by the score: results carry `pay` (CSV: the `pay_base`, `pay_paid` columns).
    public var hasPay: Bool { pay != nil }

    public let columnIndex: [String: Int]
    let slotCount: Int
    let slotLabels: [String]
    let slotKinds: [ValueKind]
    let slotUnits: [String?]
    let slotNames: [String]
    let derived: [(slot: Int, expr: Expr, def: Derived, phase: Int, program: FixedProgram, template: FormulaTemplate)]
    /// Derived slot → position in `derived` (−1: not derived).
    let derivedIndex: [Int]
    let groupSlots: [(slot: Int, function: Expr.Function, source: Int?)]
    let sections: [CSection]
    let adjustments: [CItem]
    let money: [CItem]
    let pay: CompiledPay?
    /// Metric slot → the value an empty cell stands for (R-002-32), said in explanations.
    let metricDefaults: [Int: Fixed]
    let gradeBands: [GradeBand]
    let usesGroups: Bool
    let weighted: Bool
    let nominalMax: Fixed

    public init(scheme: Scheme) throws(SchemeProblems) {
        let problems = SchemeValidator.validate(scheme)
        if problems.contains(where: { $0.severity == .error }) {
            throw SchemeProblems(file: nil, problems: problems.filter { $0.severity == .error })
        }
        var c = SchemeCompiler(scheme: scheme)
        let compiled = c.compile()
        if !c.problems.isEmpty { throw SchemeProblems(file: nil, problems: c.problems) }
        self.scheme = scheme
        self.problems = problems
        inputs = c.inputs
        columnIndex = Dictionary(uniqueKeysWithValues: c.inputs.enumerated().map { ($1.column, $0) })
        slotCount = c.slotNames.count
        slotLabels = c.slotLabels
        slotKinds = c.slotKinds
        slotUnits = c.slotUnits
        slotNames = c.slotNames
        derived = c.derived
        var di = [Int](repeating: -1, count: c.slotNames.count)
        for (k, d) in c.derived.enumerated() where d.slot < di.count { di[d.slot] = k }
        derivedIndex = di
        groupSlots = c.groupSlots
        sections = compiled.sections
        adjustments = compiled.adjustments
        money = compiled.money
        pay = compiled.pay
        var defaults: [Int: Fixed] = [:]
        for m in scheme.metrics { if let d = m.defaultValue, let slot = c.nameSlot[m.id] { defaults[slot] = d } }
        metricDefaults = defaults
        gradeBands = scheme.grades.sorted { ($0.min ?? Fixed(raw: Int64.min)) > ($1.min ?? Fixed(raw: Int64.min)) }
        usesGroups = !c.groupSlots.isEmpty
        weighted = scheme.sections.contains { $0.weight != nil }
        attainableMax = SchemeValidator.attainableMax(scheme)
        nominalMax = scheme.max ?? attainableMax
    }

    /// Number of item evaluations one row costs (for benchmarks).
    public var itemsPerRow: Int { sections.reduce(0) { $0 + $1.items.count } + adjustments.count + money.count }

    // MARK: - evidence

    /// Parses one cell for an input; errors name the column (the caller adds file and row).
    func parse(_ text: Substring, input: InputSpec) throws(InputError) -> Fixed? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return input.whenEmpty }
        if input.kind == .grade {
            guard let i = input.grades.firstIndex(of: t) ?? gradeIndexById(input, t) else {
                throw InputError(column: input.column, message: "“\(t)” 不是有效等级 is not a grade; 可选 allowed: \(input.grades.joined(separator: " / "))")
            }
            return Fixed(i)
        }
        guard let v = Fixed(t) else {
            throw InputError(column: input.column, message: "“\(t)” 不是数字 is not a number")
        }
        if t.hasSuffix("%") && input.kind != .percent {
            throw InputError(column: input.column, message: "“\(t)” 带百分号，但该列不是百分比 has a % sign but the column is not a percentage")
        }
        return try check(v, text: t, input: input)
    }

    func check(_ v: Fixed, text: String, input: InputSpec) throws(InputError) -> Fixed {
        if input.kind == .count && !v.isInteger {
            throw InputError(column: input.column, message: "“\(text)” 必须是非负整数 must be a whole number ≥ 0")
        }
        if let lo = input.min, v < lo {
            throw InputError(column: input.column, message: "\(text) 小于下限 is below the minimum \(lo)\(input.kind == .percent ? "%" : "")")
        }
        if let hi = input.max, v > hi {
            throw InputError(column: input.column, message: "\(text) 超出上限 is above the maximum \(hi)\(input.kind == .percent ? "%" : "")")
        }
        return v
    }

    private func gradeIndexById(_ input: InputSpec, _ t: String) -> Int? {
        for c in sections.flatMap(\.items) + adjustments + money where c.item.id == input.column {
            if case .gradedSingle(_, let grades, _) = c.body { return grades.firstIndex { $0.id == t } }
        }
        return nil
    }

    /// Converts a text row into slot values. Unknown columns are errors.
    public func evidence(_ values: [String: String]) throws(InputError) -> [Fixed?] {
        var slots = [Fixed?](repeating: nil, count: slotCount)
        for (k, v) in values {
            guard let i = columnIndex[k] else {
                throw InputError(column: k, message: "方案中没有这一列 unknown column for scheme “\(scheme.id)”")
            }
            slots[inputs[i].slot] = try parse(Substring(v), input: inputs[i])
        }
        for inp in inputs where slots[inp.slot] == nil { if let d = inp.whenEmpty { slots[inp.slot] = d } }
        return slots
    }

    /// Scores one employee-period given as text values keyed by column.
    public func score(_ values: [String: String], employee: String = "", period: String? = nil) throws(InputError) -> SheetResult {
        let row = try evidence(values)
        return scoreAll([ScoringRow(employee: employee, period: period, team: nil, values: row)])[0]
    }

    /// Scores several rows together: group aggregates (`group_avg`, `average: group`) are taken
    /// over rows of the same period (and team, when given).
    public func scoreAll(_ rows: [EvidenceRow]) throws(InputError) -> [SheetResult] {
        var parsed: [ScoringRow] = []
        parsed.reserveCapacity(rows.count)
        for r in rows {
            do { parsed.append(ScoringRow(employee: r.employee, period: r.period, team: r.team, values: try evidence(r.values))) }
            catch { var e = error; e.message = "员工 \(r.employee): " + e.message; throw e }
        }
        return scoreAll(parsed)
    }

    public func scoreAll(_ rows: [ScoringRow]) -> [SheetResult] {
        var out: [SheetResult] = []
        out.reserveCapacity(rows.count)
        scoreAll(rows) { out.append($0) }
        return out
    }

    /// Scores rows and hands each result to `each` in input order without keeping them
    /// (the CLI streams 100,000 sheets this way).
    public func scoreAll(_ rows: [ScoringRow], each: (SheetResult) -> Void) {
        scoreAll(rows) { r, _ in each(r) }
    }

    /// As `scoreAll(_:each:)`, also handing over the row's slot values (metrics and derived
    /// metrics) for the outcome policies.
    public func scoreAll(_ rows: [ScoringRow], withValues each: (SheetResult, [Fixed?]) -> Void) {
        var states = prepare(rows)
        for i in rows.indices {
            each(scoreRow(rows[i], state: &states[i]), states[i].values)
            states[i].values = []
        }
    }

    /// Scores rows on every core, `chunk` rows at a time: `render` writes each result into its
    /// chunk's own buffer on a worker thread, and `consume` receives the buffers in input order
    /// on the calling thread (the CLI's JSON and CSV output). At most a few chunks are held at once.
    public func scoreAll(_ rows: consuming [ScoringRow], chunk: Int = 1024,
                         render: @escaping @Sendable (SheetResult, inout ByteSink) -> Void,
                         consume: (ByteSink) -> Void) {
        scoreAll(consume rows, chunk: chunk, render: { (r: SheetResult, _: [Fixed?], o: inout ByteSink, _: inout [Never]) in render(r, &o) },
                 consume: { sink, _ in consume(sink) })
    }

    /// As `scoreAll(_:chunk:render:consume:)`, `render` also given the row's slot values (metrics
    /// and derived metrics) and a list of its chunk's own to add to (the outcome policies'
    /// records, made on the workers); `consume` receives each chunk's bytes and list in input order.
    /// Without `words` the results carry no explanation or message text (numbers, codes and
    /// labels only), for a writer that prints none.
    public func scoreAll<Extra: Sendable>(_ input: consuming [ScoringRow], chunk: Int = 1024, words: Bool = true,
                                          render: @escaping @Sendable (SheetResult, [Fixed?], inout ByteSink, inout [Extra]) -> Void,
                                          consume: (ByteSink, [Extra]) -> Void) {
        // the rows given up (`consume rows`) are held once: their values move into the states
        var moved = input
        let states = prepare(moving: &moved)
        let rows = moved
        let chunks = (rows.count + chunk - 1) / chunk
        let wave = Swift.max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        var start = 0
        while start < chunks {
            let n = Swift.min(wave, chunks - start)
            let slots = ChunkSlots<Extra>(n)
            let first = start
            DispatchQueue.concurrentPerform(iterations: n) { k in
                var sink = ByteSink(capacity: 1 << 18)
                var extra: [Extra] = []
                let lo = (first + k) * chunk, hi = Swift.min(lo + chunk, rows.count)
                // a writer that prints no words scores without making them (`Words`)
                Words.muting(!words) {
                    for i in lo..<hi {
                        var st = states[i]
                        let r = self.scoreRow(rows[i], state: &st)
                        render(r, st.values, &sink, &extra)
                    }
                }
                slots.sinks[k] = sink   // each k is written by one thread only
                slots.extras[k] = extra
            }
            for k in 0..<n { consume(slots.sinks[k], slots.extras[k]) }
            start += n
        }
    }

    /// Evidence of each row with derived metrics and group aggregates filled in.
    func prepare(_ rows: [ScoringRow]) -> [RowState] {
        var states = rows.map { RowState(values: $0.values) }
        fill(&states, rows)
        return states
    }

    /// As `prepare(_:)`, moving each row's values into its state (the rows keep their employee,
    /// period and team): a caller that gives up its rows holds every value once, not twice
    /// (issue 19 §5: 1 KB a row less).
    func prepare(moving rows: inout [ScoringRow]) -> [RowState] {
        var states: [RowState] = []
        states.reserveCapacity(rows.count)
        for i in rows.indices {
            states.append(RowState(values: rows[i].values))
            rows[i].values = []
        }
        fill(&states, rows)
        return states
    }

    /// Derived metrics and group aggregates of the states of `rows` (by their period and team).
    func fill(_ states: inout [RowState], _ rows: [ScoringRow]) {
        for i in states.indices { computeDerived(&states[i], phase: 1) }
        if usesGroups {
            var groups: [GroupKey: [Int]] = [:]
            for (i, r) in rows.enumerated() { groups[GroupKey(period: r.period, team: r.team), default: []].append(i) }
            for (_, members) in groups {
                for g in groupSlots {
                    var sum: Fixed? = .zero, n = 0
                    var lowest: Fixed?, highest: Fixed?
                    if let src = g.source {
                        for m in members {
                            guard let v = states[m].values[src] else { continue }
                            sum = sum.flatMap { Fixed.adding($0, v) }; n += 1
                            lowest = Swift.min(lowest ?? v, v); highest = Swift.max(highest ?? v, v)
                        }
                    } else { n = members.count }
                    let value: Fixed?
                    switch g.function {
                    case .groupSum: value = sum
                    case .groupCount: value = Fixed(n)
                    case .groupMin: value = lowest
                    case .groupMax: value = highest
                    default: value = n == 0 ? nil : sum.flatMap { Fixed.divide($0, Fixed(n)) }
                    }
                    for m in members {
                        states[m].values[g.slot] = value; states[m].groupSize = members.count
                        if value == nil && n > 0 { states[m].failures[g.slot] = .overflow(g.function.rawValue) }
                    }
                }
            }
            for i in states.indices { computeDerived(&states[i], phase: 2) }
        }
    }

    struct GroupKey: Hashable { var period: String?; var team: String? }

    func computeDerived(_ st: inout RowState, phase: Int) {
        for d in derived where d.phase == phase {
            do {
                let v = try st.values.withUnsafeBufferPointer { (vals) throws(EvalError) -> Fixed in
                    try d.program.evaluate { (s: Int) -> Fixed? in vals[s] }
                }
                st.values[d.slot] = v
            } catch {
                st.values[d.slot] = nil
                st.failures[d.slot] = error
            }
        }
    }
}

/// A parsed row: slot values in the engine's layout (see `ScoringEngine.evidence`).
public struct ScoringRow: Sendable {
    public var employee: String
    public var period: String?
    public var team: String?
    public var values: [Fixed?]
    public init(employee: String, period: String?, team: String?, values: [Fixed?]) {
        self.employee = employee; self.period = period; self.team = team; self.values = values
    }
}

struct RowState: Sendable {
    var values: [Fixed?]
    var failures: [Int: EvalError] = [:]
    var groupSize = 1
}

/// One buffer and one list per chunk of a wave of `ScoringEngine.scoreAll(_:chunk:render:consume:)`;
/// each is written by exactly one worker (no shared Swift array is mutated concurrently).
final class ChunkSlots<Extra>: @unchecked Sendable {
    let sinks: UnsafeMutableBufferPointer<ByteSink>
    let extras: UnsafeMutableBufferPointer<[Extra]>
    init(_ n: Int) {
        sinks = .allocate(capacity: n); sinks.initialize(repeating: ByteSink(capacity: 0))
        extras = .allocate(capacity: n); extras.initialize(repeating: [])
    }
    deinit { sinks.deinitialize(); sinks.deallocate(); extras.deinitialize(); extras.deallocate() }
}
