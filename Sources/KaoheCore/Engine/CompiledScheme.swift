import Foundation

/// Where an item sits: its points count toward a section, adjust the total, or are yuan.
enum ItemContext: Sendable { case section, adjustment, money }

enum Operand: Sendable {
    case constant(Fixed)
    case slot(Int)
}

struct COffence: Sendable {
    var offence: Offence
    var slot: Int
    /// points (deductions, veto) or amount (events)
    var value: Fixed
}

enum CBody: Sendable {
    case manual(raters: [(rater: Rater, slot: Int)])
    case single(slot: Int)
    /// points per occurrence: `slot` the points of all, `count` how many (R-002-22a)
    case each(slot: Int, count: Int, each: ManualRule.Each)
    case offences([COffence], otherSlot: Int?, floor: Fixed, effect: VetoRule.Effect?)
    case perOccurrence(slot: Int, points: Fixed, add: Bool, floor: Fixed)
    case banded(slot: Int, bands: [Band], boundary: Boundary, mode: BandedRule.Mode)
    case ratio(slot: Int)
    case relative(slot: Int, avg: Int, groupAverage: Bool, above: Bool, per: Fixed, points: Fixed, whole: Bool, floor: Fixed)
    case target(slot: Int, target: Operand, lower: Operand, at: Fixed, above: Slope?, below: Slope?, whole: Bool)
    case gradedSingle(slot: Int, grades: [Grade], money: Bool)
    case gradedMultiple(slots: [Int], grades: [Grade], money: Bool, average: Bool, expected: Int?)
    case formula(Expr, gates: [(Gate, Expr)], program: FixedProgram, template: FormulaTemplate)
}

final class CItem: Sendable {
    let item: Item
    let section: String?
    let context: ItemContext
    let body: CBody
    let overrideSlot: Int?
    /// `（R-001-03, R-001-10）`, appended to every explanation of the item.
    let tag: Explanation
    /// Slots of the metrics shown with the item (`shows`, R-001-02).
    let shown: [Int]

    init(item: Item, section: String?, context: ItemContext, body: CBody, overrideSlot: Int?, shown: [Int] = []) {
        self.item = item; self.section = section; self.context = context; self.body = body; self.overrideSlot = overrideSlot
        self.shown = shown
        tag = ScoringEngine.ruleTag(item.rules)
    }
}

final class CSection: Sendable {
    let section: Section
    let items: [CItem]
    init(section: Section, items: [CItem]) { self.section = section; self.items = items }
}

/// Builds the slot layout and bound expressions from a validated scheme.
struct SchemeCompiler {
    let scheme: Scheme
    var inputs: [InputSpec] = []
    var nameSlot: [String: Int] = [:]
    var slotLabels: [String] = []
    var slotKinds: [ValueKind] = []
    /// The unit a number is read in (秒, 单, 天), shown after it in explanations.
    var slotUnits: [String?] = []
    var slotNames: [String] = []
    var derived: [(slot: Int, expr: Expr, def: Derived, phase: Int, program: FixedProgram, template: FormulaTemplate)] = []
    var groupSlots: [(slot: Int, function: Expr.Function, source: Int?)] = []
    var problems: [SchemeProblem] = []

    init(scheme: Scheme) { self.scheme = scheme }

    mutating func newSlot(name: String, label: String, kind: ValueKind, unit: String? = nil) -> Int {
        slotNames.append(name); slotLabels.append(label); slotKinds.append(kind); slotUnits.append(unit)
        return slotNames.count - 1
    }

    @discardableResult
    mutating func addInput(column: String, label: String, kind: ValueKind, rater: String? = nil, rules: [String],
                           min: Fixed? = nil, max: Fixed? = nil, grades: [String] = [],
                           unit: String? = nil, whenEmpty: Fixed? = nil, path: String) -> Int {
        if let existing = inputs.first(where: { $0.column == column }) {
            problems.append(SchemeProblem(.error, path, "输入列重名 column “\(column)” is defined twice"))
            return existing.slot
        }
        let slot = newSlot(name: column, label: label, kind: kind, unit: unit)
        var lo = min, hi = max
        switch kind {
        case .percent: lo = lo ?? 0; hi = hi ?? 100
        case .count, .money: lo = lo ?? 0
        default: break
        }
        inputs.append(InputSpec(column: column, label: label, kind: kind, rater: rater, rules: rules, min: lo, max: hi,
                                grades: grades, whenEmpty: whenEmpty, slot: slot))
        return slot
    }

