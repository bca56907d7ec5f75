import Foundation
import KaoheCore
import Plot

struct HomeModel {
    struct Row { var id: UUID; var number: String; var name: String; var position: String; var latest: String }
    var rows: [Row]
}

/// Pieces every page uses.
enum Bits {
    /// A person's name: theirs, never translated.
    static func name<C>(_ s: String) -> Node<C> { .element(named: "span", nodes: [.attribute(named: "translate", value: "no"), .text(s)]) }
    /// Names people gave: of a person, a department, a team — never translated.
    /// Text a user typed (a reason, a note): never translated.
    static func typed<C>(_ s: String) -> Node<C> { .element(named: "span", nodes: [.attribute(named: "translate", value: "no"), .text(s)]) }
    /// An SVG chart made by `Charts` (markup we built and escaped ourselves).
    static func chart(_ svg: String) -> Node<HTML.BodyContext> { .div(.class("chart"), .raw(svg)) }
    static func stage(_ raw: String) -> String { SheetStageLabel.label(raw) }

    /// Sheets waiting for the viewer, with their deadlines (overdue ones marked).
    static func pending(_ rows: [CycleService.Mine], today: String, showPerson: Bool) -> Node<HTML.BodyContext> {
        .group(
            .if(rows.isEmpty, .p(.class("empty"), "暂无待办")),
            .if(!rows.isEmpty, .table(
                .tr(.if(showPerson, .group(.th("工号"), .th("姓名"))), .th("期间"), .th("阶段"), .th("我要做的"), .th("截止")),
                .forEach(rows) { r in
                    let overdue = (r.deadline ?? "9999") < today
                    return .tr(.if(showPerson, .group(.td(.a(.href(SiteURL.sheet(r.id).path), .text(r.employee))), .td(name(r.name)))),
                               .td(showPerson ? .text(r.period) : .a(.href(SiteURL.sheet(r.id).path), .text(r.period))),
                               .td(SheetStageLabel.badge(r.stage)), .td(.text(CycleView.roleLabel[r.role] ?? r.role)),
                               .td(.class(overdue ? "error" : ""), .text((r.deadline ?? "") + (overdue ? "（已逾期）" : ""))))
                }))
        )
    }
}

/// The home of an agent or a QA inspector: the inspector's way to the recordings, then their own
/// results (or, for an agent without an employee record, a word to see HR).
struct AgentPageModel {
    /// A QA inspector's link to the grading page.
    var qaLink: Bool
    /// The person's own home; nil: the account has no employee record.
    var home: HomeService.AgentHome?
    /// Whether to say so when there is no record (agents; an inspector sees the link only).
    var saysNoRecord: Bool
    var today: String
}

enum HomeView {
    /// An agent's or a QA inspector's page (`AgentPageModel`).
    static func agentPage(_ m: AgentPageModel) -> Node<HTML.BodyContext> {
        let qa: Node<HTML.BodyContext> = m.qaLink ? .p(.a(.href(SiteURL.qa.path), "录音质检：评定本月录音（条数按方案，R-002-14）")) : .empty
        guard let home = m.home else { return .group(qa, .if(m.saysNoRecord, .p("这个账号没有关联员工档案，请联系人事"))) }
        return .group(qa, agent(home, today: m.today))
    }

    /// HR's list of people with their latest result (also the lead's and manager's team list).
    static func body(_ m: HomeModel) -> Node<HTML.BodyContext> {
        .table(
            .tr(.th("工号"), .th("姓名"), .th("岗位"), .th("最近成绩")),
            .forEach(m.rows) { r in
                .tr(.td(.a(.href(SiteURL.employee(r.id).path), .text(r.number))), .td(Bits.name(r.name)), .td(.text(r.position)), .td(.class("num"), .text(r.latest)))
            }
        )
    }

