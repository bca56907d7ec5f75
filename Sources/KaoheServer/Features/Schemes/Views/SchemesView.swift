import Foundation
import Plot

/// HR's list of schemes (each scheme's latest version) and the template gallery: start a scheme
/// from any preset — as many copies as wanted, each under the company's own key and name — or
/// from a blank scheme (issue 16 §2).
struct SchemesModel {
    struct Row { var key: String; var name: String; var version: Int; var department: String; var preset: String }
    struct Template { var id: String; var name: String; var source: String; var items: Int; var copies: Int }
    /// By key.
    var rows: [Row]
    /// The presets, by id.
    var templates: [Template] = []
    /// (id, name) of the departments a scheme may belong to.
    var departments: [(String, String)] = []
    /// The form as typed (kept after a refusal): the template (`blank` or a preset id), key, name, department.
    var from: String = "blank"
    var key: String = ""
    var name: String = ""
    var department: String = ""
    /// Why the form was refused, naming the field.
    var error: String? = nil
}

enum SchemesView {
    static func body(_ m: SchemesModel, csrf: String) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .p("方案是数据：改动保存为新版本，已评的考核表保留原来的版本。"),
            .p(.a(.class("button"), .id("new-scheme"), .href(SiteURL.schemeBuilderNew.path), "新建方案（可视编辑）")),
            .if(m.rows.isEmpty, .p("还没有方案：从下面的模板或空白方案新建一个。")),
            .if(!m.rows.isEmpty, .table(.tr(.th("方案"), .th("名称"), .th("版本"), .th("部门"), .th("来自预设"), .th("编辑")),
                   .forEach(m.rows) { v in
                       .tr(.td(.a(.href(HTMLEscape.attribute(SiteURL.scheme(v.key).path)), .text(v.key))), .td(.text(v.name)), .td(.class("num"), .text(String(v.version))),
                           .td(.text(v.department)), .td(.text(v.preset)),
                           .td(.a(.href(HTMLEscape.attribute(SiteURL.schemeBuilder(v.key).path)), "可视编辑")))
                   })),
            .section(.id("new"), .h2("新建方案"),
                     .p("从模板开始：任一预设都可复制多次，每份用公司自己的 key 和名称，之后按公司的做法修改；或从空白方案开始。"),
                     .form(.method(.post), .action(HTMLEscape.attribute(SiteURL.schemes.path + "#new")), DataView.hidden(csrf),
                           .label(.text("模板 "), DataView.select("from", [("blank", "空白方案")] + m.templates.map { ($0.id, "\($0.name)（\($0.id)）") }, selected: m.from)),
                           .label(.text("方案 key（小写英文字母、数字和连字符 -，如 shop-monthly）"),
                                  .input(.type(.text), .name("key"), .value(HTMLEscape.attribute(m.key)), .attribute(named: "pattern", value: "[a-z0-9]([a-z0-9-]*[a-z0-9])?"),
                                         .attribute(named: "maxlength", value: "64"), .attribute(named: "autocomplete", value: "off"))),
                           .label(.text("方案名称"), .input(.type(.text), .name("name"), .value(HTMLEscape.attribute(m.name)), .attribute(named: "maxlength", value: "100"))),
                           .label(.text("部门（不选则不限）"), DataView.select("department", [("", "不限部门")] + m.departments, selected: m.department)),
                           .button(.type(.submit), "新建方案"))),
            .if(!m.templates.isEmpty, .section(.h2("模板"),
                .table(.tr(.th("预设"), .th("名称"), .th("依据"), .th("项目数"), .th("已复制"), .th("")),
                       .forEach(m.templates) { t in
                           .tr(.td(.text(t.id)), .td(.text(t.name)), .td(.text(t.source)), .td(.class("num"), .text(String(t.items))),
                               .td(.class("num"), .text(String(t.copies))),
                               .td(.a(.href(HTMLEscape.attribute(SiteURL.schemes.path([("from", t.id)]) + "#new")), .text("用此模板"))))
                       })))
        )
    }
}
