import Foundation
import KaoheCore
import Plot

/// `/cycles/:id/grid/:team` (issue 17 §1): a team's sheets of a cycle on one screen for their rater —
/// people as rows, the fields the rater fills as columns (the item's label in the sticky header),
/// each row's total, grade and flags, one 保存 per row, 提交全部已填完的行 for all. One plain form:
/// without a script every button posts it; with `Scripts.grid` a row follows the typing (the
/// sheet's preview), is saved through the sheet API when it is left or its 保存 is pressed, and
/// Enter moves down a column.
enum TeamGridView {
    typealias N = Node<HTML.BodyContext>

    /// The grid's own rules (the page frame's table rules would make the header scroll away):
    /// the table scrolls inside its frame under a sticky header and beside a sticky name column;
    /// no label or name wraps one character per line.
    static let style = """
    main{max-width:none}
    .grid-wrap{max-width:100%;max-height:75vh;overflow:auto;border:1px solid #d9e2ec;background:#fff}
    .grid-wrap table.grid{display:table;width:max-content;max-width:none;overflow:visible;border-collapse:separate;border-spacing:0}
    table.grid th,table.grid td{white-space:nowrap;border-width:0 1px 1px 0}
    table.grid thead th{position:sticky;top:0;z-index:2;background:#e4ebf2;vertical-align:bottom}
    table.grid th small{display:block;font-weight:normal;color:#3e4c59}
    table.grid .who{position:sticky;left:0;z-index:1;background:#fff}
    table.grid thead th.who{z-index:3;background:#e4ebf2}
    table.grid td.flags{white-space:normal;min-width:13rem;max-width:22rem;font-size:.85rem}
    table.grid td.flags ul{margin:0;padding-left:1rem}table.grid td.flags ul:empty{display:none}
    table.grid input[type=number]{width:4.2rem}table.grid input.why{width:11rem}table.grid select{max-width:8rem}
    table.grid td.decide label{display:block;margin:.15rem 0}
    table.grid tr.done td{background:#eef8f1}table.grid tr.refused td{background:#fff3f2}
    table.grid tr.done td.who,table.grid tr.refused td.who{background:#fff}
    table.grid .status{font-size:.85rem;white-space:normal;min-width:8rem;max-width:16rem}
    table.grid .returned{color:#8a4b00;margin:0 0 .2rem}
    table.grid .error{display:block;white-space:normal;font-size:.8rem}
    .grid-actions{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
    .grid-actions button{padding:.4rem .9rem}
    .sr-only{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
    ul.outcomes{margin:.3rem 0;padding-left:1.2rem}ul.outcomes li.ok{color:#1e6b3a}ul.outcomes li.no{color:#b42318}
    """

    static func attr(_ name: String, _ value: String) -> N { .attribute(named: name, value: HTMLEscape.attribute(value), ignoreIfValueIsEmpty: false) }
    static func el(_ name: String, _ nodes: [N]) -> N { .element(named: name, nodes: nodes) }
    static func button(_ value: String, _ label: String, extra: [N] = []) -> N {
        el("button", [attr("type", "submit"), attr("name", "action"), attr("value", value)] + extra + [.text(label)])
    }

    /// A row's outcome as its rater reads it, and whether it went through.
    static func outcomeText(_ o: CycleService.RowOutcome, submitting: Bool) -> (ok: Bool, text: String) {
        switch o {
        case .saved: return (true, "已保存")
        case .unchanged: return (true, "没有改动")
        case .submitted: return (true, "已提交评分")
        case .incomplete(let missing, let saved):
            return (false, (saved ? "已保存，" : "") + "未提交，尚未填写：" + missing.joined(separator: "、"))
        case .refused(let why, status: _, saved: let saved):
            return (false, (submitting ? (saved ? "已保存，未提交：" : "未提交：") : "未保存：") + why)
        }
    }

