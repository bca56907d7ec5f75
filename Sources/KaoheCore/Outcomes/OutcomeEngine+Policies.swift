import Foundation

extension OutcomeEngine {
    // MARK: - levels (R-002-26, R-002-21, R-002-10)

    func level(_ p: LevelPolicy, _ ctx: inout Context) {
        let lowest = p.levels.count - 1
        for e in ctx.employees {
            let hist = ctx.byEmployee[e]!
            var current = lowest
            var atDemote = 0
            var banYear: Int?
            var last: (level: Int, why: String, rectify: Bool)?
            // R-002-21: a major complaint or major business error in a quarter vetoes the level rating of
            // every month of that quarter, the months before the event too: the months of the quarter
            // known as of the month evaluated are read once per quarter
            var vetoQuarter: Int?
            var vetoHits: [OutcomeRecord] = []
            for (index, r) in hist.enumerated() {
                let m = r.period
                // only the month evaluated is explained; earlier months only carry the state forward
                let explain = index == hist.count - 1
                var why = ""
                func note(_ s: @autoclosure () -> String) { if explain { why += s() } }
                var rectify = false
                if let t = p.trainingMissed, holds(t, r) == true {
                    banYear = m.year
                }
                if banYear == m.year {
                    current = lowest; atDemote = 0
                    note("\(m.year) 年有未参加培训/会议的记录，取消本年度等级评定资格（R-002-10），记「\(p.levels[lowest].label)」")
                    last = (lowest, why, false)
                    continue
                }
                if let v = p.quarterVeto, vetoQuarter != m.year * 4 + m.quarter {
                    vetoQuarter = m.year * 4 + m.quarter
                    let first = MonthIndex(year: m.year, month: (m.quarter - 1) * 3 + 1)
                    vetoHits = (0..<3).compactMap { at(hist, first + $0) }.filter { holds(v, $0) == true }
                }
                let vetoed = !vetoHits.isEmpty
                func vetoNote() {
                    guard let v = p.quarterVeto else { return }
                    let hits = vetoHits.map { "\($0.period.label)（\(facts(v, $0))）" }.joined(separator: "、")
                    note("；本季度（\(m.year) 年第 \(m.quarter) 季度）\(hits) 有重大投诉或重大差错（\(v.text)），本季度各月的等级评定一票否决（R-002-21），\(m.label) 记「\(p.levels[lowest].label)」，无等级奖金")
                }
                guard let win = window(hist, ending: m, p.window) else {
                    if vetoed {
                        note("不足连续 \(p.window) 个月的成绩")
                        vetoNote()
                        current = lowest; atDemote = 0
                    } else {
                        note("不足连续 \(p.window) 个月的成绩，保持「\(p.levels[current].label)」")
                    }
                    last = (current, why, false)
                    continue
                }
                // the best level whose minimum every month of the window reaches and whose other
                // conditions (every item ≥ items_min, the condition) hold in every month; else the next
                var lv = lowest
                var misses: [String] = []
                for (i, l) in p.levels.enumerated() {
                    if let min = l.min, !win.allSatisfy({ $0.total >= min }) { continue }
                    if let miss = levelMiss(l, win, explain: explain) {
                        if explain { misses.append("均 ≥ \(l.min?.format() ?? "—")，但\(miss)，不评「\(l.label)」") }
                        continue
                    }
                    lv = i
                    break
                }
                note("近 \(p.window) 个月得分 \(Self.list(win) { $0.total.format() })")
                for miss in misses { note("；\(miss)") }
                let joiner = misses.isEmpty ? "，" : "；"
                if let min = p.levels[lv].min { note("\(joiner)均 ≥ \(min.format())，评为「\(p.levels[lv].label)」") } else { note("\(joiner)评为「\(p.levels[lv].label)」") }
                if p.quarterlyLevels.contains(p.levels[lv].label) && !m.isQuarterEnd && current != lv {
                    let capped = Swift.min(lv + 1, lowest)
                    note("；「\(p.levels[lv].label)」按季度评定（季末月份），本月暂评「\(p.levels[capped].label)」")
                    lv = capped
                }
                if vetoed {
                    vetoNote()
                    lv = lowest
                } else {
                    if let d = p.down, holds(d, r) == true, lv < lowest {
                        lv += 1
                        note("；本月有属实且造成影响的投诉（\(d.text)），降一级为「\(p.levels[lv].label)」")
                    }
                    if let u = p.up, holds(u, r) == true, lv > 0 {
                        lv -= 1
                        note("；本月三次表扬且有突出事例（\(u.text)），升一级为「\(p.levels[lv].label)」")
                    }
                }
                if let dl = p.demoteLevel, let n = p.demoteAfter {
                    if p.levels[lv].label == dl {
                        atDemote += 1
                        if atDemote >= n {
                            note("；连续 \(n) 次评为「\(dl)」，降为「\(p.levels[lowest].label)」，限期 \(p.rectificationDays) 天整改")
                            lv = lowest
                            atDemote = 0
                            rectify = true
                        }
                    } else { atDemote = 0 }
                }
                current = lv
                last = (lv, why, rectify)
            }
            guard let final = last, hist.last?.period == ctx.asOf else {
                ctx.emit(e, "level", .text(p.levels[current].label), p.rules, "\(p.label)：\(ctx.asOf.label) 无成绩记录，保持「\(p.levels[current].label)」")
                continue
            }
            let l = p.levels[final.level]
            ctx.emit(e, "level", .text(l.label), p.rules, "\(p.label)：\(final.why)")
            if l.bonus > .zero {
                ctx.emit(e, "level_bonus", .money(l.bonus.decimal), p.rules, "「\(l.label)」等级奖金 \(l.bonus.decimal.yuan) 元/月")
            }
            if final.rectify {
                ctx.emit(e, "rectification", .text("\(p.rectificationDays) 天内"), p.rules,
                         "连续三次「\(p.demoteLevel ?? "")」降为「\(p.levels[lowest].label)」，须在 \(p.rectificationDays) 天内整改")
            }
        }
    }

