import Foundation

/// Typed outcome policies, read from a scheme's `outcomes:` entries. Each reading names the
/// path of a bad parameter (`outcomes[2].levels[0].min`), like the rest of the scheme.
enum Policy: Sendable {
    case ranking(RankingPolicy)
    case consecutive(ConsecutivePolicy)
    case level(LevelPolicy)
    case star(StarPolicy)
    case composite(CompositePolicy)
    case teamAward(TeamAwardPolicy)
    case promotion(PromotionPolicy)
    case notAssessed(NotAssessedPolicy)
    case quarterStar(QuarterStarPolicy)
    case payGrades(PayGradesPolicy)
    case mostInYear(MostInYearPolicy)
    case bonusPool(BonusPoolPolicy)
    /// Named in a preset for the record (a process rule the server carries out), not computed here.
    case note(String)
}

struct RankingPolicy: Sendable {
    struct Reward: Sendable { var place: Place; var amount: Fixed; var condition: Condition?; var label: String?; var rules: [String] }
    struct Duty: Sendable { var bottom: Int; var kind: String; var days: Int?; var label: String; var rules: [String] }
    enum Place: Sendable, Equatable { case first, last, rank(Int) }
    var label: String
    var rules: [String]
    var by: Variable
    var descending: Bool
    var byTeam: Bool
    var rewards: [Reward]
    var duties: [Duty]
    var transferAfter: Int?
    var minimumGroup: Int
    /// Outcome kind of the rank line (`rank`, or e.g. `sales_rank` for a second ranking).
    var outcome: String
}

struct ConsecutivePolicy: Sendable {
    var label: String
    var rules: [String]
    var condition: Condition
    var run: Int
    var perYear: Int?
    var outcome: String
    var always: Bool
}

struct LevelPolicy: Sendable {
    /// `itemsMin` and `condition` must hold in every month of the window too (R-002-26: 星级 needs
    /// every item ≥ 85 % and no fault or violation); a run that misses them falls to the next level.
    struct Level: Sendable { var label: String; var min: Fixed?; var bonus: Fixed; var itemsMin: Fixed?; var condition: Condition? }
    var label: String
    var rules: [String]
    /// best first; the last has no minimum
    var levels: [Level]
    var window: Int
    var quarterlyLevels: Set<String>
    var demoteAfter: Int?
    var demoteLevel: String?
    var rectificationDays: Int
    var down: Condition?
    var up: Condition?
    var quarterVeto: Condition?
    var trainingMissed: Condition?
}

struct StarPolicy: Sendable {
    struct Star: Sendable {
        var stars: Int
        var label: String
        var min: Fixed
        var months: Int
        var dimensions: [(section: String, minRatio: Fixed)]
        var itemsMin: Fixed?
        var condition: Condition?
        var quota: Fixed?
    }
    var label: String
    var rules: [String]
    var stars: [Star]          // highest first
    var rounding: Rounding
    var tiesAtQuota: TieRule
    /// R-003-02 prints the quotas strict (五星 < 10 %): `strict` gives the places strictly below
    /// team size × quota (a team of 10 has no 五星 place); `at_most` allows up to it, rounded.
    var compare: QuotaCompare
    enum Rounding: String, Sendable { case floor, round, ceil }
    enum TieRule: String, Sendable { case exclude, include }
    enum QuotaCompare: String, Sendable { case strict, atMost = "at_most" }
}

struct CompositePolicy: Sendable {
    struct Component: Sendable { var label: String; var source: Source; var weight: Fixed }
    /// `groupAverageTotal`: the team's average total of the month; without the person himself unless
    /// `includeSelf` (R-002-33: a manager's department result is the staff he manages).
    enum Source: Sendable { case averageTotal, latestTotal, averageOf(Variable), latestOf(Variable), groupAverageTotal(includeSelf: Bool) }
    var label: String
    var rules: [String]
    var outcome: String
    var components: [Component]
    var window: Window
    var excellentAbove: Fixed?
    var excellentLabel: String
    var excellentRules: [String]
    enum Window: String, Sendable { case year, all, period }
}

struct TeamAwardPolicy: Sendable {
    var label: String
    var rules: [String]
    var member: Condition?
    var teamAverages: [(variable: Variable, min: Fixed, label: String)]
    var award: String
    var streak: Int
    var streakAward: String
    var streakRules: [String]
}

