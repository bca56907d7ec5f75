import Foundation
import Plot

/// HR's retention page (R-000-07): what is past its keeping period, table by table, the archive to
/// download, and the purge.
struct RetentionModel {
    struct Line { var label: String; var count: Int }
    var error: String?
    var message: String?
    var csrf: String
    /// Months records are kept; the month before which they are past it (YYYY-MM).
    var months: Int
    var cutoff: String
    /// Rows past the period, in all and per table (in the archive's order).
    var total: Int
    var lines: [Line]
}

enum RetentionView {
    static func body(_ m: RetentionModel) -> Node<HTML.BodyContext> {
        let cutoff = m.cutoff
        return .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.text("考核记录保存 \(m.months) 个月（R-000-07）。\(cutoff) 之前的记录已过保存期：共 \(m.total) 行。")),
            .table(.tr(.th("记录"), .th("行数")),
                   .forEach(m.lines) { t in .tr(.td(.text(t.label)), .td(.text("\(t.count)"))) }),
            .p(.text("清理会删除上表中的全部记录（含事件备注、导入历史和相关审计条目），只留下一条记有行数的清理审计。存档可用 kaohe restore --archive 恢复。")),
            .p(.class("downloads"), .a(.href(SiteURL.api(.retentionArchive).path), "下载存档（JSON）")),
            .form(.method(.post), .action(SiteURL.retention.path), DataView.hidden(m.csrf),
                  .label(.text("清理此月之前的记录（YYYY-MM，不晚于 \(cutoff)）"), .input(.type(.text), .name("cutoff"), .value(HTMLEscape.attribute(cutoff)), .required(true))),
                  .label(.input(.type(.checkbox), .name("archived"), .value("true")), .text(" 我已下载并保存了存档")),
                  .button(.type(.submit), "清理"))
        )
    }
}