    func resolveMetric(_ name: String) -> Int? { nameSlot[name] }

    mutating func compile() -> (sections: [CSection], adjustments: [CItem], money: [CItem], pay: CompiledPay?) {
        // metrics
        for (i, m) in scheme.metrics.enumerated() {
            let s = addInput(column: m.id, label: m.label, kind: m.kind, rules: m.rules, min: m.min, max: m.max, unit: m.unit,
                             whenEmpty: m.defaultValue, path: "metrics[\(i)]")
            nameSlot[m.id] = s
        }
        // derived: slots first (so they can refer to each other), then parse and bind
        var parsed: [(Int, Expr?)] = []
        for (i, d) in scheme.derived.enumerated() {
            if nameSlot[d.id] != nil { problems.append(SchemeProblem(.error, "derived[\(i)].id", "指标重名 duplicate metric id “\(d.id)”")) }
            let s = newSlot(name: d.id, label: d.label, kind: d.kind, unit: d.unit)
            nameSlot[d.id] = s
            do { parsed.append((s, try ExpressionParser.parse(d.formula))) } catch {
                problems.append(SchemeProblem(.error, "derived[\(i)].formula", error.description, rules: d.rules))
                parsed.append((s, nil))
            }
        }
        var bound: [Int: Expr] = [:]
        for (i, (slot, e)) in parsed.enumerated() {
            guard let e else { continue }
            if let b = bind(e, path: "derived[\(i)].formula", rules: scheme.derived[i].rules) { bound[slot] = b }
        }
        // order derived by dependencies (phase 2 = depends on a group aggregate)
        var order: [Int] = []
        var state: [Int: Int] = [:] // 1 visiting, 2 done
        var phase: [Int: Int] = [:]
        let groupSlotSet = Set(groupSlots.map(\.slot))
        func visit(_ s: Int, _ i: Int) -> Bool {
            if state[s] == 2 { return true }
            if state[s] == 1 { return false }
            state[s] = 1
            var p = 1
            if let e = bound[s] {
                for dep in e.slots {
                    if groupSlotSet.contains(dep) { p = 2 }
                    if bound[dep] != nil {
                        guard visit(dep, i) else { return false }
                        p = Swift.max(p, phase[dep] ?? 1)
                    }
                }
            }
            phase[s] = p
            state[s] = 2
            order.append(s)
            return true
        }
        for (i, (slot, _)) in parsed.enumerated() where bound[slot] != nil {
            if !visit(slot, i) {
                problems.append(SchemeProblem(.error, "derived[\(i)].formula", "公式循环引用 formula refers to itself (cycle)", rules: scheme.derived[i].rules))
                break
            }
        }
        let defBySlot = Dictionary(uniqueKeysWithValues: parsed.enumerated().map { ($1.0, scheme.derived[$0]) })
        derived = order.map { (slot: $0, expr: bound[$0]!, def: defBySlot[$0]!, phase: phase[$0] ?? 1, program: FixedProgram(bound[$0]!), template: FormulaTemplate(bound[$0]!)) }
        for g in groupSlots {
            if let src = g.source, (phase[src] ?? 1) == 2 {
                problems.append(SchemeProblem(.error, "derived", "分组汇总不能嵌套 a group aggregate cannot read a metric that itself uses one (\(slotNames[src]))"))
            }
        }

        var sections: [CSection] = []
        for (si, sec) in scheme.sections.enumerated() {
            var items: [CItem] = []
            for (ii, item) in sec.items.enumerated() {
                if let c = compileItem(item, context: .section, section: sec.id, path: "sections[\(si)].items[\(ii)]") { items.append(c) }
            }
            sections.append(CSection(section: sec, items: items))
        }
        var adjustments: [CItem] = []
        for (ii, item) in scheme.adjustments.enumerated() {
            if let c = compileItem(item, context: .adjustment, section: nil, path: "adjustments[\(ii)]") { adjustments.append(c) }
        }
        var money: [CItem] = []
        var moneySlots: [Int] = []
        for (ii, item) in scheme.money.enumerated() {
            if let c = compileItem(item, context: .money, section: nil, path: "money[\(ii)]") { money.append(c) }
        }
        var payOut: CompiledPay?
        if let pay = scheme.pay {
            let scoreSlot = newSlot(name: "score", label: "得分", kind: .number)
            let baseSlot = newSlot(name: "base", label: "绩效工资基数", kind: .money)
            for m in scheme.money { let s = newSlot(name: m.id, label: m.label, kind: .money); moneySlots.append(s) }
            let payNames: (String) -> Int? = { [nameSlot, scheme] n in
                if n == "score" { return scoreSlot }
                if n == "base" { return baseSlot }
                if let i = scheme.money.firstIndex(where: { $0.id == n }) { return moneySlots[i] }
                return nameSlot[n]
            }
            var baseExpr: Expr?
            do { baseExpr = try ExpressionParser.parse(pay.base).bind(payNames) } catch {
                problems.append(SchemeProblem(.error, "pay.base", error.description, rules: pay.rules))
            }
            var bands: [(PayBand, Expr)] = []
            for (bi, b) in pay.bands.enumerated() {
                do { bands.append((b, try ExpressionParser.parse(b.paid).bind(payNames))) } catch {
                    problems.append(SchemeProblem(.error, "pay.bands[\(bi)].paid", error.description, rules: pay.rules))
                }
            }
            var gates: [(Gate, Expr)] = []
            for (gi, g) in pay.gate.enumerated() {
                do { gates.append((g, try ExpressionParser.parse(g.condition).bind(payNames))) } catch {
                    problems.append(SchemeProblem(.error, "pay.gate[\(gi)].condition", error.description, rules: g.rules + pay.rules))
                }
            }
            if let baseExpr {
                payOut = CompiledPay(policy: pay, base: baseExpr, bands: bands, gates: gates, scoreSlot: scoreSlot, baseSlot: baseSlot,
                                     moneySlots: moneySlots)
            }
        }
        return (sections, adjustments, money, payOut)
    }

