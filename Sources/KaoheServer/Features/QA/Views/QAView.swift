import Foundation
import KaoheCore
import Plot

/// The QA inspector's page (R-002-14): the agents of a QA-graded scheme with the month's graded
/// recordings against the expected ten, a one-line form per agent to grade the next recording, and
/// each recording with its removal.
struct QAModel {
    /// A graded item of the scheme (one event per graded item for each recording).
    struct Graded { var item: String; var label: String; var grades: [Grade]; var expected: Int
        /// The item's rule (its checklist, issue 17 §5).
        var rule: GradedRule? = nil
        /// The item has a QA checklist: each row links to the checklist form.
        var hasChecklist: Bool { !(rule?.checklist ?? []).isEmpty }
    }
    /// One recording graded: its events (one per graded item), who graded it, its checklist if it was graded with one.
    struct Recording { var day: String; var grade: String; var note: String; var by: String; var ids: [UUID]
        var checklist: QAChecklistService.DTO? = nil }
    /// An agent: their 工号, name and team, the month's counts by grade (of the first graded item), their recordings.
    struct Row { var id: UUID; var number: String; var name: String; var team: String; var counts: [String: Int]; var recordings: [Recording] }
    var csrf: String
    var schemes: [(String, String)]
    var scheme: String
    var period: String
    var graded: [Graded]
    var rows: [Row]
    var today: String
    var message: String?
    var error: String?
    /// The agent (工号) whose grade field takes the focus.
    var focus: String?
    var teams: [(String, String)] = []
    var team: String? = nil
    var page = 1
    var pages = 1
    var people = 0
}

enum QAView {
    static func body(_ m: QAModel) -> Node<HTML.BodyContext> {
        let first = m.graded.first
        let expected = first?.expected ?? 10
        return .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .if(m.schemes.isEmpty, .p("没有需要录音质检的方案")),
            .form(.method(.get), .action(SiteURL.qa.path),
                  .label(.text("方案 "), DataView.select("scheme", m.schemes, selected: m.scheme)),
                  .label(.text("考核月（YYYY-MM）"), .input(.type(.text), .name("period"), .value(HTMLEscape.attribute(m.period)), .attribute(named: "size", value: "8"))),
                  .label(.text("班组 "), DataView.select("team", [("", "全部")] + m.teams, selected: m.team)),
                  .button(.type(.submit), "查看")),
            .if(m.pages > 1, .p(.text("人数 \(m.people) · 页码 \(m.page)/\(m.pages) "),
                                .if(m.page > 1, .a(.href(QAView.link(m, m.page - 1)), "上一页")), .text(" "),
                                .if(m.page < m.pages, .a(.href(QAView.link(m, m.page + 1)), "下一页")))),
            .unwrap(first) { g in
                .p(.text("每人每月评定 \(expected) 条录音（R-002-14）：" + g.grades.map { "\($0.label) \($0.points.map { $0.format() } ?? "") 分" }.joined(separator: "，")
                         + "。同一条录音同时计入" + m.graded.map(\.label).joined(separator: "与") + "。"))
            },
            .table(.class("qa"),
                .tr(.th("工号"), .th("姓名"), .th("班组"), .th("已评"), .forEach(first?.grades ?? []) { .th(.text($0.label)) }, .th("评定下一条录音"), .th("本月记录")),
                .forEach(m.rows) { r in
                    let done = r.counts.values.reduce(0, +)
                    return .tr(.id(HTMLEscape.attribute("qa-\(r.number)")),
                        .td(.text(r.number)), .td(Bits.name(r.name)), .td(Bits.name(r.team)),
                        .td(.class(done == expected ? "num" : "num error"), .text("\(done)/\(expected)")),
                        .forEach(first?.grades ?? []) { g in .td(.class("num"), .text(String(r.counts[g.id] ?? 0))) },
                        .td(.form(.class("inline"), .method(.post), .action(SiteURL.qa.path),
                                  DataView.hidden(m.csrf), CycleView.hidden("scheme", m.scheme), CycleView.hidden("period", m.period),
                                  CycleView.hidden("employee", r.id.uuidString), CycleView.hidden("team", m.team ?? ""), CycleView.hidden("page", String(m.page)),
                                  .element(named: "select", nodes: [.attribute(named: "name", value: "grade"), .attribute(named: "aria-label", value: "等级"),
                                                                    m.focus == r.number ? .attribute(named: "autofocus", value: "autofocus") : .empty]
                                           + [Node<HTML.BodyContext>.element(named: "option", nodes: [.attribute(named: "value", value: "", ignoreIfValueIsEmpty: false), .text("等级")])]
                                           + (first?.grades ?? []).map { g in .element(named: "option", nodes: [.attribute(named: "value", value: HTMLEscape.attribute(g.id)), .text(g.label)]) }),
                                  .input(.type(.date), .name("day"), .value(HTMLEscape.attribute(min(m.today, lastDay(m.period)))), .attribute(named: "aria-label", value: "录音日期")),
                                  .input(.type(.text), .name("note"), .attribute(named: "placeholder", value: "录音编号"), .attribute(named: "size", value: "10"),
                                         .attribute(named: "aria-label", value: "录音编号")),
                                  // the month's count reached (R-002-14): one more only when ticked
                                  .if(done >= expected, .label(.input(.type(.checkbox), .name("beyond"), .value("1")), .text("超出仍记录"))),
                                  .button(.type(.submit), "记录")),
                            // the checklist form of this agent (issue 17 §5)
                            .if(first?.hasChecklist == true,
                                .a(.class("checklist-link"), .href(QAChecklistView.link(scheme: m.scheme, period: m.period, team: m.team, page: m.page, employee: r.id)),
                                   "按质检清单评定"))),
                        .td(.if(!r.recordings.isEmpty, .details(.summary(.text("\(r.recordings.count) 条")),
                            .ul(.forEach(r.recordings) { rec in
                                .li(.text("\(rec.day) \(first?.grades.first { $0.id == rec.grade }?.label ?? rec.grade) "), Bits.typed(rec.note), .text(" · "), Bits.name(rec.by),
                                    .unwrap(rec.checklist) { QAChecklistView.summary($0) },
                                    .form(.class("inline"), .method(.post), .action(SiteURL.qaRemove.path), DataView.hidden(m.csrf),
                                          CycleView.hidden("scheme", m.scheme), CycleView.hidden("period", m.period),
                                          CycleView.hidden("ids", rec.ids.map(\.uuidString).joined(separator: ",")),
                                          .input(.type(.text), .name("reason"), .attribute(named: "placeholder", value: "删除原因"), .attribute(named: "size", value: "8"),
                                                 .attribute(named: "aria-label", value: "删除原因")),
                                          .button(.type(.submit), "删除")))
                            })))))
                })
        )
    }

    /// Another page of the list, escaped for an `href` (a scheme's key is data).
    static func link(_ m: QAModel, _ page: Int) -> String {
        HTMLEscape.attribute(SiteURL.qa.path + "?scheme=\(m.scheme)&period=\(m.period)&team=\(m.team ?? "")&page=\(page)")
    }

    /// The last day of a YYYY-MM month (the date field's default when the month is over).
    static func lastDay(_ period: String) -> String {
        guard let m = MonthIndex(period) else { return period }
        return String(format: "%04d-%02d-%02d", m.year, m.month, PeriodCalendar.daysIn(year: m.year, month: m.month))
    }
}
