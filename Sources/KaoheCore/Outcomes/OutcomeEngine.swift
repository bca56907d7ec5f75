import Foundation

/// One scored employee-month as the outcome policies see it.
public struct OutcomeRecord: Sendable {
    public var employee: String
    public var period: MonthIndex
    public var team: String?
    public var total: Fixed
    /// The lowest item points ÷ item max of the sheet (“every item ≥ pass”).
    public var minItemRatio: Fixed?
    /// The label of that item (the first such item in sheet order).
    var minItemLabel: String?
    /// The slot values the policies read, in `OutcomeEngine.slots` order (`Fixed.absent` when
    /// missing), followed by each section's points ÷ max in scheme order (star dimension
    /// minimums). One small buffer per record: a year of 100,000 employees fits in memory.
    var data: ContiguousArray<Fixed>
}

extension Fixed {
    /// Marks a missing value inside an `OutcomeRecord`.
    static let absent = Fixed(raw: Int64.min)
}

/// The value of an outcome. Its `Codable` form is `{"type": "number", "value": "12.5"}`,
/// `{"type": "money", "value": "-120.00"}`, `{"type": "text", "value": "三星"}` or
/// `{"type": "flag", "value": true}`: numbers as strings of their exact decimal text.
public enum OutcomeValue: Sendable, Equatable, CustomStringConvertible {
    case number(Fixed)
    case money(Decimal)
    case text(String)
    case flag(Bool)
    public var description: String {
        switch self {
        case .number(let f): return f.format()
        case .money(let d): return d.yuan
        case .text(let s): return s
        case .flag(let b): return b ? "true" : "false"
        }
    }

    /// The `.money` value, else nil.
    public var amount: Decimal? { if case .money(let d) = self { return d }; return nil }
}

/// An explained result of an outcome policy for one employee as of a period.
public struct Outcome: Sendable, Equatable {
    public var employeeId: String
    public var period: String
    public var kind: String
    public var value: OutcomeValue
    public var rules: [String]
    public var explanation: String

    public init(employeeId: String, period: String, kind: String, value: OutcomeValue, rules: [String], explanation: String) {
        self.employeeId = employeeId; self.period = period; self.kind = kind; self.value = value
        self.rules = rules; self.explanation = explanation
    }

    /// The yuan of a money outcome (a rank reward, a star allowance), else nil.
    public var amount: Decimal? { value.amount }
}

public struct TeamOutcome: Sendable, Equatable {
    public var team: String
    public var period: String
    public var kind: String
    public var value: OutcomeValue
    public var rules: [String]
    public var explanation: String

    public init(team: String, period: String, kind: String, value: OutcomeValue, rules: [String], explanation: String) {
        self.team = team; self.period = period; self.kind = kind; self.value = value
        self.rules = rules; self.explanation = explanation
    }

    /// The yuan of a money outcome (a team award), else nil.
    public var amount: Decimal? { value.amount }
}

/// Evaluates a scheme's outcome policies over a history of scored months.
public struct OutcomeEngine: Sendable {
    let engine: ScoringEngine
    let policies: [Policy]
    /// Each policy's `applies_to` (nil: everyone) and `exclude_months`, in `policies` order.
    let scopes: [PolicyScope]
    /// Slots any policy reads.
    public let slots: [Int]
    /// Slot → position in `OutcomeRecord.data` (−1: not kept).
    let localIndex: [Int]
    /// The sheet figures a condition reads (`ScoringEngine.figureNames` indices), kept in each
    /// record after the section ratios; a condition reads figure k as the slot −2 − k.
    let figures: [Int]
    let figurePosition: [Int: Int]