    /// Why a window of months misses a level's other conditions (R-002-26 4.2.1.1: every item
    /// ≥ 85 %, no serious fault, no violation), nil when it does not; "" when not `explain`ed.
    func levelMiss(_ l: LevelPolicy.Level, _ win: [OutcomeRecord], explain: Bool) -> String? {
        for r in win {
            if let im = l.itemsMin {
                guard let lowestItem = r.minItemRatio else {
                    return explain ? " \(r.period.label) 无单项得分，无法核对各单项 ≥ \((im * 100).format())%" : ""
                }
                if lowestItem < im {
                    return explain ? " \(r.period.label)「\(r.minItemLabel ?? "单项")」得分率 \((lowestItem * 100).format())% 未达 \((im * 100).format())%" : ""
                }
            }
            if let c = l.condition, holds(c, r) != true {
                return explain ? " \(r.period.label) 不满足「\(c.said(engine))」（\(facts(c, r))）" : ""
            }
        }
        return nil
    }

    // MARK: - stars and quotas (R-003-02)

    func star(_ p: StarPolicy, _ ctx: inout Context) {
        // which stars each employee qualifies for, with the window average used to order them
        struct Q { var employee: String; var team: String; var qualifies: [Int]; var score: [Int: Fixed]; var why: [Int: String]; var missed: String }
        var qs: [Q] = []
        for e in ctx.employees {
            let hist = ctx.byEmployee[e]!
            guard let now = at(hist, ctx.asOf) else { continue }
            var q = Q(employee: e, team: now.team ?? "（无班组）", qualifies: [], score: [:], why: [:], missed: "")
            for (si, s) in p.stars.enumerated() {
                guard let win = window(hist, ending: ctx.asOf, s.months) else {
                    if q.missed.isEmpty { q.missed = "「\(s.label)」需连续 \(s.months) 个月成绩，记录不足" }
                    continue
                }
                var fail: String?
                for r in win {
                    if r.total < s.min { fail = "\(r.period.label) 综合 \(r.total.format()) < \(s.min.format())"; break }
                    for (sec, minRatio) in s.dimensions {
                        let idx = engine.scheme.sections.firstIndex { $0.id == sec }!
                        if sectionRatio(idx, r) < minRatio {
                            fail = "\(r.period.label)「\(engine.scheme.sections[idx].label)」得分率 \((sectionRatio(idx, r) * 100).format())% < \((minRatio * 100).format())%"
                            break
                        }
                    }
                    if fail != nil { break }
                    if let im = s.itemsMin, let lowest = r.minItemRatio, lowest < im {
                        fail = "\(r.period.label) 有单项得分率 \((lowest * 100).format())% 未达 \((im * 100).format())%"; break
                    }
                    if let c = s.condition, holds(c, r) != true { fail = "\(r.period.label) 不满足「\(c.said(engine))」"; break }
                }
                if let fail {
                    if q.missed.isEmpty { q.missed = "未达「\(s.label)」：\(fail)" }
                    continue
                }
                let avg = Fixed.divide(win.reduce(Fixed.zero) { $0 + $1.total }, Fixed(win.count)) ?? .zero
                q.qualifies.append(si)
                q.score[si] = avg
                q.why[si] = "连续 \(s.months) 个月（\(win.first!.period.label)–\(win.last!.period.label)）综合得分均 ≥ \(s.min.format())\(s.dimensions.isEmpty ? "" : "，各维度达标")\(s.condition.map { "，满足「\($0.said(engine))」" } ?? "")，平均 \(avg.format())"
            }
            qs.append(q)
        }
        // quotas per team, highest star first; someone cut falls to the next star they qualify for
        var byTeam: [String: [Int]] = [:]
        for (i, q) in qs.enumerated() { byTeam[q.team, default: []].append(i) }
        var awarded = [Int?](repeating: nil, count: qs.count)
        var notes = [String](repeating: "", count: qs.count)
        for (team, members) in byTeam {
            var pending = Set(members.filter { !qs[$0].qualifies.isEmpty })
            for (si, s) in p.stars.enumerated() {
                let cands = pending.filter { qs[$0].qualifies.contains(si) }.sorted { (qs[$0].score[si]!, qs[$1].employee) > (qs[$1].score[si]!, qs[$0].employee) }
                guard let quota = s.quota else {
                    for c in cands { awarded[c] = si; pending.remove(c) }
                    continue
                }
                let exact = quota * Fixed(members.count)
                let places: Int
                let rule: String
                switch p.compare {
                case .strict:
                    // R-003-02 prints “< 10 %”: the places are the whole numbers of people strictly below
                    // team size × quota (10 × 10 % = 1 → 0 places; 12 × 30 % = 3.6 → 3 places)
                    places = Swift.max(exact.isInteger ? exact.intValue - 1 : exact.floored.intValue, 0)
                    rule = "班组 \(team) \(members.count) 人 × \((quota * 100).format())% = \(exact.format())，人数须少于 \(exact.format())（严格小于，quota_compare: strict），为 \(places) 个名额"
                case .atMost:
                    switch p.rounding {
                    case .floor: places = exact.floored.intValue
                    case .ceil: places = exact.isInteger ? exact.intValue : exact.floored.intValue + 1
                    case .round: places = (exact + Fixed("0.5")!).floored.intValue
                    }
                    rule = "班组 \(team) \(members.count) 人 × \((quota * 100).format())% = \(exact.format())，\(p.rounding == .floor ? "向下取整" : p.rounding == .ceil ? "向上取整" : "四舍五入")为 \(places) 个名额（不超过，quota_compare: at_most）"
                }
                var take = Swift.min(places, cands.count)
                if take < cands.count && take > 0 {
                    let edge = qs[cands[take - 1]].score[si]!
                    if qs[cands[take]].score[si]! == edge {
                        if p.tiesAtQuota == .exclude {
                            while take > 0 && qs[cands[take - 1]].score[si]! == edge { take -= 1 }
                        } else {
                            while take < cands.count && qs[cands[take]].score[si]! == edge { take += 1 }
                        }
                    }
                }
                for (k, c) in cands.enumerated() {
                    if k < take {
                        awarded[c] = si; pending.remove(c)
                        if s.quota != nil { notes[c] += "；名额：\(rule)，按平均分排第 \(k + 1)" }
                    } else {
                        let tieNote = take < places ? "（名额边界同分，按规则全部不占用名额）" : ""
                        notes[c] += "；符合「\(s.label)」条件但超出名额：\(rule)，按平均分排第 \(k + 1)\(tieNote)"
                    }
                }
            }
        }
        for (i, q) in qs.enumerated() {
            if let si = awarded[i] {
                let s = p.stars[si]
                ctx.emit(q.employee, "star", .number(Fixed(s.stars)), p.rules, "\(p.label)：评为「\(s.label)」，\(q.why[si]!)\(notes[i])")
            } else {
                let why = q.qualifies.isEmpty ? (q.missed.isEmpty ? "未满足任何星级条件" : q.missed) : "符合的星级均无名额"
                ctx.emit(q.employee, "star", .number(.zero), p.rules, "\(p.label)：未评星，\(why)\(notes[i])")
            }
        }
    }