    /// Binds names to slots, creating group-aggregate slots on first use.
    mutating func bind(_ e: Expr, path: String, rules: [String]) -> Expr? {
        var pending: [(String, Expr.Function, Int?)] = []
        let snapshot = nameSlot
        var nextSlot = slotNames.count
        var created: [String: Int] = [:]
        do {
            let b = try e.bind { name in
                if let s = snapshot[name] { return s }
                if let c = created[name] { return c }
                if let colon = name.firstIndex(of: ":") {
                    let fn = Expr.Function(rawValue: String(name[..<colon]))!
                    let metric = String(name[name.index(after: colon)...])
                    if fn != .groupCount && snapshot[metric] == nil { return nil }
                    let s = nextSlot; nextSlot += 1
                    created[name] = s
                    pending.append((name, fn, fn == .groupCount ? nil : snapshot[metric]))
                    return s
                }
                return nil
            }
            for (name, fn, src) in pending {
                // a person reads "组内平均销售额 317,527.89 元", not `group_avg:sales_amount`
                let of = src.map { slotLabels[$0] } ?? ""
                let label: String
                switch fn {
                case .groupSum: label = "组内合计" + of
                case .groupCount: label = "组内人数"
                case .groupMin: label = "组内最低" + of
                case .groupMax: label = "组内最高" + of
                default: label = "组内平均" + of
                }
                let s = newSlot(name: name, label: label, kind: fn == .groupCount ? .count : (src.map { slotKinds[$0] } ?? .number),
                                unit: fn == .groupCount ? "人" : src.flatMap { slotUnits[$0] })
                nameSlot[name] = s
                groupSlots.append((slot: s, function: fn, source: src))
            }
            return b
        } catch {
            problems.append(SchemeProblem(.error, path, error.description, rules: rules))
            return nil
        }
    }

    mutating func metricSlot(_ name: String?, item: Item, path: String) -> Int? {
        guard let name else {
            problems.append(SchemeProblem(.error, path + ".metric", "缺少 metric missing metric", rules: item.rules)); return nil
        }
        guard let s = nameSlot[name] else {
            problems.append(SchemeProblem(.error, path + ".metric", "未知的指标 unknown metric “\(name)”", rules: item.rules)); return nil
        }
        return s
    }