    public init(engine: ScoringEngine) throws(SchemeProblems) {
        self.engine = engine
        var ps: [Policy] = []
        var scs: [PolicyScope] = []
        var problems: [SchemeProblem] = []
        for (i, o) in engine.scheme.outcomes.enumerated() {
            let (p, scope, errs) = Policy.read(o, index: i, engine: engine)
            problems += errs
            if let p { ps.append(p); scs.append(scope) }
        }
        if !problems.isEmpty { throw SchemeProblems(problems: problems) }
        policies = ps
        scopes = scs
        var s = Set<Int>()
        var fig = Set<Int>()
        func add(_ c: Condition?) {
            if let c { s.formUnion(c.expr.slots.filter { $0 >= 0 }); fig.formUnion(c.expr.slots.filter { $0 < -1 }.map { -2 - $0 }) }
        }
        func add(_ v: Variable) { if case .slot(let i, _) = v { s.insert(i) } }
        for sc in scs { add(sc.appliesTo); add(sc.excludeMonths) }
        for p in ps {
            switch p {
            case .ranking(let r): add(r.by); r.rewards.forEach { add($0.condition) }
            case .consecutive(let c): add(c.condition)
            case .level(let l): [l.down, l.up, l.quarterVeto, l.trainingMissed].forEach(add); l.levels.forEach { add($0.condition) }
            case .star(let st): st.stars.forEach { add($0.condition) }
            case .composite(let c):
                for comp in c.components {
                    switch comp.source { case .averageOf(let v), .latestOf(let v): add(v); default: break }
                }
            case .teamAward(let t): add(t.member); t.teamAverages.forEach { add($0.variable) }
            case .promotion(let p): add(p.by); if let t = p.tenure { add(t) }
            case .notAssessed(let n): add(n.condition)
            case .quarterStar(let q): add(q.veto); q.stars.forEach { add($0.condition) }
            case .payGrades(let g): add(g.grade); if let pv = g.probation { add(pv) }
            case .mostInYear(let m): add(m.condition)
            case .bonusPool(let b): add(b.by); if let pm = b.poolMetric { add(pm) }
            case .note: break
            }
        }
        slots = s.sorted()
        figures = fig.sorted()
        figurePosition = Dictionary(uniqueKeysWithValues: figures.enumerated().map { ($1, $0) })
        var li = [Int](repeating: -1, count: (slots.last ?? -1) + 1)
        for (i, x) in slots.enumerated() { li[x] = i }
        localIndex = li
    }

    public var isEmpty: Bool { policies.allSatisfy { if case .note = $0 { return true }; return false } }

    /// The record of a scored sheet (`values` are the row's slot values).
    public func record(_ r: SheetResult, values: [Fixed?]) -> OutcomeRecord? {
        guard let p = r.period, let m = MonthIndex(p) else { return nil }
        var data = ContiguousArray<Fixed>()
        data.reserveCapacity(slots.count + r.sections.count)
        for s in slots { data.append(values[s] ?? .absent) }
        for sec in r.sections { data.append(Fixed.divide(sec.points, sec.max) ?? .zero) }
        let ni = r.items.count, ns = r.sections.count
        for k in figures {
            let v: Fixed?
            if k < ni { v = r.items[k].points } else if k < ni + ns { v = r.sections[k - ni].points } else {
                let j = k - ni - ns
                v = j < r.money.count ? Fixed(r.money[j].amount.description) : nil
            }
            data.append(v ?? .absent)
        }
        var minItem: Fixed?
        var minLabel: String?
        for it in r.items where it.section != nil {
            if let pts = it.points, let mx = it.max, mx > .zero, let ratio = Fixed.divide(pts, mx), ratio < (minItem ?? Fixed(raw: Int64.max)) {
                minItem = ratio; minLabel = it.label
            }
        }
        return OutcomeRecord(employee: r.employeeId, period: m, team: r.team, total: r.roundedTotal, minItemRatio: minItem, minItemLabel: minLabel, data: data)
    }

    /// The value of a slot kept in a record.
    @inline(__always) func slotValue(_ s: Int, _ r: OutcomeRecord) -> Fixed? {
        guard s < localIndex.count else { return nil }
        let i = localIndex[s]
        guard i >= 0 else { return nil }
        let v = r.data[i]
        return v == .absent ? nil : v
    }

