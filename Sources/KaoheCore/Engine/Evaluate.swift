import Foundation

extension ScoringEngine {
    // MARK: - presentation helpers

    /// As `show`, appending in place (no intermediate explanation).
    func appendShow(_ v: Fixed, slot: Int, into x: inout Explanation) {
        if Words.muted { return }
        v.appendFormatted(to: &x.bytes, maxFraction: 2, grouped: slotKinds[slot] == .money)
        switch slotKinds[slot] {
        case .percent: x.bytes.append(UInt8(ascii: "%"))
        case .money: x.bytes.append(contentsOf: " 元".utf8)
        default:
            if let u = slotUnits[slot] { x.bytes.append(32); x.bytes.append(contentsOf: u.utf8) }
        }
    }

    func show(_ v: Fixed, slot: Int) -> Explanation {
        switch slotKinds[slot] {
        case .percent: return "\(v)%"
        case .money: var x: Explanation = ""; appendShow(v, slot: slot, into: &x); return x
        default: return slotUnits[slot].map { "\(v) \($0)" } ?? "\(v)"
        }
    }

    /// `咨询转化率 30%（= 订单数 18 ÷ 咨询总数 60 × 100）`
    func describe(_ slot: Int, _ st: RowState) -> Explanation {
        if Words.muted { return Explanation() }
        var s: Explanation
        if let v = st.values[slot] { s = "\(slotLabels[slot]) \(show(v, slot: slot))" }
        else if case .divisionByZero = st.failures[slot] { s = "\(slotLabels[slot]) 无法计算（分母为 0）" }
        else if case .overflow = st.failures[slot] { s = "\(slotLabels[slot]) 无法计算（结果超出范围）" }
        else { s = "\(slotLabels[slot]) 无数据" }
        if slot < derivedIndex.count, derivedIndex[slot] >= 0 {
            s.bytes.append(contentsOf: "（= ".utf8)
            derived[derivedIndex[slot]].template.render(into: &s) { appendLabelled($0, st, into: &$1) }
            s.bytes.append(contentsOf: "）".utf8)
        }
        return s
    }

    /// The value of a slot, or nil with a flag saying why (R-001-12 zero denominators).
    func need(_ slot: Int, _ st: RowState, _ c: CItem, _ flags: inout [Flag]) -> Fixed? {
        if let v = st.values[slot] { return v }
        if let f = st.failures[slot] {
            switch f {
            case .divisionByZero:
                flags.append(Flag(code: "zero_denominator", rules: ["R-001-12"] + c.item.rules, item: c.item.id,
                                  message: "\(describe(slot, st))：分母为 0，不能相除，须由评分人裁定 (R-001-12)"))
            case .missing(let name):
                let lab = slotNames.firstIndex(of: name).map { slotLabels[$0] } ?? name
                flags.append(Flag(code: "missing_value", rules: c.item.rules, item: c.item.id,
                                  message: "计算「\(slotLabels[slot])」缺少「\(lab)」"))
            case .overflow:
                flags.append(Flag(code: "overflow", rules: c.item.rules, item: c.item.id,
                                  message: "\(describe(slot, st))：结果超出可计算的范围（±9.2 万亿），请核对输入的数值"))
            }
        } else {
            flags.append(Flag(code: "missing_value", rules: c.item.rules, item: c.item.id,
                              message: "缺少「\(slotLabels[slot])」的数据 missing value"))
        }
        return nil
    }

    static func ruleTag(_ rules: [String]) -> Explanation { rules.isEmpty ? "" : "（\(rules.joined(separator: ", "))）" }

    func steps(_ distance: Fixed, per: Fixed, whole: Bool) -> Fixed {
        let q = Fixed.divide(distance, per) ?? .zero
        return whole ? q.floored : q
    }

    // MARK: - one row

