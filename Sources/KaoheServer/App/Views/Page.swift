import Foundation
import Plot
import KaoheCore
import Vapor

/// The page frame every view renders into (Plot: type-checked HTML).
enum Page {
    static let style = """
    body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
    header{background:#0b4f6c;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
    header a,header button{color:#fff}main{padding:1.2rem;max-width:72rem}
    table{border-collapse:collapse;background:#fff}th,td{border:1px solid #d9e2ec;padding:.35rem .6rem;text-align:left}
    .num{text-align:right;font-variant-numeric:tabular-nums}.error{color:#b42318}.demo{background:#fff8e1;padding:.6rem;border:1px solid #f0c36d}
    form.inline{display:inline}label{display:block;margin:.4rem 0}
    table{display:block;width:max-content;max-width:100%;overflow-x:auto}td,th{vertical-align:top}
    header .lang button{font-size:.8rem;margin-left:.2rem}header button{background:transparent;color:#fff;border:1px solid #fff;border-radius:3px;cursor:pointer}
    .chart{max-width:44rem}.chart svg{width:100%;height:auto;background:#fff;border:1px solid #d9e2ec}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
    [translate=no]{overflow-wrap:anywhere}textarea.code{width:100%;font-family:monospace;font-size:.85rem}
    pre.listing{background:#fff;border:1px solid #d9e2ec;padding:.5rem;overflow-x:auto;font-size:.8rem}pre .bad{background:#fde8e8}
    tr.changed td{background:#fff8e1}tr.flagged td{background:#fff5f5}td.fill label.field{display:block;margin:.1rem 0;white-space:nowrap}
    td.fill input{width:5.5rem}p.flag{margin:.2rem 0 0}p.flag:empty{display:none}input:invalid{border-color:#b42318}ul.problems li{margin:.2rem 0}
    @media (max-width:600px){main{padding:.6rem}h1{font-size:1.4rem}header{padding:.5rem .6rem}th,td{padding:.25rem .35rem}}
    @media print{@page{size:A4 landscape;margin:12mm}header,form,button,.downloads{display:none}body{background:#fff;font-size:10pt}main{max-width:none;padding:0}table{display:table;width:100%}}
    """

    static func render(status: HTTPResponseStatus = .ok, title: String, user: User? = nil, csrf: String? = nil, body: Node<HTML.BodyContext>) -> Response {
        // a title may carry a name (a scheme's, a report's department): Plot's `.title` would also
        // write it unescaped into two <meta content="…">, so the three are written here
        let fullTitle = "\(title) · 考核 Kaohe"
        let html = HTML(
            .lang(.init(rawValue: "zh-Hans") ?? .chinese),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: fullTitle),
                .meta(.name("twitter:title"), .content(HTMLEscape.attribute(fullTitle))),
                .meta(.property("og:title"), .content(HTMLEscape.attribute(fullTitle))),
                .element(named: "style", text: style)
            ),
            .body(
                .header(
                    .strong("考核 Kaohe"),
                    .unwrap(user) { u in
                        .group(
                            .a(.href(SiteURL.home.path), "首页"),
                            .a(.href(SiteURL.sheets.path), "我的考核"),
                            .if([.hr, .manager].contains(u.role), .a(.href(SiteURL.cycles.path), "考核周期")),
                            .if([.hr, .manager].contains(u.role), .a(.href(SiteURL.reports.path), "报表")),
                            .if([.hr, .manager, .lead].contains(u.role), .a(.href(SiteURL.imports.path), "导入与导出")),
                            .if([.hr, .qa].contains(u.role), .a(.href(SiteURL.qa.path), "录音质检")),
                            .if(u.role == .hr, .a(.href(SiteURL.people.path), "人员")),
                            .if(u.role == .hr, .a(.href(SiteURL.schemes.path), "考核方案")),
                            .if(u.role == .hr, .a(.href(SiteURL.audit.path), "审计")),
                            .if(u.role == .hr, .a(.href(SiteURL.notifications.path), "通知设置")),
                            .span(.attribute(named: "translate", value: "no"), .text(u.displayName)),
                            .span(.text("（\(u.role.label)）")),
                            .form(.class("inline"), .action(SiteURL.logout.path), .method(.post),
                                  .input(.type(.hidden), .name("_csrf"), .value(HTMLEscape.attribute(csrf ?? ""))),
                                  .button(.type(.submit), "退出"))
                        )
                    },
                    .unwrap(csrf) { languageSwitch(csrf: $0) }
                ),
                .main(.h1(.text(title)), body)
            )
        )
        let res = Response(status: status, body: .init(string: html.render()))
        res.headers.contentType = .html
        return res
    }

    /// Three buttons, each in its own language (never translated), posting to `/language`.
    static func languageSwitch(csrf: String) -> Node<HTML.BodyContext> {
        .form(.class("inline lang"), .action(SiteURL.language.path), .method(.post), .attribute(named: "aria-label", value: "语言"),
              .input(.type(.hidden), .name("_csrf"), .value(HTMLEscape.attribute(csrf))),
              .forEach(Language.allCases) { l in
                  .button(.type(.submit), .name("language"), .value(l.rawValue), .attribute(named: "translate", value: "no"), .text(l.nativeName))
              })
    }

    static func errorBody(_ status: HTTPResponseStatus, _ reason: String) -> Node<HTML.BodyContext> {
        .group(.p(.class("error"), .text(reason)), .p(.a(.href(SiteURL.home.path), "返回首页")))
    }
}
