import Foundation

extension OutcomeEngine {
    // MARK: - quarters

    /// A quarter as one number (year × 4 + quarter − 1), so that "the next quarter" is arithmetic.
    static func quarterIndex(_ m: MonthIndex) -> Int { m.year * 4 + m.quarter - 1 }
    /// “2026 年第 3 季度”.
    static func quarterText(_ q: Int) -> String { "\(q / 4) 年第 \(q % 4 + 1) 季度" }
    static func quarterFirstMonth(_ q: Int) -> MonthIndex { MonthIndex(year: q / 4, month: (q % 4) * 3 + 1) }

    // MARK: - quarterly star operators (R-003-10)

    /// R-003-10 星级话务员, rated at each quarter's last month from the quarter's three monthly
    /// totals. Earlier quarters only carry the state (the star held, the run of quarters at a
    /// salary-step star, a lost eligibility); the quarter of the month evaluated is explained.
    func quarterStar(_ p: QuarterStarPolicy, _ ctx: inout Context) {
        let asOf = ctx.asOf
        let nowQ = Self.quarterIndex(asOf)
        let lastRated = asOf.isQuarterEnd ? nowQ : nowQ - 1
        func name(_ k: Int) -> String { k == 0 ? "普通话务员（无星级）" : "「\(p.stars[k - 1].label)」" }
        func standard(_ s: QuarterStarPolicy.Star) -> String { "季度平均总分 ≥ \(s.min.format())\(s.condition.map { "，每月「\($0.said(engine))」" } ?? "")" }
        func quarterMonths(_ hist: [OutcomeRecord], _ q: Int) -> [OutcomeRecord] {
            (0..<3).compactMap { at(hist, Self.quarterFirstMonth(q) + $0) }.filter { $0.period <= asOf }
        }
        func vetoHits(_ months: [OutcomeRecord]) -> [OutcomeRecord] {
            guard let v = p.veto else { return [] }
            return months.filter { holds(v, $0) == true }
        }
        func vetoText(_ hits: [OutcomeRecord]) -> String {
            guard let v = p.veto else { return "" }
            return hits.map { "\($0.period.label)（\(facts(v, $0))）" }.joined(separator: "、")
        }
        for e in ctx.employees {
            let hist = ctx.byEmployee[e]!
            guard at(hist, asOf) != nil, let first = hist.first else { continue }
            var held = 0
            var run = 0
            var ineligibleThrough = Int.min
            // what the quarter evaluated said
            var why = ""
            var bonus: (amount: Fixed, text: String)?
            var step: String?
            var ineligible: String?
            var q = Self.quarterIndex(first.period)
            while q <= lastRated {
                defer { q += 1 }
                let explain = q == nowQ
                let qText = Self.quarterText(q)
                let months = quarterMonths(hist, q)
                let hits = vetoHits(months)
                if !hits.isEmpty {
                    // 用户有理由投诉一票否决: a star is removed; an unstarred operator loses eligibility
                    if held > 0 {
                        if explain { why = "\(qText) \(vetoText(hits)) 有查实的用户投诉，一票否决：取消\(name(held))称号，为普通话务员" }
                        held = 0
                    } else {
                        ineligibleThrough = q + p.ineligibleQuarters - 1
                        if explain {
                            why = "\(qText) \(vetoText(hits)) 有查实的用户投诉，普通话务员一票否决：取消评定资格（\(p.ineligibleQuarters == 1 ? "本季度" : "至 \(Self.quarterText(ineligibleThrough))")）"
                            ineligible = why
                        }
                    }
                    run = 0
                    continue
                }
                if q <= ineligibleThrough {
                    if explain {
                        why = "\(qText)：因此前查实的用户投诉取消评定资格（至 \(Self.quarterText(ineligibleThrough))），不参加评定，为普通话务员"
                        ineligible = why
                    }
                    run = 0
                    continue
                }
                guard months.count == 3 else {
                    if explain { why = "\(qText) 只有 \(months.count) 个月成绩，本季度不评定，保持\(name(held))" }
                    run = 0
                    continue
                }
                let sum = months.reduce(Fixed.zero) { $0 + $1.total }
                let avg = Fixed.divide(sum, Fixed(3)) ?? .zero
                // the best star whose standard the quarter meets (the minimums are compared as 3 × min ≤ sum, exactly)
                var met = 0
                var missNote = ""
                for k in stride(from: p.stars.count, through: 1, by: -1) {
                    let s = p.stars[k - 1]
                    guard sum >= s.min * 3 else { continue }
                    if let c = s.condition, let miss = months.first(where: { holds(c, $0) != true }) {
                        if explain && missNote.isEmpty { missNote = "；平均达到「\(s.label)」的 \(s.min.format())，但 \(miss.period.label) 不满足「\(c.said(engine))」（\(facts(c, miss))）" }
                        continue
                    }
                    met = k
                    break
                }
                // 初评从一星级开始: one star up at most; kept when its standard is met; else down one star
                let new = met >= held ? Swift.min(held + 1, met) : held - 1
                if explain {
                    let reached = met == 0 ? "未达到「\(p.stars[0].label)」标准（\(standard(p.stars[0]))）"
                                           : "达到「\(p.stars[met - 1].label)」标准（\(standard(p.stars[met - 1]))）"
                    why = "\(qText)（\(Self.list(months) { $0.total.format() })）平均总分 \(avg.format())，\(reached)\(missNote)；"
                    if new > held {
                        why += held == 0 ? "评为\(name(new))" : "由\(name(held))升一星为\(name(new))"
                        if new < met { why += "（每季度最多升一星，初评从一星级开始）" }
                    } else if new == held {
                        why += held == 0 ? "不评星" : "保持\(name(held))"
                    } else {
                        why += "未达到\(name(held))的标准，降一星为\(name(new))"
                    }
                }
                if new > held {
                    let s = p.stars[new - 1]
                    if explain && s.bonus > .zero {
                        bonus = (s.bonus, "\(p.label)：\(qText)评为「\(s.label)」，一次性奖励 \(s.bonus.decimal.yuan) 元，在当月工资中核发")
                    }
                } else if new == held && new > 0 && explain {
                    bonus = (.zero, "\(p.label)：\(qText)仍符合「\(p.stars[new - 1].label)」标准，只保留荣誉称号，不再发放一次性奖励")
                }
                if new > 0 && p.stars[new - 1].salaryStep {
                    let s = p.stars[new - 1]
                    if new > held {
                        run = 1
                        if explain { step = "\(qText)评为「\(s.label)」，在现行工资标准基础上上调一档" }
                    } else {
                        run += 1
                        if p.keepRun > 0 && run % p.keepRun == 0 && explain {
                            step = "连续 \(run) 个季度保持「\(s.label)」（\(Self.quarterText(q - run + 1))–\(qText)），在现行工资岗位系数基础上再上调一档"
                        }
                    }
                } else {
                    run = 0
                }
                held = new
            }
            if asOf.isQuarterEnd {
                ctx.emit(e, p.outcome, .number(Fixed(held)), p.rules, "\(p.label)：\(why)")
                if let bonus { ctx.emit(e, "star_operator_bonus", .money(bonus.amount.decimal), p.rules, bonus.text) }
                if let step { ctx.emit(e, "salary_step", .number(.one), p.rules, "\(p.label)：\(step)") }
                if let ineligible { ctx.emit(e, "star_eligible", .flag(false), p.rules, "\(p.label)：\(ineligible)") }
                continue
            }
            // the quarter is not over: the star of the last rated quarter holds, unless a verified
            // complaint known so far removes it (一经查实则取消)
            let qText = Self.quarterText(nowQ)
            let hits = vetoHits(quarterMonths(hist, nowQ))
            if !hits.isEmpty {
                if held > 0 {
                    ctx.emit(e, p.outcome, .number(.zero), p.rules, "\(p.label)：\(qText) \(vetoText(hits)) 有查实的用户投诉，一票否决：取消\(name(held))称号，为普通话务员")
                } else {
                    let text = "\(p.label)：\(qText) \(vetoText(hits)) 有查实的用户投诉，普通话务员一票否决：取消评定资格"
                    ctx.emit(e, p.outcome, .number(.zero), p.rules, text)
                    ctx.emit(e, "star_eligible", .flag(false), p.rules, text)
                }
            } else if nowQ <= ineligibleThrough {
                let text = "\(p.label)：\(qText) 因此前查实的用户投诉取消评定资格（至 \(Self.quarterText(ineligibleThrough))），为普通话务员"
                ctx.emit(e, p.outcome, .number(.zero), p.rules, text)
                ctx.emit(e, "star_eligible", .flag(false), p.rules, text)
            } else {
                ctx.emit(e, p.outcome, .number(Fixed(held)), p.rules, "\(p.label)：\(qText)尚未结束（每季度末月评定），保持\(lastRated >= Self.quarterIndex(first.period) ? "上季度评定的" : "")\(name(held))")
            }
        }
    }
}