    func scoreRow(_ row: ScoringRow, state st: inout RowState) -> SheetResult {
        var flags: [Flag] = []
        var items: [ItemResult] = []
        items.reserveCapacity(itemsPerRow)
        var sectionResults: [SectionResult] = []
        var complete = true
        var regular = Fixed.zero
        for s in sections {
            var sum = Fixed.zero
            for c in s.items {
                let (p, e) = points(c, st, &flags)
                if let p { sum += p } else { complete = false }
                items.append(ItemResult(id: c.item.id, label: c.item.label, rules: c.item.rules, section: s.section.id,
                                        points: p, max: c.item.max, explained: e))
            }
            let capped = Swift.min(sum, s.section.max)
            sectionResults.append(SectionResult(id: s.section.id, label: s.section.label, points: capped,
                                                max: s.section.max, rules: s.section.rules))
            if weighted, let w = s.section.weight {
                // w × points × max ÷ section max, dividing last: 0.245 × 30.75 × 100 ÷ 35 = 21.525 exactly
                regular += Fixed.divide(w * capped * nominalMax, s.section.max) ?? .zero
            } else {
                regular += capped
            }
        }
        var total = regular
        var zeroed: String?
        for c in adjustments {
            let (p, e) = points(c, st, &flags)
            if let p { total += p } else { complete = false }
            if case .offences(let offs, _, _, let effect) = c.body, let effect, effect != .deduct {
                let hits = offs.filter { (st.values[$0.slot] ?? .zero) > .zero }
                if !hits.isEmpty {
                    let names = hits.map { "\($0.offence.label) × \(st.values[$0.slot]!)" }.joined(separator: "、")
                    flags.append(Flag(code: "veto", rules: c.item.allRules, item: c.item.id,
                                      message: effect == .zero ? "一票否决：\(names)，总分记 0 分" : "否决事项：\(names)"))
                    if effect == .zero { zeroed = names }
                }
            }
            items.append(ItemResult(id: c.item.id, label: c.item.label, rules: c.item.rules, section: nil,
                                    points: p, max: c.item.max, explained: e))
        }
        let floor = scheme.floor ?? .zero
        if total < floor { total = floor }
        if let cap = scheme.cap, total > cap { total = cap }
        if zeroed != nil { total = .zero }

        // R-100-04: grade and pay read the same total, rounded half-up to two decimals as it is
        // shown (89.996 shows as 90: graded and paid as 90; 89.994 as 89.99 for both)
        let score = total.rounded(2)
        var grade: String?
        for g in gradeBands where g.min == nil || score >= g.min! { grade = g.label; break }

        // money
        var moneyLines: [MoneyLine] = []
        var moneyAmounts: [Decimal] = []
        for c in money {
            let (a, e) = amount(c, st, &flags)
            if a == nil { complete = false }
            moneyAmounts.append(a ?? 0)
            moneyLines.append(MoneyLine(item: c.item.id, label: c.item.label, rules: c.item.allRules, amount: a ?? 0, explained: e))
        }
        var payResult: PayResult?
        if let pay {
            payResult = computePay(pay, score: score, st: st, moneyAmounts: moneyAmounts, flags: &flags)
        }
        var result = SheetResult(employeeId: row.employee, period: row.period, team: row.team, total: total, max: attainableMax,
                                 grade: grade, sections: sectionResults, items: items, money: moneyLines, pay: payResult,
                                 flags: flags, complete: complete)
        // R-100-04: pay on a sheet still waiting for a rater's decision is provisional (the pay's
        // own flags count: a score outside every pay band waits too)
        let undecided = result.needsDecision
        result.pay?.provisional = undecided
        return result
    }

    // MARK: - points

    func points(_ c: CItem, _ st: RowState, _ flags: inout [Flag]) -> (Fixed?, Explanation) {
        var f: [Flag] = []
        var (p, e) = rawPoints(c, st, &f)
        if let o = c.overrideSlot, let ov = st.values[o] {
            // a decision, worded as one (issue 17 §3): what the data gave, then what the rater decided
            if let p { e += "；评分人裁定为 \(ov) 分（按数据计算为 \(p) 分）" } else { e += "；按数据无法得出分数，评分人裁定为 \(ov) 分" }
            p = ov
        } else {
            flags.append(contentsOf: f)
        }
        appendShown(c, st, to: &e)
        return (p, e + c.tag)
    }

    /// The rates a row shows beside its figure (R-001-02): `；本行数据：付款率 96.67%、换货率 无数据`.
    /// Label and value only, written straight into the bytes: this runs for every row scored.
    func appendShown(_ c: CItem, _ st: RowState, to e: inout Explanation) {
        guard !c.shown.isEmpty else { return }
        e += "；本行数据："
        for (i, s) in c.shown.enumerated() {
            if i > 0 { e += "、" }
            if st.values[s] == nil, case .divisionByZero? = st.failures[s] {
                e += "\(slotLabels[s]) 无法计算（分母为 0）"
            } else {
                appendLabelled(s, st, into: &e)
            }
        }
    }


    func clampItem(_ v: Fixed, _ c: CItem) -> Fixed {
        var x = v
        let lo = c.item.min ?? (c.context == .section ? .zero : nil) ?? v
        if x < lo { x = lo }
        if let hi = c.item.max, x > hi { x = hi }
        return x
    }