    mutating func operand(_ text: String, item: Item, path: String) -> Operand? {
        if let f = Fixed(text) { return .constant(f) }
        if let s = nameSlot[text] { return .slot(s) }
        problems.append(SchemeProblem(.error, path, "未知的指标 unknown metric “\(text)”", rules: item.rules))
        return nil
    }

    mutating func compileItem(_ item: Item, context: ItemContext, section: String?, path: String) -> CItem? {
        let col = item.id
        var overrideSlot: Int?
        func addOverride(_ c: inout SchemeCompiler) {
            overrideSlot = c.addInput(column: "\(col).override", label: "\(item.label)（评分人裁定\(context == .money ? "，元；罚款填负数" : "")）",
                                      kind: context == .money ? .money : .number,
                                      rater: "reviewer", rules: item.rules,
                                      min: context == .section ? 0 : (context == .money ? Fixed(-100_000_000) : nil),
                                      max: context == .section ? item.max : nil,
                                      path: path)
        }
        let body: CBody
        switch item.rule {
        case .manual(let m):
            let ids = m.raters ?? scheme.raters.map(\.id)
            if let each = m.each {
                if !(m.raters ?? []).isEmpty {
                    problems.append(SchemeProblem(.error, path + ".each", "按次评分的项目只有一个评分栏，不能再分评分人 an item marked per occurrence has no raters", rules: item.rules))
                }
                if each.min > each.max || each.min < .zero {
                    problems.append(SchemeProblem(.error, path + ".each", "每次分值范围 \(each.min)～\(each.max) 无效 invalid range", rules: item.rules))
                }
                let unit = each.unit ?? "次"
                let n = addInput(column: "\(col).count", label: "\(item.label)（\(unit)数）", kind: .count, rules: item.rules, max: 100,
                                 unit: unit, whenEmpty: .zero, path: path)
                let s = addInput(column: col, label: "\(item.label)（各\(unit)合计分，每\(unit) \(each.min)～\(each.max) 分）", kind: .number,
                                 rules: item.rules, min: 0, max: each.max * Fixed(100), whenEmpty: .zero, path: path)
                body = .each(slot: s, count: n, each: each)
            } else if ids.isEmpty {
                let lo = item.min ?? 0
                let s = addInput(column: col, label: item.label, kind: .number, rules: item.rules, min: lo, max: item.max,
                                 whenEmpty: context == .adjustment ? .zero : nil, path: path)
                body = .single(slot: s)
            } else {
                var raters: [(Rater, Int)] = []
                for id in ids {
                    guard let r = scheme.raters.first(where: { $0.id == id }) else {
                        problems.append(SchemeProblem(.error, path + ".raters", "未知的评分人 unknown rater “\(id)”", rules: item.rules)); continue
                    }
                    let s = addInput(column: "\(col).\(id)", label: "\(item.label)（\(r.label)）", kind: .number, rater: id,
                                     rules: item.rules + r.rules, min: item.min ?? 0, max: item.max,
                                     whenEmpty: context == .adjustment ? .zero : nil, path: path)
                    raters.append((r, s))
                }
                body = .manual(raters: raters)
            }
        case .deductions(let l), .events(let l):
            var offs: [COffence] = []
            for (oi, o) in l.offences.enumerated() {
                let kind = o.kind ?? .count
                let s = addInput(column: "\(col).\(o.id)", label: "\(item.label)·\(o.label)", kind: kind == .number ? .number : .count,
                                 rules: item.rules + o.rules, min: 0, whenEmpty: .zero, path: "\(path).offences[\(oi)]")
                let v = (context == .money ? o.amount : o.points) ?? Fixed.zero
                if (context == .money ? o.amount : o.points) == nil {
                    problems.append(SchemeProblem(.error, "\(path).offences[\(oi)]", context == .money ? "缺少 amount（元）missing amount" : "缺少 points missing points", rules: item.rules))
                }
                offs.append(COffence(offence: o, slot: s, value: v))
            }
            var other: Int?
            if l.other == true {
                other = addInput(column: "\(col).other", label: "\(item.label)·其它", kind: context == .money ? .money : .number,
                                 rules: item.rules + ["R-000-02"], min: 0, whenEmpty: .zero, path: path)
            }
            body = .offences(offs, otherSlot: other, floor: l.floor ?? 0, effect: nil)
        case .veto(let v):
            var offs: [COffence] = []
            for (oi, o) in v.offences.enumerated() {
                let s = addInput(column: "\(col).\(o.id)", label: "\(item.label)·\(o.label)", kind: .count,
                                 rules: item.rules + o.rules, min: 0, whenEmpty: .zero, path: "\(path).offences[\(oi)]")
                offs.append(COffence(offence: o, slot: s, value: o.points ?? 0))
            }
            body = .offences(offs, otherSlot: nil, floor: 0, effect: v.effect ?? .deduct)
        case .perOccurrence(let r):
            let s: Int
            if let m = r.metric { guard let ms = metricSlot(m, item: item, path: path) else { return nil }; s = ms }
            else { s = addInput(column: col, label: item.label, kind: .count, rules: item.rules, min: 0, whenEmpty: .zero, path: path) }
            body = .perOccurrence(slot: s, points: r.points, add: r.direction == .add, floor: r.floor ?? 0)
        case .banded(let r):
            guard let s = metricSlot(r.metric, item: item, path: path) else { return nil }
            body = .banded(slot: s, bands: r.bands, boundary: r.boundary ?? scheme.boundary,
                           mode: r.mode ?? (context == .money ? .amount : .points))
            addOverride(&self)
        case .ratio(let r):
            guard let s = metricSlot(r.metric, item: item, path: path) else { return nil }
            body = .ratio(slot: s)
            addOverride(&self)
        case .relative(let r):
            guard let s = metricSlot(r.metric, item: item, path: path) else { return nil }
            let avg: Int
            let isGroup = r.average == "group"
            if isGroup {
                let key = "group_avg:\(r.metric)"
                if let existing = nameSlot[key] { avg = existing } else {
                    avg = newSlot(name: key, label: "组内平均", kind: slotKinds[s], unit: slotUnits[s])
                    nameSlot[key] = avg
                    groupSlots.append((slot: avg, function: .groupAvg, source: s))
                }
            } else {
                guard let a = metricSlot(r.average, item: item, path: path + ".average") else { return nil }
                avg = a
            }
            body = .relative(slot: s, avg: avg, groupAverage: isGroup, above: r.direction == .above, per: r.per ?? 1,
                             points: r.points ?? 1, whole: (r.steps ?? .whole) == .whole, floor: r.floor ?? 0)
            addOverride(&self)
        case .target(let r):
            guard let s = metricSlot(r.metric, item: item, path: path),
                  let t = operand(r.target, item: item, path: path + ".target") else { return nil }
            let lower = r.lower.flatMap { operand($0, item: item, path: path + ".lower") } ?? t
            body = .target(slot: s, target: t, lower: lower, at: r.atTarget, above: r.above, below: r.below,
                           whole: (r.steps ?? .continuous) == .whole)
            addOverride(&self)
        case .graded(let g):
            let money = context == .money
            if (g.count ?? .single) == .single {
                let s = addInput(column: col, label: item.label, kind: .grade, rules: item.rules,
                                 grades: g.grades.map(\.label), path: path)
                body = .gradedSingle(slot: s, grades: g.grades, money: money)
            } else {
                var slots: [Int] = []
                for (gi, gr) in g.grades.enumerated() {
                    if let src = g.from {
                        // the counts another item reads: one entry per recording, two uses
                        guard let input = inputs.first(where: { $0.column == "\(src).\(gr.id)" }) else {
                            problems.append(SchemeProblem(.error, "\(path).from", "“\(src)” 不是排在前面、含等级 “\(gr.id)” 的多次评定项目 is not an earlier multiple-graded item with grade “\(gr.id)”", rules: item.rules))
                            return nil
                        }
                        slots.append(input.slot)
                    } else {
                        slots.append(addInput(column: "\(col).\(gr.id)", label: "\(item.label)·\(gr.label)", kind: .count,
                                              rules: item.rules + gr.rules, min: 0, whenEmpty: .zero, path: "\(path).grades[\(gi)]"))
                    }
                }
                body = .gradedMultiple(slots: slots, grades: g.grades, money: money, average: g.aggregate == .average, expected: g.expected)
            }
        case .formula(let f):
            let e: Expr
            do { e = try ExpressionParser.parse(f.formula) } catch {
                problems.append(SchemeProblem(.error, path + ".formula", error.description, rules: item.rules)); return nil
            }
            guard let be = bind(e, path: path + ".formula", rules: item.rules) else { return nil }
            var gates: [(Gate, Expr)] = []
            for (gi, g) in f.gate.enumerated() {
                do {
                    let ge = try ExpressionParser.parse(g.condition)
                    if let b = bind(ge, path: "\(path).gate[\(gi)].condition", rules: g.rules) { gates.append((g, b)) }
                } catch {
                    problems.append(SchemeProblem(.error, "\(path).gate[\(gi)].condition", error.description, rules: g.rules))
                }
            }
            body = .formula(be, gates: gates, program: FixedProgram(be), template: FormulaTemplate(be))
            addOverride(&self)
        }
        var shown: [Int] = []
        for (i, m) in item.shows.enumerated() {
            if let s = nameSlot[m] { shown.append(s) } else {
                problems.append(SchemeProblem(.error, "\(path).shows[\(i)]", "未知的指标 unknown metric “\(m)”", rules: item.rules))
            }
        }
        return CItem(item: item, section: section, context: context, body: body, overrideSlot: overrideSlot, shown: shown)
    }
}

