import Foundation
import Plot

/// HR's notification settings (issue 17 §7): the channels, the SMTP server (its password never
/// shown back), the group robots (their addresses masked, their secrets not shown), accounts'
/// e-mail addresses, and the outbox — messages waiting, failed ones with their last error and a
/// button to send them again.
struct SettingsModel {
    struct Hook {
        var id: UUID; var kind: String; var name: String; var url: String; var signed: Bool; var scope: String?; var remind: Bool; var publish: Bool
        var events: String { [remind ? "催办" : "", publish ? "结果发布" : ""].filter { !$0.isEmpty }.joined(separator: "、") }
    }
    struct Notice { var id: UUID; var at: Date; var channel: String; var target: String; var subject: String; var attempts: Int; var next: Date?; var error: String? }
    var csrf: String
    var message: String?
    var error: String?
    var emailEnabled: Bool
    var webhooksEnabled: Bool
    var smtpHost: String
    var smtpPort: Int
    var smtpFrom: String
    var smtpAuth: String
    var smtpUsername: String
    var passwordSet: Bool
    var smtpTLS: String
    var siteURL: String
    /// (id, name)
    var departments: [(String, String)]
    var hooks: [Hook]
    var withoutEmail: Int
    var counts: [String: Int]
    var failed: [Notice]
    var pending: [Notice]
    var sent: [Notice]
}

enum NotificationSettingsView {
    static func step(_ name: String) -> Node<HTML.FormContext> { .input(.type(.hidden), .name("action"), .value(name)) }

    static func checkbox(_ name: String, _ label: String, checked: Bool) -> Node<HTML.FormContext> {
        .label(.input(.type(.checkbox), .name(name), .value("on"), .checked(checked)), .text(" " + label))
    }

    static func field(_ label: String, _ name: String, _ value: String, type: HTMLInputType = .text, placeholder: String? = nil) -> Node<HTML.FormContext> {
        .label(.text(label + " "), .input(.type(type), .name(name), .value(HTMLEscape.attribute(value)), .placeholder(placeholder ?? "")))
    }

    static func body(_ m: SettingsModel) -> Node<HTML.BodyContext> {
        .group(status(m), channels(m), robots(m), addresses(m), outbox(m))
    }

