import Foundation
import KaoheCore
import Plot

/// A form to print (issue 17 §6): its own document — no site header — with a print stylesheet:
/// the monthly record one A4 portrait page per person (`break-after: page`), the other forms on
/// A4 landscape with their header row repeated on every page. Also what headless Chromium prints
/// to PDF. Names people gave are `translate="no"` and never wrap one character a line.
struct PrintModel {
    /// The signature lines' names and the days Kaohe recorded the steps (nil: not recorded).
    struct Signature { var rater: String?; var rated: String?; var reviewer: String?; var reviewed: String?; var acknowledged: String? }
    struct RecordPage { var record: Forms.Record; var schemeName: String; var signature: Signature }
    /// A 工资表 line with its money as shown: base, paid, fines, rewards, corrections' difference, total.
    struct LedgerLine { var number: String; var name: String; var department: String; var period: String; var amounts: [String]; var locked: Bool }
    struct Ledger {
        /// Every result of the month in scope is locked.
        var locked: Bool
        var lines: [LedgerLine]
        /// The sums of the shown amounts, as shown.
        var totals: [String]
        var held: XLSXWriter.Sheet?
        var corrections: XLSXWriter.Sheet?
        var detail: XLSXWriter.Sheet?
    }
    /// A sheet of a form; `breakColumn`: a new page where this column's value changes (the department).
    struct Table { var sheet: XLSXWriter.Sheet; var breakColumn: Int? }
    enum Content { case records([RecordPage]), ledger(Ledger), tables([Table]) }

    var title: String
    /// The form's own name (the seed's) and its rule.
    var form: String
    var rule: String
    var company: String?
    /// The department (and team), or 全公司.
    var scope: String
    var period: String
    var printedAt: String
    var landscape: Bool
    var content: Content
    /// Shown on screen above the pages, never printed.
    var notes: [String] = []
    /// Screen-only links (escaped `href`, label): the PDF, back to the report.
    var links: [(href: String, label: String)] = []
}

enum PrintView {
    static let pageStyle = """
    *{box-sizing:border-box}html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    body{font-family:"Noto Sans CJK SC","Noto Sans CJK","PingFang SC","Microsoft YaHei",sans-serif;font-size:8.5pt;line-height:1.3;color:#111;margin:0;background:#e9edf1}
    .screen{background:#fff;border-bottom:1px solid #c8d1db;padding:.6rem 1rem;font-size:11pt}.screen a{margin-right:1.2rem;color:#0b4f6c}
    .screen p{margin:.3rem 0}.screen .note{color:#8a4b00}
    .page{background:#fff;margin:6mm auto;padding:9mm 10mm;box-shadow:0 1px 4px rgba(0,0,0,.15)}
    .portrait .page{width:210mm;min-height:297mm}.landscape .page{width:297mm;min-height:210mm}
    .record{break-after:page;page-break-after:always;break-inside:avoid}.record:last-child{break-after:auto;page-break-after:auto}
    .form-part{break-before:page;page-break-before:always}.form-part.first{break-before:auto;page-break-before:auto}
    h1{font-size:13pt;text-align:center;margin:0 0 1mm;letter-spacing:.06em}h2{font-size:9.5pt;margin:2.5mm 0 1mm}
    .org{text-align:center;font-size:9pt;margin:0 0 2.5mm}
    .status{display:inline-block;border:1.5px solid #0b4f6c;color:#0b4f6c;padding:0 2mm;font-weight:bold;margin-left:2mm;font-size:8.5pt;white-space:nowrap}
    .status.open{border-color:#b42318;color:#b42318}
    table{border-collapse:collapse;width:100%}th,td{border:.6pt solid #555;padding:.6mm 1.2mm;vertical-align:top;text-align:left}
    th{background:#eef2f6;font-weight:600;white-space:nowrap}thead{display:table-header-group}tfoot{display:table-footer-group}tr{break-inside:avoid}
    .meta th{width:12%}.meta td{white-space:nowrap}[translate=no]{white-space:nowrap}
    .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    .items{margin-top:2mm;table-layout:fixed}.items .c-item{width:27%}.items .c-n{width:8%}.items .c-amount{width:16%}
    .items tr.section td{background:#f7f9fb;font-weight:600}
    .why{font-size:7pt;line-height:1.25;color:#333;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
    .dense .why{-webkit-line-clamp:2}.dense .items td{padding:.35mm 1.2mm}
    .summary{margin-top:2mm}.summary .big{font-size:11pt;font-weight:bold}.small{font-size:7pt;color:#444}
    .flags{color:#b42318;margin:1mm 0}
    .sign{margin-top:4mm}.sign td{border:none;padding:2.5mm 1mm 0;white-space:nowrap;vertical-align:bottom}
    .line{display:inline-block;border-bottom:.6pt solid #111;min-width:30mm;height:4.5mm}.line.date{min-width:24mm}
    .foot{margin-top:3mm;font-size:7pt;color:#555;display:flex;justify-content:space-between}
    .ledger-status{font-size:10pt;font-weight:bold;margin:1mm 0 2mm;text-align:center}.ledger-status.open{color:#b42318}
    tr.provisional td{background:#fff8e1}tr.total td{font-weight:bold;background:#eef2f6;border-top:1.2pt solid #111}
    .mark{font-size:7pt;color:#8a4b00;white-space:nowrap}
    .table td{font-size:7.5pt}
    @media print{body{background:#fff}.screen{display:none}.page{width:auto;min-height:0;margin:0;padding:0;box-shadow:none}}
    """

