import Foundation
import Plot

/// HR adds a person (issue 16 §1): 工号 as typed or numbered by the company's scheme (R-002-35),
/// 姓名, 岗位, 入职日期, the end of probation (people still in probation get no sheet, R-002-30),
/// department and team.
struct PersonNewModel {
    var csrf: String
    var state: FormState?
    /// How an empty 工号 is numbered, in words.
    var numbering: String
    var departments: [(String, String)]
    /// (team id, "部门 / 班组")
    var teams: [(String, String)]
}

enum PersonNewView {
    static func body(_ m: PersonNewModel) -> Node<HTML.BodyContext> {
        let s = m.state, f = "person-new"
        return .group(
            OrgForm.links(),
            .unwrap(s) { st in .p(.class("error"), .attribute(named: "role", value: "alert"), .text("未保存：" + st.message)) },
            .if(m.departments.isEmpty, .p(.class("empty"), .text("还没有部门："), .a(.href(SiteURL.organisation.path), "先新建部门和班组"))),
            .form(.method(.post), .action(SiteURL.personNew.path), .class("card"), DataView.hidden(m.csrf),
                  OrgForm.text("工号（留空则自动编号）", "number", form: f, s),
                  .p(.class("muted"), .text(m.numbering)),
                  OrgForm.text("姓名", "name", form: f, s, required: true),
                  OrgForm.text("岗位", "position", form: f, s, value: "客服专员", required: true),
                  OrgForm.text("入职日期（YYYY-MM-DD）", "hire_date", form: f, s, required: true, hint: "2026-12-01"),
                  OrgForm.text("试用期满（YYYY-MM-DD，可留空）", "probation_end", form: f, s),
                  OrgForm.select("部门", "department", form: f, s, [("", "—（请选择）")] + m.departments),
                  OrgForm.select("班组", "team", form: f, s, [("", "—（暂不分组）")] + m.teams),
                  .button(.type(.submit), "新增员工"))
        )
    }
}
