import Foundation
import KaoheCore
import Plot

/// Pages of the appraisal cycle (issue 6; the full scoring form and its browser tests are issue 7's).
enum CycleView {
    static func hidden(_ name: String, _ value: String) -> Node<HTML.FormContext> { .input(.type(.hidden), .name(name), .value(value)) }

    /// `/sheets`: what is waiting for me, then my inbox.
    static func mine(_ rows: [CycleController.Mine], inbox: [CycleController.InboxDTO]) -> Node<HTML.BodyContext> {
        let roleLabel = ["self": "自评", "rater": "评分", "reviewer": "复核/申诉", "acknowledge": "确认或申诉", "view": "查看"]
        return .group(
            .h2("待办的考核表"),
            .if(rows.isEmpty, .p("暂无 nothing waiting")),
            .if(!rows.isEmpty, .table(
                .tr(.th("工号"), .th("姓名"), .th("期间"), .th("阶段"), .th("我要做的"), .th("截止")),
                .forEach(rows) { r in
                    .tr(.td(.a(.href("/sheets/\(r.id)"), .text(r.employee))), .td(Bits.name(r.name)), .td(.text(r.period)),
                        .td(.text(SheetStageLabel.label(r.stage))), .td(.text(roleLabel[r.role] ?? r.role)), .td(.text(r.deadline ?? "")))
                })),
            .h2("消息"),
            .if(inbox.isEmpty, .p("暂无消息")),
            .ul(.forEach(inbox.prefix(30)) { i in .li(.text(i.createdAt.formatted(.iso8601) + " "), i.link.map { .a(.href($0), .text(i.text)) } ?? .text(i.text)) })
        )
    }

    struct Action { var action: String; var label: String; var needsReason: Bool; var sendsValues: Bool }