    /// Sheet figure k (`ScoringEngine.figureNames`) kept in a record: item or section points, money yuan.
    func figureValue(_ k: Int, _ r: OutcomeRecord) -> Fixed? {
        guard let i = figurePosition[k] else { return nil }
        let v = r.data[slots.count + engine.sections.count + i]
        return v == .absent ? nil : v
    }

    /// Section `index`'s points ÷ max in a record.
    func sectionRatio(_ index: Int, _ r: OutcomeRecord) -> Fixed { r.data[slots.count + index] }

    /// Evaluates every policy as of `asOf` (default: the latest month in the records).
    public func evaluate(_ records: [OutcomeRecord], asOf: MonthIndex? = nil) -> (outcomes: [Outcome], teams: [TeamOutcome]) {
        final class Collector { var outcomes: [Outcome] = []; var teams: [TeamOutcome] = [] }
        let c = Collector()
        evaluate(records, asOf: asOf, outcome: { c.outcomes.append($0) }, team: { c.teams.append($0) })
        return (c.outcomes, c.teams)
    }

    /// Evaluates every policy as of `asOf`, handing each result over as it is made (a year of
    /// 100,000 employees need not be held in memory). Returns the month evaluated.
    @discardableResult
    public func evaluate(_ records: [OutcomeRecord], asOf: MonthIndex? = nil,
                         outcome: @escaping (Outcome) -> Void, team: @escaping (TeamOutcome) -> Void) -> MonthIndex? {
        guard let latest = records.lazy.map(\.period).max() else { return nil }
        let asOf = asOf ?? latest
        // group by employee with one hash lookup per record, then place each history in one go
        var ids: [String: Int] = [:]
        var names: [String] = []
        var idOf = [Int](repeating: -1, count: records.count)
        var counts: [Int] = []
        var byPeriod: [MonthIndex: [OutcomeRecord]] = [:]
        for (k, r) in records.enumerated() where r.period <= asOf {
            let id: Int
            if let x = ids[r.employee] { id = x } else { id = names.count; ids[r.employee] = id; names.append(r.employee); counts.append(0) }
            idOf[k] = id
            counts[id] += 1
            byPeriod[r.period, default: []].append(r)
        }
        var histories: [[OutcomeRecord]] = counts.map { var a: [OutcomeRecord] = []; a.reserveCapacity($0); return a }
        for (k, r) in records.enumerated() where idOf[k] >= 0 { histories[idOf[k]].append(r) }
        var byEmployee = [String: [OutcomeRecord]](minimumCapacity: names.count)
        for (id, var h) in histories.enumerated() {
            var ordered = true
            for i in h.indices.dropFirst() where h[i - 1].period >= h[i].period { ordered = false; break }
            if !ordered { h.sort { $0.period < $1.period } }
            byEmployee[names[id]] = h
        }
        histories = []
        let employees = names.sorted()
        // policies are independent: on a large history they run side by side (2 cores here) and
        // their results are handed over in scheme order
        let results = Results(count: policies.count)
        let run: @Sendable (Int) -> Void = { [self, byEmployee, byPeriod] i in
            let o = Results.Buffer()
            var scopedHistories = byEmployee
            var scopedEmployees = employees
            var everyone = byPeriod
            var skipped: [String: [MonthIndex]] = [:]
            // `exclude_months` (R-001-19 「转正后」, R-002-30 试用期不纳入考核): the months meeting it are
            // not read by the policy at all — not counted, ranked, averaged or carried, and a run of
            // consecutive months breaks at them; someone whose month evaluated is excluded gets no
            // outcome of the policy. A month whose value cannot be decided (missing) is kept.
            if let ex = scopes[i].excludeMonths {
                var kept: [String] = []
                for e in employees {
                    let h = byEmployee[e]!
                    let out = h.filter { holds(ex, $0) == true }
                    if out.isEmpty { kept.append(e); continue }
                    let rest = h.filter { holds(ex, $0) != true }
                    skipped[e] = out.map(\.period)
                    if rest.isEmpty || out.last!.period == asOf { scopedHistories[e] = nil; continue }
                    scopedHistories[e] = rest
                    kept.append(e)
                }
                scopedEmployees = kept
                everyone = byPeriod.mapValues { $0.filter { holds(ex, $0) != true } }
            }
            // `applies_to`: the policy is about the people whose latest record (the month evaluated,
            // else their last month before it) meets the condition; the others get none of its
            // outcomes and are not ranked, counted in quotas or team awards by it
            var scopedByPeriod = everyone
            if let scope = scopes[i].appliesTo {
                var inScope = Set<String>()
                for e in scopedEmployees { if let r = scopedHistories[e]?.last, holds(scope, r) == true { inScope.insert(e) } }
                scopedEmployees = scopedEmployees.filter { inScope.contains($0) }
                scopedByPeriod = everyone.mapValues { $0.filter { inScope.contains($0.employee) } }
            }
            var ctx = Context(asOf: asOf, byEmployee: scopedHistories, byPeriod: scopedByPeriod, everyone: everyone, employees: scopedEmployees,
                              excluded: skipped, exclusion: scopes[i].excludeMonths,
                              sink: { o.outcomes.append($0) }, teamSink: { o.teams.append($0) })
            switch policies[i] {
            case .ranking(let r): ranking(r, &ctx)
            case .consecutive(let c): consecutive(c, &ctx)
            case .level(let l): level(l, &ctx)
            case .star(let s): star(s, &ctx)
            case .composite(let c): composite(c, &ctx)
            case .teamAward(let t): teamAward(t, &ctx)
            case .promotion(let pr): promotion(pr, &ctx)
            case .notAssessed(let n): notAssessed(n, &ctx)
            case .quarterStar(let q): quarterStar(q, &ctx)
            case .payGrades(let g): payGrades(g, &ctx)
            case .mostInYear(let m): mostInYear(m, &ctx)
            case .bonusPool(let b): bonusPool(b, &ctx)
            case .note: break
            }
            results.set(i, o)
        }
        if records.count >= 20_000 && policies.count > 1 {
            DispatchQueue.concurrentPerform(iterations: policies.count, execute: run)
        } else {
            for i in policies.indices { run(i) }
        }
        for i in policies.indices {
            let b = results.take(i)
            b.outcomes.forEach(outcome)
            b.teams.forEach(team)
        }
        return asOf
    }

