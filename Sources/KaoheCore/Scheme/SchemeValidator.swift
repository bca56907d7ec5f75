import Foundation

/// Checks a decoded scheme: duplicate ids, weights, section and item maxima, band tables
/// (overlaps are errors, gaps are warnings: a value in a gap is flagged for a rater, R-001-03),
/// formulas and the names they use, and the attainable maximum (R-002-25). Every problem names
/// its path and says in Chinese what is wrong, listing the valid choices where a choice is wrong.
/// An item without a SPEC rule id is warned of only in a preset (`preset: true`): the rule ids
/// trace the seeds' rules, a company's own scheme has none to cite (issue 16 §2).
public enum SchemeValidator {
    public static func validate(_ s: Scheme, preset: Bool = false) -> [SchemeProblem] {
        var out: [SchemeProblem] = []
        func err(_ p: String, _ m: String, _ r: [String] = []) { out.append(SchemeProblem(.error, p, m, rules: r)) }
        func warn(_ p: String, _ m: String, _ r: [String] = []) { out.append(SchemeProblem(.warning, p, m, rules: r)) }

        if s.id.isEmpty || s.id.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) }) {
            err("id", "方案 id 只能用英文字母、数字、- 和 _，现为 “\(s.id)” — letters, digits, - and _ only")
        }

        if let d = s.monthStartDay, !(1...28).contains(d) {
            err("month_start_day", "月度起始日须在 1–28 之间 the month start day must be 1–28 (got \(d))", ["R-002-31"])
        }
        if let a = s.accountability, a.factor <= .zero {
            err("accountability.factor", "倍数须大于 0 the factor must be above 0", ["R-001-15"])
        }
        if let d = s.monthEndDay, !(1...27).contains(d) {
            err("month_end_day", "月度截止日须在 1–27 之间 the month end day must be 1–27 (got \(d))", ["R-002-31"])
        }
        if s.monthStartDay != nil && s.monthEndDay != nil {
            err("month_end_day", "month_start_day 与 month_end_day 只能写一个 give either the start or the end day of the month", ["R-002-31"])
        }
        if s.monthEndDay != nil && s.period != .month {
            warn("month_end_day", "month_end_day 只对月度方案有效 only applies to monthly schemes", ["R-002-31"])
        }
        if s.monthStartDay != nil && s.period != .month {
            warn("month_start_day", "month_start_day 只对月度方案有效 only applies to monthly schemes", ["R-002-31"])
        }

        // raters
        var raterIds = Set<String>()
        for (i, r) in s.raters.enumerated() {
            if !raterIds.insert(r.id).inserted { err("raters[\(i)].id", "评分人重复 duplicate rater id “\(r.id)”") }
            if r.weight < .zero || r.weight > .one { err("raters[\(i)].weight", "权重须在 0 到 1 之间 weight must be within 0…1 (got \(r.weight))", r.rules) }
        }
        if !s.raters.isEmpty {
            let sum = s.raters.reduce(Fixed.zero) { $0 + $1.weight }
            if sum != .one { err("raters", "评分人权重合计应为 1 (100%)，实为 \(sum) — rater weights must sum to 1", s.raters.flatMap(\.rules)) }
        }

        // metric ids
        var metricIds = Set<String>()
        for (i, m) in s.metrics.enumerated() {
            if !metricIds.insert(m.id).inserted { err("metrics[\(i)].id", "指标重复 duplicate metric id “\(m.id)”") }
            if m.id.contains(".") { err("metrics[\(i)].id", "指标 id 不能含“.” — reserved for item columns") }
            if let lo = m.min, let hi = m.max, lo > hi { err("metrics[\(i)]", "下限 min \(lo) 大于上限 max \(hi)") }
            if m.kind == .grade || m.kind == .text {
                err("metrics[\(i)].kind", "指标须为数值 a metric must be numeric；可选 choose one of: \(SchemeChoices.said(SchemeChoices.valueKinds.filter { $0.id != ValueKind.grade.rawValue && $0.id != ValueKind.text.rawValue }))")
            }
        }
        for (i, d) in s.derived.enumerated() {
            if !metricIds.insert(d.id).inserted { err("derived[\(i)].id", "指标重复 duplicate metric id “\(d.id)”") }
        }

        // sections and items
        var itemIds = Set<String>()
        var sectionIds = Set<String>()
        let anyWeight = s.sections.contains { $0.weight != nil }
        var weightSum = Fixed.zero
        for (si, sec) in s.sections.enumerated() {
            let p = "sections[\(si)]"
            if !sectionIds.insert(sec.id).inserted { err("\(p).id", "维度重复 duplicate section id “\(sec.id)”") }
            if sec.max <= .zero { err("\(p).max", "满分须大于 0 max must be > 0") }
            if anyWeight {
                if let w = sec.weight { weightSum += w } else { err("\(p).weight", "其它维度设置了权重，本维度也必须设置 every section needs a weight when one has") }
            }
            var itemSum = Fixed.zero
            for (ii, item) in sec.items.enumerated() {
                let ip = "\(p).items[\(ii)]"
                checkItem(item, path: ip, context: .section, scheme: s, preset: preset, ids: &itemIds, out: &out)
                if let m = item.max {
                    itemSum += m
                    if m > sec.max { err("\(ip).max", "本项满分 \(m) 超过所在维度满分 \(sec.max) — item max exceeds its section", item.rules) }
                }
            }
            if itemSum != sec.max && !sec.items.isEmpty {
                warn("\(p)", "各项满分合计 \(itemSum) 与维度满分 \(sec.max) 不一致 — items add up to \(itemSum), section max is \(sec.max)\(itemSum > sec.max ? "; the section caps at \(sec.max)" : "")", sec.rules)
            }
        }
        if anyWeight && weightSum != .one { err("sections", "维度权重合计应为 1，实为 \(weightSum) — section weights must sum to 1") }
        for (i, item) in s.adjustments.enumerated() {
            checkItem(item, path: "adjustments[\(i)]", context: .adjustment, scheme: s, preset: preset, ids: &itemIds, out: &out)
        }
        for (i, item) in s.money.enumerated() {
            checkItem(item, path: "money[\(i)]", context: .money, scheme: s, preset: preset, ids: &itemIds, out: &out)
        }

        // grades
        var gradeMins = Set<Fixed?>()
        for (i, g) in s.grades.enumerated() where !gradeMins.insert(g.min).inserted {
            err("grades[\(i)].min", g.min == nil ? "只能有一个没有下限的等级 only one grade may have no minimum" : "等级下限重复 duplicate grade minimum \(g.min!)", g.rules)
        }
        // pay bands: overlaps
        if let pay = s.pay {
            let bands = pay.bands.enumerated().sorted { ($0.element.min ?? Fixed(raw: Int64.min)) < ($1.element.min ?? Fixed(raw: Int64.min)) }
            for k in bands.indices.dropFirst() {
                let prev = bands[k - 1].element, cur = bands[k].element
                let prevHi = prev.max ?? Fixed(raw: Int64.max), curLo = cur.min ?? Fixed(raw: Int64.min)
                if curLo < prevHi { err("pay.bands[\(bands[k].offset)]", "工资档重叠 pay bands overlap", pay.rules) }
                if curLo > prevHi { warn("pay.bands[\(bands[k].offset)]", "工资档有空档 \(prevHi)–\(curLo) — a score there gets no pay band", pay.rules) }
            }
        }

        // formulas, names and columns, as the engine will compile them
        var compiler = SchemeCompiler(scheme: s)
        _ = compiler.compile()
        for p in compiler.problems where !out.contains(where: { $0.path == p.path && $0.severity == .error }) { out.append(p) }

        // attainable maximum (R-002-25)
        let att = attainableMax(s)
        let bonus = s.adjustments.reduce(Fixed.zero) { acc, i in
            if case .veto = i.rule { return acc }
            return acc + (i.max ?? .zero)
        }
        out.append(SchemeProblem(.info, "sections", "常规可达最高分 \(att)" + (bonus > .zero ? "；加分项最多 +\(bonus)" : "") + " — attainable regular maximum: \(att)" + (bonus > .zero ? "; bonus up to +\(bonus)" : ""), rules: att != (s.max ?? att) ? ["R-002-25"] : []))
        if let m = s.max, m != att, !s.sections.isEmpty, !anyWeight {
            warn("max", "声明满分 \(m)，但常规可达最高分为 \(att)；超出部分须靠加分项 — declared max \(m), attainable \(att)", ["R-002-25"])
        }
        out += validateLog(s)
        return out
    }

    /// Σ over sections of min(section max, Σ item max); with section weights, the declared max.
    public static func attainableMax(_ s: Scheme) -> Fixed {
        if s.sections.contains(where: { $0.weight != nil }) { return s.max ?? 100 }
        return s.sections.reduce(Fixed.zero) { acc, sec in
            let items = sec.items.reduce(Fixed.zero) { $0 + ($1.max ?? .zero) }
            return acc + Swift.min(sec.max, items)
        }
    }

    static func checkItem(_ item: Item, path p: String, context: ItemContext, scheme s: Scheme, preset: Bool = false,
                          ids: inout Set<String>, out: inout [SchemeProblem]) {
        func err(_ path: String, _ m: String) { out.append(SchemeProblem(.error, path, m, rules: item.rules)) }
        func warn(_ path: String, _ m: String) { out.append(SchemeProblem(.warning, path, m, rules: item.rules)) }
        if !ids.insert(item.id).inserted { err("\(p).id", "项目重复 duplicate item id “\(item.id)”") }
        if item.id.contains(".") { err("\(p).id", "项目 id 不能含“.”") }
        if preset && item.rules.isEmpty { warn("\(p).rule", "本项未注明所依据的规则 (SPEC id) — no rule id") }
        if context == .section {
            if item.max == nil { err("\(p).max", "维度中的项目必须有满分 max — an item in a section needs its max") }
            else if item.max! < .zero { err("\(p).max", "满分不能为负 max must be ≥ 0") }
        }
        let kind = item.rule.kind
        switch context {
        case .money:
            let moneyKinds: [Item.Kind] = [.events, .graded, .banded, .formula]
            if !moneyKinds.contains(kind) {
                err("\(p).kind", "金额项目不能用 “\(kind.rawValue)”（\(SchemeChoices.label(kind))，给的是分数而非金额）；可选 choose one of: \(SchemeChoices.said(moneyKinds.map { (id: $0.rawValue, label: SchemeChoices.label($0)) })) — “\(kind.rawValue)” gives points, not yuan")
            }
        case .section, .adjustment:
            let allowed = Item.Kind.allCases.filter { $0 != .events && (context == .adjustment || $0 != .veto) }
            let choices = SchemeChoices.said(allowed.map { (id: $0.rawValue, label: SchemeChoices.label($0)) })
            if kind == .events { err("\(p).kind", "events（金额奖罚）只用于金额项目 money，计分请用 deductions 扣分项；可选 choose one of: \(choices)") }
            if context == .section && kind == .veto { err("\(p).kind", "否决项放在 adjustments 中；维度中可选：\(choices) — veto items belong in adjustments; in a section choose one of: \(choices)") }
        }
        if let mx = item.max, let mn = item.min, mn > mx { err("\(p).min", "下限 min \(mn) 大于满分 max \(mx)") }

        let knownMetrics = Set(s.metrics.map(\.id) + s.derived.map(\.id))
        if let m = item.rule.metric, !knownMetrics.contains(m) {
            err("\(p).metric", "未知的指标 unknown metric “\(m)”；已定义的指标 defined: \(knownMetrics.isEmpty ? "（无，请先在 metrics 中定义）" : knownMetrics.sorted().joined(separator: ", "))")
        }
        switch item.rule {
        case .banded(let b):
            checkBands(b, path: p, item: item, context: context, out: &out)
        case .deductions(let l), .events(let l):
            var oids = Set<String>()
            for (oi, o) in l.offences.enumerated() {
                if !oids.insert(o.id).inserted { err("\(p).offences[\(oi)].id", "扣分事项重复 duplicate offence id “\(o.id)”") }
                if context == .money && o.amount == nil { err("\(p).offences[\(oi)].amount", "金额事项需要 amount（元）") }
                if context != .money && o.points == nil { err("\(p).offences[\(oi)].points", "扣分事项需要每次扣分 points") }
                if let v = o.points, v < .zero { err("\(p).offences[\(oi)].points", "扣分写正数 points are positive (they are deducted)") }
            }
            if l.offences.isEmpty && l.other != true { err("\(p).offences", "没有任何扣分事项 no offences listed") }
        case .veto(let v):
            for (oi, o) in v.offences.enumerated() where o.points == nil && (v.effect ?? .deduct) == .deduct {
                err("\(p).offences[\(oi)].points", "否决扣分事项需要每次扣分 points")
            }
        case .graded(let g):
            var gids = Set<String>()
            if g.grades.isEmpty { err("\(p).grades", "没有等级 no grades") }
            for (gi, gr) in g.grades.enumerated() {
                if !gids.insert(gr.id).inserted { err("\(p).grades[\(gi)].id", "等级重复 duplicate grade “\(gr.id)”") }
                if context == .money && gr.amount == nil && gr.cancels != true { err("\(p).grades[\(gi)].amount", "金额等级需要金额 amount（元）") }
                if context != .money && gr.points == nil && gr.cancels != true { err("\(p).grades[\(gi)].points", "等级需要分数 points") }
                if let mx = item.max, let pts = gr.points, pts > mx { err("\(p).grades[\(gi)].points", "等级分 \(pts) 超过本项满分 \(mx)") }
            }
            checkChecklist(g, path: p, item: item, context: context, out: &out)
        case .relative(let r):
            if r.average != "group" && !knownMetrics.contains(r.average) {
                err("\(p).average", "未知的平均值指标 unknown metric “\(r.average)”；可选 choose one of: group 同组平均\(knownMetrics.sorted().map { "、\($0)" }.joined())")
            }
            if let per = r.per, per <= .zero { err("\(p).per", "每步大小 per 须大于 0 — per must be > 0") }
        case .target(let t):
            for (k, v) in [("target", t.target), ("lower", t.lower)] {
                if let v, Fixed(v) == nil && !knownMetrics.contains(v) { err("\(p).\(k)", "应为数字或已定义的指标 unknown metric “\(v)”；已定义的指标 defined: \(knownMetrics.sorted().joined(separator: ", "))") }
            }
            if let a = t.above, a.per <= .zero { err("\(p).above.per", "每步大小 per 须大于 0 — per must be > 0") }
            if let b = t.below, b.per <= .zero { err("\(p).below.per", "每步大小 per 须大于 0 — per must be > 0") }
        case .manual(let m):
            for r in m.raters ?? [] where !s.raters.contains(where: { $0.id == r }) {
                err("\(p).raters", "未知的评分人 unknown rater “\(r)”；可选 choose one of: \(s.raters.isEmpty ? "（无，请先在 raters 中定义）" : s.raters.map { "\($0.id) \($0.label)" }.joined(separator: "、"))")
            }
            if m.each != nil && context != .adjustment {
                err("\(p).each", "按次评分（each）只用于加分项目 adjustments：其分数随次数增加，没有固定满分 per-occurrence marks have no fixed maximum")
            }
        case .perOccurrence(let r):
            if r.points <= .zero { err("\(p).points", "每次分值须大于 0 points must be > 0") }
        case .ratio, .formula:
            break
        }
    }

    static func checkBands(_ b: BandedRule, path p: String, item: Item, context: ItemContext, out: inout [SchemeProblem]) {
        func err(_ path: String, _ m: String, _ extra: [String] = []) { out.append(SchemeProblem(.error, path, m, rules: extra + item.rules)) }
        if b.bands.isEmpty { err("\(p).bands", "档位表为空 no bands"); return }
        if context == .money && (b.mode ?? .amount) != .amount { err("\(p).mode", "金额项目的档位须为 amount 档位值为金额（元）") }
        if context != .money && b.mode == .amount {
            err("\(p).mode", "amount 只用于金额项目；可选 choose one of: \(SchemeChoices.said(SchemeChoices.bandModes.filter { $0.id != BandedRule.Mode.amount.rawValue }))")
        }
        for (i, band) in b.bands.enumerated() {
            if let lo = band.min, let hi = band.max, lo > hi { err("\(p).bands[\(i)]", "下限 \(lo) 大于上限 \(hi)") }
            if let mx = item.max, context != .money, band.value > mx {
                err("\(p).bands[\(i)].value", "档位值 \(band.value) 超过本项满分 \(mx)")
            }
            if band.value < .zero && context != .money { err("\(p).bands[\(i)].value", "档位值不能为负（扣分模式请写正数）") }
        }
        let lowest = Fixed(raw: Int64.min), highest = Fixed(raw: Int64.max)
        let sorted = b.bands.enumerated().sorted { ($0.element.min ?? lowest, $0.element.max ?? highest) < ($1.element.min ?? lowest, $1.element.max ?? highest) }
        for k in sorted.indices.dropFirst() {
            let prev = sorted[k - 1].element, cur = sorted[k].element
            let prevHi = prev.max ?? highest, curLo = cur.min ?? lowest
            if curLo < prevHi {
                err("\(p).bands[\(sorted[k].offset)]", "与 bands[\(sorted[k - 1].offset)] 重叠 overlaps bands[\(sorted[k - 1].offset)] (\(curLo) < \(prevHi))")
            } else if curLo > prevHi {
                out.append(SchemeProblem(.warning, "\(p).bands[\(sorted[k].offset)]",
                                         "档位空档 \(prevHi)～\(curLo)：落在其中的值将标记，交评分人裁定 — gap between \(prevHi) and \(curLo): a value there is flagged for a rater",
                                         rules: ["R-001-03"] + item.rules))
            }
        }
    }
}