extension OutcomeEngine {
    // MARK: - job-grade pay table (R-003-01)

    /// The pay of the grade held in the month evaluated: fixed pay + performance base, in probation
    /// 80 % of it or the grade below's, each part rounded half-up to the fen and added.
    func payGrades(_ p: PayGradesPolicy, _ ctx: inout Context) {
        func yuan(_ f: Fixed) -> String { f.decimal.yuan }
        func name(_ g: PayGradesPolicy.Grade) -> String { "\(g.label)\(g.code.map { "（\($0)）" } ?? "")" }
        let percent = "\((p.probationRate * 100).format())%"
        for e in ctx.employees {
            guard let now = at(ctx.byEmployee[e]!, ctx.asOf) else { continue }
            guard let g = value(p.grade, now) else {
                ctx.emit(e, p.outcome, .text("—"), p.rules, "\(p.label)：缺少「\(p.grade.label)」，无法套用职务等级薪资")
                continue
            }
            guard g.isInteger, let idx = p.grades.firstIndex(where: { $0.grade == g.intValue }) else {
                ctx.emit(e, p.outcome, .text("—"), p.rules,
                         "\(p.label)：「\(p.grade.label)」\(p.grade.show(g, engine)) 不在职务等级表中（\(p.grades.map { "\($0.grade) = \($0.label)" }.joined(separator: "、"))）")
                continue
            }
            let grade = p.grades[idx]
            let onProbation = p.probation.flatMap { value($0, now) }.map { !$0.isZero } ?? false
            var fixed = grade.fixed
            var perf = grade.performance
            var text = "\(p.label)：\(p.grade.label) \(name(grade))，固定工资 \(yuan(fixed)) 元 + 绩效奖基数 \(yuan(perf)) 元 = \(yuan(fixed + perf)) 元"
            var paidGrade = name(grade)
            if onProbation {
                switch p.probationPay {
                case .gradeBelow where idx > 0:
                    let lower = p.grades[idx - 1]
                    fixed = lower.fixed
                    perf = lower.performance
                    paidGrade = name(lower)
                    text += "；试用期向下套级为 \(name(lower))：固定工资 \(yuan(fixed)) 元 + 绩效奖基数 \(yuan(perf)) 元 = \(yuan(fixed + perf)) 元"
                default:
                    let lowest = p.probationPay == .gradeBelow ? "（\(grade.label)已是最低一级，无法向下套级）" : ""
                    fixed = (grade.fixed * p.probationRate).rounded(2)
                    perf = (grade.performance * p.probationRate).rounded(2)
                    paidGrade = "\(name(grade))试用期 \(percent)"
                    text += "；试用期按转正工资的 \(percent)\(lowest)：固定工资 \(yuan(grade.fixed)) × \(percent) = \(yuan(fixed)) 元，绩效奖基数 \(yuan(grade.performance)) × \(percent) = \(yuan(perf)) 元，合计 \(yuan(fixed + perf)) 元"
                }
            }
            // the pay scale in yuan as numbers, not money outcomes: the payroll ledger adds money
            // outcomes as rewards, and the grade's pay is the salary itself, not a bonus
            ctx.emit(e, p.outcome, .number(fixed + perf), p.rules, text)
            ctx.emit(e, "\(p.outcome)_fixed", .number(fixed), p.rules, "\(p.label)：固定工资 \(yuan(fixed)) 元（\(paidGrade)）")
            ctx.emit(e, "\(p.outcome)_performance_base", .number(perf), p.rules, "\(p.label)：绩效奖基数 \(yuan(perf)) 元（\(paidGrade)）")
        }
    }
}