    /// Per-policy result buffers filled from several threads.
    final class Results: @unchecked Sendable {
        final class Buffer { var outcomes: [Outcome] = []; var teams: [TeamOutcome] = [] }
        private var buffers: [Buffer?]
        private let lock = NSLock()
        init(count: Int) { buffers = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ b: Buffer) { lock.lock(); buffers[i] = b; lock.unlock() }
        func take(_ i: Int) -> Buffer { lock.lock(); defer { lock.unlock() }; let b = buffers[i]!; buffers[i] = nil; return b }
    }

    struct Context {
        var asOf: MonthIndex
        var byEmployee: [String: [OutcomeRecord]]
        /// The records of the people the policy applies to (`applies_to`), by month.
        var byPeriod: [MonthIndex: [OutcomeRecord]]
        /// Every record by month, whoever the policy applies to (a manager's staff average).
        var everyone: [MonthIndex: [OutcomeRecord]]
        var employees: [String]
        /// The months `exclude_months` left out, by employee (said in the explanations).
        var excluded: [String: [MonthIndex]] = [:]
        var exclusion: Condition? = nil
        let sink: (Outcome) -> Void
        let teamSink: (TeamOutcome) -> Void
        lazy var label = asOf.label
        /// Rendered rule tags “（R-000-12）”, made once per rule list.
        var tags: [[String]: String] = [:]