    // MARK: - composites (R-000-05, R-000-08, R-002-31, R-002-33)

    func composite(_ p: CompositePolicy, _ ctx: inout Context) {
        // the team's sum and head count of the month, over everyone (`applies_to` limits whose
        // composite is computed, not whose totals make up the team average)
        var teamTotals: [String: (sum: Fixed, count: Int)] = [:]
        for r in ctx.everyone[ctx.asOf] ?? [] {
            let t = teamTotals[r.team ?? "", default: (sum: Fixed.zero, count: 0)]
            teamTotals[r.team ?? ""] = (t.sum + r.total, t.count + 1)
        }
        for e in ctx.employees {
            let hist = ctx.byEmployee[e]!.filter {
                switch p.window {
                case .year: return $0.period.year == ctx.asOf.year
                case .all: return true
                case .period: return $0.period == ctx.asOf
                }
            }
            let now = at(hist, ctx.asOf)
            var total = Fixed.zero
            var parts: [String] = []
            var missing: [String] = []
            for c in p.components {
                let v: Fixed?
                var how = ""
                var gap: String?
                switch c.source {
                case .averageTotal:
                    v = hist.isEmpty ? nil : Fixed.divide(hist.reduce(Fixed.zero) { $0 + $1.total }, Fixed(hist.count))
                    how = "\(hist.count) 个月总分平均"
                case .latestTotal:
                    v = now?.total; how = "\(ctx.asOf.label) 总分"
                case .averageOf(let x):
                    let vals = hist.compactMap { value(x, $0) }
                    v = vals.isEmpty ? nil : Fixed.divide(vals.reduce(Fixed.zero, +), Fixed(vals.count))
                    how = "\(x.label) \(vals.count) 个月平均"
                case .latestOf(let x):
                    v = now.flatMap { value(x, $0) }; how = "\(ctx.asOf.label) \(x.label)"
                case .groupAverageTotal(let includeSelf):
                    // R-002-33: a manager's department result is the average of the staff he manages,
                    // without himself, unless the scheme says `include_self: true`
                    if let now, let t = teamTotals[now.team ?? ""] {
                        let n = includeSelf ? t.count : t.count - 1
                        v = n > 0 ? Fixed.divide(includeSelf ? t.sum : t.sum - now.total, Fixed(n)) : nil
                        how = includeSelf ? "所在部门/班组 \(n) 人平均总分，含本人" : "所辖 \(n) 人平均总分，不含本人"
                        if n == 0 { gap = "部门/班组内除本人外无其他人员" }
                    } else {
                        v = nil
                    }
                }
                guard let v else { missing.append(gap.map { "\(c.label)（\($0)）" } ?? c.label); continue }
                total += c.weight * v
                parts.append("\(c.label)（\(how)）\(v.format()) × \((c.weight * 100).format())%")
            }
            if !missing.isEmpty {
                ctx.emit(e, p.outcome, .text("—"), p.rules, "\(p.label)：缺少 \(missing.joined(separator: "、"))，无法计算")
                continue
            }
            ctx.emit(e, p.outcome, .number(total.rounded(2)), p.rules, "\(p.label) = \(parts.joined(separator: " + ")) = \(total.format())")
            if let th = p.excellentAbove, total > th {
                ctx.emit(e, "excellent", .text(p.excellentLabel), p.excellentRules.isEmpty ? p.rules : p.excellentRules,
                         "\(p.label) \(total.format()) 超过 \(th.format())，按「\(p.excellentLabel)」奖励")
            }
        }
    }

