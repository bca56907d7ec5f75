import Foundation
import Plot

struct PasswordModel {
    var csrf: String
    var error: String?
    var mustChange: Bool
}

enum PasswordView {
    static func body(_ m: PasswordModel) -> Node<HTML.BodyContext> {
        .group(
            .if(m.mustChange, .p("首次登录或密码已重置，请先设置新密码。 Choose a new password to continue.")),
            .unwrap(m.error) { .p(.class("error"), .text($0)) },
            .form(.action(SiteURL.password.path), .method(.post),
                  .input(.type(.hidden), .name("_csrf"), .value(HTMLEscape.attribute(m.csrf))),
                  .label("当前密码", .input(.type(.password), .name("current"), .attribute(named: "autocomplete", value: "current-password"), .required(true))),
                  .label("新密码（至少 10 位，不能是常见密码）", .input(.type(.password), .name("new"), .attribute(named: "autocomplete", value: "new-password"), .required(true))),
                  .label("再次输入新密码", .input(.type(.password), .name("confirm"), .attribute(named: "autocomplete", value: "new-password"), .required(true))),
                  .button(.type(.submit), "修改密码")),
            .if(!m.mustChange, .p(.a(.href(SiteURL.tokens.path), "API 令牌"), .text(" · "), .a(.href(SiteURL.accountEmail.path), "我的邮箱")))
        )
    }
}