        mutating func tag(_ rules: [String]) -> String {
            if let t = tags[rules] { return t }
            let t = ScoringEngine.ruleTag(rules).text
            tags[rules] = t
            return t
        }

        mutating func emit(_ e: String, _ kind: String, _ v: OutcomeValue, _ rules: [String], _ text: String) {
            sink(Outcome(employeeId: e, period: label, kind: kind, value: v, rules: rules, explanation: text + tag(rules)))
        }

        mutating func team(_ t: String, _ kind: String, _ v: OutcomeValue, _ rules: [String], _ text: String) {
            teamSink(TeamOutcome(team: t, period: label, kind: kind, value: v, rules: rules, explanation: text + tag(rules)))
        }
    }

    // MARK: - helpers

    func value(_ v: Variable, _ r: OutcomeRecord) -> Fixed? {
        switch v {
        case .total: return r.total
        case .slot(let s, _): return slotValue(s, r)
        }
    }

    /// Evaluates a condition for one month; nil when it cannot be decided (missing data).
    func holds(_ c: Condition, _ r: OutcomeRecord) -> Bool? {
        do {
            return !(try c.program.evaluate { (s: Int) -> Fixed? in s == -1 ? r.total : s < 0 ? figureValue(-2 - s, r) : slotValue(s, r) }).isZero
        } catch { return nil }
    }

    /// The values a condition reads in one month, as a person reads them: “重大用户投诉或重大业务差错 1”.
    func facts(_ c: Condition, _ r: OutcomeRecord) -> String {
        var seen = Set<Int>()
        var parts: [String] = []
        let labels = engine.figureLabels
        for s in c.expr.slots where seen.insert(s).inserted {
            if s >= 0 {
                parts.append("\(engine.slotLabels[s]) \(slotValue(s, r).map { engine.show($0, slot: s).text } ?? "无数据")")
            } else if s < -1 {
                let k = -2 - s
                parts.append("\(labels[k]) \(figureValue(k, r)?.format() ?? "无数据")")
            }
        }
        if c.expr.slots.contains(-1) { parts.insert("总分 \(r.total.format())", at: 0) }
        return parts.joined(separator: "，")
    }

    /// The record's month of `m` within a sorted history, if present.
    func at(_ hist: [OutcomeRecord], _ m: MonthIndex) -> OutcomeRecord? {
        var lo = 0, hi = hist.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if hist[mid].period == m { return hist[mid] }
            if hist[mid].period < m { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    /// The last `n` calendar months up to `m`, if all were scored.
    func window(_ hist: [OutcomeRecord], ending m: MonthIndex, _ n: Int) -> [OutcomeRecord]? {
        // an empty window decides nothing (the loader refuses one; found by `kaohe fuzz --target scheme`)
        guard n >= 1 else { return nil }
        var out: [OutcomeRecord] = []
        for k in stride(from: n - 1, through: 0, by: -1) {
            guard let r = at(hist, m + (-k)) else { return nil }
            out.append(r)
        }
        return out
    }

    static func list(_ recs: [OutcomeRecord], _ f: (OutcomeRecord) -> String) -> String {
        recs.map { "\($0.period.label) \(f($0))" }.joined(separator: "、")
    }

    /// One place in a competition ranking (1, 1, 3): `rank` = 1 + number of strictly better
    /// values; `tieStart...tieEnd` are the positions (in ranked order) sharing the rank.
    struct Ranked {
        var employee: String
        var value: Fixed
        var rank: Int
        var tieStart: Int
        var tieEnd: Int
    }

    /// Ranks the values, best first. O(n log n).
    static func ranked(_ items: [(String, Fixed)], descending: Bool) -> [Ranked] {
        let sorted = items.sorted { a, b in a.1 != b.1 ? (descending ? a.1 > b.1 : a.1 < b.1) : a.0 < b.0 }
        var out: [Ranked] = []
        out.reserveCapacity(sorted.count)
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1].1 == sorted[i].1 { j += 1 }
            for k in i...j { out.append(Ranked(employee: sorted[k].0, value: sorted[k].1, rank: i + 1, tieStart: i, tieEnd: j)) }
            i = j + 1
        }
        return out
    }