    static func status(_ m: SettingsModel) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.id("outbox-counts"), .text("待发送：\(m.counts["pending", default: 0] + m.counts["sending", default: 0]) · 已发送：\(m.counts["sent", default: 0]) · 发送失败：\(m.counts["failed", default: 0])"))
        )
    }

    /// The channels and the SMTP server; a test e-mail.
    static func channels(_ m: SettingsModel) -> Node<HTML.BodyContext> {
        .group(
            .h2("通道与邮件服务器"),
            .form(.method(.post), .action(SiteURL.notifications.path), DataView.hidden(m.csrf), step("settings"),
                  checkbox("email_enabled", "邮件通知（催办、结果发布）", checked: m.emailEnabled),
                  checkbox("webhooks_enabled", "群机器人通知（企业微信、钉钉、飞书）", checked: m.webhooksEnabled),
                  field("SMTP 服务器", "smtp_host", m.smtpHost, placeholder: "smtp.example.com"),
                  field("端口", "smtp_port", String(m.smtpPort), type: .number),
                  field("发件人地址", "smtp_from", m.smtpFrom, type: .email, placeholder: "kaohe@example.com"),
                  .label(.text("加密（STARTTLS） "), DataView.select("smtp_tls", [("optional", "服务器支持时使用"), ("required", "必须使用"), ("off", "不使用")], selected: m.smtpTLS)),
                  .label(.text("认证 "), DataView.select("smtp_auth", [("none", "不认证"), ("plain", "AUTH PLAIN"), ("login", "AUTH LOGIN")], selected: m.smtpAuth)),
                  field("用户名", "smtp_username", m.smtpUsername),
                  .label(.text("密码 "), .input(.type(.password), .name("smtp_password"), .value(""), .attribute(named: "autocomplete", value: "new-password"),
                                               .placeholder(m.passwordSet ? "已设置（留空则不变）" : "未设置"))),
                  .if(m.passwordSet, checkbox("smtp_password_clear", "清除已保存的密码", checked: false)),
                  field("站点地址（消息里的链接）", "site_url", m.siteURL, placeholder: "https://kaohe.example.com"),
                  .button(.type(.submit), "保存设置")),
            .form(.method(.post), .action(SiteURL.notifications.path), DataView.hidden(m.csrf), step("test"),
                  field("测试邮件收件人", "test_to", "", type: .email),
                  .button(.type(.submit), "发送测试邮件"))
        )
    }

    /// The group robots, their addresses masked, and the form that adds one.
    static func robots(_ m: SettingsModel) -> Node<HTML.BodyContext> {
        .group(
            .h2("群机器人"),
            .if(m.hooks.isEmpty, .p("尚未添加群机器人")),
            .if(!m.hooks.isEmpty, .table(.id("webhooks"),
                .tr(.th("名称"), .th("平台"), .th("范围"), .th("地址"), .th("签名密钥"), .th("通知"), .th("")),
                .forEach(m.hooks) { h in
                    .tr(.td(Bits.typed(h.name)), .td(.text(h.kind)), .td(scope(h.scope)), .td(.attribute(named: "translate", value: "no"), .text(h.url)),
                        .td(.text(h.signed ? "已设置" : "无")),
                        .td(.text(h.events)),
                        .td(.form(.class("inline"), .method(.post), .action(SiteURL.notifications.path), DataView.hidden(m.csrf), step("webhook-remove"),
                                  .input(.type(.hidden), .name("id"), .value(h.id.uuidString)), .button(.type(.submit), "删除"))))
                })),
            .form(.method(.post), .action(SiteURL.notifications.path), DataView.hidden(m.csrf), step("webhook-add"),
                  .label(.text("平台 "), DataView.select("kind", Notices.robots.map { ($0.kind, $0.label) })),
                  field("名称", "name", "", placeholder: "售前一组群"),
                  field("Webhook 地址", "url", "", type: .url, placeholder: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
                  .label(.text("签名密钥（钉钉加签、飞书签名校验；可不填） "), .input(.type(.password), .name("secret"), .value(""), .attribute(named: "autocomplete", value: "off"))),
                  .label(.text("范围 "), DataView.select("department", [("", "全公司")] + m.departments)),
                  checkbox("on_remind", "催办", checked: true),
                  checkbox("on_publish", "结果发布", checked: true),
                  .button(.type(.submit), "添加机器人"))
        )
    }

    static func addresses(_ m: SettingsModel) -> Node<HTML.BodyContext> {
        .group(
            .h2("账号邮箱"),
            .p(.text("\(m.withoutEmail) 个在用账号尚未填写邮箱（不会收到邮件）。每人也可在“修改密码”页旁的“我的邮箱”自行填写。")),
            .form(.method(.post), .action(SiteURL.notifications.path), DataView.hidden(m.csrf), step("email"),
                  field("用户名", "username", ""),
                  field("邮箱（留空则删除）", "email", "", type: .email),
                  .button(.type(.submit), "保存邮箱"))
        )
    }

    /// The outbox: failed messages with their last error and 重新发送, those waiting, the last sent.
    static func outbox(_ m: SettingsModel) -> Node<HTML.BodyContext> {
        .group(
            .h2("发送失败"),
            .if(m.failed.isEmpty, .p("没有发送失败的消息")),
            .if(!m.failed.isEmpty, .form(.method(.post), .action(SiteURL.notifications.path), DataView.hidden(m.csrf), step("retry"),
                                         .button(.type(.submit), "全部重新发送"))),
            .if(!m.failed.isEmpty, notices(m.failed, id: "failed", csrf: m.csrf, retry: true)),
            .h2("待发送"),
            .if(m.pending.isEmpty, .p("没有待发送的消息")),
            .if(!m.pending.isEmpty, notices(m.pending, id: "pending", csrf: m.csrf, retry: false)),
            .h2("最近发送"),
            .if(m.sent.isEmpty, .p("尚未发送过消息")),
            .if(!m.sent.isEmpty, notices(m.sent, id: "sent", csrf: m.csrf, retry: false))
        )
    }

    /// A department's name as HR wrote it, or the company.
    static func scope(_ name: String?) -> Node<HTML.BodyContext> {
        guard let name else { return .text("全公司") }
        return Bits.name(name)
    }

    static func notices(_ rows: [SettingsModel.Notice], id: String, csrf: String, retry: Bool) -> Node<HTML.BodyContext> {
        .table(.id(id),
               .tr(.th("时间"), .th("通道"), .th("发往"), .th("标题"), .th("尝试次数"), .th(.text(retry ? "最后的错误" : "下次尝试")), .if(retry, .th(""))),
               .forEach(rows) { n in
                   let last = retry ? (n.error ?? "") : (n.next.map(LocalTime.text) ?? "")
                   return .tr(.td(.text(LocalTime.text(n.at))), .td(.text(n.channel)), .td(Bits.typed(n.target)), .td(.text(n.subject)), .td(.class("num"), .text(String(n.attempts))),
                       .td(Bits.typed(last)),
                       .if(retry, .td(.form(.class("inline"), .method(.post), .action(SiteURL.notifications.path), DataView.hidden(csrf), step("retry"),
                                           .input(.type(.hidden), .name("id"), .value(n.id.uuidString)), .button(.type(.submit), "重新发送")))))
               })
    }
}
