import Foundation
import Plot

/// A form that was refused: which form (`dept-new`, `team-<id>` …), what was typed, and the field
/// the problem is at — the page shows the message beside that field and keeps what was typed.
struct FormState {
    var form: String
    var values: [String: String]
    var field: String
    var message: String

    /// What the field shows: what was typed into this form, else `fallback`.
    func value(_ form: String, _ key: String, _ fallback: String) -> String { form == self.form ? values[key] ?? fallback : fallback }
    /// The problem at this field of this form, if any.
    func error(_ form: String, _ key: String) -> String? { form == self.form && key == field ? message : nil }
}

/// The pieces of HR's organisation forms: a labelled field with its problem beside it.
enum OrgForm {
    static func error(_ id: String, _ text: String?) -> Node<HTML.LabelContext> {
        guard let text else { return .empty }
        return .span(.class("error"), .id(id), .attribute(named: "role", value: "alert"), .text(" " + text))
    }

    static func text(_ label: String, _ name: String, form: String, _ state: FormState?, value: String = "", required: Bool = false,
                     hint: String? = nil) -> Node<HTML.FormContext> {
        let err = state?.error(form, name)
        let id = "err-\(form)-\(name)"
        let shown = state?.value(form, name, value) ?? value
        return .label(.text(label + " "),
                      .input(.type(.text), .name(name), .value(HTMLEscape.attribute(shown)), .required(required),
                             .attribute(named: "placeholder", value: hint.map(HTMLEscape.attribute)),
                             .attribute(named: "aria-invalid", value: err == nil ? nil : "true"),
                             .attribute(named: "aria-describedby", value: err == nil ? nil : id)),
                      error(id, err))
    }

    static func select(_ label: String, _ name: String, form: String, _ state: FormState?, _ options: [(String, String)],
                       selected: String? = nil) -> Node<HTML.FormContext> {
        let err = state?.error(form, name)
        let chosen = state?.value(form, name, selected ?? "") ?? selected
        return .label(.text(label + " "), DataView.select(name, options, selected: chosen), error("err-\(form)-\(name)", err))
    }

    /// The links between HR's people pages.
    static func links() -> Node<HTML.BodyContext> {
        .p(.a(.href(SiteURL.people.path), "人员名单"), .text(" · "), .a(.href(SiteURL.personNew.path), "新增员工"), .text(" · "),
           .a(.href(SiteURL.organisation.path), "部门与班组"), .text(" · "), .a(.href(SiteURL.accounts.path), "账号"), .text(" · "),
           .a(.href(SiteURL.imports.path), "花名册导入"))
    }
}

/// HR's departments and teams (issue 16 §1): each department with its teams and people counted,
/// renamed in place; each team with its leader, renamed, moved or given another leader.
struct OrganisationModel {
    struct Department { var id: UUID; var code: String; var name: String; var teams: Int; var people: Int }
    struct Team { var id: UUID; var name: String; var departmentId: UUID; var department: String; var leaderId: UUID?; var leader: String; var people: Int }
    var csrf: String
    var message: String?
    var state: FormState?
    var departments: [Department]
    var teams: [Team]
    /// (employee id, "工号 姓名 · 班组") of the people who may lead a team: active, with an agent's or a lead's account.
    var candidates: [(String, String)]
}

enum OrganisationView {
    static func body(_ m: OrganisationModel) -> Node<HTML.BodyContext> {
        let s = m.state
        let depts = m.departments.map { ($0.id.uuidString, "\($0.code) \($0.name)") }
        let leaders = [("", "—（暂不指定）")] + m.candidates
        return .group(
            OrgForm.links(),
            .unwrap(m.message) { .p(.class("notice ok"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(s) { st in .p(.class("error"), .attribute(named: "role", value: "alert"), .text("未保存：" + st.message)) },
            .h2("部门"),
            .if(m.departments.isEmpty, .p(.class("empty"), "还没有部门：先在下面新建一个")),
            .if(!m.departments.isEmpty, .table(
                .tr(.th("代码"), .th("名称"), .th("班组"), .th("在职人数"), .th("改名或改代码")),
                .forEach(m.departments) { d in
                    let f = "dept-\(d.id.uuidString)"
                    return .tr(.td(.text(d.code)), .td(Bits.name(d.name)), .td(.class("num"), .text("\(d.teams)")), .td(.class("num"), .text("\(d.people)")),
                               .td(.form(.method(.post), .action(SiteURL.orgDepartment(d.id).path), DataView.hidden(m.csrf),
                                         OrgForm.text("代码", "code", form: f, s, value: d.code, required: true),
                                         OrgForm.text("名称", "name", form: f, s, value: d.name, required: true),
                                         .button(.type(.submit), "保存"))))
                })),
            .form(.method(.post), .action(SiteURL.orgDepartments.path), .class("card"), DataView.hidden(m.csrf),
                  .h3("新建部门"),
                  OrgForm.text("部门代码（两位数字，工号的第 2–3 位）", "code", form: "dept-new", s, required: true, hint: "01"),
                  OrgForm.text("部门名称", "name", form: "dept-new", s, required: true),
                  .button(.type(.submit), "新建部门")),
            .h2("班组"),
            .if(m.teams.isEmpty, .p(.class("empty"), "还没有班组")),
            .if(!m.teams.isEmpty, .table(
                .tr(.th("部门"), .th("班组"), .th("组长"), .th("在职人数"), .th("改名、调往其他部门、更换组长")),
                .forEach(m.teams) { t in
                    let f = "team-\(t.id.uuidString)"
                    return .tr(.td(Bits.name(t.department)), .td(Bits.name(t.name)), .td(Bits.name(t.leader)), .td(.class("num"), .text("\(t.people)")),
                               .td(.form(.method(.post), .action(SiteURL.orgTeam(t.id).path), DataView.hidden(m.csrf),
                                         OrgForm.text("名称", "name", form: f, s, value: t.name, required: true),
                                         OrgForm.select("部门", "department", form: f, s, depts, selected: t.departmentId.uuidString),
                                         OrgForm.select("组长", "leader", form: f, s, [("", "—（无）")] + m.candidates, selected: t.leaderId?.uuidString ?? ""),
                                         .button(.type(.submit), "保存"))))
                })),
            .if(!m.departments.isEmpty, .form(.method(.post), .action(SiteURL.orgTeams.path), .class("card"), DataView.hidden(m.csrf),
                  .h3("新建班组"),
                  OrgForm.select("所属部门", "department", form: "team-new", s, [("", "—（请选择）")] + depts),
                  OrgForm.text("班组名称", "name", form: "team-new", s, required: true),
                  OrgForm.select("组长（须已有客服专员或组长账号；其账号将成为本班组的组长账号）", "leader", form: "team-new", s, leaders),
                  .button(.type(.submit), "新建班组")))
        )
    }
}