    /// The others sharing position `i`'s rank, at most `limit` by name (“A、B 等 12 人”).
    static func tieNames(_ ranked: [Ranked], _ i: Int, limit: Int = 5) -> String {
        let x = ranked[i]
        var names: [String] = []
        var k = x.tieStart
        while k <= x.tieEnd && names.count < limit { if k != i { names.append(ranked[k].employee) }; k += 1 }
        let others = x.tieEnd - x.tieStart
        return names.joined(separator: "、") + (others > names.count ? " 等 \(others) 人" : "")
    }

    // MARK: - ranking (R-000-12, R-001-16, R-001-17)

    func groups(_ recs: [OutcomeRecord], byTeam: Bool) -> [(String, [OutcomeRecord])] {
        if !byTeam { return [("全体", recs)] }
        var g: [String: [OutcomeRecord]] = [:]
        for r in recs { g[r.team ?? "（无班组）", default: []].append(r) }
        return g.sorted { $0.key < $1.key }
    }

    struct RankedGroup {
        var name: String
        var members: [OutcomeRecord]
        var ranked: [Ranked]
        var position: [String: Int]
        /// The last place's rank (1 when everyone ties).
        var worst: Int { ranked.last?.rank ?? 0 }
    }

    func rankGroups(_ p: RankingPolicy, _ recs: [OutcomeRecord]) -> [RankedGroup] {
        groups(recs, byTeam: p.byTeam).map { g, members in
            let ranked = Self.ranked(members.compactMap { r in value(p.by, r).map { (r.employee, $0) } }, descending: p.descending)
            var position = [String: Int](minimumCapacity: ranked.count)
            for (i, x) in ranked.enumerated() { position[x.employee] = i }
            return RankedGroup(name: g, members: members, ranked: ranked, position: position)
        }
    }

