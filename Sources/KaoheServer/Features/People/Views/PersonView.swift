import Foundation
import Plot

/// One person's record for HR (issue 7 §2): the edit form (through the same update as
/// `PATCH /api/v1/employees/{id}`) and the last 20 changes.
struct PersonModel {
    struct Change { var at: Date; var actor: String; var before: String; var after: String; var reason: String }
    var error: String?
    var message: String?
    var csrf: String
    var id: UUID
    var number: String
    var name: String
    var department: String
    var hireDate: String
    var position: String
    /// (id, name) of the department's teams, and the person's team (its id).
    var teams: [(String, String)]
    var team: String?
    /// The direct superior's 工号, or "".
    var superior: String
    var status: String
    var probationEnd: String
    var level: String
    var star: String
    var jobGrade: String
    var history: [Change]
}

enum PersonView {
    static func body(_ m: PersonModel) -> Node<HTML.BodyContext> {
        let id = m.id
        return .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.text("\(m.number) "), Bits.name(m.name), .text(" · "), Bits.name(m.department), .text(" · 入职 \(m.hireDate)"), .text(" · "), .a(.href(SiteURL.employee(id).path), "成绩")),
            .form(.method(.post), .action(SiteURL.person(id).path), DataView.hidden(m.csrf),
                  .label(.text("岗位 "), .input(.type(.text), .name("position"), .value(HTMLEscape.attribute(m.position)))),
                  .label(.text("班组 "), DataView.select("team", [("", "—")] + m.teams, selected: m.team)),
                  .label(.text("直接上级（工号）"), .input(.type(.text), .name("superior"), .value(HTMLEscape.attribute(m.superior)))),
                  .label(.text("状态 "), DataView.select("status", [("active", "在职"), ("left", "离职")], selected: m.status)),
                  .label(.text("试用期满（YYYY-MM-DD）"), .input(.type(.text), .name("probation_end"), .value(HTMLEscape.attribute(m.probationEnd)))),
                  .label(.text("等级 "), .input(.type(.text), .name("level"), .value(HTMLEscape.attribute(m.level)))),
                  .label(.text("星级（0–5）"), .input(.type(.number), .name("star"), .value(m.star), .attribute(named: "min", value: "0"), .attribute(named: "max", value: "5"))),
                  .label(.text("职级 "), .input(.type(.text), .name("job_grade"), .value(HTMLEscape.attribute(m.jobGrade)))),
                  .label(.text("变更原因（必填，R-004-03）"), .input(.type(.text), .name("reason"), .required(true))),
                  .button(.type(.submit), "保存")),
            .h2("变更记录"),
            .table(.tr(.th("时间"), .th("人"), .th("前"), .th("后"), .th("原因")),
                   .forEach(m.history) { h in .tr(.td(.text(LocalTime.text(h.at))), .td(Bits.name(h.actor)), .td(Bits.typed(h.before)), .td(Bits.typed(h.after)), .td(Bits.typed(h.reason))) })
        )
    }
}
