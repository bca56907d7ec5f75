import Foundation
import Plot

/// HR's list of people (issue 7 §2): search by 工号 or name, a department, a status; a page of 100.
struct PeopleModel {
    struct Row {
        var id: UUID; var number: String; var name: String; var department: String; var team: String; var position: String
        var hireDate: String; var status: String; var level: String; var star: String; var latest: String
    }
    /// What was searched for (工号 or name), the department chosen (its id) and the status (active | left | all).
    var q: String
    var department: String?
    var status: String
    /// (id, name) of every department, by code.
    var departments: [(String, String)]
    /// People found; the page shown (100 a page).
    var total: Int
    var page: Int
    /// This page's address with the previous and next page number, escaped for an `href` (`Request.pageLink`).
    var previous: String
    var next: String
    var rows: [Row]
}

enum PeopleView {
    static func body(_ m: PeopleModel) -> Node<HTML.BodyContext> {
        let total = m.total, page = m.page
        return .group(
            OrgForm.links(),
            .form(.method(.get), .action(SiteURL.people.path),
                  .label(.text("工号或姓名 "), .input(.type(.search), .name("q"), .value(HTMLEscape.attribute(m.q)))),
                  .label(.text("部门 "), DataView.select("department", [("", "全部")] + m.departments, selected: m.department)),
                  .label(.text("状态 "), DataView.select("status", [("active", "在职"), ("left", "离职"), ("all", "全部")], selected: m.status)),
                  .button(.type(.submit), "查找")),
            .p(.text("人数 \(total)"), .text(total > 100 ? " · 页码 \(page)/\((total + 99) / 100)" : ""),
               .if(page > 1, .a(.href(m.previous), " 上一页")), .if(page * 100 < total, .a(.href(m.next), " 下一页")),
               .text(" · 新员工和批量变动用"), .a(.href(SiteURL.imports.path), "花名册导入")),
            .table(.tr(.th("工号"), .th("姓名"), .th("部门"), .th("班组"), .th("岗位"), .th("入职"), .th("状态"), .th("等级"), .th("星级"), .th("最近成绩")),
                   .forEach(m.rows) { e in
                       .tr(.td(.a(.href(SiteURL.person(e.id).path), .text(e.number))), .td(Bits.name(e.name)), .td(Bits.name(e.department)), .td(Bits.name(e.team)),
                           .td(.text(e.position)), .td(.text(e.hireDate)), .td(.text(e.status == "active" ? "在职" : "离职")), .td(.text(e.level)),
                           .td(.class("num"), .text(e.star)), .td(.class("num"), .text(e.latest)))
                   })
        )
    }
}
