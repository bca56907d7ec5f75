import Foundation
import Plot

/// The account's API tokens: made here (the secret shown once), listed, revoked (issue 13).
struct TokensModel {
    struct Row { var id: UUID; var name: String; var scope: String; var created: String; var expires: String; var lastUsed: String; var state: String; var active: Bool }
    var csrf: String
    var rows: [Row]
    var created: (name: String, token: String)?
    var error: String?
}

enum TokensView {
    static func body(_ m: TokensModel) -> Node<HTML.BodyContext> {
        let csrf = HTMLEscape.attribute(m.csrf)
        return .group(
            .p("API 令牌供其他系统读取或写入你有权访问的数据（Authorization: Bearer …）。令牌只显示一次；修改密码或账号停用时全部失效。"),
            .unwrap(m.error) { .p(.class("error"), .text($0)) },
            .unwrap(m.created) { c in
                .div(.class("notice"),
                     .p(.text("已创建令牌「"), .span(.attribute(named: "translate", value: "no"), .text(c.name)), .text("」。请立即复制保存，离开本页后无法再次查看：")),
                     .p(.code(.attribute(named: "translate", value: "no"), .id("new-token"), .text(c.token))))
            },
            .form(.action(SiteURL.tokens.path), .method(.post),
                  DataView.hidden(m.csrf),
                  .label("名称 ", .input(.type(.text), .name("name"), .attribute(named: "maxlength", value: "80"), .required(true))),
                  .label("权限 ", DataView.select("scope", [("read", "只读"), ("write", "读写（与账号权限相同）")], selected: "read")),
                  .label("有效天数 ", .input(.type(.number), .name("days"), .value("90"), .attribute(named: "min", value: "1"), .attribute(named: "max", value: "365"))),
                  .button(.type(.submit), "创建令牌")),
            .if(m.rows.isEmpty, .p("还没有令牌。")),
            .if(!m.rows.isEmpty, .div(.class("scroll"), .table(
                .tr(.th("名称"), .th("权限"), .th("创建"), .th("到期"), .th("最近使用"), .th("状态"), .th("")),
                .forEach(m.rows) { r in
                    .tr(.td(.attribute(named: "translate", value: "no"), .text(r.name)),
                        .td(.text(r.scope == "read" ? "只读" : "读写")), .td(.text(r.created)), .td(.text(r.expires)), .td(.text(r.lastUsed)),
                        .td(.text(r.state)),
                        .td(.if(r.active, .form(.class("inline"), .action(SiteURL.tokenRevoke(r.id).path), .method(.post),
                                                .input(.type(.hidden), .name("_csrf"), .value(csrf)),
                                                .button(.type(.submit), "吊销")))))
                })))
        )
    }
}
