import Foundation
import Plot

/// HR's audit trail (R-004-03): every change, newest first, 200 a page, by object and actor.
struct AuditModel {
    struct Row { var at: Date; var actor: String; var action: String; var entity: String; var entityId: String; var before: String; var after: String; var reason: String }
    /// The objects to filter by, the one chosen and the actor searched for.
    var entities: [String]
    var entity: String?
    var actor: String
    var page: Int
    /// Whether this page is full (a next one may follow).
    var hasNext: Bool
    /// This page's address with the previous and next page number, escaped for an `href` (`Request.pageLink`).
    var previous: String
    var next: String
    var rows: [Row]
}

enum AuditView {
    static func body(_ m: AuditModel) -> Node<HTML.BodyContext> {
        .group(
            .p("每一次变更都有记录：谁、何时、改了什么、改之前和之后、为什么（R-004-03）。记录只增不改。"),
            .form(.method(.get), .action(SiteURL.audit.path),
                  .label(.text("对象 "), DataView.select("entity", [("", "全部")] + m.entities.map { ($0, $0) }, selected: m.entity)),
                  .label(.text("操作人 "), .input(.type(.search), .name("actor"), .value(HTMLEscape.attribute(m.actor)))),
                  .button(.type(.submit), "筛选")),
            .p(.class("downloads"), .a(.href(SiteURL.api(.auditCSV).path([("limit", "5000")])), "下载 CSV（最近 5000 条）"),
               .if(m.page > 1, .a(.href(m.previous), " 上一页")), .if(m.hasNext, .a(.href(m.next), " 下一页"))),
            .table(.tr(.th("时间"), .th("操作人"), .th("操作"), .th("对象"), .th("编号"), .th("前"), .th("后"), .th("原因")),
                   .forEach(m.rows) { a in
                       .tr(.td(.text(LocalTime.text(a.at))), .td(Bits.name(a.actor)), .td(.text(a.action)), .td(.text(a.entity)), .td(Bits.typed(a.entityId)),
                           .td(Bits.typed(a.before)), .td(Bits.typed(a.after)), .td(Bits.typed(a.reason)))
                   })
        )
    }
}