    /// An agent's home: what to do, the trend, the latest result item by item, level progress, objections.
    static func agent(_ m: HomeService.AgentHome, today: String) -> Node<HTML.BodyContext> {
        .group(
            .p(.text("\(m.employee.number) "), Bits.name(m.employee.name), .text(" · \(m.employee.position) · "),
               Bits.name(m.employee.department.name + (m.employee.team.map { " \($0.name)" } ?? ""))),
            .h2("本月考核表"),
            Bits.pending(m.pending, today: today, showPerson: false),
            .if(!m.inProgress.isEmpty, .p(.text("评分中（发布后可见总分）：" + m.inProgress.sorted().joined(separator: "、")))),
            .h2("近 12 个月成绩"),
            .if(m.trend.isEmpty, .p(.class("empty"), "暂无成绩")),
            .if(!m.trend.isEmpty, Bits.chart(Charts.trend(m.trend, max: m.max, threshold: m.passMark, title: "近 12 个月总分"))),
            .unwrap(m.latest) { l in
                .group(
                    .h2(.text("\(l.period) 成绩：\(l.total)（等级 \(l.grade)）")),
                    .unwrap(m.pay) { CycleView.payLine(paid: $0.paid, provisional: $0.provisional, explanation: $0.explanation) },
                    .unwrap(l.sheet) { .p(.a(.href(SiteURL.sheet($0).path), "查看考核表、确认或申诉")) },
                    .if(!m.sections.isEmpty, Bits.chart(Charts.profile(m.sections, title: "各维度得分"))),
                    // one card per item on a phone (table.cards, Page.style)
                    .table(.class("items cards"),
                           .tr(.class("head"), .th("项目"), .th("规则"), .th("得分"), .th("满分"), .th("依据与计算")),
                           .forEach(m.items) { i in
                               .tr(.td(.class("label"), .attribute(named: "data-label", value: "项目"), .text(i.label)),
                                   .td(.class("rule"), .attribute(named: "data-label", value: "规则"), .text(i.rule)),
                                   .td(.class("num pts"), .attribute(named: "data-label", value: "得分"), .text(i.points)),
                                   .td(.class("num max"), .attribute(named: "data-label", value: "满分"), .text(i.max)),
                                   .td(.attribute(named: "data-label", value: "依据与计算"), .text(i.explanation)))
                           }),
                    .if(!m.money.isEmpty, .group(
                        .h3("奖惩（元）"),
                        .table(.class("cards money"),
                               .tr(.class("head"), .th("项目"), .th("规则"), .th("金额"), .th("依据与计算")),
                               .forEach(m.money) { i in
                                   .tr(.td(.class("label"), .attribute(named: "data-label", value: "项目"), .text(i.label)),
                                       .td(.class("rule"), .attribute(named: "data-label", value: "规则"), .text(i.rule)),
                                       .td(.class("num amount"), .attribute(named: "data-label", value: "金额"), .text(i.points)),
                                       .td(.attribute(named: "data-label", value: "依据与计算"), .text(i.explanation)))
                               }))),
                    .if(!m.outcomes.isEmpty, .group(
                        .h3("本月其他结果"),
                        .ul(.forEach(m.outcomes) { o in .li(.text(o.explanation)) })))
                )
            },
            .if(!m.ladder.isEmpty, .group(.h2("等级与星级"), .ul(.forEach(m.ladder) { .li(.text($0)) }))),
            .h2("申诉"),
            .if(m.objections.isEmpty, .p("没有申诉")),
            .if(!m.objections.isEmpty, .table(
                .tr(.th("期间"), .th("时间"), .th("操作"), .th("人"), .th("原因")),
                .forEach(m.objections) { o in
                    .tr(.td(.a(.href(SiteURL.sheet(o.sheet).path), .text(o.period))), .td(.text(LocalTime.text(o.at))),
                        .td(.text(CycleView.actionName(o.action))),
                        .td(Bits.name(o.actor)), .td(Bits.typed(o.reason)))
                })),
            .h2("历史成绩"),
            .if(!m.results.isEmpty, .table(
                .tr(.th("期间"), .th("方案"), .th("总分"), .th("等级")),
                .forEach(m.results) { r in
                    .tr(.td(r.sheet.map { .a(.href(SiteURL.sheet($0).path), .text(r.period)) } ?? .text(r.period)), .td(.text(r.scheme)), .td(.class("num"), .text(r.total)), .td(.text(r.grade)))
                }))
        )
    }

