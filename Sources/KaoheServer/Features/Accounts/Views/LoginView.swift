import Foundation
import Plot

/// Login page model: the form, an error, and in demo mode only the demo accounts.
struct LoginModel {
    var csrf: String
    var error: String?
    var username: String = ""
    var demoLogins: [(String, String, String)] = []
}

enum LoginView {
    static func body(_ m: LoginModel) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(m.error) { .p(.class("error"), .text($0)) },
            .form(.action(SiteURL.login.path), .method(.post),
                  .input(.type(.hidden), .name("_csrf"), .value(HTMLEscape.attribute(m.csrf))),
                  .label("用户名", .input(.type(.text), .name("username"), .value(HTMLEscape.attribute(m.username)), .attribute(named: "autocomplete", value: "username"), .required(true))),
                  .label("密码", .input(.type(.password), .name("password"), .attribute(named: "autocomplete", value: "current-password"), .required(true))),
                  .button(.type(.submit), "登录")),
            .if(!m.demoLogins.isEmpty, .div(.class("demo"),
                .p("演示模式 demo mode — 演示账号（密码均为 demo1234）："),
                .table(.tr(.th("用户名"), .th("角色"), .th("说明")),
                       .forEach(m.demoLogins) { l in .tr(.td(.text(l.0)), .td(.text(l.1)), .td(.text(l.2))) })))
        )
    }
}
