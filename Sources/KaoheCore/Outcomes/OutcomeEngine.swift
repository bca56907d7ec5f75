import Foundation

/// One scored employee-month as the outcome policies see it.
public struct OutcomeRecord: Sendable {
    public var employee: String
    public var period: MonthIndex
    public var team: String?
    public var total: Fixed
    /// Section points ÷ section max, in scheme order (star dimension minimums).
    public var sectionRatios: [Fixed]
    /// The lowest item points ÷ item max of the sheet (“every item ≥ pass”).
    public var minItemRatio: Fixed?
    /// Slot values the policies read (others are dropped to save memory).
    public var values: [Int: Fixed]
}

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
}

/// An explained result of an outcome policy for one employee as of a period.
public struct Outcome: Sendable {
    public var employeeId: String
    public var period: String
    public var kind: String
    public var value: OutcomeValue
    public var rules: [String]
    public var explanation: String
}

public struct TeamOutcome: Sendable {
    public var team: String
    public var period: String
    public var kind: String
    public var value: OutcomeValue
    public var rules: [String]
    public var explanation: String
}

/// Evaluates a scheme's outcome policies over a history of scored months.
public struct OutcomeEngine: Sendable {
    let engine: ScoringEngine
    let policies: [Policy]
    /// Slots any policy reads.
    public let slots: [Int]

    public init(engine: ScoringEngine) throws(SchemeProblems) {
        self.engine = engine
        var ps: [Policy] = []
        var problems: [SchemeProblem] = []
        for (i, o) in engine.scheme.outcomes.enumerated() {
            let (p, errs) = Policy.read(o, index: i, engine: engine)
            problems += errs
            if let p { ps.append(p) }
        }
        if !problems.isEmpty { throw SchemeProblems(problems: problems) }
        policies = ps
        var s = Set<Int>()
        func add(_ c: Condition?) { if let c { s.formUnion(c.expr.slots.filter { $0 >= 0 }) } }
        func add(_ v: Variable) { if case .slot(let i, _) = v { s.insert(i) } }
        for p in ps {
            switch p {
            case .ranking(let r): add(r.by); r.rewards.forEach { add($0.condition) }
            case .consecutive(let c): add(c.condition)
            case .level(let l): [l.down, l.up, l.quarterVeto, l.trainingMissed].forEach(add)
            case .star(let st): st.stars.forEach { add($0.condition) }
            case .composite(let c):
                for comp in c.components {
                    switch comp.source { case .averageOf(let v), .latestOf(let v): add(v); default: break }
                }
            case .teamAward(let t): add(t.member); t.teamAverages.forEach { add($0.variable) }
            case .promotion(let p): add(p.by); if let t = p.tenure { add(t) }
            case .note: break
            }
        }
        slots = s.sorted()
    }

    public var isEmpty: Bool { policies.allSatisfy { if case .note = $0 { return true }; return false } }

    /// The record of a scored sheet (`values` are the row's slot values).
    public func record(_ r: SheetResult, values: [Fixed?]) -> OutcomeRecord? {
        guard let p = r.period, let m = MonthIndex(p) else { return nil }
        var v: [Int: Fixed] = [:]
        for s in slots { if let x = values[s] { v[s] = x } }
        var minItem: Fixed?
        for it in r.items where it.section != nil {
            if let pts = it.points, let mx = it.max, mx > .zero, let ratio = Fixed.divide(pts, mx) { minItem = Swift.min(minItem ?? ratio, ratio) }
        }
        return OutcomeRecord(employee: r.employeeId, period: m, team: r.team, total: r.total,
                             sectionRatios: r.sections.map { Fixed.divide($0.points, $0.max) ?? .zero }, minItemRatio: minItem, values: v)
    }