struct PromotionPolicy: Sendable {
    var label: String
    var rules: [String]
    var by: Variable
    var top: Int
    var times: Int
    var tenure: Variable?
    var minTenure: Fixed
}

/// R-002-30: people whose month evaluated meets `condition` (试用期未满三个月) are listed as 未考核
/// with the reason; the other policies leave those months out with `exclude_months`.
struct NotAssessedPolicy: Sendable {
    var label: String
    var rules: [String]
    var condition: Condition
    var reason: String
    var outcome: String
}

/// R-003-10 星级话务员: a quarterly ladder of stars (一星 … 三星). A quarter meets a star's standard
/// when the average of its three monthly totals reaches `min` and `condition` holds in each month;
/// the operator climbs one star at most a quarter (初评从一星级开始), keeps his star when he meets
/// its standard, else falls one star; a verified complaint in the quarter (`veto`) removes the star,
/// and an unstarred operator with one loses eligibility for `ineligibleQuarters` quarters. Reaching a
/// star pays its one-off `bonus`; a `salaryStep` star moves the salary up one step when reached and
/// again after every `keepRun` consecutive quarters at it.
struct QuarterStarPolicy: Sendable {
    struct Star: Sendable { var stars: Int; var label: String; var min: Fixed; var condition: Condition?; var bonus: Fixed; var salaryStep: Bool }
    var label: String
    var rules: [String]
    /// lowest first: `stars[k]` is k + 1 stars
    var stars: [Star]
    var veto: Condition?
    var keepRun: Int
    var ineligibleQuarters: Int
    var outcome: String
}

/// R-003-01 职务等级与薪资: a grade metric (1–5) picks a row of the pay table — fixed pay plus
/// performance base; in probation the pay is `probationRate` of it (`rate`) or the grade below's
/// (`gradeBelow`; the lowest grade, having none below, takes the rate).
struct PayGradesPolicy: Sendable {
    struct Grade: Sendable { var grade: Int; var label: String; var code: String?; var fixed: Fixed; var performance: Fixed }
    enum ProbationPay: String, Sendable { case rate, gradeBelow = "grade_below" }
    var label: String
    var rules: [String]
    var grade: Variable
    var probation: Variable?
    var probationPay: ProbationPay
    var probationRate: Fixed
    /// lowest first
    var grades: [Grade]
    var outcome: String
}

/// R-003-30 年度优秀员工: who has the most months of the year meeting `condition` (月五星级) gets
/// `title`, as of `awardMonth`; ties all get it (`all`) or none does (`none`).
struct MostInYearPolicy: Sendable {
    enum Ties: String, Sendable { case all, none }
    var label: String
    var rules: [String]
    var condition: Condition
    var counted: String
    var title: String
    var privilege: String?
    var awardMonth: Int
    var ties: Ties
    var minCount: Int
    var byTeam: Bool
    var outcome: String
}

/// R-004-02 奖金按名次分配: a pool in yuan (`amount`, or the group's value of `poolMetric`) split
/// by rank shares — the first place `shares[0]`, the second `shares[1]` …, the rest `rest` in
/// equal parts; tied people share their places' shares equally. Each share is cut to the fen; the
/// fen left over go one each to the places in rank order (`first`) or stay in the pool (`kept`).
struct BonusPoolPolicy: Sendable {
    enum Remainder: String, Sendable { case first, kept }
    var label: String
    var rules: [String]
    var amount: Fixed?
    var poolMetric: Variable?
    var by: Variable
    var descending: Bool
    var byTeam: Bool
    var shares: [Fixed]
    var rest: Fixed
    var remainder: Remainder
    var outcome: String
}

/// Whose outcome a policy is and which months it reads (every kind but `note`): `applies_to` picks
/// the people by their latest record; `exclude_months` removes the months meeting it from
/// everything the policy reads (R-001-19 「转正后」, R-002-30 试用期不纳入考核).
struct PolicyScope: Sendable {
    var appliesTo: Condition?
    var excludeMonths: Condition?
}

/// A value an outcome reads from a scored period: the total or an input/derived metric.
enum Variable: Sendable, Equatable {
    case total
    case slot(Int, label: String)
    var label: String { if case .slot(_, let l) = self { return l }; return "总分" }
    /// A value of it as a person reads it: `35.5%`, `50 秒`, `257,545.85 元`, a total as `88.5`.
    func show(_ v: Fixed, _ engine: ScoringEngine) -> String {
        if case .slot(let s, _) = self { return engine.show(v, slot: s).text }
        return v.format()
    }
}