    static func page(_ g: CycleService.Grid, csrf: String, action: CycleService.GridAction?) -> N {
        let submitting = action == .submitComplete
        let decisions = g.hasDecisions
        let firstEditable = g.rows.first(where: \.editable)?.id
        return .group(
            el("style", [.raw(style)]),
            .p(.text("\(g.scheme) · \(g.period) · "), Bits.name(g.team),
               .text(" · 评分截止 \(g.ratingDue) · 共 \(g.rows.count) 张表，尚待评分 \(g.waiting) 张表")),
            outcomes(g, submitting: submitting, posted: action != nil),
            el("p", [attr("id", "grid-hint"), attr("class", "hint"), attr("hidden", "hidden"),
                     .text("键盘：Tab 到本行下一格，Enter 到下一行同一格；等级可按数字键选择；离开一行即自动保存。")]),
            el("form", [
                attr("id", "grid"), attr("method", "post"), attr("action", SiteURL.teamGrid(g.cycleId, g.teamId).path),
                el("input", [attr("type", "hidden"), attr("name", "_csrf"), attr("value", csrf)]),
                // Enter in a field without the script posts the form with its first button: save everything
                button("save_all", "全部保存", extra: [attr("class", "sr-only"), attr("tabindex", "-1"), attr("aria-hidden", "true")]),
                el("div", [attr("class", "grid-wrap"), el("table", [
                    attr("class", "grid"), attr("id", "grid-table"),
                    header(g, decisions: decisions),
                    el("tbody", g.rows.map { row($0, g, decisions: decisions, focus: $0.id == firstEditable, submitting: submitting) }),
                ])]),
                el("p", [attr("class", "grid-actions"),
                         button("save_all", "全部保存"),
                         button("submit_complete", "提交全部已填完的行", extra: [attr("id", "submit-complete")])]),
            ]),
            // the script's words, in the reader's language (the page is translated, the script is not)
            el("div", [attr("id", "grid-texts"), attr("hidden", "hidden")] + [
                ("saving", "正在保存…"), ("saved", "已保存"), ("failed", "未保存："), ("complete", "已填完，可提交"),
                ("missing", "尚未填写："), ("sep", "、"),
            ].map { el("span", [attr("data-t", $0.0), .text($0.1)]) }),
            .element(named: "script", nodes: [.attribute(named: "src", value: SiteURL.script.path), .attribute(named: "defer", value: "defer")])
        )
    }

    /// After a post: how many rows were submitted, saved or refused, then every row's outcome.
    static func outcomes(_ g: CycleService.Grid, submitting: Bool, posted: Bool) -> N {
        let done = g.rows.compactMap { r in r.outcome.map { (r, outcomeText($0, submitting: submitting)) } }
        guard posted, !done.isEmpty else { return .empty }
        var counts: [String] = []
        func count(_ label: String, _ match: (CycleService.RowOutcome) -> Bool) {
            let n = done.filter { match($0.0.outcome!) }.count
            if n > 0 { counts.append("\(label) \(n) 张表") }
        }
        count("已提交", { if case .submitted = $0 { return true }; return false })
        count("已保存", { if case .saved = $0 { return true }; return false })
        count("没有改动", { if case .unchanged = $0 { return true }; return false })
        count(submitting ? "未提交" : "未保存", { switch $0 { case .incomplete, .refused: return true; default: return false } })
        let refused = done.contains { !$0.1.ok }
        return el("div", [attr("class", refused ? "notice error" : "notice demo"), attr("role", "status"), attr("id", "grid-outcome"),
                          .p(.text(counts.joined(separator: "，"))),
                          el("ul", [attr("class", "outcomes")] + done.map { pair -> N in
                              let (r, t) = pair
                              return el("li", [attr("class", t.ok ? "ok" : "no"), .text("\(r.employee) "), Bits.name(r.name), .text("：" + t.text)])
                          })])
    }

    static func header(_ g: CycleService.Grid, decisions: Bool) -> N {
        var cells: [N] = [el("th", [attr("class", "who"), attr("scope", "col"), .text("工号 · 姓名")])]
        for c in g.columns {
            let range: String
            if let grades = c.grades { range = "数字键 1–\(grades.count)" } else { range = "\(c.min ?? "0")–\(c.max ?? "")" }
            cells.append(el("th", [attr("id", "h-\(c.column)"), attr("scope", "col"), attr("data-col", c.column),
                                   el("span", [attr("class", "label"), .text(c.label)]), el("small", [.text(range)])]))
        }
        if decisions { cells.append(el("th", [attr("scope", "col"), .text("待裁定")])) }
        for h in ["总分", "等级", "须处理的问题", "保存与提交"] { cells.append(el("th", [attr("scope", "col"), .text(h)])) }
        return el("thead", [el("tr", cells)])
    }

    static func fieldError(_ id: String, _ text: String?) -> N {
        guard let text else { return .empty }
        return el("span", [attr("class", "error"), attr("id", id), attr("role", "alert"), .text(text)])
    }