    func ranking(_ p: RankingPolicy, _ ctx: inout Context) {
        let asOf = ctx.asOf
        // last places of the months before as-of (transfer review); an all-tied group has no last place
        var lastPlaces: [String: Int] = [:]
        if let n = p.transferAfter {
            for k in 0..<n {
                for g in rankGroups(p, ctx.byPeriod[asOf + (-k)] ?? []) where g.ranked.count >= p.minimumGroup && g.worst > 1 {
                    for x in g.ranked.reversed() {
                        guard x.rank == g.worst else { break }
                        lastPlaces[x.employee, default: 0] += 1
                    }
                }
            }
        }
        for g in rankGroups(p, ctx.byPeriod[asOf] ?? []) {
            let n = g.ranked.count
            let worst = g.worst
            let allTied = worst == 1 && n > 1
            let groupText = p.byTeam ? "班组 \(g.name) " : ""
            let closing = (allTied ? "；全员并列，不设名次奖罚" : "") + (n < p.minimumGroup ? "；不足 \(p.minimumGroup) 人，不设名次奖罚" : "")
            for r in g.members {
                guard let i = g.position[r.employee] else {
                    ctx.emit(r.employee, p.outcome, .text("—"), p.rules, "\(p.label)：缺少「\(p.by.label)」，未参加排名")
                    continue
                }
                let x = g.ranked[i]
                let rank = x.rank
                let tied = x.tieEnd > x.tieStart
                let tieText = tied ? "，与 \(Self.tieNames(g.ranked, i)) 并列" : ""
                ctx.emit(r.employee, p.outcome, .text("\(rank)/\(n)"), p.rules,
                         "\(p.label)：\(groupText)\(p.by.label) \(p.by.show(x.value, engine))，第 \(rank) 名（共 \(n) 人\(tieText)）\(closing)")
                guard n >= p.minimumGroup, !allTied else { continue }
                for w in p.rewards {
                    let hit: Bool
                    switch w.place {
                    case .first: hit = rank == 1
                    case .last: hit = rank == worst && worst > 1
                    case .rank(let k): hit = rank == k
                    }
                    guard hit else { continue }
                    let placeText: String
                    switch w.place { case .first: placeText = "第一名"; case .last: placeText = "最后一名"; case .rank(let k): placeText = "第 \(k) 名" }
                    if let c = w.condition {
                        guard holds(c, r) == true else {
                            ctx.emit(r.employee, "rank_reward", .money(0), w.rules, "\(placeText)，但未满足条件「\(c.said(engine))」，不\(w.amount < .zero ? "处罚" : "奖励")")
                            continue
                        }
                    }
                    let tiedNote = tied ? "（并列者同样适用）" : ""
                    ctx.emit(r.employee, "rank_reward", .money(w.amount.decimal), w.rules,
                             "\(w.label ?? p.label)：\(placeText)\(w.condition.map { "且满足「\($0.said(engine))」" } ?? "")，\(w.amount < .zero ? "扣" : "奖励") \(w.amount.abs.decimal.yuan) 元\(tiedNote)")
                }
                // in the bottom k: fewer than k people rank strictly below
                let below = n - 1 - x.tieEnd
                for d in p.duties where below < d.bottom {
                    ctx.emit(r.employee, d.kind, .text(d.days.map { "\($0) 天内" } ?? "须提交"), d.rules,
                             "排名后 \(d.bottom) 名（第 \(rank) 名，共 \(n) 人）：\(d.label)\(d.days.map { "，须在通报下发后 \($0) 天内提交" } ?? "")")
                }
            }
        }
        if let n = p.transferAfter {
            let months = (0..<n).map { (asOf + (-($0))).label }.reversed().joined(separator: "、")
            for (e, count) in lastPlaces.sorted(by: { $0.key < $1.key }) where count == n {
                ctx.emit(e, "transfer_review", .flag(true), p.rules, "连续 \(n) 个月（\(months)）排名最后一名，考虑调岗")
            }
        }
    }

    // MARK: - not assessed (R-002-30)

    func notAssessed(_ p: NotAssessedPolicy, _ ctx: inout Context) {
        for e in ctx.employees {
            guard let now = at(ctx.byEmployee[e]!, ctx.asOf), holds(p.condition, now) == true else { continue }
            ctx.emit(e, p.outcome, .text("未考核"), p.rules,
                     "\(p.label)：\(ctx.asOf.label) 未考核——\(p.reason)（\(facts(p.condition, now))），不计分、不排名、不计绩效工资")
        }
    }

    // MARK: - consecutive (R-001-14, R-001-19)