    func rawPoints(_ c: CItem, _ st: RowState, _ flags: inout [Flag]) -> (Fixed?, Explanation) {
        let item = c.item
        let max = item.max ?? .zero
        switch c.body {
        case .single(let slot):
            guard let v = st.values[slot] else {
                flags.append(Flag(code: "missing_mark", rules: item.rules, item: item.id, message: "「\(item.label)」尚未评分 not yet marked"))
                return (nil, "「\(item.label)」尚未评分")
            }
            return (v, c.context == .adjustment ? "加分 \(v) 分" : "评分 \(v) / \(max) 分")

        case .each(let slot, let countSlot, let each):
            let n = st.values[countSlot] ?? .zero, v = st.values[slot] ?? .zero
            let unit = each.unit ?? "次"
            let lo = each.min * n, hi = each.max * n
            guard v >= lo && v <= hi else {
                let why = n == .zero ? "填写了 \(v) 分，但\(unit)数为 0" : "\(n) \(unit)应为 \(lo)～\(hi) 分（每\(unit) \(each.min)～\(each.max) 分），填写了 \(v) 分"
                flags.append(Flag(code: "out_of_range", rules: item.rules, item: item.id, message: "「\(item.label)」\(why)，请更正"))
                return (nil, Explanation(why + "，待更正"))
            }
            if n == .zero { return (.zero, "无\(item.label)，不加分") }
            return (v, "\(item.label) \(n) \(unit)，共 \(v) 分（每\(unit) \(each.min)～\(each.max) 分）")

        case .manual(let raters):
            var parts: [String] = []
            var sum = Fixed.zero, wsum = Fixed.zero
            var missing: [String] = []
            for (r, slot) in raters {
                guard let v = st.values[slot] else { missing.append(r.label); continue }
                sum += v * r.weight
                wsum += r.weight
                parts.append("\(r.label) \(v) × \((r.weight * Fixed.hundred))%")
            }
            let respread = !missing.isEmpty && !parts.isEmpty && scheme.raterMissing == .respread
            if !missing.isEmpty && !respread {
                flags.append(Flag(code: "missing_mark", rules: item.rules, item: item.id,
                                  message: "「\(item.label)」缺少评分：\(missing.joined(separator: "、"))"))
                return (nil, Explanation("缺少 \(missing.joined(separator: "、")) 的评分" + (parts.isEmpty ? "" : "；已有 " + parts.joined(separator: "，"))))
            }
            let v = Fixed.divide(sum, wsum) ?? .zero
            if respread {
                // R-002-33: the remaining weights re-spread in proportion, said on the sheet
                let note = "「\(item.label)」\(missing.joined(separator: "、"))未评分，其余评分人的权重按比例重新分配（R-002-33）"
                flags.append(Flag(code: "rater_respread", rules: ["R-002-33"] + item.rules, item: item.id, message: note))
                return (v, "\(missing.joined(separator: "、"))未评分，权重按比例重新分配：\(parts.joined(separator: " + ")) ÷ \((wsum * Fixed.hundred))% = \(v) 分（满分 \(max)）")
            }
            if raters.count == 1 { return (v, "\(raters[0].rater.label)评分 \(v) / \(max) 分") }
            let tail = wsum == .one ? "" : " ÷ \((wsum * Fixed.hundred))%"
            return (v, "加权评分：\(parts.joined(separator: " + "))\(tail) = \(v) 分（满分 \(max)）")

        case .offences(let offs, let otherSlot, let floor, let effect):
            var total = Fixed.zero
            var parts: [String] = []
            for o in offs {
                let n = st.values[o.slot] ?? .zero
                guard n > .zero else { continue }
                var d: Fixed
                var how: String
                if let rep = o.offence.repeatValue, n > .one {
                    d = o.value + rep * (n - .one)
                    how = "\(o.offence.label) \(n) 次：首次 \(o.value) + 再犯 \(rep) × \((n - .one))"
                } else {
                    d = o.value * n
                    let unit = o.offence.unit ?? (o.offence.kind == .number ? "" : "次")
                    how = "\(o.offence.label) \(n) \(unit) × \(o.value)"
                }
                if let cap = o.offence.cap, d > cap { d = cap; how += "（封顶 \(cap)）" }
                total += d
                parts.append("\(how) = \(d.format())" + Self.ruleTag(o.offence.rules).text)
            }
            if let os = otherSlot, let ov = st.values[os], ov > .zero {
                total += ov
                parts.append("其它 \(ov)（R-000-02）")
            }
            if effect != nil {
                if effect == .deduct {
                    return (.zero - total, parts.isEmpty ? "无否决事项，不扣分" : "否决扣分：\(parts.joined(separator: "；"))，共扣 \(total) 分")
                }
                return (.zero, parts.isEmpty ? "无否决事项" : "否决事项：\(parts.joined(separator: "；"))")
            }
            var p = max - total
            var note = ""
            if p < floor { p = floor; note = "，扣完为止（最低 \(floor) 分）" }
            if parts.isEmpty { return (p, "无扣分事项，得满分 \(max) 分") }
            return (p, "扣分：\(parts.joined(separator: "；"))；\(max) − \(total) = \((max - total))\(note)，得 \(p) 分")

        case .perOccurrence(let slot, let pts, let add, let floor):
            guard let n = need(slot, st, c, &flags) else { return (nil, "缺少「\(slotLabels[slot])」") }
            if add {
                var v = pts * n
                var note = ""
                if v > max { v = max; note = "，封顶 \(max) 分" }
                return (v, "\(slotLabels[slot]) \(n) 次 × \(pts) = \((pts * n))\(note)，得 \(v) 分")
            }
            let d = pts * n
            var v = max - d
            var note = ""
            if v < floor { v = floor; note = "，扣完为止" }
            return (v, "\(slotLabels[slot]) \(n) 次 × \(pts) 分 = 扣 \(d) 分；\(max) − \(d) = \((max - d))\(note)，得 \(v) 分")

        case .banded(let slot, let bands, let boundary, let mode):
            guard let v = need(slot, st, c, &flags) else { return (nil, "无法计算：\(describe(slot, st))") }
            let desc = describe(slot, st)
            guard let (band, onEdge) = Self.findBand(v, bands: bands, boundary: boundary, mode: mode) else {
                flags.append(Flag(code: "band_gap", rules: ["R-001-03"] + item.rules, item: item.id,
                                  message: "\(desc) 不在任何档位内（档位表有空档），须由评分人裁定，不按 0 分处理 (R-001-03)"))
                return (nil, "\(desc) 落在档位空档，待评分人裁定")
            }
            let range = bandText(band, slot: slot)
            let edge = onEdge ? "（恰在边界，按\(boundaryText(boundary))归档，R-001-10）" : ""
            switch mode {
            case .points, .amount:
                return (clampItem(band.value, c), "\(desc)，落在「\(range)」档\(edge)，得 \(band.value) 分")
            case .deduction:
                let p = clampItem(max - band.value, c)
                return (p, "\(desc)，落在「\(range)」档\(edge)，扣 \(band.value) 分：\(max) − \(band.value) = \(p) 分")
            }

        case .ratio(let slot):
            guard let v = need(slot, st, c, &flags) else { return (nil, "无法计算：\(describe(slot, st))") }
            let raw = Fixed.divide(v, .hundred)! * max
            let p = clampItem(raw, c)
            let note = raw > max ? "，封顶 \(max) 分" : (raw < .zero ? "，最低 0 分" : "")
            return (p, "\(describe(slot, st)) × \(max) = \(raw)\(note)，得 \(p) 分")

        case .relative(let slot, let avgSlot, let groupAverage, let above, let per, let pts, let whole, let floor):
            guard let v = need(slot, st, c, &flags) else { return (nil, "无法计算：\(describe(slot, st))") }
            guard let a = st.values[avgSlot] else {
                if groupAverage { return (nil, "组内平均无法计算") }
                _ = need(avgSlot, st, c, &flags)
                return (nil, "缺少「\(slotLabels[avgSlot])」")
            }
            let avgText = groupAverage ? "组内平均 \(show(a, slot: slot))（\(st.groupSize) 人）" : "\(slotLabels[avgSlot]) \(show(a, slot: avgSlot))"
            let gap = above ? v - a : a - v
            if gap <= .zero {
                return (max, "\(describe(slot, st))，\(above ? "不高于" : "不低于")\(avgText)，得满分 \(max) 分")
            }
            let n = steps(gap, per: per, whole: whole)
            let d = n * pts
            var p = max - d
            var note = ""
            if p < floor { p = floor; note = "，最低 \(floor) 分" }
            let perText = per == .one ? "每 1 个单位" : "每 \(per) 个单位"
            return (p, "\(describe(slot, st))，\(above ? "高于" : "低于")\(avgText) \(gap)；\(perText)扣 \(pts) 分，\(whole ? "按整档计 " : "")\(n) 档，扣 \(d) 分：\(max) − \(d) = \((max - d))\(note)，得 \(p) 分")

        case .target(let slot, let target, let lower, let at, let aboveSlope, let belowSlope, let whole):
            guard let v = need(slot, st, c, &flags) else { return (nil, "无法计算：\(describe(slot, st))") }
            func val(_ o: Operand) -> Fixed? { if case .constant(let f) = o { return f }; if case .slot(let s) = o { return st.values[s] }; return nil }
            guard let t = val(target), let lo = val(lower) else {
                if case .slot(let s) = target { _ = need(s, st, c, &flags) }
                if case .slot(let s) = lower { _ = need(s, st, c, &flags) }
                return (nil, "缺少目标值")
            }
            var p = at
            var how: String
            if v > t, let sl = aboveSlope {
                let n = steps(v - t, per: sl.per, whole: whole)
                p = at + n * sl.points
                how = "超出目标 \(show(t, slot: slot)) \((v - t))，每 \(sl.per) 加 \(sl.points) 分：\(at) + \(n) × \(sl.points) = \(p)"
                if let lim = sl.limit, p > lim { p = lim; how += "，最高 \(lim) 分" }
            } else if v < lo, let sl = belowSlope {
                let n = steps(lo - v, per: sl.per, whole: whole)
                p = at - n * sl.points
                how = "低于\(lo == t ? "目标" : "下限") \(show(lo, slot: slot)) \((lo - v))，每 \(sl.per) 减 \(sl.points) 分：\(at) − \(n) × \(sl.points) = \(p)"
                if let lim = sl.limit, p < lim { p = lim; how += "，最低 \(lim) 分" }
            } else {
                how = v == t ? "恰好完成目标 \(show(t, slot: slot))，得 \(at) 分" : "在目标范围内，得 \(at) 分"
            }
            let clamped = clampItem(p, c)
            if clamped != p { how += "，按本项范围取 \(clamped) 分" }
            return (clamped, "\(describe(slot, st))，\(how)")

        case .gradedSingle(let slot, let grades, _):
            guard let v = st.values[slot] else {
                flags.append(Flag(code: "missing_mark", rules: item.rules, item: item.id, message: "「\(item.label)」尚未评定等级"))
                return (nil, "「\(item.label)」尚未评定等级")
            }
            let g = grades[v.intValue]
            let p = g.points ?? .zero
            return (clampItem(p, c), "评定为「\(g.label)」，得 \(p) 分" + Self.ruleTag(g.rules))

        case .gradedMultiple(let slots, let grades, _, let average, let expected):
            var sum = Fixed.zero, n = Fixed.zero
            var parts: [String] = []
            var cancelled = false
            for (i, g) in grades.enumerated() {
                let k = st.values[slots[i]] ?? .zero
                guard k > .zero else { continue }
                n += k
                sum += (g.points ?? .zero) * k
                if g.cancels == true { cancelled = true }
                parts.append("\(g.label) \(k) × \((g.points ?? .zero))")
            }
            if let e = expected, n != Fixed(e) {
                flags.append(Flag(code: "grade_count", rules: item.rules, item: item.id, message: "「\(item.label)」应评 \(e) 条，实际 \(n) 条"))
            }
            var p = average ? (Fixed.divide(sum, n) ?? .zero) : sum
            var how = parts.isEmpty ? "无评定记录" : parts.joined(separator: " + ") + (average ? " ÷ \(n)" : "") + " = \(p)"
            if cancelled && p > .zero { p = .zero; how += "；出现一票取消等级，正分取消" }
            return (clampItem(p, c), Explanation(how + "，得 \(clampItem(p, c).format()) 分"))

        case .formula(_, let gates, let program, let template):
            for (g, ge) in gates {
                do {
                    if try ge.evaluate({ (s: Int) -> Fixed? in st.values[s] }).isZero {
                        flags.append(Flag(code: "gate_closed", rules: g.rules + item.rules, item: item.id, message: "「\(g.label)」未达标，本项为 0"))
                        return (.zero, "门槛「\(g.label)」未达标（\(labelled(ge, st))），本项为 0" + Self.ruleTag(g.rules.filter { !item.rules.contains($0) }))
                    }
                } catch { return (nil, evalFailure(error, item: item, &flags)) }
            }
            do {
                let raw = try program.evaluate { (s: Int) -> Fixed? in st.values[s] }
                let p = clampItem(raw, c)
                var x = Explanation()
                renderLabelled(template, st, into: &x)
                x += " = \(raw)"
                x += p != raw ? "，取 \(p) 分" : " 分"
                return (p, x)
            } catch { return (nil, evalFailure(error, item: item, &flags)) }
        }
    }