    // MARK: - team awards (R-002-27)

    func teamAward(_ p: TeamAwardPolicy, _ ctx: inout Context) {
        func evaluate(_ members: [OutcomeRecord]) -> (Bool, String) {
            var reasons: [String] = []
            if let c = p.member {
                let failing = members.filter { holds(c, $0) != true }.map(\.employee)
                if !failing.isEmpty { reasons.append("成员 \(failing.joined(separator: "、")) 不满足「\(c.said(engine))」") }
            }
            for (v, min, label) in p.teamAverages {
                let vals = members.compactMap { value(v, $0) }
                let avg = vals.isEmpty ? nil : Fixed.divide(vals.reduce(Fixed.zero, +), Fixed(vals.count))
                if let avg, avg >= min { continue }
                reasons.append("\(label) 平均 \(avg?.format() ?? "无数据") 未达 \(min.format())")
            }
            return (reasons.isEmpty, reasons.joined(separator: "；"))
        }
        var teamsAt: [MonthIndex: [String: [OutcomeRecord]]] = [:]
        for (m, recs) in ctx.byPeriod where m <= ctx.asOf && m > ctx.asOf + (-p.streak) {
            for r in recs { teamsAt[m, default: [:]][r.team ?? "（无班组）", default: []].append(r) }
        }
        for team in (teamsAt[ctx.asOf] ?? [:]).keys.sorted() {
            let (ok, why) = evaluate(teamsAt[ctx.asOf]![team]!)
            ctx.team(team, "advanced_team", .flag(ok), p.rules, ok ? "全体成员达标，评为「\(p.award)」" : "未评「\(p.award)」：\(why)")
            guard ok else { continue }
            var streak = 1
            for k in 1..<max(p.streak, 1) {
                guard let ms = teamsAt[ctx.asOf + (-k)]?[team], evaluate(ms).0 else { break }
                streak += 1
            }
            if streak >= p.streak {
                let rules = p.streakRules.isEmpty ? p.rules : p.streakRules
                ctx.team(team, "excellent_team", .flag(true), rules, "连续 \(p.streak) 个月评为「\(p.award)」，评为「\(p.streakAward)」")
            }
        }
    }