    func consecutive(_ p: ConsecutivePolicy, _ ctx: inout Context) {
        let year = ctx.asOf.year
        for e in ctx.employees {
            var run = 0, best = 0
            var runStart: MonthIndex?, bestStart: MonthIndex?
            var prev: MonthIndex?
            var hits: [MonthIndex] = []
            for r in ctx.byEmployee[e]! where p.perYear == nil || r.period.year == year {
                if holds(p.condition, r) == true {
                    hits.append(r.period)
                    if let pv = prev, pv + 1 == r.period, run > 0 { run += 1 } else { run = 1; runStart = r.period }
                    if run > best { best = run; bestStart = runStart }
                } else { run = 0 }
                prev = r.period
            }
            let byRun = best >= p.run
            let byYear = p.perYear.map { hits.count >= $0 } ?? false
            let hitText = { hits.map(\.label).joined(separator: "、") }
            // R-001-19 「转正后」: the months `exclude_months` left out are named, and a run breaks at them
            let skipText = ctx.excluded[e].map { months in
                "；\(months.map(\.label).joined(separator: "、")) 满足「\(ctx.exclusion?.text ?? "")」，不计入（连续月数在此中断）"
            } ?? ""
            if byRun || byYear {
                let why = byRun ? "连续 \(best) 个月（\((0..<best).map { (bestStart! + $0).label }.joined(separator: "、"))）满足「\(p.condition.said(engine))」"
                                : "\(year) 年内 \(hits.count) 个月（\(hitText())）满足「\(p.condition.said(engine))」，达到 \(p.perYear!) 个月"
                ctx.emit(e, p.outcome, .flag(true), p.rules, "\(p.label)：\(why)\(skipText)")
            } else if p.always {
                let seen = hits.isEmpty ? "没有月份满足「\(p.condition.said(engine))」" : "满足「\(p.condition.said(engine))」的月份：\(hitText())，最长连续 \(best) 个月"
                ctx.emit(e, p.outcome, .flag(false), p.rules, "\(p.label)：\(seen)；未达到连续 \(p.run) 个月\(p.perYear.map { "或全年 \($0) 个月" } ?? "")\(skipText)")
            }
        }
    }
}

/// A scheme's level ladder (R-002-26 星级评定) as the pages show progress towards it: the
/// window of months whose totals decide a level, and each level's minimum, best first.
public struct LevelLadder: Sendable, Equatable {
    public struct Step: Sendable, Equatable { public var label: String; public var min: Fixed? }
    public var label: String
    public var rules: [String]
    public var window: Int
    public var steps: [Step]

    /// The best level every one of the last `window` totals reaches (nil when fewer months are
    /// known), and for each better level how many of those months reached its minimum — the
    /// totals-only part of the policy; conditions on events (complaints, praises, vetoes) are the
    /// outcome engine's and are not anticipated here.
    public func progress(_ totals: [Fixed]) -> (reached: String?, towards: [(label: String, min: Fixed, months: Int)]) {
        let recent = Array(totals.suffix(window))
        var reached: String?
        if recent.count == window {
            for s in steps { if let m = s.min { if recent.allSatisfy({ $0 >= m }) { reached = s.label; break } } else { reached = s.label; break } }
        }
        var towards: [(label: String, min: Fixed, months: Int)] = []
        for s in steps {
            if s.label == reached { break }
            if let m = s.min {
                // months in a row, counting back from the latest, at or above the minimum
                let run = recent.reversed().prefix(while: { $0 >= m }).count
                towards.append((s.label, m, run))
            }
        }
        return (reached, towards)
    }
}

extension OutcomeEngine {
    /// The first level policy of the scheme, if it has one.
    public var levelLadder: LevelLadder? {
        for p in policies {
            if case .level(let l) = p {
                return LevelLadder(label: l.label, rules: l.rules, window: l.window, steps: l.levels.map { .init(label: $0.label, min: $0.min) })
            }
        }
        return nil
    }
}

extension ScoringEngine {
    /// The sheet figures an outcome condition may read besides metrics, in record order:
    /// `item.<id>` (an item's points, sections' items then adjustments), `section.<id>` (a section's
    /// points), `money.<id>` (a money line's yuan) — R-002-26: 星级 needs no serious fault, read off
    /// the sheet rather than re-entered.
    public var figureNames: [String] {
        sections.flatMap { $0.items.map { "item.\($0.item.id)" } } + adjustments.map { "item.\($0.item.id)" }
            + sections.map { "section.\($0.section.id)" } + money.map { "money.\($0.item.id)" }
    }

    /// The same figures as a person reads them: 「礼仪意识」得分, 「日常检查」分数, 「服务工资」金额.
    var figureLabels: [String] {
        sections.flatMap { $0.items.map { "「\($0.item.label)」得分" } } + adjustments.map { "「\($0.item.label)」得分" }
            + sections.map { "「\($0.section.label)」分数" } + money.map { "「\($0.item.label)」金额（元）" }
    }
}
