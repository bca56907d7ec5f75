import Foundation
import Plot

/// A person's own e-mail address, where reminders and their published results are sent (issue 17 §7).
struct AccountEmailModel {
    var csrf: String
    var email: String
    var message: String?
    var error: String?
}

enum AccountEmailView {
    static func body(_ m: AccountEmailModel) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p("催办和考核结果发布的通知会发到这个邮箱（公司启用邮件通知时）。"),
            .form(.method(.post), .action(SiteURL.accountEmail.path), DataView.hidden(m.csrf),
                  .label(.text("邮箱（留空则不收邮件） "), .input(.type(.email), .name("email"), .value(HTMLEscape.attribute(m.email)),
                                                     .attribute(named: "autocomplete", value: "email"))),
                  .button(.type(.submit), "保存邮箱")),
            .p(.a(.href(SiteURL.password.path), "修改密码"), .text(" · "), .a(.href(SiteURL.tokens.path), "API 令牌"))
        )
    }
}
