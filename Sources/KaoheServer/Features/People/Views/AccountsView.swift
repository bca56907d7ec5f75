import Foundation
import Plot

/// HR's accounts (issue 16 §1): every account with its person, role and scope; an account for
/// one person, or for everyone of a department or team who has none; role and scope changed
/// with a reason; an account deactivated or reactivated. Password hashes are never shown.
struct AccountsModel {
    struct Row {
        var id: UUID; var username: String; var displayName: String; var role: Role; var number: String; var person: String
        var team: String?; var department: String?; var teamId: String; var departmentId: String
        var active: Bool; var mustChange: Bool; var deactivatedReason: String
    }
    var csrf: String
    var message: String?
    var state: FormState?
    var rows: [Row]
    /// (employee id, "工号 姓名 · 部门 / 班组") of the active people without an account.
    var withoutAccount: [(String, String)]
    var departments: [(String, String)]
    /// (team id, "部门 / 班组")
    var teams: [(String, String)]
}

/// The one-time passwords just made, shown once on this page (and printed from it): one line per
/// person with 工号, 姓名, 用户名 and 初始密码. A later visit shows no password.
struct IssuedModel {
    struct Line { var number: String; var name: String; var username: String; var password: String; var role: String }
    var lines: [Line]
    /// The accounts still waiting for their first sign-in (no password shown), for a later visit.
    var waiting: [Line]
    var shown: Bool
}

enum AccountsView {
    static let roles: [(String, String)] = Role.allCases.reversed().map { ($0.rawValue, $0.label) }

    static func body(_ m: AccountsModel) -> Node<HTML.BodyContext> {
        let s = m.state
        return .group(
            OrgForm.links(),
            .unwrap(m.message) { .p(.class("notice ok"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(s) { st in .p(.class("error"), .attribute(named: "role", value: "alert"), .text("未保存：" + st.message)) },
            .h2("批量创建账号"),
            .form(.method(.post), .action(SiteURL.accountsBulk.path), .class("card"), DataView.hidden(m.csrf),
                  .p(.text("在职且还没有账号的人数：\(m.withoutAccount.count)")),
                  .p(.class("muted"), "每人得到一个客服专员账号（用户名为工号）和一次性初始密码，首次登录须修改密码；角色和范围可在下面再改"),
                  OrgForm.select("部门", "department", form: "bulk", s, [("", "全部")] + m.departments),
                  OrgForm.select("班组", "team", form: "bulk", s, [("", "全部")] + m.teams),
                  .button(.type(.submit), "为没有账号的人创建账号")),
            .h2("为一个人创建账号"),
            .if(m.withoutAccount.isEmpty, .p(.class("empty"), "每位在职员工都已有账号")),
            .if(!m.withoutAccount.isEmpty, .form(.method(.post), .action(SiteURL.accounts.path), .class("card"), DataView.hidden(m.csrf),
                  OrgForm.select("员工", "employee", form: "single", s, [("", "—（请选择）")] + m.withoutAccount),
                  OrgForm.text("用户名（留空则用工号）", "username", form: "single", s),
                  OrgForm.select("角色", "role", form: "single", s, roles, selected: "agent"),
                  .p(.class("muted"), "组长的范围是其所在班组，部门经理的范围是其所在部门"),
                  .button(.type(.submit), "创建账号"))),
            .h2("账号"),
            .table(.tr(.th("用户名"), .th("姓名"), .th("工号"), .th("角色与范围"), .th("状态"), .th("修改角色或范围"), .th("停用或启用")),
                   .forEach(m.rows) { r in row(r, m) })
        )
    }

    static func row(_ r: AccountsModel.Row, _ m: AccountsModel) -> Node<HTML.TableContext> {
        let s = m.state, f = "account-\(r.id.uuidString)", g = "state-\(r.id.uuidString)"
        let scope = [r.department, r.team].compactMap { $0 }.joined(separator: " / ")
        return .tr(
            .td(Bits.name(r.username)), .td(Bits.name(r.displayName)), .td(.text(r.number)),
            .td(.text(r.role.label), .if(!scope.isEmpty, .group(.text(" · "), Bits.name(scope)))),
            .td(state(r)),
            .td(.form(.method(.post), .action(SiteURL.account(r.id).path), DataView.hidden(m.csrf),
                      OrgForm.select("角色", "role", form: f, s, roles, selected: r.role.rawValue),
                      OrgForm.select("班组", "team", form: f, s, [("", "—")] + m.teams, selected: r.teamId),
                      OrgForm.select("部门", "department", form: f, s, [("", "—")] + m.departments, selected: r.departmentId),
                      OrgForm.text("原因", "reason", form: f, s, required: true),
                      .button(.type(.submit), "保存"))),
            .td(.form(.method(.post), .action(SiteURL.accountState(r.id).path), DataView.hidden(m.csrf),
                      .input(.type(.hidden), .name("action"), .value(r.active ? "deactivate" : "activate")),
                      OrgForm.text("原因", "reason", form: g, s, required: true),
                      .button(.type(.submit), .class(r.active ? "danger" : "secondary"), .text(r.active ? "停用" : "启用"))))
        )
    }

    static func state(_ r: AccountsModel.Row) -> Node<HTML.BodyContext> {
        if !r.active { return .group(.span(.class("badge bad"), "已停用"), .text(" "), Bits.typed(r.deactivatedReason)) }
        if r.mustChange { return .span(.class("badge warn"), "待首次登录") }
        return .span(.class("badge ok"), "可登录")
    }

    /// The password sheet: shown once, printed as it is (the page's print style leaves out the
    /// header, the forms and the notes marked `noprint`).
    static func issued(_ m: IssuedModel) -> Node<HTML.BodyContext> {
        .group(
            .element(named: "style", text: "@media print{.noprint{display:none}table.sheet td,table.sheet th{font-size:12pt;padding:4mm 6mm}} table.sheet td.pw{font-family:monospace;font-size:1.1rem;letter-spacing:.05em}"),
            .div(.class("noprint"), OrgForm.links()),
            .if(m.shown, .group(
                .div(.class("notice noprint"), .attribute(named: "role", value: "status"),
                     .p(.text("已创建 \(m.lines.count) 个账号")),
                     .p("初始密码只在这一页显示这一次，系统不保存明文：请现在打印或分发。每人首次登录后须修改密码")),
                .p(.class("noprint muted"), "打印本页（浏览器菜单“打印”或 Ctrl+P）即为账号单：每人一行，只打印下表"),
                .table(.class("sheet"),
                       .tr(.th("工号"), .th("姓名"), .th("用户名"), .th("初始密码")),
                       .forEach(m.lines) { l in
                           .tr(.td(.text(l.number)), .td(Bits.name(l.name)), .td(Bits.name(l.username)),
                               .td(.class("pw"), .attribute(named: "translate", value: "no"), .text(l.password)))
                       }))),
            .if(!m.shown, .group(
                .p(.class("notice"), "初始密码只在创建账号时显示一次，不能再次查看"),
                .h2("待首次登录的账号"),
                .if(m.waiting.isEmpty, .p(.class("empty"), "没有待首次登录的账号")),
                .if(!m.waiting.isEmpty, .table(.tr(.th("工号"), .th("姓名"), .th("用户名"), .th("角色")),
                                               .forEach(m.waiting) { l in .tr(.td(.text(l.number)), .td(Bits.name(l.name)), .td(Bits.name(l.username)), .td(.text(l.role))) }))))
        )
    }
}