struct Condition: Sendable {
    var text: String
    var expr: Expr
    /// The same expression, compiled: conditions run for every employee-month.
    var program: FixedProgram
    init(text: String, expr: Expr) { self.text = text; self.expr = expr; program = FixedProgram(expr) }

    /// The condition as a person reads it (issue 17 §3): labels for the fields, ≤ ≥ 且 或 for the
    /// operators — 「咨询转化率 < 15」, not `conversion_rate < 15`.
    func said(_ engine: ScoringEngine) -> String {
        var x: Explanation = ""
        var figures: [String]? = nil
        expr.render(into: &x) { s, out in
            if s >= 0 { out += "\(engine.slotLabels[s])" } else if s == -1 { out += "总分" } else {
                if figures == nil { figures = engine.figureLabels }
                out += "\(figures![-2 - s])"
            }
        }
        return x.text
    }
}

/// Reads the loosely typed parameters of one `outcomes[i]` entry.
struct PolicyReader {
    let params: [String: JSONValue]
    let path: String
    let engine: ScoringEngine
    var used: Set<String> = []
    var problems: [SchemeProblem] = []
    let rules: [String]

    mutating func fail(_ key: String, _ msg: String) { problems.append(SchemeProblem(.error, "\(path).\(key)", msg, rules: rules)) }

    mutating func value(_ key: String) -> JSONValue? { used.insert(key); return params[key] }

    mutating func string(_ key: String, default d: String? = nil) -> String? {
        guard let v = value(key) else { return d }
        guard let s = v.string else { fail(key, "应为文本 expected text"); return d }
        return s
    }

    mutating func number(_ key: String, default d: Fixed? = nil) -> Fixed? {
        guard let v = value(key) else { return d }
        guard let n = v.number else { fail(key, "应为数字 expected a number"); return d }
        return n
    }

    mutating func int(_ key: String, default d: Int? = nil) -> Int? {
        guard let n = number(key) else { return d }
        guard n.isInteger, n >= .zero else { fail(key, "应为非负整数 expected a whole number"); return d }
        return n.intValue
    }

    mutating func bool(_ key: String, default d: Bool) -> Bool {
        guard let v = value(key) else { return d }
        guard let b = v.bool else { fail(key, "应为 true/false"); return d }
        return b
    }

    mutating func list(_ key: String) -> [[String: JSONValue]] {
        guard let v = value(key) else { return [] }
        guard let a = v.array else { fail(key, "应为列表 expected a list"); return [] }
        var out: [[String: JSONValue]] = []
        for (i, e) in a.enumerated() {
            guard let o = e.object else { fail("\(key)[\(i)]", "应为映射 expected a mapping"); continue }
            out.append(o)
        }
        return out
    }

    mutating func variable(_ name: String, key: String) -> Variable? {
        if name == "total" || name == "score" { return .total }
        guard let s = engine.nameSlot(name) else {
            fail(key, "未知的指标 unknown metric “\(name)”"); return nil
        }
        return .slot(s, label: engine.slotLabels[s])
    }

    mutating func condition(_ text: String?, key: String) -> Condition? {
        guard let text else { return nil }
        do {
            let figures = engine.figureNames
            let e = try ExpressionParser.parse(text).bind { n in
                if n == "total" || n == "score" { return -1 }
                if let s = engine.nameSlot(n) { return s }
                // a figure of the sheet: item.<id> / section.<id> points, money.<id> yuan
                return figures.firstIndex(of: n).map { -2 - $0 }
            }
            return Condition(text: text, expr: e)
        } catch {
            fail(key, error.description); return nil
        }
    }

    mutating func finish(allowed extra: [String] = []) {
        for k in params.keys.sorted() where !used.contains(k) && !extra.contains(k) {
            fail(k, "未知的参数 unknown parameter “\(k)”")
        }
    }

    /// Reads nested mapping keys, reporting unknown ones.
    mutating func checkKeys(_ o: [String: JSONValue], allowed: [String], at key: String) {
        for k in o.keys.sorted() where !allowed.contains(k) { fail("\(key).\(k)", "未知的参数 unknown parameter “\(k)”; 允许 allowed: \(allowed.joined(separator: ", "))") }
    }

    static func rules(_ v: JSONValue?) -> [String] {
        if let s = v?.string { return [s] }
        return v?.array?.compactMap(\.string) ?? []
    }
}