    /// The formula as a person reads it, each input by its label and value:
    /// `10 × 销售额 354,449.65 元 ÷ 组内平均销售额 317,527.89 元（限于 0～10）`.
    /// A condition or formula as a person reads it: `组内最低DSR評分 4.79 >= DSR評分目標 4.8`.
    func labelled(_ e: Expr, _ st: RowState) -> String {
        if Words.muted { return "" }
        var x = Explanation()
        e.render(into: &x) { appendLabelled($0, st, into: &$1) }
        return x.text
    }

    /// One input of a formula as a person reads it: its label and value (`订单数 18`, `无数据`).
    func appendLabelled(_ i: Int, _ st: RowState, into out: inout Explanation) {
        if Words.muted { return }
        out.bytes.append(contentsOf: slotLabels[i].utf8)
        out.bytes.append(32)
        if let v = st.values[i] { appendShow(v, slot: i, into: &out) } else { out.bytes.append(contentsOf: "无数据".utf8) }
    }

    func renderLabelled(_ t: FormulaTemplate, _ st: RowState, into x: inout Explanation) {
        if Words.muted { return }
        t.render(into: &x) { appendLabelled($0, st, into: &$1) }
    }


    func evalFailure(_ error: EvalError, item: Item, _ flags: inout [Flag]) -> Explanation {
        switch error {
        case .divisionByZero(let n, let d):
            flags.append(Flag(code: "zero_denominator", rules: ["R-001-12"] + item.rules, item: item.id,
                              message: "「\(item.label)」公式中 \(n) ÷ \(d) 的分母为 0，须由评分人裁定 (R-001-12)"))
            return "分母为 0，无法计算"
        case .missing(let name):
            let lab = slotNames.firstIndex(of: name).map { slotLabels[$0] } ?? name
            flags.append(Flag(code: "missing_value", rules: item.rules, item: item.id, message: "「\(item.label)」缺少「\(lab)」"))
            return "缺少「\(lab)」"
        case .overflow(let part):
            flags.append(Flag(code: "overflow", rules: item.rules, item: item.id,
                              message: "「\(item.label)」公式中 \(InputLimits.quote(part)) 的结果超出可计算的范围（±9.2 万亿），请核对输入的数值"))
            return "结果超出范围，无法计算"
        }
    }

