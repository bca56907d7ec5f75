import Foundation
import Plot

/// HR's list of schemes: each scheme's latest version.
struct SchemesModel {
    struct Row { var key: String; var name: String; var version: Int; var department: String; var preset: String }
    /// By key.
    var rows: [Row]
}

enum SchemesView {
    static func body(_ m: SchemesModel) -> Node<HTML.BodyContext> {
        .group(
            .p("方案是数据：改动保存为新版本，已评的考核表保留原来的版本。"),
            .p(.a(.class("button"), .id("new-scheme"), .href(SiteURL.schemeBuilderNew.path), "新建方案（可视编辑）")),
            .table(.tr(.th("方案"), .th("名称"), .th("版本"), .th("部门"), .th("预设"), .th("编辑")),
                   .forEach(m.rows) { v in
                       .tr(.td(.a(.href(HTMLEscape.attribute(SiteURL.scheme(v.key).path)), .text(v.key))), .td(.text(v.name)), .td(.class("num"), .text(String(v.version))),
                           .td(.text(v.department)), .td(.text(v.preset)),
                           .td(.a(.href(HTMLEscape.attribute(SiteURL.schemeBuilder(v.key).path)), "可视编辑")))
                   })
        )
    }
}