    /// Evaluates every policy as of `asOf` (default: the latest month in the records).
    public func evaluate(_ records: [OutcomeRecord], asOf: MonthIndex? = nil) -> (outcomes: [Outcome], teams: [TeamOutcome]) {
        guard let latest = records.map(\.period).max() else { return ([], []) }
        let asOf = asOf ?? latest
        var byEmployee: [String: [OutcomeRecord]] = [:]
        var byPeriod: [MonthIndex: [OutcomeRecord]] = [:]
        for r in records where r.period <= asOf {
            byEmployee[r.employee, default: []].append(r)
            byPeriod[r.period, default: []].append(r)
        }
        for k in byEmployee.keys { byEmployee[k]!.sort { $0.period < $1.period } }
        var ctx = Context(asOf: asOf, byEmployee: byEmployee, byPeriod: byPeriod, employees: byEmployee.keys.sorted())
        for p in policies {
            switch p {
            case .ranking(let r): ranking(r, &ctx)
            case .consecutive(let c): consecutive(c, &ctx)
            case .level(let l): level(l, &ctx)
            case .star(let s): star(s, &ctx)
            case .composite(let c): composite(c, &ctx)
            case .teamAward(let t): teamAward(t, &ctx)
            case .promotion(let pr): promotion(pr, &ctx)
            case .note: break
            }
        }
        return (ctx.outcomes, ctx.teams)
    }

    struct Context {
        var asOf: MonthIndex
        var byEmployee: [String: [OutcomeRecord]]
        var byPeriod: [MonthIndex: [OutcomeRecord]]
        var employees: [String]
        var outcomes: [Outcome] = []
        var teams: [TeamOutcome] = []

        mutating func emit(_ e: String, _ kind: String, _ v: OutcomeValue, _ rules: [String], _ text: String) {
            outcomes.append(Outcome(employeeId: e, period: asOf.label, kind: kind, value: v, rules: rules, explanation: text + ScoringEngine.ruleTag(rules).text))
        }
    }

    // MARK: - helpers

    func value(_ v: Variable, _ r: OutcomeRecord) -> Fixed? {
        switch v {
        case .total: return r.total
        case .slot(let s, _): return r.values[s]
        }
    }