    /// `/sheets/:id`: every item with its rule and explanation, the fields the viewer may fill,
    /// the actions open to them, both totals and the history.
    static func sheet(_ s: CycleService.SheetDTO, actions: [Action], csrf: String, error: String?) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .p(.text("\(s.employee) "), Bits.name(s.name), .text(" · \(s.period) · 阶段：\(s.stageLabel)\(s.deadline.map { " · 截止 \($0)" } ?? "")")),
            .p(.class("totals"),
               .text("当前总分 "), .strong(.id("live-total"), .text(s.total ?? "—")),
               .unwrap(s.raterTotal) { .text("　评分人提交 \($0)") },
               .unwrap(s.finalTotal) { .text("　最终结果 \($0)") },
               .unwrap(s.grade) { .text("　等级 \($0)") }),
            .if(!s.flags.isEmpty, .ul(.class("error"), .forEach(s.flags) { .li(.text($0)) })),
            .p(.id("live-message"), .class("error"), .attribute(named: "role", value: "status")),
            .if(!s.items.isEmpty, .table(.id("items"),
                .tr(.th("项目"), .th("规则"), .th("得分"), .th("满分"), .th("依据与计算")),
                .forEach(s.items) { i in
                    .tr(.attribute(named: "data-item", value: i.id), .td(.text(i.label)), .td(.text(i.rule)), .td(.class("num"), .text(i.points ?? "—")), .td(.class("num"), .text(i.max ?? "")), .td(.text(i.explanation)))
                })),
            .if(!s.editable.isEmpty || !actions.isEmpty, .form(.action("/sheets/\(s.id)"), .method(.post),
                .attribute(named: "data-preview", value: s.editable.isEmpty ? "" : "/api/v1/sheets/\(s.id)/preview"),
                hidden("_csrf", csrf), hidden("version", String(s.version)),
                .forEach(s.editable.sorted { $0.key < $1.key }) { column, label in
                    if let grades = s.choices[column] {
                        return .label(.text(label + " "), DataView.select("v." + column, [("", "—")] + grades.map { ($0, $0) }, selected: s.values[column]))
                    }
                    return .label(.text(label + " "), .input(.type(.text), .name("v." + column), .value(s.values[column] ?? ""),
                                                              .attribute(named: "inputmode", value: "decimal"), .attribute(named: "size", value: "6")))
                },
                .label(.text("原因（调整、退回、申诉、处理申诉、更正时必填）"), .textarea(.name("reason"), .attribute(named: "rows", value: "2"))),
                .if(!s.editable.isEmpty, .button(.type(.submit), .name("action"), .value("save"), "保存并重新计算")),
                .forEach(actions) { a in .button(.type(.submit), .name("action"), .value(a.action), .text(a.label)) }
            )),
            .element(named: "script", nodes: [.attribute(named: "src", value: "/assets/sheet.js"), .attribute(named: "defer", value: "defer")]),
            .if(!s.accountability.isEmpty, .group(.h2("评分责任（R-001-15）"), .ul(.forEach(s.accountability) { f in .li(.text("\(f.explanation) — \(f.status)")) }))),
            .h2("记录"),
            .table(.tr(.th("时间"), .th("操作"), .th("人"), .th("阶段"), .th("原因"), .th("前"), .th("后")),
                   .forEach(s.history) { h in
                       .tr(.td(.text(h.at.formatted(.iso8601))), .td(.text(h.action)), .td(Bits.name(h.actor)), .td(.text("\(h.from) → \(h.to)")),
                           .td(Bits.typed(h.reason ?? "")), .td(.class("num"), .text(h.before ?? "")), .td(.class("num"), .text(h.after ?? "")))
                   })
        )
    }

    /// `/cycles` (HR): open a cycle; every cycle with its stages, overdue people and the next steps.
    static func cycles(_ list: [CycleService.CycleDTO], schemes: [(String, String)], departments: [(String, String)], teams: [(String, String)], csrf: String,
                       message: String?, error: String?) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .h2("发起考核"),
            .form(.action("/cycles"), .method(.post), hidden("_csrf", csrf),
                  .label(.text("方案 "), DataView.select("scheme", schemes)),
                  .label(.text("期间（2026-10、2026-Q4、2026）"), .input(.type(.text), .name("period"), .required(true))),
                  .label(.text("部门 "), DataView.select("department", [("", "方案所属部门 / 全部")] + departments)),
                  .label(.text("班组（部门内各组用不同方案时选择）"), DataView.select("team", [("", "整个部门")] + teams)),
                  .button(.type(.submit), "发起并下发考核表")),
            .h2("考核周期"),
            .forEach(list) { c in
                .section(
                    .h3(.text("\(c.scheme) v\(c.schemeVersion) · \(c.period) · \(c.status)")),
                    .p(.text("下发 \(c.issuedOn)，评分截止 \(c.ratingDue)，复核截止 \(c.reviewDue)，发布截止 \(c.publishDue)\(c.objectionsClose.map { "，申诉截止 \($0)" } ?? "")（R-002-30）")),
                    .p(.text("共 \(c.sheets) 张：" + c.stages.sorted { $0.key < $1.key }.map { "\(SheetStageLabel.label($0.key)) \($0.value)" }.joined(separator: "，"))),
                    .if(!c.excluded.isEmpty, .details(.summary(.text("未下发 \(c.excluded.count) 人")), .ul(.forEach(c.excluded.sorted { $0.key < $1.key }) { .li(.text("\($0.key)：\($0.value)")) }))),
                    .if(!c.overdue.isEmpty, .ul(.class("error"), .forEach(c.overdue) { o in .li(.text("逾期："), Bits.name(o.user), .text(" · \(SheetStageLabel.label(o.stage)) · 截止 \(o.due) · "), Bits.name(o.employees.joined(separator: "、"))) })),
                    .form(.class("inline"), .action("/cycles/\(c.id)/remind"), .method(.post), hidden("_csrf", csrf), .button(.type(.submit), "催办")),
                    .form(.class("inline"), .action("/cycles/\(c.id)/publish"), .method(.post), hidden("_csrf", csrf), .button(.type(.submit), "发布结果")),
                    .form(.class("inline"), .action("/cycles/\(c.id)/lock"), .method(.post), hidden("_csrf", csrf), .button(.type(.submit), "锁定")),
                    .a(.href("/cycles/\(c.id)/calibration"), "校准（评分人对比、强制分布）")
                )
            }
        )
    }
}

enum SheetStageLabel {
    static func label(_ raw: String) -> String { SheetStage(rawValue: raw)?.label ?? raw }
}
