import Foundation
import KaoheCore
import Plot

/// The pages of the cycle controls (issue 16 §4): the opening's preview, each team's scheme, a
/// cycle's cancellation and deadlines, the publication's confirmation, a sheet's withdrawal.
enum CycleControlView {
    static func hidden(_ name: String, _ value: String) -> Node<HTML.FormContext> { CycleView.hidden(name, value) }

    static func dateField(_ name: String, _ label: String, _ value: String) -> Node<HTML.FormContext> {
        .label(.text(label + " "), .input(.type(.date), .name(name), .value(HTMLEscape.attribute(value)), .required(true)))
    }

    static func excludedTable(_ rows: [CycleService.PlanExcluded]) -> Node<HTML.BodyContext> {
        .table(.class("excluded"),
               .tr(.th("工号"), .th("姓名"), .th("班组"), .th("未下发原因")),
               .forEach(rows) { x in
                   .tr(.td(.text(x.number)), .td(Bits.name(x.name)), .td(Bits.name(x.team ?? "—")),
                       .td(.text(x.reason), .unwrap(x.sheet) { id in .group(.text(" "), .a(.href(SiteURL.sheet(id).path), "查看已有的考核表")) }))
               })
    }

    /// `POST /cycles/preview`: each team with the scheme it will get and its people, everyone left
    /// out with why, the deadlines (editable), then 确认发起.
    static func preview(_ p: CycleService.PlanDTO, department: String?, team: String?, csrf: String) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("发起考核：预览 · \(p.period)")),
            .p(.text("范围："), .unwrap(department) { Bits.name($0) }, .if(department == nil, .text("全部部门")), .unwrap(team) { t in .group(.text(" · "), Bits.name(t)) },
               .text("。共下发 \(p.sheets) 张考核表，分 \(p.groups.filter { !$0.people.isEmpty }.count) 个考核周期（每个方案一个）。")),
            .forEach(p.groups) { g in
                .section(.class("plan"),
                    .h3(.text("方案 "), Bits.name(g.schemeName), .text("（\(g.scheme) v\(g.schemeVersion)）：\(g.people.count) 人")),
                    .if(!g.teams.isEmpty, .table(.tr(.th("班组"), .th("方案来源"), .th("下发")),
                                                 .forEach(g.teams) { t in .tr(.td(Bits.name(t.name)), .td(.text(t.source)), .td(.class("num"), .text("\(t.people)"))) })),
                    .if(!g.people.isEmpty, .details(.summary(.text("下发 \(g.people.count) 人")),
                        .table(.tr(.th("工号"), .th("姓名"), .th("班组"), .th("评分人"), .th("复核人")),
                               .forEach(g.people) { x in
                                   .tr(.td(.text(x.number)), .td(Bits.name(x.name)), .td(Bits.name(x.team ?? "—")), .td(Bits.name(x.rater)), .td(Bits.name(x.reviewer ?? "—")))
                               }))),
                    .if(g.people.isEmpty, .p(.class("error"), "这个方案没有人可以下发考核表，不会发起")),
                    .if(!g.excluded.isEmpty, .group(.h4(.text("未下发 \(g.excluded.count) 人")), excludedTable(g.excluded)))
                )
            },
            .if(!p.excluded.isEmpty, .section(.h3(.text("不属于以上方案、未下发 \(p.excluded.count) 人")), excludedTable(p.excluded))),
            .if(p.sheets == 0, .p(.class("error"), .attribute(named: "role", value: "alert"), "范围内没有人可以下发考核表")),
            .if(p.sheets > 0, .form(.action(SiteURL.cycles.path), .method(.post), hidden("_csrf", csrf),
                hidden("scheme", p.scheme), hidden("period", p.period),
                hidden("department", p.departmentId?.uuidString ?? ""), hidden("team", p.teamIds.first?.uuidString ?? ""),
                .fieldset(.element(named: "legend", text: "截止日期（可修改）R-002-30"),
                          .p(.text("下发日期 \(p.issuedOn)")),
                          .if(p.hasSelf, dateField("self_due", "自评截止", p.selfDue)),
                          dateField("rating_due", "评分截止", p.ratingDue),
                          dateField("review_due", "复核截止", p.reviewDue),
                          dateField("publish_due", "发布截止", p.publishDue)),
                .button(.type(.submit), "确认发起并下发考核表"))),
            .p(.a(.href(SiteURL.cycles.path), "返回修改"))
        )
    }

    /// The section of `/cycles` where HR sets each team's (and department's) scheme.
    static func assignments(_ rows: [CycleService.AssignmentRow], schemes: [(String, String)], csrf: String) -> Node<HTML.BodyContext> {
        .details(.summary(.text("各班组的考核方案（发起时每个班组用自己的方案）")),
            .form(.action(SiteURL.cycleAssignments.path), .method(.post), hidden("_csrf", csrf),
                .table(.tr(.th("班组 / 部门"), .th("考核方案"), .th("未指定时")),
                       .forEach(rows) { r in
                           .tr(.td(Bits.name(r.name), .if(r.team == nil, .text("（部门，班组未指定时使用）"))),
                               .td(DataView.select(r.team.map { "team.\($0.uuidString)" } ?? "department.\(r.department.uuidString)",
                                                   [("", "（未指定）")] + schemes, selected: r.scheme ?? "")),
                               .td(.text(r.team == nil ? "发起时所选的方案" : (r.fallback ?? "发起时所选的方案"))))
                       }),
                .button(.type(.submit), "保存各班组的方案")))
    }

    /// Under an open cycle on `/cycles`: its deadlines to move, and its cancellation with a reason.
    static func controls(_ c: CycleService.CycleDTO, csrf: String) -> Node<HTML.BodyContext> {
        guard c.status == CycleStatus.open.rawValue else { return .empty }
        return .group(
            .details(.summary(.text("修改截止日期")),
                .form(.action(SiteURL.cycleStep(c.id, "deadlines").path), .method(.post), hidden("_csrf", csrf),
                      dateField("self_due", "自评截止", c.selfDue), dateField("rating_due", "评分截止", c.ratingDue),
                      dateField("review_due", "复核截止", c.reviewDue), dateField("publish_due", "发布截止", c.publishDue),
                      .label(.text("说明（可选）"), .input(.type(.text), .name("reason"))),
                      .button(.type(.submit), "保存截止日期"))),
            .details(.summary(.text("取消这个考核周期")),
                .form(.action(SiteURL.cycleStep(c.id, "cancel").path), .method(.post), hidden("_csrf", csrf),
                      .p("发布前可以取消：全部考核表撤回，不计入任何结果；发布后只能逐张更正。（R-100-01、R-100-02）"),
                      .label(.text("原因（必填）"), .input(.type(.text), .name("reason"), .required(true))),
                      .button(.type(.submit), "取消考核周期")))
        )
    }

    /// On a sheet before publication, for HR: withdraw it with a reason.
    static func withdraw(_ s: CycleService.SheetDTO, csrf: String, error: String? = nil) -> Node<HTML.BodyContext> {
        .details(.summary(.text("撤回这张考核表（人事）")),
            .form(.action(SiteURL.sheetWithdraw(s.id).path), .method(.post), hidden("_csrf", csrf),
                  .p("撤回的表不再出现在任何列表，不会发布，结果不计入。（R-100-01）"),
                  .label(.text("原因（必填）"), .input(.type(.text), .name("reason"), .required(true))),
                  .unwrap(error) { .span(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                  .button(.type(.submit), "撤回考核表")))
    }

    /// `GET /cycles/:id/publish`: how many sheets, who is still missing, what each person will read.
    static func publish(_ p: CycleService.PublishPreview, csrf: String) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("发布结果：")),
            .p(Bits.name(p.scheme), .text(" · \(p.period)")),
            .if(p.status != .open, .p(.class("error"), .attribute(named: "role", value: "alert"), "这个考核周期不是待发布状态，不能发布")),
            .p(.class("totals"), .text("将发布 "), .strong(.id("publish-count"), .text("\(p.ready.count)")), .text(" 张考核表；尚未完成 "),
               .strong(.id("missing-count"), .text("\(p.missing.count)")), .text(" 张。")),
            .if(!p.missing.isEmpty, .group(
                .h3("尚未完成的考核表（须完成或撤回后才能发布）"),
                .table(.id("missing"), .tr(.th("工号"), .th("姓名"), .th("班组"), .th("阶段"), .th("等待"), .th("截止")),
                       .forEach(p.missing) { m in
                           .tr(.td(.a(.href(SiteURL.sheet(m.sheet).path), .text(m.number))), .td(Bits.name(m.name)), .td(Bits.name(m.team ?? "—")),
                               .td(.text(m.stage)), .td(Bits.name(m.waitingFor)), .td(.text(m.due ?? "")))
                       }))),
            .h3(.text("员工将看到（申诉截止 \(p.objectionsClose)）")),
            .table(.id("ready"), .tr(.th("工号"), .th("姓名"), .th("班组"), .th("总分"), .th("等级"), .th("绩效工资(元)")),
                   .forEach(p.ready) { r in
                       .tr(.td(.a(.href(SiteURL.sheet(r.sheet).path), .text(r.number))), .td(Bits.name(r.name)), .td(Bits.name(r.team ?? "—")),
                           .td(.class("num"), .text(r.total ?? "—")), .td(.text(r.grade ?? "—")),
                           .td(.class("num"), .text(r.pay.map { Forms.grouped($0) } ?? "—"), .if(r.provisional, .text("（暂定）"))))
                   }),
            .p("发布后每人收到站内消息：自己的总分和申诉截止日期"),
            .if(p.status == .open && p.missing.isEmpty && !p.ready.isEmpty,
                .form(.action(SiteURL.cycleStep(p.cycle, "publish").path), .method(.post), hidden("_csrf", csrf),
                      .button(.type(.submit), .text("确认发布 \(p.ready.count) 张")))),
            .p(.a(.href(SiteURL.cycles.path), "返回考核周期"))
        )
    }
}