extension Expr {
    /// Slots read by a bound expression.
    var slots: [Int] {
        var out: [Int] = []
        func walk(_ e: Expr) {
            switch e {
            case .number, .name: break
            case .slot(let s, _): out.append(s)
            case .negate(let a), .not(let a): walk(a)
            case .binary(_, let a, let b, _): walk(a); walk(b)
            case .call(_, let args, _): args.forEach(walk)
            }
        }
        walk(self)
        return out
    }

    /// Renders the formula into an explanation, `slot` writing each input.
    func render(into out: inout Explanation, _ slot: (Int, inout Explanation) -> Void) {
        switch self {
        case .number(let f): out += "\(f)"
        case .name(let n, _): out += "\(n)"
        case .slot(let s, _): slot(s, &out)
        case .negate(let a): out += "-"; a.renderWrapped(into: &out, slot)
        case .not(let a): out += "并非 "; a.renderWrapped(into: &out, slot)
        case .binary(let op, let a, let b, _):
            a.renderOperand(of: op, right: false, into: &out, slot)
            out += " \(op.spoken) "
            b.renderOperand(of: op, right: true, into: &out, slot)
        case .call(.clamp, let args, _) where args.count == 3:
            // `clamp(x, 0, 10)` reads as "x（限于 0～10）"
            args[0].renderWrapped(into: &out, slot); out += "（限于 "; args[1].render(into: &out, slot); out += "～"; args[2].render(into: &out, slot); out += "）"
        case .call(.if, let args, _) where args.count == 3:
            out += "（如果 "; args[0].render(into: &out, slot); out += " 则为 "; args[1].render(into: &out, slot)
            out += "，否则为 "; args[2].render(into: &out, slot); out += "）"
        case .call(let f, let args, _):
            out += "\(f.spoken)（"
            for (i, a) in args.enumerated() { if i > 0 { out += "，" }; a.render(into: &out, slot) }
            out += "）"
        }
    }

    func renderWrapped(into out: inout Explanation, _ slot: (Int, inout Explanation) -> Void) {
        if case .binary = self { out += "("; render(into: &out, slot); out += ")" } else { render(into: &out, slot) }
    }

    /// An operand of `op`, in parentheses only where reading it without them would change its
    /// meaning: `基本工资 + 岗位工资` under `×`, the right side of `a − (b − c)`; never `(a × b) × c`.
    func renderOperand(of op: BinaryOp, right: Bool, into out: inout Explanation, _ slot: (Int, inout Explanation) -> Void) {
        guard case .binary(let inner, _, _, _) = self else { render(into: &out, slot); return }
        let p = inner.precedence, q = op.precedence
        let bare = p > q || (p == q && !right) || (p == q && right && (op == .add || op == .mul) && inner == op)
        if bare { render(into: &out, slot) } else { out += "("; render(into: &out, slot); out += ")" }
    }

}

/// The pay policy bound to the scheme's slots: `score`, `base` and each money line have their own.
struct CompiledPay: Sendable {
    let policy: PayPolicy
    let base: Expr
    let bands: [(PayBand, Expr)]
    let gates: [(Gate, Expr)]
    let scoreSlot: Int
    let baseSlot: Int
    let moneySlots: [Int]
}