    static func row(_ r: CycleService.GridRow, _ g: CycleService.Grid, decisions: Bool, focus: Bool, submitting: Bool) -> N {
        let sid = r.id.uuidString
        let prefix = "r.\(sid)."
        let outcome = r.outcome.map { outcomeText($0, submitting: submitting) }
        var classes = [r.editable ? "editable" : "readonly"]
        if let outcome { classes.append(outcome.ok ? "done" : "refused") }
        var nodes: [N] = [attr("id", "row-\(sid)"), attr("class", classes.joined(separator: " ")), attr("data-sheet", sid)]
        if r.editable {
            nodes += [attr("data-preview", SiteURL.api(.sheetPreview(r.id)).path), attr("data-save", SiteURL.api(.sheet(r.id)).path),
                      attr("data-items", g.columns.compactMap(\.item).joined(separator: " "))]
        }
        nodes.append(el("td", [attr("class", "who"), attr("id", "who-\(sid)"),
                               el("a", [attr("href", SiteURL.sheet(r.id).path), .text(r.employee)]), .text(" "), Bits.name(r.name),
                               r.editable ? el("input", [attr("type", "hidden"), attr("name", prefix + "version"), attr("value", String(r.version)),
                                                         attr("data-version", "1")]) : .empty]))
        for (i, c) in g.columns.enumerated() {
            let current = r.values[c.column] ?? ""
            guard r.editable else {
                nodes.append(el("td", [attr("class", c.grades == nil ? "num" : ""), .text(current.isEmpty ? "—" : current)]))
                continue
            }
            let err = r.errors[c.column]
            var a: [N] = [attr("name", prefix + "v." + c.column), attr("data-col", c.column), attr("aria-labelledby", "who-\(sid) h-\(c.column)")]
            if let item = c.item { a.append(attr("data-item", item)) }
            if c.required { a.append(attr("data-required", "1")) }
            if focus && i == 0 { a.append(attr("autofocus", "autofocus")) }
            if err != nil { a += [attr("aria-invalid", "true"), attr("aria-describedby", "err-\(sid)-\(c.column)")] }
            nodes.append(el("td", [attr("data-col", c.column), control(c, current, a), fieldError("err-\(sid)-\(c.column)", err)]))
        }
        if decisions {
            var cell: [N] = [attr("class", "decide")]
            for d in r.decisions {
                let err = r.errors[d.column]
                var a: [N] = [attr("name", prefix + "v." + d.column), attr("data-col", d.column)]
                if err != nil { a += [attr("aria-invalid", "true"), attr("aria-describedby", "err-\(sid)-\(d.column)")] }
                cell.append(el("label", [.text(d.label + " "), control(d, r.values[d.column] ?? "", a)]))
                cell.append(fieldError("err-\(sid)-\(d.column)", err))
            }
            if !r.decisions.isEmpty {
                // the reason sits beside the decision it explains (改变依据数据得出的项目须说明原因)
                let err = r.errors["reason"]
                var a: [N] = [attr("type", "text"), attr("class", "why"), attr("name", prefix + "reason"), attr("data-col", "reason"),
                              attr("value", r.reason)]
                if err != nil { a += [attr("aria-invalid", "true"), attr("aria-describedby", "err-\(sid)-reason")] }
                cell.append(el("label", [.text("裁定原因 "), el("input", a)]))
                cell.append(fieldError("err-\(sid)-reason", err))
            }
            nodes.append(el("td", cell))
        }
        nodes.append(el("td", [attr("class", "num"), attr("data-total", "1"), .text(r.total ?? "—")]))
        nodes.append(el("td", [attr("data-grade", "1"), .text(r.grade ?? "—")]))
        nodes.append(el("td", [attr("class", "flags"),
                               r.returned.map { el("p", [attr("class", "returned"), .text("退回原因："), Bits.typed($0)]) } ?? .empty,
                               el("ul", [attr("data-flags", "1")] + r.flags.map { el("li", [.text($0)]) })]))
        var status: [N] = [attr("class", "status")]
        status.append(el("span", [attr("data-status", "1"), attr("role", "status"),
                                  .text(outcome?.text ?? (r.editable ? "" : SheetStageLabel.label(r.stage.rawValue)))]))
        if !r.editable, case .submitted? = r.outcome {
            status.append(el("span", [.text("（\(r.stage.label)）")]))
        }
        if !r.unsaved.isEmpty {
            status.append(el("p", [attr("class", "error"),
                                   .text("你填写的未保存：" + r.unsaved.map { "\($0.label) \($0.value)" }.joined(separator: "；"))]))
        }
        if r.editable { status.append(el("div", [button("save:\(sid)", "保存")])) }
        nodes.append(el("td", status))
        return el("tr", nodes)
    }

    /// One field: a choice for a grade, a number with the scheme's bounds for a mark or a decision.
    static func control(_ c: CycleService.GridColumn, _ current: String, _ common: [N]) -> N {
        if let grades = c.grades {
            var options: [N] = [el("option", [attr("value", ""), .text("—")])]
            for g in grades {
                options.append(el("option", [attr("value", g)] + (g == current ? [attr("selected", "selected")] : []) + [.text(g)]))
            }
            return el("select", common + options)
        }
        var a = common + [attr("type", "number"), attr("step", "any"), attr("inputmode", "decimal"), attr("value", current)]
        if let m = c.min { a.append(attr("min", m)) }
        if let m = c.max { a.append(attr("max", m)) }
        return el("input", a)
    }
}
