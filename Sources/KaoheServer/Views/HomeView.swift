import Foundation
import Plot

struct HomeModel {
    struct Row { var id: UUID; var number: String; var name: String; var position: String; var latest: String }
    var rows: [Row]
}

enum HomeView {
    static func body(_ m: HomeModel) -> Node<HTML.BodyContext> {
        .group(
            .p("你可以查看的员工与最近一期成绩："),
            .table(
                .tr(.th("工号"), .th("姓名"), .th("岗位"), .th("最近成绩")),
                .forEach(m.rows) { r in
                    .tr(.td(.a(.href(SiteURL.employee(r.id).path), .text(r.number))), .td(.text(r.name)), .td(.text(r.position)), .td(.class("num"), .text(r.latest)))
                }
            )
        )
    }
}

struct EmployeeModel {
    struct Row { var period: String; var scheme: String; var total: String; var grade: String }
    var number: String
    var name: String
    var rows: [Row]
}

enum EmployeeView {
    static func body(_ m: EmployeeModel) -> Node<HTML.BodyContext> {
        .group(
            .p(.text("\(m.number) \(m.name)")),
            .if(m.rows.isEmpty, .p("暂无成绩 no results yet")),
            .if(!m.rows.isEmpty, .table(
                .tr(.th("期间"), .th("方案"), .th("总分"), .th("等级")),
                .forEach(m.rows) { r in .tr(.td(.text(r.period)), .td(.text(r.scheme)), .td(.class("num"), .text(r.total)), .td(.text(r.grade))) }
            ))
        )
    }
}
