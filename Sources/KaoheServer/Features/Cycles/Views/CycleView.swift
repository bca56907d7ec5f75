import Foundation
import KaoheCore
import Plot

/// Pages of the appraisal cycle (issue 6; the full scoring form and its browser tests are issue 7's).
enum CycleView {
    /// The caller's part on a listed sheet (`CycleService.Mine.role`), as they read it.
    static let roleLabel = ["self": "自评", "rater": "评分", "reviewer": "复核/申诉", "acknowledge": "确认或申诉", "view": "查看"]

    /// A hidden field; its value is often data (a scheme's key, a period): escaped (`HTMLEscape`).
    static func hidden(_ name: String, _ value: String) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name(HTMLEscape.attribute(name)), .value(HTMLEscape.attribute(value)))
    }

    /// `/sheets`: the teams I rate on one screen (issue 17 §1), what is waiting for me (the inbox follows: `InboxView`).
    static func mine(_ rows: [CycleService.Mine], grids: [TeamGridStore.GridRow] = []) -> Node<HTML.BodyContext> {
        return .group(
            .if(!grids.isEmpty, .group(
                .h2("按班组评分"),
                .ul(.class("grids"), .forEach(grids) { g in
                    .li(.a(.href(SiteURL.teamGrid(g.cycle_id, g.team_id).path), .text("\(g.period) "), Bits.name(g.team), .text(" 评分表格")),
                        .text("：尚待评分 \(g.waiting) 张表，共 \(g.sheets) 张表"))
                }))),
            .h2("待办的考核表"),
            .if(rows.isEmpty, .p(.class("empty"), "暂无 nothing waiting")),
            .if(!rows.isEmpty, .table(
                .tr(.th("工号"), .th("姓名"), .th("期间"), .th("阶段"), .th("我要做的"), .th("截止")),
                .forEach(rows) { r in
                    .tr(.td(.a(.href(SiteURL.sheet(r.id).path), .text(r.employee))), .td(Bits.name(r.name)), .td(.a(.href(SiteURL.sheet(r.id).path), .text(r.period))),
                        .td(SheetStageLabel.badge(r.stage)), .td(.text(Self.roleLabel[r.role] ?? r.role)), .td(.text(r.deadline ?? "")))
                }))
        )
    }

    struct Action { var action: String; var label: String; var needsReason: Bool; var sendsValues: Bool }

    /// A sheet action's button, as the person at that stage reads it.
    static func label(_ a: SheetAction, at stage: SheetStage) -> String {
        switch a {
        case .submitSelf: return "提交自评"
        case .skipSelf: return "自评逾期，跳过（须写原因）"
        case .submitRating: return "提交评分"
        case .approve: return "复核通过"
        case .adjust: return stage == .ready ? "校准调整（须写原因）" : "调整（须写原因）"
        case .returnToRater: return "退回评分人（须写原因）"
        case .acknowledge: return "确认结果"
        case .object: return "提出申诉（须写原因）"
        case .uphold: return "维持原结果（须写原因）"
        case .change: return "修改结果（须写原因）"
        case .correct: return "更正（须写原因）"
        case .publish: return "发布"
        case .lock: return "锁定"
        }
    }

    /// A past step as the history reads it: 提交评分, not `submit_rating`.
    static func actionName(_ raw: String) -> String {
        if let a = SheetAction(rawValue: raw) { return label(a, at: .rating).replacingOccurrences(of: "（须写原因）", with: "") }
        return ["accountability": "追究评分责任", "recompute": "依据变更，重新计算", "withdraw": "撤回考核表", "cancel": "取消考核周期"][raw] ?? raw
    }

    /// A stage as the history reads it: 上级评分, not `rating`.
    static func stageName(_ raw: String) -> String { SheetStage(rawValue: raw)?.label ?? raw }

    /// What the viewer does on the items besides filling marks (issue 17 §4): the employee ticks
    /// the items an objection points at, the reviewer decides each objected item.
    struct ItemMode { var objecting = false; var deciding = false }

    static func mode(_ actions: [Action]) -> ItemMode {
        ItemMode(objecting: actions.contains { $0.action == SheetAction.object.rawValue },
                 deciding: actions.contains { $0.action == SheetAction.uphold.rawValue || $0.action == SheetAction.change.rawValue })
    }

    /// What the sheet's form shows beyond the stored sheet (issue 17 §1): the decision fields open
    /// on the items whose flag waits for the rater, what a refused form carried (its values are
    /// already laid over the sheet's), the refusal beside the field it is about, the way to the
    /// previous and next sheet and to the team's grid.
    struct SheetForm {
        /// items whose decision field (`….override`) is shown in their row
        var decide: Set<String> = []
        /// field → the refusal beside it: a column, `why.<column>` (a decision's reason) or `reason`
        var errors: [String: String] = [:]
        /// the reasons typed beside decisions, by the decision's column
        var whys: [String: String] = [:]
        /// the text typed in the form's reason box
        var reason: String = ""
        var nav: CycleService.SheetNav? = nil
    }

    /// Whether a field is shown in its item's row: every mark and grade; a decision (`….override`)
    /// only where a flag on its item waits for it, or where one was already given or typed.
    static func shows(_ f: CycleService.FieldDTO, _ s: CycleService.SheetDTO, _ form: SheetForm) -> Bool {
        guard f.column.hasSuffix(".override") else { return true }
        return f.item.map(form.decide.contains) == true || !(s.values[f.column] ?? "").isEmpty
    }

    /// Every item of the sheet on one table: its rule, points, maximum, the fields the viewer fills
    /// for it (in the item's row, in the scheme's order, so Tab goes down the sheet: the marks, then
    /// the overall evaluation), and its explanation with what stops it being scored next to the
    /// fields (updated as the rater types), the comments on it and its objection. On a phone each
    /// item is a card (`table.cards`, the cells' `data-label` naming what they hold).
    static func itemsTable<C>(_ s: CycleService.SheetDTO, withFields: Bool, actions: [Action] = [], form: SheetForm = SheetForm()) -> Node<C> {
        let fill = withFields && !s.fields.isEmpty
        let head = ["项目", "规则", "得分", "满分"] + (fill ? ["填写"] : []) + ["依据与计算"]
        let ths: [Node<C>] = head.map { .element(named: "th", text: $0) }
        let header: Node<C> = .element(named: "tr", nodes: [.attribute(named: "class", value: "head")] + ths)
        let m = withFields ? mode(actions) : ItemMode()
        let first = s.fields.first { shows($0, s, form) }?.column
        let rows: [Node<C>] = s.items.map { itemRow($0, s, fill: fill, mode: m, commenting: withFields && s.commentable, form: form, first: first) }
        return .element(named: "table", nodes: [.attribute(named: "id", value: "items"), .attribute(named: "class", value: "cards"), header] + rows)
    }

    static func itemRow<C>(_ i: CycleService.ItemDTO, _ s: CycleService.SheetDTO, fill: Bool, mode: ItemMode = ItemMode(), commenting: Bool = false,
                           form: SheetForm = SheetForm(), first: String? = nil) -> Node<C> {
        func td(_ cls: String, _ label: String, _ text: String) -> Node<C> {
            .element(named: "td", nodes: [.attribute(named: "class", value: cls), .attribute(named: "data-label", value: label), .text(text)])
        }
        var cells: [Node<C>] = [.attribute(named: "data-item", value: HTMLEscape.attribute(i.id)), .attribute(named: "class", value: i.flag == nil ? "" : "flagged"),
                                td("label", "项目", i.label), td("rule", "规则", i.rule), td("num pts", "得分", i.points ?? "—"), td("num max", "满分", i.max ?? "")]
        if fill {
            let mine = s.fields.filter { $0.item == i.id && shows($0, s, form) }
            cells.append(.element(named: "td", nodes: [.attribute(named: "class", value: "fill"), .attribute(named: "data-label", value: "填写")] + mine.flatMap { f -> [Node<C>] in
                var out: [Node<C>] = [field(f, s, autofocus: f.column == first, form: form)]
                // the reason beside the decision it explains (改变依据数据得出的项目须说明原因)
                if f.column.hasSuffix(".override") { out.append(decisionReason(f, form)) }
                return out
            }))
        }
        let why: Node<C> = .element(named: "span", nodes: [.attribute(named: "class", value: "why"), .text(i.explanation)])
        let flag: Node<C> = .element(named: "p", nodes: [.attribute(named: "class", value: "flag error"), .attribute(named: "role", value: "status"), .text(i.flag ?? "")])
        let head: [Node<C>] = [.attribute(named: "id", value: HTMLEscape.attribute("why-\(i.id)")), .attribute(named: "class", value: "explained"),
                               .attribute(named: "data-label", value: "依据与计算"), why, flag,
                               QAChecklistView.onSheet(i.recordings ?? [])]
        cells.append(.element(named: "td", nodes: head + itemNotes(i.id, s, mode: mode, commenting: commenting)))
        return .element(named: "tr", nodes: cells)
    }

    /// Under an item's explanation: the comments on it, its objection with the decision, and the
    /// boxes the viewer fills — a comment (rater, reviewer), the tick and reason of an objection
    /// (the employee), the decision on an objected item (the reviewer).
    static func itemNotes<C>(_ item: String, _ s: CycleService.SheetDTO, mode: ItemMode, commenting: Bool) -> [Node<C>] {
        // values here are data (item ids, what people typed): escaped
        func attr(_ name: String, _ value: String) -> Node<C> { .attribute(named: name, value: HTMLEscape.attribute(value), ignoreIfValueIsEmpty: false) }
        // a box with its label around it (a textarea's own attributes are not translated)
        func box(_ name: String, _ label: String, _ value: String) -> Node<C> {
            .element(named: "label", nodes: [attr("class", "note"), .element(named: "span", nodes: [attr("class", "hint"), .text(label)]),
                                             .element(named: "textarea", nodes: [attr("name", name), attr("rows", "1"), attr("class", "note"),
                                                                                 attr("maxlength", String(NoteText.maxLength)), .text(value)])])
        }
        var out: [Node<C>] = []
        for c in s.comments where c.item == item && !(commenting && c.mine) {
            out.append(.element(named: "p", nodes: [attr("class", "comment"), .element(named: "span", nodes: [attr("class", "who"), .text(c.role == "reviewer" ? "复核人评语" : "评分人评语")]),
                                                    .text(" "), Bits.name(c.author), .text(" " + LocalTime.text(c.at) + "："), Bits.typed(c.text)]))
        }
        if let o = s.objection.first(where: { $0.item == item }) {
            out.append(.element(named: "p", nodes: [attr("class", "objection"), .element(named: "span", nodes: [attr("class", "who"), .text("申诉理由：")]), Bits.typed(o.reason)]))
            var decided: [Node<C>] = [attr("class", o.decision == nil ? "objection pending" : "objection decided"),
                                      .element(named: "span", nodes: [attr("class", "who"), .text("处理结果：")]), .text(decisionText(o))]
            if let by = o.decidedBy { decided += [.text("（"), Bits.name(by), .text(o.decidedAt.map { " " + LocalTime.text($0) } ?? ""), .text("）")] }
            if let n = o.note { decided += [.text("："), Bits.typed(n)] }
            out.append(.element(named: "p", nodes: decided))
            if mode.deciding && o.decision == nil {
                let choices: [(value: String, text: String)] = [("", "—"), ("upheld", "维持"), ("changed", "修改（在本项填写新的分数）")]
                let options: [Node<C>] = choices.map { c in .element(named: "option", nodes: [attr("value", c.value), .text(c.text)]) }
                out.append(.element(named: "label", nodes: [attr("class", "decide"), .text("对此项的决定 "), .element(named: "select", nodes: [attr("name", "d." + item)] + options)]))
                out.append(box("dn." + item, "对此项决定的说明（可选）", ""))
            }
        }
        if mode.objecting {
            out.append(.element(named: "label", nodes: [attr("class", "object"),
                                                        .element(named: "input", nodes: [attr("type", "checkbox"), attr("name", "o." + item), attr("value", "1")]),
                                                        .text(" 对此项申诉")]))
            out.append(box("or." + item, "对此项的申诉理由", ""))
        }
        if commenting {
            out.append(box("c." + item, "评语（可选，员工在结果发布后可见）", s.comments.last { $0.item == item && $0.mine }?.text ?? ""))
        }
        return out
    }

    /// An objected item's decision as the employee reads it.
    static func decisionText(_ o: CycleService.ObjectionItemDTO) -> String {
        switch o.decision {
        case "upheld"?: return "维持原结果（\(o.points ?? "—")）"
        case "changed"?: return "已修改：\(o.points ?? "—") → \(o.after ?? "—")"
        default: return "待复核人处理"
        }
    }

    /// The performance pay of a published month with its explanation (R-100-01: not before).
    static func payLine(_ s: CycleService.SheetDTO) -> Node<HTML.BodyContext> {
        .unwrap(s.pay) { payLine(paid: $0.paid, provisional: $0.provisional, explanation: $0.explanation) }
    }

    /// The pay line as the sheet and the agent's home show it: the figure with thousands separators.
    static func payLine(paid: String, provisional: Bool, explanation: String) -> Node<HTML.BodyContext> {
        .div(.class("pay"),
             .p(.class("pay-line"), .text("绩效工资 "), .strong(.id("pay"), .text(Forms.grouped(paid))), .text(" 元"), .if(provisional, .text("（暂定，待评分人裁定后确定）"))),
             .p(.class("why"), .text(explanation)))
    }

    /// Every money line of a published month in yuan (fines negative), with their sum; the
    /// employee ticks a line to object to it.
    static func moneyTable<C: HTML.BodyContext>(_ s: CycleService.SheetDTO, actions: [Action]) -> Node<C> {
        guard !s.money.isEmpty else { return .empty }
        let m = mode(actions)
        return .group(
            .h2("奖惩（元）"),
            .table(.class("cards money"),
                   .tr(.class("head"), .th("项目"), .th("规则"), .th("金额(元)"), .th("依据与计算")),
                   .forEach(s.money) { line in
                       .tr(.attribute(named: "data-item", value: HTMLEscape.attribute(line.id)),
                           .td(.class("label"), .attribute(named: "data-label", value: "项目"), .text(line.label)),
                           .td(.class("rule"), .attribute(named: "data-label", value: "规则"), .text(line.rule)),
                           .td(.class("num amount"), .attribute(named: "data-label", value: "金额(元)"), .text(line.amount)),
                           .td(.class("explained"), .attribute(named: "data-label", value: "依据与计算"),
                               .span(.class("why"), .text(line.explanation)), .group(itemNotes(line.id, s, mode: m, commenting: false))))
                   },
                   .unwrap(s.moneyTotal) { t in
                       .tr(.class("total"), .td(.class("label"), .attribute(named: "data-label", value: "项目"), .text("奖惩合计")), .td(),
                           .td(.class("num amount"), .attribute(named: "data-label", value: "金额(元)"), .text(t)), .td())
                   })
        )
    }

    /// The items an objection named, each with its reason and the reviewer's decision.
    static func objectionSummary(_ s: CycleService.SheetDTO) -> Node<HTML.BodyContext> {
        guard !s.objection.isEmpty else { return .empty }
        return .group(
            .h2("申诉项目"),
            .table(.class("cards objections"),
                   .tr(.class("head"), .th("项目"), .th("申诉理由"), .th("处理结果"), .th("处理人"), .th("说明")),
                   .forEach(s.objection) { o in
                       .tr(.attribute(named: "data-item", value: HTMLEscape.attribute(o.item)),
                           .td(.class("label"), .attribute(named: "data-label", value: "项目"), .text(o.label)),
                           .td(.attribute(named: "data-label", value: "申诉理由"), Bits.typed(o.reason)),
                           .td(.class(o.decision == nil ? "pending" : "decided"), .attribute(named: "data-label", value: "处理结果"), .text(decisionText(o))),
                           .td(.attribute(named: "data-label", value: "处理人"), Bits.name(o.decidedBy ?? ""), .text(o.decidedAt.map { " " + LocalTime.text($0) } ?? "")),
                           .td(.attribute(named: "data-label", value: "说明"), Bits.typed(o.note ?? "")))
                   })
        )
    }

    /// Every comment as it was written (a changed comment keeps its earlier text): part of the record.
    static func commentLog(_ s: CycleService.SheetDTO) -> Node<HTML.BodyContext> {
        guard !s.commentLog.isEmpty else { return .empty }
        let labels = Dictionary(s.items.map { ($0.id, $0.label) } + s.money.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        return .details(.summary(.text("评语记录（\(s.commentLog.count) 条）")),
                        .table(.tr(.th("时间"), .th("项目"), .th("人"), .th("评语")),
                               .forEach(s.commentLog) { c in
                                   .tr(.td(.text(LocalTime.text(c.at))), .td(.text(labels[c.item] ?? c.item)), .td(Bits.name(c.author)),
                                       .td(.if(c.text.isEmpty, .text("（撤回）")), Bits.typed(c.text)))
                               }))
    }

    /// The refusal beside the field it is about (a value out of range, a decision without its reason).
    static func fieldError<C>(_ key: String, _ form: SheetForm) -> Node<C> {
        guard let text = form.errors[key] else { return .empty }
        return .element(named: "span", nodes: [.attribute(named: "class", value: "error"), .attribute(named: "role", value: "alert"),
                                               .attribute(named: "id", value: HTMLEscape.attribute("err-\(key)")), .text(text)])
    }

    /// A decision's reason box (`why.<column>`), beside the decision.
    static func decisionReason<C>(_ f: CycleService.FieldDTO, _ form: SheetForm) -> Node<C> {
        func attr(_ name: String, _ value: String) -> Node<C> { .attribute(named: name, value: HTMLEscape.attribute(value), ignoreIfValueIsEmpty: false) }
        let key = "why." + f.column
        var a: [Node<C>] = [attr("type", "text"), attr("name", key), attr("value", form.whys[f.column] ?? ""), attr("size", "24")]
        if form.errors[key] != nil { a += [attr("aria-invalid", "true"), attr("aria-describedby", "err-\(key)")] }
        return .element(named: "label", nodes: [attr("class", "field"), .text("裁定原因 "), .element(named: "input", nodes: a), fieldError(key, form)])
    }

    /// One input: a choice for a grade, a number (with the scheme's bounds, checked by the browser
    /// before the server) for a mark; the refusal about it beside it.
    static func field<C>(_ f: CycleService.FieldDTO, _ s: CycleService.SheetDTO, autofocus: Bool, form: SheetForm = SheetForm()) -> Node<C> {
        // values here are data (item ids, columns, grades, what the rater typed): escaped
        func attr(_ name: String, _ value: String) -> Node<C> { .attribute(named: name, value: HTMLEscape.attribute(value), ignoreIfValueIsEmpty: false) }
        var common: [Node<C>] = [attr("name", "v." + f.column)]
        let invalid = form.errors[f.column] != nil
        if let item = f.item { common.append(attr("aria-describedby", "why-\(item)" + (invalid ? " err-\(f.column)" : ""))) }
        else if invalid { common.append(attr("aria-describedby", "err-\(f.column)")) }
        if invalid { common.append(attr("aria-invalid", "true")) }
        if autofocus { common.append(attr("autofocus", "autofocus")) }
        let current = s.values[f.column] ?? ""
        let control: Node<C>
        if let grades = f.grades {
            var options: [Node<C>] = [.element(named: "option", nodes: [attr("value", ""), .text("—")])]
            for g in grades {
                var o: [Node<C>] = [attr("value", g)]
                if g == current { o.append(attr("selected", "selected")) }
                o.append(.text(g))
                options.append(.element(named: "option", nodes: o))
            }
            control = .element(named: "select", nodes: common + options)
        } else {
            var a = common + [attr("type", "number"), attr("step", "any"), attr("value", current), attr("inputmode", "decimal"), attr("size", "6")]
            if let m = f.min { a.append(attr("min", m)) }
            if let m = f.max { a.append(attr("max", m)) }
            control = .element(named: "input", nodes: a)
        }
        return .element(named: "label", nodes: [attr("class", "field"), .text(f.label + " "), control, fieldError(f.column, form)])
    }

    /// 上一张 / 下一张 among the sheets the viewer handles in the cycle (by 工号), and the way back
    /// to the team's grid for its rater.
    static func nav(_ n: CycleService.SheetNav) -> Node<HTML.BodyContext> {
        func step(_ id: UUID?, _ label: String, _ rel: String) -> Node<HTML.BodyContext> {
            guard let id else { return .element(named: "span", nodes: [.attribute(named: "class", value: "muted"), .text(label)]) }
            return .a(.href(SiteURL.sheet(id).path), .attribute(named: "rel", value: rel), .text(label))
        }
        return .element(named: "nav", nodes: [
            .attribute(named: "class", value: "sheet-nav"), .attribute(named: "aria-label", value: "上一张与下一张"),
            step(n.previous, "← 上一张", "prev"), .text(" \(n.position) / \(n.count) "), step(n.next, "下一张 →", "next"),
            .unwrap(n.team) { t in .group(.text(" · "), .a(.href(SiteURL.teamGrid(n.cycle, t).path), "回到班组评分表格")) },
        ])
    }

    /// `/sheets/:id`: every item with its rule and explanation, the fields the viewer may fill,
    /// the actions open to them, both totals and the history. A refused form comes back with every
    /// value typed and the refusal beside its field (`SheetForm`).
    static func sheet(_ s: CycleService.SheetDTO, actions: [Action], csrf: String, error: String?, form: SheetForm = SheetForm()) -> Node<HTML.BodyContext> {
        let itemIds = Set(s.items.map(\.id))
        let loose = s.fields.filter { f in shows(f, s, form) && (f.item.map { !itemIds.contains($0) } ?? true) }
        // decisions no flag asks for, folded away: a rater overruling a computed figure, a reviewer's adjustment
        let folded = s.fields.filter { !shows($0, s, form) }
        let editing = !s.editable.isEmpty
        // why the sheet came back, where the rater starts — not only in the history at the bottom
        let withdrawn = s.stage == SheetStage.withdrawn.rawValue
        let returned = s.stage == SheetStage.rating.rawValue ? s.history.last.flatMap { $0.action == SheetAction.returnToRater.rawValue ? $0 : nil } : nil
        return .group(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(form.nav) { nav($0) },
            .unwrap(returned) { h in
                .p(.class("notice returned"), .text("复核人退回，原因："), Bits.typed(h.reason ?? ""), .text("（"), Bits.name(h.actor), .text("，\(LocalTime.text(h.at))）"))
            },
            .p(.text("\(s.employee) "), Bits.name(s.name), .text(" · \(s.period) · 阶段：\(s.stageLabel)\(s.deadline.map { " · 截止 \($0)" } ?? "")")),
            // a withdrawn sheet is no result (R-100-01): no total, grade, pay or record to print, only why
            .if(withdrawn, .p(.class("notice"), .attribute(named: "role", value: "status"),
                              .text("这张考核表已撤回，不是考核结果：不计入排名、统计、年终资格和薪酬（R-100-01）"),
                              .unwrap(s.history.last(where: { $0.to == SheetStage.withdrawn.rawValue })) { h in
                                  .group(.text("。撤回原因："), Bits.typed(h.reason ?? ""), .text("（"), Bits.name(h.actor), .text("，\(LocalTime.text(h.at))）"))
                              })),
            // the monthly record to print, once the viewer may read the result (issue 17 §6)
            .if(!withdrawn && s.total != nil, .p(.class("downloads"), .a(.href(SiteURL.sheetPrint(s.id).path), "打印考核记录表"), .text("　"),
                                   .a(.href(SiteURL.sheetPrint(s.id).path([("format", "pdf")])), "下载 PDF"))),
            .if(!withdrawn, .group(
                .p(.class("totals"),
                   .text("当前总分 "), .strong(.id("live-total"), .text(s.total ?? "—")),
                   .unwrap(s.raterTotal) { .text("　评分人提交 \($0)") },
                   .unwrap(s.finalTotal) { .text("　最终结果 \($0)") },
                   .if(s.grade != nil || editing, .group(.text("　等级 "), .strong(.id("live-grade"), .text(s.grade ?? "—"))))),
                payLine(s))),
            // the sheet's flags follow the typing as the total does (they went stale: 83 / 不合格 beside 尚未评分)
            // a withdrawn sheet asks nobody for anything: no flags to act on
            .if(!withdrawn && (!s.flags.isEmpty || editing), .ul(.class("error"), .id("live-flags"), .forEach(s.flags) { .li(.text($0)) })),
            .p(.id("live-message"), .class("error"), .attribute(named: "role", value: "status")),
            .if(editing || !actions.isEmpty, .form(.action(SiteURL.sheet(s.id).path), .method(.post),
                .attribute(named: "data-preview", value: editing ? SiteURL.api(.sheetPreview(s.id)).path : ""),
                hidden("_csrf", csrf), hidden("version", String(s.version)),
                itemsTable(s, withFields: true, actions: actions, form: form),
                moneyTable(s, actions: actions),
                .if(!loose.isEmpty, .element(named: "fieldset", nodes: [.element(named: "legend", text: "其他")] + loose.flatMap { f -> [Node<HTML.FormContext>] in
                    [field(f, s, autofocus: false, form: form)] + (f.column.hasSuffix(".override") ? [decisionReason(f, form)] : [])
                })),
                .if(editing && !folded.isEmpty, .element(named: "details", nodes: [
                    .element(named: "summary", text: "改判其他依据数据得出的项目（须在下方写明原因）"),
                ] + folded.map { f -> Node<HTML.FormContext> in field(f, s, autofocus: false, form: form) })),
                .label(.text(Self.mode(actions).objecting ? "申诉说明（勾选了项目并写了各项理由时可不填；不勾选项目则为对整张表的申诉，必填）"
                             : "原因（调整、退回、申诉、处理申诉、更正时必填）"),
                       .textarea(.name("reason"), .attribute(named: "rows", value: "2"), .text(form.reason))),
                fieldError("reason", form),
                .if(editing, .button(.type(.submit), .name("action"), .value("save"), "保存并重新计算")),
                .forEach(actions) { a in .button(.type(.submit), .name("action"), .value(a.action), .text(a.label)) }
            )),
            .if(!editing && actions.isEmpty && !s.items.isEmpty, itemsTable(s, withFields: false)),
            .if(!editing && actions.isEmpty, moneyTable(s, actions: [])),
            objectionSummary(s),
            .element(named: "script", nodes: [.attribute(named: "src", value: SiteURL.script.path), .attribute(named: "defer", value: "defer")]),
            .if(!s.accountability.isEmpty, .group(.h2("评分责任（R-001-15）"), .ul(.forEach(s.accountability) { f in .li(.text("\(f.explanation) — \(f.status)")) }))),
            .if(!s.corrections.isEmpty, .group(
                .h2("更正（R-100-02）"),
                .table(.tr(.th("时间"), .th("更正人"), .th("原因"), .th("改动"), .th("总分"), .th("绩效工资(元)"), .th("差额(元)"), .th("计入工资月份")),
                       .forEach(s.corrections) { c in
                           .tr(.td(.text(LocalTime.text(c.at))), .td(Bits.name(c.actor)), .td(Bits.typed(c.reason)),
                               .td(Bits.typed(c.changes.map { "\($0.column)：\($0.before ?? "—") → \($0.after ?? "—")" }.joined(separator: "；"))),
                               .td(.class("num"), .text("\(c.beforeTotal ?? "—") → \(c.afterTotal ?? "—")")),
                               .td(.class("num"), .text("\(c.beforePay ?? "—") → \(c.afterPay ?? "—")")),
                               .td(.class("num"), .text(c.difference)), .td(.text(c.settledIn)))
                       }))),
            .h2("记录"),
            .table(.tr(.th("时间"), .th("操作"), .th("人"), .th("阶段"), .th("原因"), .th("前"), .th("后")),
                   .forEach(s.history) { h in
                       .tr(.td(.text(LocalTime.text(h.at))), .td(.text(Self.actionName(h.action))), .td(Bits.name(h.actor)),
                           .td(.text("\(Self.stageName(h.from)) → \(Self.stageName(h.to))")),
                           .td(Bits.typed(h.reason ?? "")), .td(.class("num"), .text(h.before ?? "")), .td(.class("num"), .text(h.after ?? "")))
                   }),
            commentLog(s)
        )
    }

    /// `/cycles` (HR): open a cycle; every cycle with its stages, overdue people and the next steps.
    static func cycles(_ list: [CycleService.CycleDTO], schemes: [(String, String)], departments: [(String, String)], teams: [(String, String)], csrf: String,
                       message: String?, error: String?, assignments: Node<HTML.BodyContext> = .empty, cancelled: [UUID: String] = [:]) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .h2("发起考核"),
            // the opening is previewed first: each team with its scheme and people, who is left out and why (issue 16 §4)
            .form(.action(SiteURL.cyclePreview.path), .method(.post), hidden("_csrf", csrf),
                  .label(.text("方案 "), DataView.select("scheme", [("", "按各班组指定的方案")] + schemes)),
                  .label(.text("期间（2026-10、2026-Q4、2026）"), .input(.type(.text), .name("period"), .required(true))),
                  .label(.text("部门 "), DataView.select("department", [("", "方案所属部门 / 全部")] + departments)),
                  .label(.text("班组（部门内各组用不同方案时选择）"), DataView.select("team", [("", "整个部门")] + teams)),
                  .button(.type(.submit), "预览：发起并下发考核表")),
            assignments,
            .h2("考核周期"),
            .forEach(list) { c in
                .section(
                    .h3(.text("\(c.scheme) v\(c.schemeVersion) · \(c.period) · "), Self.cycleBadge(c.status)),
                    .unwrap(cancelled[c.id]) { why in .p(.class("error"), .text("已取消，原因："), Bits.typed(why)) },
                    .p(.text("下发 \(c.issuedOn)，评分截止 \(c.ratingDue)，复核截止 \(c.reviewDue)，发布截止 \(c.publishDue)\(c.objectionsClose.map { "，申诉截止 \($0)" } ?? "")（R-002-30）")),
                    .p(.text("共 \(c.sheets) 张：" + c.stages.sorted { $0.key < $1.key }.map { "\(SheetStageLabel.label($0.key)) \($0.value)" }.joined(separator: "，"))),
                    .if(!c.excluded.isEmpty, .details(.summary(.text("未下发 \(c.excluded.count) 人")), .ul(.forEach(c.excluded.sorted { $0.key < $1.key }) { .li(.text("\($0.key)：\($0.value)")) }))),
                    .if(!c.overdue.isEmpty, .ul(.class("error"), .forEach(c.overdue) { o in .li(.text("逾期："), Bits.name(o.user), .text(" · \(SheetStageLabel.label(o.stage)) · 截止 \(o.due) · "), Bits.name(o.employees.joined(separator: "、"))) })),
                    .if(c.status == CycleStatus.open.rawValue, .form(.class("inline"), .action(SiteURL.cycleStep(c.id, "remind").path), .method(.post), hidden("_csrf", csrf), .button(.type(.submit), "催办"))),
                    // publication is confirmed on its own page: how many, who is missing, what people will see (issue 16 §4)
                    .if(c.status == CycleStatus.open.rawValue, .a(.class("button"), .href(SiteURL.cyclePublishConfirm(c.id).path), "发布结果…")),
                    .if(c.status == CycleStatus.published.rawValue, .form(.class("inline"), .action(SiteURL.cycleStep(c.id, "lock").path), .method(.post), hidden("_csrf", csrf), .button(.type(.submit), "锁定"))),
                    .a(.href(SiteURL.calibration(c.id).path), "校准（评分人对比、强制分布）"),
                    .text(" · "), .a(.href(SiteURL.review(c.id).path), "批量复核"),
                    .text(" · "), .a(.href(HTMLEscape.attribute(SiteURL.reportPrint(Forms.Kind.monthlyRecord.rawValue).path([("cycle", c.id.uuidString)]))), "打印月度考核记录表"),
                    CycleControlView.controls(c, csrf: csrf)
                )
            }
        )
    }
}

extension CycleView {
    /// A cycle's status as a badge, in words: 进行中, 已发布, 已锁定, 已取消 (not `locked`).
    static func cycleBadge<C>(_ raw: String) -> Node<C> {
        let (text, tone): (String, String) = switch CycleStatus(rawValue: raw) {
        case .open?: ("进行中", "badge")
        case .published?: ("已发布", "badge ok")
        case .locked?: ("已锁定", "badge ok")
        case .cancelled?: ("已取消", "badge bad")
        case nil: (raw, "badge")
        }
        return .element(named: "span", nodes: [.attribute(named: "class", value: tone), .text(text)])
    }
}

enum SheetStageLabel {
    static func label(_ raw: String) -> String { SheetStage(rawValue: raw)?.label ?? raw }

    /// A stage as a status badge (design system): counted results green, an open objection amber,
    /// work in progress blue.
    static func badge<C>(_ raw: String) -> Node<C> {
        let stage = SheetStage(rawValue: raw)
        let tone = stage == .objected ? "badge warn" : (stage?.isClosed ?? false) ? "badge ok" : "badge"
        return .element(named: "span", nodes: [.attribute(named: "class", value: tone), .text(label(raw))])
    }
}