    func boundaryText(_ b: Boundary) -> String {
        switch b {
        case .better: return "较优档"
        case .worse: return "较差档"
        case .lower: return "起点所在档"
        case .upper: return "终点所在档"
        }
    }

    func bandText(_ b: Band, slot: Int) -> String {
        if let l = b.label { return l }
        let u = slotKinds[slot] == .percent ? "%" : ""
        switch (b.min, b.max) {
        case let (lo?, hi?): return "\(lo)\(u)–\(hi)\(u)"
        case let (lo?, nil): return "\(lo)\(u) 及以上"
        case let (nil, hi?): return "\(hi)\(u) 及以下"
        default: return "全部"
        }
    }

    /// The band holding `v`; at a shared boundary the `boundary` setting picks (R-001-10).
    /// Returns nil for a value in a gap (R-001-03).
    static func findBand(_ v: Fixed, bands: [Band], boundary: Boundary, mode: BandedRule.Mode) -> (Band, Bool)? {
        var hits: [Band] = []
        for b in bands where (b.min == nil || v >= b.min!) && (b.max == nil || v <= b.max!) { hits.append(b) }
        if hits.isEmpty { return nil }
        if hits.count == 1 { return (hits[0], v == hits[0].min || v == hits[0].max) }
        let betterIsHigher = mode != .deduction
        switch boundary {
        case .better, .worse:
            let wantHigh = (boundary == .better) == betterIsHigher
            let pick = hits.max { wantHigh ? $0.value < $1.value : $0.value > $1.value }!
            return (pick, true)
        case .lower: return (hits.first { $0.min == v } ?? hits[0], true)
        case .upper: return (hits.first { $0.max == v } ?? hits[0], true)
        }
    }