extension OutcomeEngine {
    // MARK: - the most months of the year (R-003-30 年度优秀员工)

    /// Counts each person's months of the year (up to the month evaluated) meeting the condition,
    /// every month; in `awardMonth` the most in the group get the title.
    func mostInYear(_ p: MostInYearPolicy, _ ctx: inout Context) {
        let year = ctx.asOf.year
        var counts: [(employee: String, team: String, months: [MonthIndex])] = []
        for e in ctx.employees {
            let inYear = ctx.byEmployee[e]!.filter { $0.period.year == year }
            guard let last = inYear.last else { continue }
            counts.append((e, last.team ?? "（无班组）", inYear.filter { holds(p.condition, $0) == true }.map(\.period)))
        }
        for c in counts {
            let months = c.months.isEmpty ? "" : "（\(c.months.map(\.label).joined(separator: "、"))）"
            ctx.emit(c.employee, "\(p.outcome)_count", .number(Fixed(c.months.count)), p.rules,
                     "\(p.label)：\(year) 年截至 \(ctx.asOf.label) 累计\(p.counted) \(c.months.count) 次\(months)")
        }
        guard ctx.asOf.month == p.awardMonth else { return }
        var groups: [String: [(employee: String, team: String, months: [MonthIndex])]] = [:]
        for c in counts { groups[p.byTeam ? c.team : "全体", default: []].append(c) }
        for (g, members) in groups.sorted(by: { $0.key < $1.key }) {
            let best = members.map { $0.months.count }.max() ?? 0
            guard best >= p.minCount else { continue }
            let top = members.filter { $0.months.count == best }.map { $0.employee }.sorted()
            let groupText = p.byTeam ? "班组 \(g) " : ""
            let privilege = p.privilege.map { "，\($0)" } ?? ""
            if top.count > 1 && p.ties == .none {
                for t in top {
                    ctx.emit(t, p.outcome, .text("—"), p.rules,
                             "\(p.label)：\(year) 年\(groupText)\(top.joined(separator: "、")) 并列累计\(p.counted)最多（各 \(best) 次），按规则（ties: none）均不评「\(p.title)」")
                }
                continue
            }
            for t in top {
                let others = top.filter { $0 != t }
                let tie = others.isEmpty ? "" : "，与 \(others.joined(separator: "、")) 并列（并列者均评）"
                ctx.emit(t, p.outcome, .text(p.title), p.rules,
                         "\(p.label)：\(year) 年\(groupText)累计\(p.counted) \(best) 次，为全年最多（共 \(members.count) 人）\(tie)，评为「\(p.title)」\(privilege)")
            }
        }
    }
}