    /// `@page` on its own: A4 portrait for the monthly record, landscape for the tables.
    static func pageRule(_ landscape: Bool) -> String {
        "@page{size:A4 \(landscape ? "landscape" : "portrait");margin:9mm 10mm}"
    }

    /// The whole document.
    static func document(_ m: PrintModel) -> String {
        let html = HTML(
            .lang(.init(rawValue: "zh-Hans") ?? .chinese),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: m.title),
                .element(named: "style", text: pageRule(m.landscape) + pageStyle)
            ),
            .body(
                .class(m.landscape ? "landscape" : "portrait"),
                .if(!m.links.isEmpty || !m.notes.isEmpty, .div(.class("screen"),
                    .forEach(m.notes) { .p(.class("note"), .attribute(named: "role", value: "status"), .text($0)) },
                    .p(.forEach(m.links) { l in .a(.href(l.href), .text(l.label)) }))),
                content(m)
            )
        )
        return html.render()
    }

    static func content(_ m: PrintModel) -> Node<HTML.BodyContext> {
        switch m.content {
        case .records(let pages):
            return .group(
                .forEach(pages) { Self.record($0, m) },
                .if(pages.isEmpty, .div(.class("page"), .h1(.text(m.form)), .p(.class("org"), .text("\(m.period) · 没有已发布的考核结果"))))
            )
        case .ledger(let l): return ledger(l, m)
        case .tables(let tables):
            var parts: [Node<HTML.BodyContext>] = []
            for t in tables {
                for part in Self.parts(t) { parts.append(Self.table(t.sheet, rows: part, m, first: parts.isEmpty)) }
            }
            return .group(parts)
        }
    }

    /// A name people gave: never translated, never wrapped.
    static func name(_ s: String) -> Node<HTML.BodyContext> { .span(.attribute(named: "translate", value: "no"), .text(s)) }

    static func points(_ f: Fixed?) -> String { f.map { $0.format() } ?? "—" }

    static func yuan(_ d: Decimal?) -> String { d.map { "\(Forms.grouped($0)) 元" } ?? "—" }

    /// An item's points, or that it waits for a rater's decision.
    static func scored(_ f: Fixed?) -> String { f.map { $0.format() } ?? "待裁定" }

    /// The points an item lost, as a deduction.
    static func lost(_ f: Fixed?) -> String { f.map { "-\($0.format())" } ?? "" }

    /// An entry's yuan, points or value.
    static func amount(_ e: Forms.RecordEntry) -> String {
        if let a = e.amount { return yuan(a) }
        if let p = e.points { return "\(p.format()) 分" }
        return e.value ?? ""
    }

    /// The header every page of a form shares: the company and scope, the form's name, the status.
    static func header(_ m: PrintModel, extra: Node<HTML.BodyContext> = .empty) -> Node<HTML.BodyContext> {
        .group(
            .p(.class("org"), .unwrap(m.company) { .group(Self.name($0), .text(" · ")) },
               // the department's and team's names as written; 全公司 is the page's own word
               m.scope == "全公司" ? Node<HTML.BodyContext>.text(m.scope) : Self.name(m.scope), .text(" · \(m.period)")),
            .h1(.text(m.form), extra)
        )
    }

    static func foot(_ m: PrintModel) -> Node<HTML.BodyContext> {
        .p(.class("foot"), .span(.text("\(m.form)（\(m.rule)）")), .span(.text("打印于 \(m.printedAt)")))
    }

    // MARK: the monthly record

    static func record(_ page: PrintModel.RecordPage, _ m: PrintModel) -> Node<HTML.BodyContext> {
        let r = page.record, p = r.person, s = page.signature
        let status = r.draft ? "草稿 · 未发布" : r.locked ? "已锁定" : "已发布"
        // a long scheme's lines in smaller steps, so that one person still fits a page
        let dense = r.lines.count + r.entries.count > 24
        return .div(.class("page record\(dense ? " dense" : "")"),
            .p(.class("org"), .unwrap(m.company) { .group(Self.name($0), .text(" · ")) }, Self.name(p.department), .unwrap(p.team) { .group(.text(" · "), Self.name($0)) }),
            .h1(.text(m.form), .span(.class(r.locked ? "status" : "status open"), .text(status))),
            .table(.class("meta"),
                .tr(.th("姓名"), .td(Self.name(p.name)), .th("工号"), .td(.text(p.number)), .th("岗位"), .td(Self.name(p.position ?? "—"))),
                .tr(.th("部门"), .td(Self.name(p.department)), .th("班组"), .td(Self.name(p.team ?? "—")), .th("考核期间"), .td(.text(r.period))),
                .tr(.th("考核方案"), .td(.attribute(named: "colspan", value: "5"), Self.name(page.schemeName), .text("（\(r.scheme) v\(r.schemeVersion)）")))),
            .table(.class("items"),
                .thead(.tr(.th(.class("c-item"), "考核项目"), .th(.class("c-n num"), "满分"), .th(.class("c-n num"), "得分"), .th(.class("c-n num"), "扣分"), .th("评分依据"))),
                .tbody(.forEach(r.lines) { l in
                    .tr(.class(l.isSection ? "section" : "item"),
                        .td(.text(l.label)), .td(.class("num"), .text(Self.points(l.max))), .td(.class("num"), .text(Self.scored(l.points))),
                        .td(.class("num"), .text(Self.lost(l.lost))),
                        .td(.if(!l.explanation.isEmpty, .div(.class("why"), .text(l.explanation)))))
                })),
            .if(!r.entries.isEmpty, .group(
                .h2("加减分、扣款与奖惩"),
                .table(.class("items"),
                    .thead(.tr(.th(.class("c-item"), "项目"), .th(.class("c-amount num"), "分数/金额"), .th("原因"))),
                    .tbody(.forEach(r.entries) { e in
                        .tr(.td(.text(e.label)),
                            .td(.class("num"), .text(Self.amount(e))),
                            .td(.div(.class("why"), .text(e.reason))))
                    })))),
            .if(!r.flags.isEmpty, .p(.class("flags"), .text("待评分人裁定：" + r.flags.joined(separator: "；")))),
            .table(.class("summary"),
                .tr(.th("总分"), .td(.class("num big"), .text(r.total.format())), .th("满分"), .td(.class("num"), .text(Self.points(r.max))),
                    .th("等级"), .td(.class("big"), .text(r.grade ?? "—"))),
                .tr(.th("绩效工资基数"), .td(.class("num"), .text(Self.yuan(r.payBase))),
                    .th("应发绩效工资"), .td(.class("num"), .text(Self.yuan(r.paid)), .if(r.payProvisional, .span(.class("mark"), .text(" 暂定，待裁定")))),
                    .th("奖惩合计"), .td(.class("num"), .text(Self.yuan(r.money)))),
                .tr(.th("应发合计"), .td(.attribute(named: "colspan", value: "5"), .strong(.class("big"), .text(Self.yuan(r.payable))),
                                        .unwrap(r.payExplanation) { .span(.class("small"), .text("　\($0)")) }))),
            .table(.class("sign"),
                Self.signLine("评分人（直接上级）", s.rater, recorded: s.rated.map { "\($0) 提交评分" }),
                Self.signLine("审核人（间接上级）", s.reviewer, recorded: s.reviewed.map { "\($0) 复核" }),
                Self.signLine("被考核人确认", p.name, recorded: s.acknowledged.map { "\($0) 已在系统中确认" })),
            foot(m)
        )
    }

    /// A signature line: who, a line to sign on, a line for the date, and what Kaohe recorded.
    static func signLine(_ role: String, _ who: String?, recorded: String?) -> Node<HTML.TableContext> {
        .tr(.td(.text("\(role)："), Self.name(who ?? "")), .td(.text("签字："), .span(.class("line"))), .td(.text("日期："), .span(.class("line date"))),
            .td(.class("small"), .text(recorded.map { "系统记录：\($0)" } ?? "")))
    }

    // MARK: the 工资表

    static let ledgerHeader = ["工号", "姓名", "部门", "期间", "绩效工资基数(元)", "应发绩效工资(元)", "罚款合计(元)", "奖励合计(元)", "更正差额(元)", "合计(元)", "状态"]

    static func ledger(_ l: PrintModel.Ledger, _ m: PrintModel) -> Node<HTML.BodyContext> {
        .group(
            .div(.class("page form-part first"),
                header(m),
                .p(.class(l.locked ? "ledger-status" : "ledger-status open"), .text(l.locked ? "本月已锁定" : "本月未锁定，数字可能变化")),
                .table(.class("table"),
                    .thead(.tr(.forEach(ledgerHeader.enumerated()) { k, h in .th(.class(k >= 4 && k <= 9 ? "num" : ""), .text(h)) })),
                    .tbody(.forEach(l.lines) { line in
                        .tr(.class(line.locked ? "line" : "line provisional"),
                            .td(.text(line.number)), .td(Self.name(line.name)), .td(Self.name(line.department)), .td(.text(line.period)),
                            .forEach(line.amounts) { .td(.class("num"), .text($0)) },
                            .td(.text(line.locked ? "已锁定" : "暂定（已发布，未锁定）")))
                    }),
                    .tfoot(.tr(.class("total"), .td(.attribute(named: "colspan", value: "4"), .text("合计（\(l.lines.count) 人）")),
                               .forEach(l.totals) { .td(.class("num"), .text($0)) }, .td()))),
                .if(l.lines.isEmpty, .p(.text("本期没有可发放的考核结果"))),
                foot(m)),
            .unwrap(l.held) { Self.table($0, rows: $0.rows.indices, m, first: false) },
            .unwrap(l.corrections) { Self.table($0, rows: $0.rows.indices, m, first: false) },
            .unwrap(l.detail) { Self.table($0, rows: $0.rows.indices, m, first: false) }
        )
    }

    // MARK: the other forms

    /// A table's rows in parts, a new part where the break column's value changes (each department
    /// of the year-end record from a new page).
    static func parts(_ t: PrintModel.Table) -> [Range<Int>] {
        let rows = t.sheet.rows
        guard let col = t.breakColumn, !rows.isEmpty else { return [rows.indices] }
        func key(_ i: Int) -> String { col < rows[i].count ? ExportService.text(rows[i][col]) : "" }
        var out: [Range<Int>] = [], start = 0
        for i in 1..<max(rows.count, 1) where key(i) != key(i - 1) {
            out.append(start..<i); start = i
        }
        out.append(start..<rows.count)
        return out
    }

    /// A form's sheet (or a part of it) from a new page, its header row repeated on every page;
    /// money with thousands separators.
    static func table(_ s: XLSXWriter.Sheet, rows: Range<Int>, _ m: PrintModel, first: Bool) -> Node<HTML.BodyContext> {
        .div(.class("page form-part\(first ? " first" : "")"),
            header(m, extra: .span(.class("status"), .text(s.name))),
            .table(.class("table"),
                .thead(.tr(.forEach(s.header.enumerated()) { k, h in .th(.class(s.formats[k] != nil ? "num" : ""), .text(h)) })),
                .tbody(.forEach(rows) { i in
                    .tr(.forEach(Array(s.rows[i].enumerated())) { k, cell in
                        switch cell {
                        case .number(let t):
                            return .td(.class("num"), .text(s.format(row: i, column: k) == .money ? Forms.grouped(t) : t))
                        case .text(let t) where s.nameColumns.contains(k): return .td(Self.name(t))
                        case .text(let t), .date(let t): return .td(.text(t))
                        case .empty: return .td()
                        }
                    })
                })),
            .if(rows.isEmpty, .p(.text("本期没有数据"))),
            foot(m))
    }
}
