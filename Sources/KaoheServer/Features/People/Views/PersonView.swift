import Foundation
import Plot

/// One person's record for HR (issue 7 §2): the edit form (through the same update as
/// `PATCH /api/v1/employees/{id}`), a transfer to another team from a month and leaving, each
/// with its reason (issue 16 §1), and the last 20 changes.
struct PersonModel {
    struct Change { var at: Date; var actor: String; var action: String; var before: String; var after: String; var reason: String }
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
    /// (team id, "部门 / 班组") of every team, for a transfer; the form refused, if any.
    var allTeams: [(String, String)] = []
    var state: FormState? = nil
    /// A leaver's day and reason.
    var leftOn: String = ""
    var leaveReason: String = ""
    /// This month (the default month a transfer takes effect) and today (a leaver's default day).
    var month: String = ""
    var today: String = ""
}

enum PersonView {
    static func body(_ m: PersonModel) -> Node<HTML.BodyContext> {
        let id = m.id
        return .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            OrgForm.links(),
            .unwrap(m.state) { st in .p(.class("error"), .attribute(named: "role", value: "alert"), .text("未保存：" + st.message)) },
            .p(.text("\(m.number) "), Bits.name(m.name), .text(" · "), Bits.name(m.department), .text(" · 入职 \(m.hireDate)"), .text(" · "), .a(.href(SiteURL.employee(id).path), "成绩")),
            .if(m.status == "left", .p(.class("notice"), .text("已离职 \(m.leftOn)"), .text(m.leaveReason.isEmpty ? "" : "：") , Bits.typed(m.leaveReason))),
            .form(.method(.post), .action(SiteURL.person(id).path), DataView.hidden(m.csrf),
                  .label(.text("岗位 "), .input(.type(.text), .name("position"), .value(HTMLEscape.attribute(m.position)))),
                  .label(.text("直接上级（工号）"), .input(.type(.text), .name("superior"), .value(HTMLEscape.attribute(m.superior)))),
                  .label(.text("试用期满（YYYY-MM-DD）"), .input(.type(.text), .name("probation_end"), .value(HTMLEscape.attribute(m.probationEnd)))),
                  .label(.text("等级 "), .input(.type(.text), .name("level"), .value(HTMLEscape.attribute(m.level)))),
                  .label(.text("星级（0–5）"), .input(.type(.number), .name("star"), .value(m.star), .attribute(named: "min", value: "0"), .attribute(named: "max", value: "5"))),
                  .label(.text("职级 "), .input(.type(.text), .name("job_grade"), .value(HTMLEscape.attribute(m.jobGrade)))),
                  .label(.text("变更原因（必填，R-004-03）"), .input(.type(.text), .name("reason"), .required(true))),
                  .button(.type(.submit), "保存")),
            .if(m.status == "active", .group(
                .h2("调动"),
                .form(.method(.post), .action(SiteURL.personTransfer(id).path), .class("card"), DataView.hidden(m.csrf),
                      OrgForm.select("调入班组", "team", form: "transfer", m.state, [("", "—（请选择）")] + m.allTeams, selected: m.team),
                      OrgForm.text("生效月份（YYYY-MM）", "effective", form: "transfer", m.state, value: m.month, required: true),
                      OrgForm.text("调动原因（必填）", "reason", form: "transfer", m.state, required: true),
                      .button(.type(.submit), "调动")),
                .h2("离职"),
                .form(.method(.post), .action(SiteURL.personLeave(id).path), .class("card"), DataView.hidden(m.csrf),
                      OrgForm.text("离职日期（YYYY-MM-DD）", "left_on", form: "leave", m.state, value: m.today, required: true),
                      OrgForm.text("离职原因（必填）", "reason", form: "leave", m.state, required: true),
                      .p(.class("muted"), "离职后不再下发考核表，其账号同时停用；成绩和记录保留"),
                      .button(.type(.submit), .class("danger"), "办理离职")))),
            .h2("变更记录"),
            .table(.tr(.th("时间"), .th("人"), .th("变更"), .th("前"), .th("后"), .th("原因")),
                   .forEach(m.history) { h in .tr(.td(.text(LocalTime.text(h.at))), .td(Bits.name(h.actor)), .td(.text(Self.action(h.action))), .td(Bits.typed(h.before)), .td(Bits.typed(h.after)), .td(Bits.typed(h.reason))) })
        )
    }

    /// An audit action as the history reads it.
    static func action(_ a: String) -> String {
        switch a {
        case "create": return "新增"
        case "transfer": return "调动"
        case "leave": return "离职"
        case "update": return "修改"
        default: return a
        }
    }
}