    /// Evaluates a condition for one month; nil when it cannot be decided (missing data).
    func holds(_ c: Condition, _ r: OutcomeRecord) -> Bool? {
        do {
            return !(try c.expr.evaluate { (s: Int) -> Fixed? in s < 0 ? r.total : r.values[s] }).isZero
        } catch { return nil }
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

    /// Competition ranking (1, 1, 3): rank = 1 + number of strictly better values.
    static func ranks(_ items: [(String, Fixed)], descending: Bool) -> [String: (rank: Int, tiedWith: [String])] {
        let sorted = items.sorted { descending ? $0.1 > $1.1 : $0.1 < $1.1 }
        var out: [String: (Int, [String])] = [:]
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1].1 == sorted[i].1 { j += 1 }
            let names = sorted[i...j].map(\.0)
            for k in i...j { out[sorted[k].0] = (i + 1, names.filter { $0 != sorted[k].0 }) }
            i = j + 1
        }
        return out
    }

    // MARK: - ranking (R-000-12, R-001-16, R-001-17)

    func groups(_ recs: [OutcomeRecord], byTeam: Bool) -> [(String, [OutcomeRecord])] {
        if !byTeam { return [("全体", recs)] }
        var g: [String: [OutcomeRecord]] = [:]
        for r in recs { g[r.team ?? "（无班组）", default: []].append(r) }
        return g.sorted { $0.key < $1.key }
    }

    func ranking(_ p: RankingPolicy, _ ctx: inout Context) {
        let asOf = ctx.asOf
        // rank every month up to as-of (transfer review needs the last-place history)
        var lastPlaces: [String: Set<MonthIndex>] = [:]
        func rankMonth(_ m: MonthIndex) -> [(String, [OutcomeRecord], [String: (rank: Int, tiedWith: [String])], [(String, Fixed)])] {
            var out: [(String, [OutcomeRecord], [String: (rank: Int, tiedWith: [String])], [(String, Fixed)])] = []
            for (g, members) in groups(ctx.byPeriod[m] ?? [], byTeam: p.byTeam) {
                let vals = members.compactMap { r in value(p.by, r).map { (r.employee, $0) } }
                out.append((g, members, Self.ranks(vals, descending: p.descending), vals))
            }
            return out
        }
        if let n = p.transferAfter {
            for k in 0..<n {
                let m = asOf + (-k)
                for (_, _, ranks, vals) in rankMonth(m) where vals.count >= p.minimumGroup {
                    let worst = ranks.values.map(\.rank).max() ?? 0
                    for (e, r) in ranks where r.rank == worst { lastPlaces[e, default: []].insert(m) }
                }
            }
        }
        for (g, members, ranks, vals) in rankMonth(asOf) {
            let n = vals.count
            let worst = ranks.values.map(\.rank).max() ?? 0
            let groupText = p.byTeam ? "班组 \(g) " : ""
            for r in members {
                guard let (rank, tied) = ranks[r.employee] else {
                    ctx.emit(r.employee, p.outcome, .text("—"), p.rules, "\(p.label)：缺少「\(p.by.label)」，未参加排名")
                    continue
                }
                let v = value(p.by, r)!
                let tieText = tied.isEmpty ? "" : "，与 \(tied.joined(separator: "、")) 并列"
                let allTied = worst == 1 && n > 1
                ctx.emit(r.employee, p.outcome, .text("\(rank)/\(n)"), p.rules,
                         "\(p.label)：\(groupText)\(p.by.label) \(v.format())，第 \(rank) 名（共 \(n) 人\(tieText)）\(allTied ? "；全员并列，不设名次奖罚" : "")\(n < p.minimumGroup ? "；不足 \(p.minimumGroup) 人，不设名次奖罚" : "")")
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
                            ctx.emit(r.employee, "rank_reward", .money(0), w.rules, "\(placeText)，但未满足条件「\(c.text)」，不\(w.amount < .zero ? "处罚" : "奖励")")
                            continue
                        }
                    }
                    let tiedNote = tied.isEmpty ? "" : "（并列者同样适用）"
                    ctx.emit(r.employee, "rank_reward", .money(w.amount.decimal), w.rules,
                             "\(w.label ?? p.label)：\(placeText)\(w.condition.map { "且满足「\($0.text)」" } ?? "")，\(w.amount < .zero ? "扣" : "奖励") \(w.amount.abs.decimal.yuan) 元\(tiedNote)")
                }
                for d in p.duties {
                    // in the bottom k: fewer than k people rank strictly below
                    let below = ranks.values.filter { $0.rank > rank }.count
                    if below < d.bottom {
                        ctx.emit(r.employee, d.kind, .text(d.days.map { "\($0) 天内" } ?? "须提交"), d.rules,
                                 "排名后 \(d.bottom) 名（第 \(rank) 名，共 \(n) 人）：\(d.label)\(d.days.map { "，须在通报下发后 \($0) 天内提交" } ?? "")")
                    }
                }
            }
        }
        if let n = p.transferAfter {
            for (e, months) in lastPlaces.sorted(by: { $0.key < $1.key }) where months.count == n {
                ctx.emit(e, "transfer_review", .flag(true), p.rules,
                         "连续 \(n) 个月（\((0..<n).map { (asOf + (-($0))).label }.reversed().joined(separator: "、"))）排名最后一名，考虑调岗")
            }
        }
    }

    // MARK: - consecutive (R-001-14, R-001-19)

    func consecutive(_ p: ConsecutivePolicy, _ ctx: inout Context) {
        for e in ctx.employees {
            let hist = ctx.byEmployee[e]!.filter { $0.period.year == ctx.asOf.year || p.perYear == nil }
            var run = 0, best = 0
            var runMonths: [String] = [], bestMonths: [String] = []
            var prev: MonthIndex?
            var hits: [String] = []
            for r in hist {
                let ok = holds(p.condition, r) == true
                if ok {
                    hits.append(r.period.label)
                    if let pv = prev, pv + 1 == r.period, run > 0 { run += 1; runMonths.append(r.period.label) } else { run = 1; runMonths = [r.period.label] }
                    if run > best { best = run; bestMonths = runMonths }
                } else { run = 0; runMonths = [] }
                prev = r.period
            }
            let byRun = best >= p.run
            let byYear = p.perYear.map { hits.count >= $0 } ?? false
            if byRun || byYear {
                let why = byRun ? "连续 \(best) 个月（\(bestMonths.joined(separator: "、"))）满足「\(p.condition.text)」"
                                : "\(ctx.asOf.year) 年内 \(hits.count) 个月（\(hits.joined(separator: "、"))）满足「\(p.condition.text)」，达到 \(p.perYear!) 个月"
                ctx.emit(e, p.outcome, .flag(true), p.rules, "\(p.label)：\(why)")
            } else if p.always {
                let seen = hits.isEmpty ? "没有月份满足「\(p.condition.text)」" : "满足「\(p.condition.text)」的月份：\(hits.joined(separator: "、"))，最长连续 \(best) 个月"
                ctx.emit(e, p.outcome, .flag(false), p.rules, "\(p.label)：\(seen)；未达到连续 \(p.run) 个月\(p.perYear.map { "或全年 \($0) 个月" } ?? "")")
            }
        }
    }
}