    // MARK: - money

    func amount(_ c: CItem, _ st: RowState, _ flags: inout [Flag]) -> (Decimal?, Explanation) {
        var f: [Flag] = []
        var (a, e) = rawAmount(c, st, &f)
        if let o = c.overrideSlot, let ov = st.values[o] {
            e += "；评分人裁定为 \(yuan: ov.decimal) 元"
            a = ov.decimal
        } else { flags.append(contentsOf: f) }
        appendShown(c, st, to: &e)
        return (a, e + c.tag)
    }

    func rawAmount(_ c: CItem, _ st: RowState, _ flags: inout [Flag]) -> (Decimal?, Explanation) {
        let item = c.item
        switch c.body {
        case .offences(let offs, let otherSlot, _, _):
            var total = Decimal(0)
            var parts: [String] = []
            for o in offs {
                let n = st.values[o.slot] ?? .zero
                guard n > .zero else { continue }
                let per = o.value.decimal
                var a: Decimal
                var how: String
                if let rep = o.offence.repeatValue, n > .one {
                    a = per + rep.decimal * (n - .one).decimal
                    how = "\(o.offence.label) \(n.format()) 次：首次 \(per.yuan) + 再次 \(rep.decimal.yuan) × \((n - .one).format())"
                } else {
                    a = per * n.decimal
                    how = "\(o.offence.label) \(n.format()) 次 × \(per.yuan)"
                }
                if let cap = o.offence.cap, abs(a) > cap.decimal {
                    a = a < 0 ? -cap.decimal : cap.decimal
                    how += "（封顶 \(cap.decimal.yuan)）"
                }
                total += a
                parts.append("\(how) = \(a.yuan) 元" + Self.ruleTag(o.offence.rules).text)
            }
            if let os = otherSlot, let ov = st.values[os], ov > .zero {
                total -= ov.decimal
                parts.append("其它 −\(ov.decimal.yuan) 元")
            }
            return (total, parts.isEmpty ? "本期无记录，0 元" : Explanation(parts.joined(separator: "；") + "；合计 \(total.yuan) 元"))

        case .gradedSingle(let slot, let grades, _):
            guard let v = st.values[slot] else {
                flags.append(Flag(code: "missing_mark", rules: item.rules, item: item.id, message: "「\(item.label)」尚未评定等级"))
                return (nil, "尚未评定等级")
            }
            let g = grades[v.intValue]
            let a = (g.amount ?? .zero).decimal
            return (a, "评定为「\(g.label)」，\(yuan: a) 元")

        case .gradedMultiple(let slots, let grades, _, let average, let expected):
            var sum = Decimal(0)
            var n = Fixed.zero
            var parts: [String] = []
            var cancelledBy: [String] = []
            for (i, g) in grades.enumerated() {
                let k = st.values[slots[i]] ?? .zero
                guard k > .zero else { continue }
                n += k
                sum += (g.amount ?? .zero).decimal * k.decimal
                if g.cancels == true { cancelledBy.append(g.label) }
                parts.append("\(g.label) \(k.format()) 条 × \((g.amount ?? .zero).decimal.yuan)")
            }
            if let e = expected, n != Fixed(e) {
                flags.append(Flag(code: "grade_count", rules: item.rules, item: item.id, message: "「\(item.label)」应评 \(e) 条，实际 \(n) 条"))
            }
            if average, n > .zero { sum = sum / n.decimal }
            var how = parts.isEmpty ? "本期无评定记录" : parts.joined(separator: " + ") + " = \(sum.yuan) 元"
            if !cancelledBy.isEmpty && sum > 0 {
                flags.append(Flag(code: "grade_cancels", rules: item.allRules, item: item.id,
                                  message: "出现「\(cancelledBy.joined(separator: "、"))」，取消本月「\(item.label)」"))
                sum = 0
                how += "；出现「\(cancelledBy.joined(separator: "、"))」，本月\(item.label)取消，记 0 元"
            }
            return (sum, Explanation(how))

        case .banded(let slot, let bands, let boundary, let mode):
            guard let v = need(slot, st, c, &flags) else { return (nil, "无法计算：\(describe(slot, st))") }
            guard let (band, onEdge) = Self.findBand(v, bands: bands, boundary: boundary, mode: mode) else {
                flags.append(Flag(code: "band_gap", rules: ["R-001-03"] + item.rules, item: item.id,
                                  message: "\(describe(slot, st)) 不在任何档位内，须由评分人裁定"))
                return (nil, "\(describe(slot, st)) 落在档位空档，待评分人裁定")
            }
            let edge = onEdge ? "（恰在边界，按\(boundaryText(boundary))归档，R-001-10）" : ""
            return (band.value.decimal, "\(describe(slot, st))，落在「\(bandText(band, slot: slot))」档\(edge)，\(yuan: band.value.decimal) 元")

        case .formula(let e, let gates, _, let template):
            for (g, ge) in gates {
                do {
                    if try ge.evaluate({ (s: Int) -> Fixed? in st.values[s] }).isZero {
                        flags.append(Flag(code: "gate_closed", rules: g.rules + item.rules, item: item.id,
                                          message: "「\(g.label)」未达标，「\(item.label)」全部取消（全有或全无）"))
                        return (0, "门槛「\(g.label)」未达标（\(labelled(ge, st))），\(item.label)为 0 元（全有或全无）" + Self.ruleTag(g.rules.filter { !item.rules.contains($0) }))
                    }
                } catch { return (nil, evalFailure(error, item: item, &flags)) }
            }
            do {
                let a = try e.evaluate { (s: Int) -> Decimal? in st.values[s]?.decimal }
                var x: Explanation = gates.isEmpty ? "" : "门槛全部达标（\(gates.map(\.0.label).joined(separator: "、"))）；"
                renderLabelled(template, st, into: &x)
                // no "-0 元"
                x += " = \(yuan: a.isZero ? 0 : a.rounded(2)) 元"
                return (a.rounded(2), x)
            } catch { return (nil, evalFailure(error, item: item, &flags)) }

        default:
            return (nil, "此规则不能用于金额 not a money rule")
        }
    }