extension OutcomeEngine {
    // MARK: - bonus pool by rank shares (R-004-02)

    /// Splits the month's pool of each group by rank shares, in whole fen (integer arithmetic:
    /// a share is pool × share, cut to the fen; the fen left over are said, and given one each to
    /// the places in rank order or kept).
    func bonusPool(_ p: BonusPoolPolicy, _ ctx: inout Context) {
        func money(_ fen: Int128) -> Decimal { Decimal(Int64(fen)) / 100 }
        func yuan(_ fen: Int128) -> String { money(fen).yuan }
        func pct(_ f: Fixed) -> String { "\((f * 100).format(maxFraction: 4))%" }
        /// num ÷ den as a percentage, “≈” when it does not end within four decimals of a percent.
        func ratio(_ num: Int128, _ den: Int128) -> String {
            let raw = num * 100 * Int128(Fixed.scale) / den
            let exact = (num * 100 * Int128(Fixed.scale)) % den == 0 && raw % 100 == 0
            return "\(exact ? "" : "≈ ")\(Fixed(raw: Int64(raw)).format(maxFraction: 4))%"
        }
        let sharesText = (p.shares.enumerated().map { "第 \($0.offset + 1) 名 \(pct($0.element))" }
                          + (p.rest > .zero ? ["其余平分 \(pct(p.rest))"] : [])).joined(separator: "、")
        for (g, members) in groups(ctx.byPeriod[ctx.asOf] ?? [], byTeam: p.byTeam) {
            let groupText = p.byTeam ? "班组 \(g) " : ""
            var poolValue = p.amount
            var poolWhy = ""
            if let v = p.poolMetric {
                let values = Set(members.compactMap { value(v, $0) })
                if values.count == 1, let x = values.first, x >= .zero, x.raw % 10_000 == 0 {
                    poolValue = x
                } else if values.isEmpty {
                    poolWhy = "缺少「\(v.label)」"
                } else if values.count > 1 {
                    poolWhy = "组内「\(v.label)」不一致（\(values.sorted().map { v.show($0, engine) }.joined(separator: "、"))）"
                } else {
                    poolWhy = "「\(v.label)」须为非负金额，最多到分"
                }
            }
            guard let pool = poolValue else {
                let text = "\(p.label)：\(groupText)\(poolWhy)，奖金池无法分配"
                ctx.team(g, "bonus_pool", .text("—"), p.rules, text)
                for r in members { ctx.emit(r.employee, p.outcome, .text("—"), p.rules, text) }
                continue
            }
            // a pool of 0 (the month has none) is not split and gives no outcome
            let poolFen = Int128(pool.raw / 10_000)
            if poolFen == 0 { continue }
            let ranked = Self.ranked(members.compactMap { r in value(p.by, r).map { (r.employee, $0) } }, descending: p.descending)
            let inRanking = Set(ranked.map(\.employee))
            for r in members where !inRanking.contains(r.employee) {
                ctx.emit(r.employee, p.outcome, .text("—"), p.rules, "\(p.label)：\(groupText)缺少「\(p.by.label)」，不参加排名与奖金分配")
            }
            let n = ranked.count
            let s = p.shares.count
            let restCount = Swift.max(n - s, 0)
            let perRest = Int128(Swift.max(restCount, 1))
            // each place's share as a fraction over d = 1,000,000 × (people sharing the rest)
            let d = Int128(Fixed.scale) * perRest
            func num(_ k: Int) -> Int128 { k < s ? Int128(p.shares[k].raw) * perRest : Int128(p.rest.raw) }
            var fen = [Int128](repeating: 0, count: n)
            var cut = [Bool](repeating: false, count: n)
            var totalNum: Int128 = 0
            var i = 0
            while i < n {
                let x = ranked[i]
                let m = Int128(x.tieEnd - x.tieStart + 1)
                var groupNum: Int128 = 0
                for k in x.tieStart...x.tieEnd { groupNum += num(k) }
                totalNum += groupNum
                for k in x.tieStart...x.tieEnd {
                    fen[k] = poolFen * groupNum / (d * m)
                    cut[k] = (poolFen * groupNum) % (d * m) != 0
                }
                i = x.tieEnd + 1
            }
            // the places present share this much, cut to the fen; the fen the cuts leave over are
            // fewer than the people (each cut loses less than one fen)
            let allocated = poolFen * totalNum / d
            var leftover = allocated - fen.reduce(0, +)
            let leftoverBefore = leftover
            var extra = [Int128](repeating: 0, count: n)
            if p.remainder == .first {
                var k = 0
                while leftover > 0 && k < n { extra[k] = 1; leftover -= 1; k += 1 }
            }
            let unassigned = poolFen - allocated
            let poolText = "奖金池 \(pool.decimal.yuan) 元"
            for (k, x) in ranked.enumerated() {
                let m = x.tieEnd - x.tieStart + 1
                var groupNum: Int128 = 0
                for q in x.tieStart...x.tieEnd { groupNum += num(q) }
                let share: String
                if m > 1 {
                    let places = "名次 \(x.tieStart + 1)–\(x.tieEnd + 1) "
                    share = "与 \(Self.tieNames(ranked, k)) 并列，共分\(places)的份额 \(ratio(groupNum, d)) ÷ \(m) = \(ratio(groupNum, d * Int128(m)))"
                } else if k < s {
                    share = "名次 \(k + 1) 份额 \(pct(p.shares[k]))"
                } else {
                    share = "名次 \(s + 1) 起其余 \(restCount) 人平分 \(pct(p.rest))，每人 \(pct(p.rest)) ÷ \(restCount) = \(ratio(groupNum, d))"
                }
                var text = "\(p.label)：\(groupText)\(poolText)，\(p.by.label) \(p.by.show(x.value, engine))，第 \(x.rank) 名（共 \(n) 人）；\(share)："
                text += "\(pool.decimal.yuan) × \(ratio(groupNum, d * Int128(m))) = \(yuan(fen[k])) 元\(cut[k] ? "（分以下舍去）" : "")"
                if extra[k] > 0 {
                    text += "，另得分以下余数 \(yuan(extra[k])) 元（余数 \(yuan(leftoverBefore)) 元按名次先后每人 0.01 元），合计 \(yuan(fen[k] + extra[k])) 元"
                }
                ctx.emit(x.employee, p.outcome, .money(money(fen[k] + extra[k])), p.rules, text)
            }
            let paid = fen.reduce(0, +) + extra.reduce(0, +)
            var summary = "\(p.label)：\(groupText)\(poolText)，按名次份额（\(sharesText)）分给 \(n) 人，已分 \(yuan(paid)) 元"
            if leftoverBefore > 0 {
                if p.remainder == .first {
                    let who = ranked.prefix(Int(leftoverBefore)).map { "\($0.employee)（第 \($0.rank) 名）" }.joined(separator: "、")
                    summary += "；各份取至分后余 \(yuan(leftoverBefore)) 元，按名次先后每人 0.01 元给 \(who)"
                } else {
                    summary += "；各份取至分后余 \(yuan(leftoverBefore)) 元，留在奖金池（remainder: kept）"
                }
            }
            if unassigned > 0 {
                summary += "；\(n < s || (restCount == 0 && p.rest > .zero) ? "人数少于名次份额，" : "")未分配的份额 \(yuan(unassigned)) 元留在奖金池"
            }
            ctx.team(g, "bonus_pool", .money(money(poolFen)), p.rules, summary)
        }
    }
}