    // MARK: - promotion eligibility (R-002-34)

    func promotion(_ p: PromotionPolicy, _ ctx: inout Context) {
        let reviewMonths = ctx.byPeriod.keys.filter { m in m <= ctx.asOf && (ctx.byPeriod[m] ?? []).contains { value(p.by, $0) != nil } }.sorted().suffix(p.times)
        var ranksAt: [MonthIndex: [String: Int]] = [:]
        for m in reviewMonths {
            let ranked = Self.ranked((ctx.byPeriod[m] ?? []).compactMap { r in value(p.by, r).map { (r.employee, $0) } }, descending: true)
            var d = [String: Int](minimumCapacity: ranked.count)
            for x in ranked { d[x.employee] = x.rank }
            ranksAt[m] = d
        }
        for e in ctx.employees {
            guard let now = at(ctx.byEmployee[e]!, ctx.asOf) else { continue }
            let places = reviewMonths.map { m in (m, ranksAt[m]?[e]) }
            let inTop = reviewMonths.count == p.times && places.allSatisfy { ($0.1 ?? Int.max) <= p.top }
            let tenure = p.tenure.flatMap { value($0, now) }
            let tenureOK = p.tenure == nil || (tenure ?? .zero) >= p.minTenure
            let placeText = places.map { "\($0.0.label) 第 \($0.1.map(String.init) ?? "—") 名" }.joined(separator: "、")
            let tenureText = p.tenure.map { "\($0.label) \(tenure?.format() ?? "无数据")（需 ≥ \(p.minTenure.format())）" } ?? ""
            ctx.emit(e, "promotion_eligible", .flag(inTop && tenureOK), p.rules,
                     "\(p.label)：\(p.by.label)排名 \(placeText.isEmpty ? "无记录" : placeText)（需连续 \(p.times) 次前 \(p.top) 名）\(tenureText.isEmpty ? "" : "；" + tenureText)；\(inTop && tenureOK ? "具备晋升资格，试用期 3 个月（最长 6 个月）" : "暂不具备晋升资格")")
        }
    }
}