    // MARK: - pay

    /// The pay of a sheet whose total, rounded to two decimals, is `score` (the grade reads the
    /// same figure, R-100-04).
    func computePay(_ pay: CompiledPay, score: Fixed, st: RowState, moneyAmounts: [Decimal], flags: inout [Flag]) -> PayResult? {
        let policy = pay.policy
        let scoreDecimal = score.decimal
        let firstMoney = pay.moneySlots.first ?? -1
        var base = Decimal(0)
        // score, base and money ids have their own slots; everything else reads the row
        let lookup: (Int) -> Decimal? = { s in
            if s == pay.scoreSlot { return scoreDecimal }
            if s == pay.baseSlot { return base }
            if firstMoney >= 0 && s >= firstMoney && s < firstMoney + pay.moneySlots.count { return moneyAmounts[s - firstMoney] }
            return s < st.values.count ? st.values[s]?.decimal : nil
        }
        // a formula as a person reads it: 基本工资 3,000.00 元 + 岗位工资 1,100.00 元, never base_salary
        func labelled(_ e: Expr, into x: inout Explanation) {
            e.render(into: &x) { s, out in
                out += "\(slotLabels[s]) "
                if s == pay.scoreSlot { out += "\(score)" }
                else if s < st.values.count, let f = st.values[s], slotKinds[s] != .money {
                    appendShow(f, slot: s, into: &out)
                    if let d = metricDefaults[s], d == f { out += "（未填写时按 \(d) 计）" }
                } else if let v = lookup(s) { out += "\(yuan: v) 元" }
                else { out += "无数据" }
            }
        }
        do { base = try pay.base.evaluate(lookup) } catch {
            var e = Explanation("绩效工资基数无法计算：")
            labelled(pay.base, into: &e)
            flags.append(Flag(code: "missing_value", rules: policy.rules, item: nil, message: e.text))
            return nil
        }
        var e: Explanation = "基数 "
        labelled(pay.base, into: &e)
        e += " = \(yuan: base) 元；"
        for (g, cond) in pay.gates {
            let holds: Bool
            do { holds = !(try cond.evaluate(lookup)).isZero } catch {
                var m = Explanation("绩效工资的条件「\(g.label)」无法判断：")
                labelled(cond, into: &m)
                flags.append(Flag(code: "missing_value", rules: g.rules + policy.rules, item: nil, message: m.text))
                return nil
            }
            guard holds else {
                e += "不满足「\(g.label)」（"
                labelled(cond, into: &e)
                e += "），无绩效工资 = 0.00 元" + Self.ruleTag(g.rules + policy.rules)
                return PayResult(base: base.rounded(2), paid: 0, rules: policy.rules, explained: e)
            }
        }
        guard let (band, expr) = pay.bands.first(where: { (b, _) in (b.min == nil || score >= b.min!) && (b.max == nil || score < b.max!) }) else {
            flags.append(Flag(code: "band_gap", rules: policy.rules, item: nil, message: "得分 \(score.format()) 不在任何工资档内"))
            return PayResult(base: base.rounded(2), paid: 0, rules: policy.rules, explained: "得分 \(score) 不在任何工资档内，待裁定")
        }
        do {
            let paid = try expr.evaluate(lookup).rounded(2)
            e += "得分 \(score)，"
            switch (band.min, band.max) {
            case let (lo?, hi?): e += "\(lo) ≤ 得分 < \(hi)"
            case let (lo?, nil): e += "得分 ≥ \(lo)"
            case let (nil, hi?): e += "得分 < \(hi)"
            default: e += "任意得分"
            }
            if let l = band.label { e += "「\(l)」" }
            e += "："
            if expr.slots.isEmpty { e += "\(expr.text)" } else { labelled(expr, into: &e) }
            e += " = \(yuan: paid) 元"
            e += Self.ruleTag(policy.rules)
            return PayResult(base: base.rounded(2), paid: paid, rules: policy.rules, explained: e)
        } catch {
            var m = Explanation("绩效工资无法计算：")
            labelled(expr, into: &m)
            flags.append(Flag(code: "missing_value", rules: policy.rules, item: nil, message: m.text))
            return nil
        }
    }
}