    /// A team lead's or a manager's home.
    static func team(_ m: HomeService.TeamHome, people: HomeModel) -> Node<HTML.BodyContext> {
        .group(
            .if(!m.scope.isEmpty, .p(Bits.name(m.scope))),
            .h2("待我处理的考核表"),
            Bits.pending(m.pending, today: m.today, showPerson: true),
            .unwrap(m.period) { p in
                .group(
                    .h2(.text("\(p) 团队成绩")),
                    .forEach(m.groups) { g in
                        .section(
                            .h3(.text("\(g.scheme)：\(g.count) 人，平均 \(g.mean.format())")),
                            Bits.chart(Charts.distribution(g.distribution, title: "\(p) 分数分布")),
                            .details(.attribute(named: "open", value: g.ranking.count <= 30 ? "open" : ""),
                                .summary(.text("排名（前 10 与后 5，全部见报表）")),
                                .table(.tr(.th("名次"), .th("工号"), .th("姓名"), .th("班组"), .th("总分"), .th("等级")),
                                       .forEach(g.ranking.count <= 15 ? g.ranking : Array(g.ranking.prefix(10)) + Array(g.ranking.suffix(5))) { r in
                                           .tr(.td(.class("num"), .text(String(r.rank))), .td(.a(.href(SiteURL.employee(r.employee).path), .text(r.number))),
                                               .td(Bits.name(r.name)), .td(Bits.name(r.team)), .td(.class("num"), .text(r.total.format())), .td(.text(r.grade)))
                                       }))
                        )
                    },
                    .h2("需要关注"),
                    .if(m.flags.isEmpty, .p("没有需要关注的人")),
                    .if(!m.flags.isEmpty, .table(.tr(.th("工号"), .th("姓名"), .th("事项")),
                        .forEach(m.flags) { f in .tr(.td(.a(.href(SiteURL.employee(f.employee).path), .text(f.number))), .td(Bits.name(f.name)), .td(.text(f.text))) })),
                    .p(.a(.href(HTMLEscape.attribute(SiteURL.report("ranking").path + "?period=\(p)")), "月度排名"), .text(" · "), .a(.href(SiteURL.report("star-board").path), "星星榜"), .text(" · "),
                       .a(.href(HTMLEscape.attribute(SiteURL.report("monthly-record").path + "?period=\(p)")), "月绩效考核记录表"))
                )
            },
            .if(!people.rows.isEmpty, .group(.h2("团队成员"), body(people)))
        )
    }

    /// HR's home: open cycles, each department's latest month, where to go.
    static func hr(_ m: HomeService.HRHome) -> Node<HTML.BodyContext> {
        .group(
            .p(.text("在职 \(m.people) 人。"), .a(.href(SiteURL.people.path), "人员"), .text(" · "), .a(.href(SiteURL.cycles.path), "考核周期"), .text(" · "),
               .a(.href(SiteURL.imports.path), "导入与导出"), .text(" · "), .a(.href(SiteURL.schemes.path), "考核方案"), .text(" · "), .a(.href(SiteURL.reports.path), "报表"), .text(" · "),
               .a(.href(SiteURL.audit.path), "审计记录"), .text(" · "), .a(.href(SiteURL.retention.path), "数据保留")),
            .h2("进行中的考核周期"),
            .if(m.cycles.isEmpty, .p("没有进行中的考核周期")),
            .if(!m.cycles.isEmpty, .table(
                .tr(.th("方案"), .th("期间"), .th("状态"), .th("考核表"), .th("各阶段"), .th("逾期"), .th("发布截止")),
                .forEach(m.cycles) { c in
                    .tr(.td(.text("\(c.scheme) v\(c.schemeVersion)")), .td(.text(c.period)), .td(.text(c.status)), .td(.class("num"), .text(String(c.sheets))),
                        .td(.text(c.stages.sorted { $0.key < $1.key }.map { "\(Bits.stage($0.key)) \($0.value)" }.joined(separator: "，"))),
                        .td(.class(c.overdue.isEmpty ? "" : "error"), .text(String(c.overdue.reduce(0) { $0 + $1.employees.count }))), .td(.text(c.publishDue)))
                })),
            .unwrap(m.period) { p in
                .group(
                    .h2(.text("\(p) 各部门成绩")),
                    .div(.class("charts"), .forEach(m.departments.filter { $0.count > 0 }) { d in
                        .section(.h3(Bits.name(d.name), .text("：\(d.count) 人，平均 \(d.mean.format())")),
                                 Bits.chart(Charts.distribution(d.distribution, title: "\(d.name) \(p) 分数分布")))
                    })
                )
            }
        )
    }
}

struct EmployeeModel {
    struct Row { var period: String; var scheme: String; var total: String; var grade: String; var sheet: UUID? = nil }
    var number: String
    var name: String
    /// The latest scheme's lowest grade boundary, for the trend's red line.
    var passMark: Double? = nil
    var trend: [Charts.Point]
    var rows: [Row]
}

enum EmployeeView {
    static func body(_ m: EmployeeModel) -> Node<HTML.BodyContext> {
        .group(
            .p(.text("\(m.number) "), Bits.name(m.name)),
            .if(m.rows.isEmpty, .p(.class("empty"), "暂无成绩")),
            .if(!m.trend.isEmpty, Bits.chart(Charts.trend(m.trend, max: 100, threshold: m.passMark, title: "近 12 个月总分"))),
            .if(!m.rows.isEmpty, .table(
                .tr(.th("期间"), .th("方案"), .th("总分"), .th("等级")),
                .forEach(m.rows) { r in
                    .tr(.td(r.sheet.map { .a(.href(SiteURL.sheet($0).path), .text(r.period)) } ?? .text(r.period)), .td(.text(r.scheme)),
                        .td(.class("num"), .text(r.total)), .td(.text(r.grade)))
                }
            ))
        )
    }
}