extension ScoringEngine {
    /// Slot of a metric or derived metric id.
    func nameSlot(_ name: String) -> Int? {
        if let i = columnIndex[name] { return inputs[i].slot }
        return derived.first { $0.def.id == name }?.slot
    }
}

extension Policy {
    /// Reads `outcomes[index]`; unknown kinds and parameters are errors at their path. The second
    /// value is the policy's scope (every kind accepts it): `applies_to` — people whose record fails
    /// it get no outcome of the policy — and `exclude_months` — months meeting it are not read.
    static func read(_ o: OutcomePolicy, index: Int, engine: ScoringEngine) -> (Policy?, PolicyScope, [SchemeProblem]) {
        var r = PolicyReader(params: o.params, path: "outcomes[\(index)]", engine: engine, rules: o.rules)
        let label = o.label ?? o.kind
        var policy: Policy?
        let scoped = o.kind != "note" && o.kind != "process"
        let appliesTo = scoped ? r.condition(r.string("applies_to"), key: "applies_to") : nil
        let excludeMonths = scoped ? r.condition(r.string("exclude_months"), key: "exclude_months") : nil
        switch o.kind {
        case "ranking":
            let by = r.variable(r.string("by", default: "total")!, key: "by") ?? .total
            let order = r.string("order", default: "desc")!
            if order != "desc" && order != "asc" { r.fail("order", "order 须为 desc（高者为先）或 asc") }
            let group = r.string("group", default: "all")!
            if group != "all" && group != "team" { r.fail("group", "group 须为 all 或 team") }
            var rewards: [RankingPolicy.Reward] = []
            for (i, w) in r.list("rewards").enumerated() {
                let key = "rewards[\(i)]"
                r.checkKeys(w, allowed: ["place", "amount", "condition", "label", "rule"], at: key)
                var place: RankingPolicy.Place = .first
                switch w["place"]?.string {
                case "first": place = .first
                case "last": place = .last
                case let s?: if let n = Int(s), n > 0 { place = .rank(n) } else { r.fail("\(key).place", "place 须为 first、last 或名次数字") }
                case nil: r.fail("\(key).place", "缺少 place")
                }
                guard let amount = w["amount"]?.number else { r.fail("\(key).amount", "缺少金额 amount（元，罚款为负）"); continue }
                rewards.append(.init(place: place, amount: amount, condition: r.condition(w["condition"]?.string, key: "\(key).condition"),
                                     label: w["label"]?.string, rules: PolicyReader.rules(w["rule"]).isEmpty ? o.rules : PolicyReader.rules(w["rule"])))
            }
            var duties: [RankingPolicy.Duty] = []
            for (i, d) in r.list("duties").enumerated() {
                let key = "duties[\(i)]"
                r.checkKeys(d, allowed: ["bottom", "kind", "days", "label", "rule"], at: key)
                guard let b = d["bottom"]?.number, b.isInteger, b > .zero else { r.fail("\(key).bottom", "bottom 须为正整数"); continue }
                duties.append(.init(bottom: b.intValue, kind: d["kind"]?.string ?? "rectification_plan", days: d["days"]?.number?.intValue,
                                    label: d["label"]?.string ?? "提交整改方案", rules: PolicyReader.rules(d["rule"]).isEmpty ? o.rules : PolicyReader.rules(d["rule"])))
            }
            policy = .ranking(RankingPolicy(label: label, rules: o.rules, by: by, descending: order == "desc", byTeam: group == "team",
                                            rewards: rewards, duties: duties, transferAfter: r.int("transfer_after"),
                                            minimumGroup: r.int("minimum_group", default: 2)!,
                                            outcome: r.string("outcome", default: "rank")!))
        case "consecutive":
            let cond = r.condition(r.string("condition"), key: "condition")
            if cond == nil && !r.problems.contains(where: { $0.path.hasSuffix(".condition") }) { r.fail("condition", "缺少条件 condition") }
            let run = r.int("run", default: 3)!
            if run < 1 { r.fail("run", "run 须 ≥ 1") }
            policy = cond.map { .consecutive(ConsecutivePolicy(label: label, rules: o.rules, condition: $0, run: run, perYear: r.int("per_year"),
                                                               outcome: r.string("outcome", default: "flag")!, always: r.bool("always", default: false))) }
        case "level":
            var levels: [LevelPolicy.Level] = []
            for (i, l) in r.list("levels").enumerated() {
                r.checkKeys(l, allowed: ["label", "min", "bonus", "items_min", "condition"], at: "levels[\(i)]")
                guard let lab = l["label"]?.string else { r.fail("levels[\(i)].label", "缺少 label"); continue }
                var itemsMin: Fixed?
                if let v = l["items_min"] {
                    if let f = v.number, f >= .zero, f <= .one { itemsMin = f } else { r.fail("levels[\(i)].items_min", "应为比例 0–1（0.85 = 85%）") }
                }
                var cond: Condition?
                if let v = l["condition"] {
                    if let t = v.string { cond = r.condition(t, key: "levels[\(i)].condition") } else { r.fail("levels[\(i)].condition", "应为文本 expected text") }
                }
                levels.append(.init(label: lab, min: l["min"]?.number, bonus: l["bonus"]?.number ?? .zero, itemsMin: itemsMin, condition: cond))
            }
            levels.sort { ($0.min ?? Fixed(raw: Int64.min)) > ($1.min ?? Fixed(raw: Int64.min)) }
            if levels.isEmpty || levels.last?.min != nil { r.fail("levels", "须列出各等级，最低一级不设 min（例如 普通）") }
            if let last = levels.last, last.min == nil, last.itemsMin != nil || last.condition != nil {
                r.fail("levels", "最低一级（\(last.label)）不设 items_min 或 condition：它是其余等级都未达到时的等级")
            }
            let window = r.int("window", default: 3)!
            if !(1...120).contains(window) { r.fail("window", "须为 1–120 个月 must be 1 to 120 months") }
            policy = .level(LevelPolicy(label: label, rules: o.rules, levels: levels, window: window,
                                        quarterlyLevels: Set((r.value("quarterly")?.array ?? []).compactMap(\.string)),
                                        demoteAfter: r.int("demote_after"), demoteLevel: r.string("demote_level"),
                                        rectificationDays: r.int("rectification_days", default: 30)!,
                                        down: r.condition(r.string("down_on"), key: "down_on"),
                                        up: r.condition(r.string("up_on"), key: "up_on"),
                                        quarterVeto: r.condition(r.string("quarter_veto"), key: "quarter_veto"),
                                        trainingMissed: r.condition(r.string("training_missed"), key: "training_missed")))
        case "star":
            var stars: [StarPolicy.Star] = []
            for (i, s) in r.list("stars").enumerated() {
                let key = "stars[\(i)]"
                r.checkKeys(s, allowed: ["stars", "label", "min", "months", "dimensions", "items_min", "condition", "quota"], at: key)
                guard let n = s["stars"]?.number?.intValue, let lab = s["label"]?.string, let min = s["min"]?.number else {
                    r.fail(key, "每个星级需要 stars、label、min"); continue
                }
                var dims: [(String, Fixed)] = []
                for (k, v) in (s["dimensions"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard engine.scheme.sections.contains(where: { $0.id == k }) else { r.fail("\(key).dimensions.\(k)", "未知的维度 unknown section “\(k)”"); continue }
                    guard let f = v.number else { r.fail("\(key).dimensions.\(k)", "应为比例 0–1"); continue }
                    dims.append((k, f))
                }
                let months = s["months"]?.number.flatMap { $0.isInteger ? $0.intValue : nil } ?? (s["months"] == nil ? 3 : -1)
                if !(1...120).contains(months) { r.fail("\(key).months", "须为 1–120 个月 must be 1 to 120 months") }
                stars.append(.init(stars: n, label: lab, min: min, months: months, dimensions: dims,
                                   itemsMin: s["items_min"]?.number, condition: r.condition(s["condition"]?.string, key: "\(key).condition"),
                                   quota: s["quota"]?.number))
            }
            stars.sort { $0.stars > $1.stars }
            let rounding = StarPolicy.Rounding(rawValue: r.string("quota_rounding", default: "floor")!)
            if rounding == nil { r.fail("quota_rounding", "须为 floor、round 或 ceil") }
            let ties = StarPolicy.TieRule(rawValue: r.string("quota_ties", default: "exclude")!)
            if ties == nil { r.fail("quota_ties", "须为 exclude 或 include") }
            let compare = StarPolicy.QuotaCompare(rawValue: r.string("quota_compare", default: "strict")!)
            if compare == nil { r.fail("quota_compare", "须为 strict（少于 班组人数 × 比例，R-003-02 原文）或 at_most（不超过）") }
            if compare == .strict, let rd = rounding, rd != .floor {
                r.fail("quota_rounding", "quota_compare: strict 时名额为严格小于 班组人数 × 比例 的最大整数，不再取整；quota_rounding: \(rd.rawValue) 只用于 at_most")
            }
            policy = .star(StarPolicy(label: label, rules: o.rules, stars: stars, rounding: rounding ?? .floor, tiesAtQuota: ties ?? .exclude,
                                      compare: compare ?? .strict))
        case "composite":
            var comps: [CompositePolicy.Component] = []
            for (i, c) in r.list("components").enumerated() {
                let key = "components[\(i)]"
                r.checkKeys(c, allowed: ["label", "source", "metric", "weight", "include_self"], at: key)
                guard let w = c["weight"]?.number else { r.fail("\(key).weight", "缺少权重 weight"); continue }
                let src: CompositePolicy.Source?
                switch c["source"]?.string ?? "average" {
                case "average": src = c["metric"].flatMap { $0.string }.map { r.variable($0, key: "\(key).metric").map { .averageOf($0) } } ?? .averageTotal
                case "latest": src = c["metric"].flatMap { $0.string }.map { r.variable($0, key: "\(key).metric").map { .latestOf($0) } } ?? .latestTotal
                case "group_average":
                    var includeSelf = false
                    if let v = c["include_self"] {
                        if let b = v.bool { includeSelf = b } else { r.fail("\(key).include_self", "应为 true/false") }
                    }
                    src = .groupAverageTotal(includeSelf: includeSelf)
                default: r.fail("\(key).source", "source 须为 average、latest 或 group_average"); src = nil
                }
                if c["include_self"] != nil && c["source"]?.string != "group_average" {
                    r.fail("\(key).include_self", "include_self 只用于 source: group_average")
                }
                if let src { comps.append(.init(label: c["label"]?.string ?? "组成\(i + 1)", source: src, weight: w)) }
            }
            let sum = comps.reduce(Fixed.zero) { $0 + $1.weight }
            if !comps.isEmpty && sum != .one { r.fail("components", "权重合计应为 1，实为 \(sum)") }
            let window = CompositePolicy.Window(rawValue: r.string("window", default: "year")!)
            if window == nil { r.fail("window", "须为 year、all 或 period") }
            policy = .composite(CompositePolicy(label: label, rules: o.rules, outcome: r.string("outcome", default: "composite")!,
                                                components: comps, window: window ?? .year, excellentAbove: r.number("excellent_above"),
                                                excellentLabel: r.string("excellent_label", default: "優秀員工")!,
                                                excellentRules: PolicyReader.rules(r.value("excellent_rule"))))
        case "team_award":
            var avgs: [(Variable, Fixed, String)] = []
            for (i, a) in r.list("team_averages").enumerated() {
                r.checkKeys(a, allowed: ["metric", "min", "label"], at: "team_averages[\(i)]")
                guard let m = a["metric"]?.string, let v = r.variable(m, key: "team_averages[\(i)].metric"), let min = a["min"]?.number else { continue }
                avgs.append((v, min, a["label"]?.string ?? m))
            }
            policy = .teamAward(TeamAwardPolicy(label: label, rules: o.rules, member: r.condition(r.string("member"), key: "member"),
                                                teamAverages: avgs, award: r.string("award", default: "先进班组")!,
                                                streak: r.int("streak", default: 3)!, streakAward: r.string("streak_award", default: "优秀班组")!,
                                                streakRules: PolicyReader.rules(r.value("streak_rule"))))
        case "promotion":
            let by = r.variable(r.string("by", default: "total")!, key: "by") ?? .total
            let tenure = r.string("tenure").flatMap { r.variable($0, key: "tenure") }
            policy = .promotion(PromotionPolicy(label: label, rules: o.rules, by: by, top: r.int("top", default: 3)!,
                                                times: r.int("times", default: 2)!, tenure: tenure, minTenure: r.number("min_tenure", default: 6)!))
        case "not_assessed":
            let cond = r.condition(r.string("condition"), key: "condition")
            if cond == nil && !r.problems.contains(where: { $0.path.hasSuffix(".condition") }) { r.fail("condition", "缺少条件 condition") }
            let reason = r.string("reason", default: label)!
            let outcome = r.string("outcome", default: "not_assessed")!
            if let cond { policy = .notAssessed(NotAssessedPolicy(label: label, rules: o.rules, condition: cond, reason: reason, outcome: outcome)) }
        case "quarter_star":
            var stars: [QuarterStarPolicy.Star] = []
            for (i, s) in r.list("stars").enumerated() {
                let key = "stars[\(i)]"
                r.checkKeys(s, allowed: ["stars", "label", "min", "condition", "bonus", "salary_step"], at: key)
                guard let n = s["stars"]?.number, n.isInteger, n >= .one, let lab = s["label"]?.string, let min = s["min"]?.number else {
                    r.fail(key, "每个星级需要 stars（1、2、3…）、label、min（季度平均总分）"); continue
                }
                var cond: Condition?
                if let v = s["condition"] {
                    if let t = v.string { cond = r.condition(t, key: "\(key).condition") } else { r.fail("\(key).condition", "应为文本 expected text") }
                }
                var bonus = Fixed.zero
                if let v = s["bonus"] {
                    if let b = v.number, b >= .zero { bonus = b } else { r.fail("\(key).bonus", "应为非负金额（元） expected yuan, 0 or more") }
                }
                var step = false
                if let v = s["salary_step"] {
                    if let b = v.bool { step = b } else { r.fail("\(key).salary_step", "应为 true/false") }
                }
                stars.append(.init(stars: n.intValue, label: lab, min: min, condition: cond, bonus: bonus, salaryStep: step))
            }
            stars.sort { $0.stars < $1.stars }
            if stars.isEmpty || stars.enumerated().contains(where: { $0.offset + 1 != $0.element.stars }) {
                r.fail("stars", "须依次列出 1、2、3… 星（一星最低），不缺不重")
            }
            let veto = r.condition(r.string("veto"), key: "veto")
            let keepRun = r.int("keep_run", default: 4)!
            let ineligible = r.int("ineligible_quarters", default: 1)!
            if ineligible < 1 { r.fail("ineligible_quarters", "须 ≥ 1 个季度（投诉所在季度）") }
            let outcome = r.string("outcome", default: "star_operator")!
            policy = .quarterStar(QuarterStarPolicy(label: label, rules: o.rules, stars: stars, veto: veto, keepRun: keepRun,
                                                    ineligibleQuarters: ineligible, outcome: outcome))
        case "pay_grades":
            if o.params["grade"] == nil { r.fail("grade", "缺少职务等级指标 grade（如 job_grade，1–5）") }
            let gradeVar = r.string("grade").flatMap { r.variable($0, key: "grade") }
            let probationVar = r.string("probation").flatMap { r.variable($0, key: "probation") }
            let mode = PayGradesPolicy.ProbationPay(rawValue: r.string("probation_pay", default: "rate")!)
            if mode == nil { r.fail("probation_pay", "须为 rate（按转正工资的比例）或 grade_below（向下套一级）") }
            let rate = r.number("probation_rate", default: Fixed("0.8")!)!
            if rate <= .zero || rate > .one { r.fail("probation_rate", "应为比例 0–1（0.8 = 80%）") }
            var grades: [PayGradesPolicy.Grade] = []
            for (i, g) in r.list("grades").enumerated() {
                let key = "grades[\(i)]"
                r.checkKeys(g, allowed: ["grade", "label", "code", "fixed", "performance"], at: key)
                guard let n = g["grade"]?.number, n.isInteger, let lab = g["label"]?.string,
                      let fixed = g["fixed"]?.number, let perf = g["performance"]?.number, fixed >= .zero, perf >= .zero else {
                    r.fail(key, "每个等级需要 grade（整数）、label、fixed（固定工资，元）、performance（绩效奖基数，元）"); continue
                }
                grades.append(.init(grade: n.intValue, label: lab, code: g["code"]?.string, fixed: fixed, performance: perf))
            }
            grades.sort { $0.grade < $1.grade }
            if grades.isEmpty { r.fail("grades", "须列出各职务等级 list the grades") }
            if Set(grades.map(\.grade)).count != grades.count { r.fail("grades", "等级 grade 不可重复") }
            let outcome = r.string("outcome", default: "grade_pay")!
            if let gradeVar {
                policy = .payGrades(PayGradesPolicy(label: label, rules: o.rules, grade: gradeVar, probation: probationVar, probationPay: mode ?? .rate,
                                                    probationRate: rate, grades: grades, outcome: outcome))
            }
        case "most_in_year":
            let cond = r.condition(r.string("condition"), key: "condition")
            if cond == nil && !r.problems.contains(where: { $0.path.hasSuffix(".condition") }) { r.fail("condition", "缺少条件 condition（如 \"star_level == 5\"）") }
            let counted = r.string("counted", default: cond.map { "满足「\($0.said(engine))」的月份" } ?? "")!
            let title = r.string("title", default: label)!
            let privilege = r.string("privilege")
            let month = r.int("award_month", default: 12)!
            if !(1...12).contains(month) { r.fail("award_month", "须为 1–12 月") }
            let ties = MostInYearPolicy.Ties(rawValue: r.string("ties", default: "all")!)
            if ties == nil { r.fail("ties", "须为 all（并列者均评）或 none（并列则不评）") }
            let minCount = r.int("min_count", default: 1)!
            if minCount < 1 { r.fail("min_count", "须 ≥ 1") }
            let group = r.string("group", default: "all")!
            if group != "all" && group != "team" { r.fail("group", "group 须为 all 或 team") }
            let outcome = r.string("outcome", default: "annual_title")!
            if let cond {
                policy = .mostInYear(MostInYearPolicy(label: label, rules: o.rules, condition: cond, counted: counted, title: title, privilege: privilege,
                                                      awardMonth: month, ties: ties ?? .all, minCount: minCount, byTeam: group == "team", outcome: outcome))
            }
        case "bonus_pool":
            var amount: Fixed?
            var poolMetric: Variable?
            switch r.value("pool") {
            case .number(let f)?:
                if f >= .zero && f.raw % 10_000 == 0 { amount = f } else { r.fail("pool", "奖金池应为非负金额，最多到分（两位小数）") }
            case .string(let name)?: poolMetric = r.variable(name, key: "pool")
            case nil: r.fail("pool", "缺少奖金池 pool（元，或一个金额指标）")
            default: r.fail("pool", "应为金额（元）或指标名 expected yuan or a metric")
            }
            let by = r.variable(r.string("by", default: "total")!, key: "by") ?? .total
            let order = r.string("order", default: "desc")!
            if order != "desc" && order != "asc" { r.fail("order", "order 须为 desc（高者为先）或 asc") }
            let group = r.string("group", default: "all")!
            if group != "all" && group != "team" { r.fail("group", "group 须为 all 或 team") }
            var shares: [Fixed] = []
            if let v = r.value("shares") {
                if let a = v.array {
                    for (i, x) in a.enumerated() {
                        if let f = x.number, f >= .zero, f <= .one { shares.append(f) } else { r.fail("shares[\(i)]", "应为比例 0–1（0.40 = 40%）") }
                    }
                } else { r.fail("shares", "应为各名次的比例列表，如 [0.40, 0.30, 0.20]") }
            } else { r.fail("shares", "缺少名次份额 shares（如 [0.40, 0.30, 0.20]）") }
            let rest = r.number("rest", default: .zero)!
            if rest < .zero || rest > .one { r.fail("rest", "应为比例 0–1") }
            let sum = shares.reduce(rest, +)
            if sum != .one { r.fail("shares", "各名次份额与 rest 合计应为 1，实为 \(sum)") }
            let remainder = BonusPoolPolicy.Remainder(rawValue: r.string("remainder", default: "first")!)
            if remainder == nil { r.fail("remainder", "须为 first（分以下余数按名次先后给予）或 kept（留在奖金池）") }
            let outcome = r.string("outcome", default: "pool_share")!
            if amount != nil || poolMetric != nil {
                policy = .bonusPool(BonusPoolPolicy(label: label, rules: o.rules, amount: amount, poolMetric: poolMetric, by: by, descending: order == "desc",
                                                    byTeam: group == "team", shares: shares, rest: rest, remainder: remainder ?? .first, outcome: outcome))
            }
        case "note", "process":
            r.used = Set(o.params.keys)
            policy = .note(label)
        default:
            r.fail("kind", "未知的结果规则 unknown outcome kind “\(o.kind)”; 可用 available: ranking, consecutive, level, star, composite, team_award, promotion, not_assessed, quarter_star, pay_grades, most_in_year, bonus_pool, note")
        }
        r.finish()
        return (r.problems.isEmpty ? policy : nil, PolicyScope(appliesTo: appliesTo, excludeMonths: excludeMonths), r.problems)
    }
}
