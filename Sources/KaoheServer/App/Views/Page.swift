import Foundation
import Plot
import KaoheCore
import Vapor

/// The page frame every view renders into (Plot: type-checked HTML).
enum Page {
    /// The design system (issue 17 §8): one stylesheet. Tokens first — a type scale, a spacing
    /// scale, colours chosen for WCAG AA contrast on their backgrounds (text #1f2933 on #fff 14.7:1,
    /// muted #52606d 6.4:1, primary #0b4f6c 8.9:1, danger #b42318 6.2:1, success #17663a 6.9:1,
    /// warning text #6b4500 on #fff8e1 8.6:1) — then elements (links, buttons, fields, tables with
    /// sticky headers), then components (badges, notices, empty states, cards), phone and print.
    static let style = """
    :root{--fs-xs:.75rem;--fs-sm:.875rem;--fs-md:1rem;--fs-lg:1.125rem;--fs-xl:1.375rem;--fs-2xl:1.75rem;--sp-1:.25rem;--sp-2:.5rem;--sp-3:.75rem;--sp-4:1rem;--sp-5:1.5rem;--sp-6:2rem;--text:#1f2933;--muted:#52606d;--bg:#f5f7fa;--surface:#fff;--line:#d9e2ec;--line-strong:#9aa5b1;--primary:#0b4f6c;--primary-hover:#083a50;--focus:#2680c2;--danger:#b42318;--danger-bg:#fdecea;--success:#17663a;--success-bg:#e6f4ea;--warn:#6b4500;--warn-bg:#fff8e1;--info-bg:#e8f1f8;--radius:6px}
    *,*::before,*::after{box-sizing:border-box}
    body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;font-size:var(--fs-md);line-height:1.55;margin:0;color:var(--text);background:var(--bg)}
    h1{font-size:var(--fs-2xl);line-height:1.25;margin:0 0 var(--sp-4)}h2{font-size:var(--fs-xl);line-height:1.3;margin:var(--sp-6) 0 var(--sp-3)}h3{font-size:var(--fs-lg);margin:var(--sp-5) 0 var(--sp-2)}p{margin:var(--sp-2) 0}
    a{color:var(--primary);text-decoration:none}a:hover{text-decoration:underline}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:1px}
    header{background:var(--primary);color:#fff;padding:var(--sp-2) var(--sp-5);display:flex;flex-wrap:wrap;gap:var(--sp-2) var(--sp-4);align-items:center}
    header a,header button{color:#fff}header a{padding:var(--sp-1) 0}header strong{font-size:var(--fs-lg);margin-right:var(--sp-3)}
    main{padding:var(--sp-5);max-width:80rem}
    button,.button{font:inherit;font-size:var(--fs-sm);font-weight:600;line-height:1.2;display:inline-block;padding:.5rem .95rem;margin:var(--sp-1) var(--sp-2) var(--sp-1) 0;border:1px solid var(--primary);border-radius:var(--radius);background:var(--primary);color:#fff;cursor:pointer;text-decoration:none}
    button:hover,.button:hover{background:var(--primary-hover);text-decoration:none}button[value=save],button.secondary,.button.secondary{background:var(--surface);color:var(--primary)}button[value=save]:hover,button.secondary:hover{background:var(--info-bg)}
    button.danger{background:var(--danger);border-color:var(--danger)}button:disabled{opacity:.55;cursor:not-allowed}
    header button{background:transparent;border:1px solid rgba(255,255,255,.8);padding:.2rem .6rem;margin:0;font-weight:400}header button:hover{background:rgba(255,255,255,.15)}header .lang button{font-size:var(--fs-xs);margin-left:var(--sp-1)}
    input,select,textarea{font:inherit;font-size:var(--fs-sm);color:var(--text);background:var(--surface);border:1px solid var(--line-strong);border-radius:4px;padding:.35rem .5rem;max-width:100%}
    input[type=checkbox],input[type=radio]{width:1.05rem;height:1.05rem;vertical-align:-.15rem;accent-color:var(--primary)}
    textarea{width:100%;max-width:48rem}input:user-invalid{border-color:var(--danger)}label{display:block;margin:var(--sp-2) 0}fieldset{border:1px solid var(--line);border-radius:var(--radius);background:var(--surface);margin:var(--sp-3) 0}
    form.inline{display:inline}
    table{border-collapse:separate;border-spacing:0;background:var(--surface);display:block;width:max-content;max-width:100%;max-height:85vh;overflow:auto;border:1px solid var(--line);border-radius:var(--radius);margin:var(--sp-3) 0;font-size:var(--fs-sm)}
    th,td{border-bottom:1px solid var(--line);padding:.45rem .7rem;text-align:left;vertical-align:top}th{position:sticky;top:0;z-index:1;background:#eef2f7;font-weight:600;white-space:nowrap}tr:last-child td{border-bottom:0}tbody tr:hover td,tr:hover td{background:#f8fafc}
    td:first-child,th:first-child{white-space:nowrap}
    .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.error{color:var(--danger)}ul.error,p.error[role=alert]{background:var(--danger-bg);border-left:4px solid var(--danger);padding:var(--sp-2) var(--sp-3) var(--sp-2) var(--sp-5);border-radius:4px}p.error[role=alert]{padding-left:var(--sp-3)}p.error:empty{display:none}
    .demo,.notice{background:var(--warn-bg);color:var(--warn);padding:var(--sp-3);border:1px solid #f0c36d;border-radius:var(--radius)}.notice.ok{background:var(--success-bg);color:var(--success);border-color:#9bd3ae}
    .badge{display:inline-block;font-size:var(--fs-xs);font-weight:600;line-height:1.4;padding:.1rem .5rem;border-radius:999px;background:var(--info-bg);color:var(--primary);white-space:nowrap}.badge.ok{background:var(--success-bg);color:var(--success)}.badge.warn{background:var(--warn-bg);color:var(--warn)}.badge.bad{background:var(--danger-bg);color:var(--danger)}
    .empty{color:var(--muted);background:var(--surface);border:1px dashed var(--line-strong);border-radius:var(--radius);padding:var(--sp-4);text-align:center}
    .muted{color:var(--muted)}.totals{font-size:var(--fs-lg)}.totals strong{font-size:var(--fs-xl)}
    main>section,.card{background:var(--surface);border:1px solid var(--line);border-radius:var(--radius);padding:var(--sp-2) var(--sp-4) var(--sp-3);margin:var(--sp-3) 0}main>section>h3:first-child{margin-top:var(--sp-2)}
    details summary{cursor:pointer;color:var(--primary)}
    .chart{max-width:44rem}.chart svg{width:100%;height:auto;background:var(--surface);border:1px solid var(--line);border-radius:var(--radius)}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:var(--sp-4)}
    [translate=no]{overflow-wrap:anywhere}td [translate=no],th [translate=no]{overflow-wrap:normal;word-break:keep-all}textarea.code{width:100%;max-width:none;font-family:monospace;font-size:.85rem}
    pre.listing{background:var(--surface);border:1px solid var(--line);border-radius:var(--radius);padding:var(--sp-2);overflow-x:auto;font-size:.8rem}pre .bad{background:#fde8e8}
    tr.changed td{background:var(--warn-bg)}tr.flagged td{background:#fff5f5}td.fill label.field{display:block;margin:.1rem 0;white-space:nowrap}
    td.fill input{width:5.5rem}p.flag{margin:.2rem 0 0}p.flag:empty{display:none}ul.problems li{margin:.2rem 0}
    @media (max-width:600px){main{padding:var(--sp-3)}h1{font-size:var(--fs-xl)}h2{font-size:var(--fs-lg)}header{padding:var(--sp-2) var(--sp-3)}th,td{padding:.3rem .45rem}button,.button{padding:.6rem .9rem}table{max-height:none}}
    td.label{min-width:6em}.pay-line strong{font-size:1.25rem}p.comment,p.objection{margin:.3rem 0 0;padding:.2rem .45rem;font-size:.92rem;white-space:pre-wrap;border-left:3px solid #0b4f6c;background:#eef4f8}
    @media (max-width:600px){table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto;max-width:none;min-width:0}table.cards{overflow:visible;background:transparent}table.cards tr.head{display:none}table.cards tr{background:#fff;border:1px solid #d9e2ec;border-radius:6px;margin:0 0 .6rem;padding:.45rem .6rem}table.cards tr.flagged{background:#fff5f5}table.cards td{border:0;padding:.15rem 0;text-align:left}table.cards td:empty{display:none}table.cards td[data-label]::before{content:attr(data-label);display:block;color:#52606d;font-size:.78rem}table.cards td.label{font-size:1.05rem;font-weight:600;word-break:keep-all;overflow-wrap:break-word}table.cards td.label::before{display:none}table.cards td.pts,table.cards td.max,table.cards td.rule{display:inline-block;margin-right:1.2rem;vertical-align:top}}
    @media print{@page{size:A4 landscape;margin:12mm}header,form,button,.downloads{display:none}body{background:#fff;font-size:10pt}main{max-width:none;padding:0}table{display:table;width:100%;max-height:none;overflow:visible;border:0}th{position:static}main>section,.card{border:0;padding:0}}
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
