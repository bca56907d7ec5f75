import Foundation
import KaoheCore
import Plot

/// A cycle's calibration page (R-004-04): each rater's marks against the department's, and the
/// department's grades against the forced-distribution quota for its own grade.
struct CalibrationModel {
    /// The cycle.
    var id: UUID
    var scheme: String
    var period: String
    /// The scheme's highest total (the chart's scale).
    var max: Double
    var department: Calibration.Stats
    var raters: [CycleService.RaterDTO]
    /// The department grade asked for, the grades to choose from, and the quota rows for it.
    var grade: String?
    var departmentGrades: [String]
    var quota: [Calibration.QuotaRow]
}

enum CalibrationView {
    static func body(_ m: CalibrationModel) -> Node<HTML.BodyContext> {
        let chart = Charts.raters(m.raters.compactMap { r in
            guard let mean = r.stats.mean, let lo = r.stats.min, let hi = r.stats.max else { return nil }
            return Charts.Rater(name: r.rater, count: r.stats.count, mean: mean, min: lo, max: hi)
        }, departmentMean: m.department.mean, max: m.max, title: "评分人对比（R-004-04）")
        func f(_ d: Double?) -> String { d.map { Charts.fmt(($0 * 100).rounded() / 100) } ?? "—" }
        return .group(
            .p(.text("\(m.scheme) · \(m.period) · 部门 \(m.department.count) 人，平均 \(f(m.department.mean))，标准差 \(f(m.department.spread))")),
            Bits.chart(chart),
            .table(.tr(.th("评分人"), .th("人数"), .th("平均"), .th("与部门平均之差"), .th("标准差"), .th("最低"), .th("最高"), .th("等级分布")),
                   .forEach(m.raters) { r in
                       .tr(.td(Bits.name(r.rater)), .td(.class("num"), .text(String(r.stats.count))), .td(.class("num"), .text(f(r.stats.mean))),
                           .td(.class(abs(r.meanVsDepartment ?? 0) >= 5 ? "num error" : "num"), .text(f(r.meanVsDepartment))),
                           .td(.class("num"), .text(f(r.stats.spread))), .td(.class("num"), .text(f(r.stats.min))), .td(.class("num"), .text(f(r.stats.max))),
                           .td(.text(r.stats.grades.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "，"))))
                   }),
            .h2("强制分布（R-004-04）"),
            .form(.method(.get), .action(SiteURL.calibration(m.id).path),
                  .label(.text("部门等级 "), DataView.select("department_grade", [("", "—")] + m.departmentGrades.map { ($0, $0) }, selected: m.grade)),
                  .button(.type(.submit), "查看配额")),
            .table(.tr(.th("等级"), .th("人数"), .th("占比"), .th("上限"), .th("超出")),
                   .forEach(m.quota) { q in
                       .tr(.td(.text(q.grade)), .td(.class("num"), .text(String(q.count))), .td(.class("num"), .text(Self.percent(q.share))),
                           .td(.class("num"), .text(q.maxShare.map(Self.percent) ?? "—")), .td(.class(q.excess > 0 ? "num error" : "num"), .text(String(q.excess))))
                   }),
            .p(.a(.href(SiteURL.cycles.path), "返回考核周期"))
        )
    }

    /// After an adjustment from this page: what changed on which sheet; or why it was refused.
    static func notice(_ a: ReviewService.Adjusted?, error: String?) -> Node<HTML.BodyContext> {
        if let error { return .p(.class("error"), .attribute(named: "role", value: "alert"), .text(error)) }
        guard let a else { return .empty }
        return .p(.class("demo"), .attribute(named: "role", value: "status"), .id("adjusted"),
                  .text("已调整 "), .text(a.number + " "), Bits.name(a.name), .text("："), .text(a.label),
                  .text(" \(a.before ?? "—") → \(a.after)；"), .text("总分 "), .strong(.text("\(a.totalBefore ?? "—") → \(a.totalAfter ?? "—")")),
                  .text("；"), .text("原因已记入考核表的记录"))
    }

    /// Each sheet of the page with an adjustment where the caller may make one (R-004-04: results
    /// are balanced in the calibration session before publication, each change with its reason,
    /// through the sheet's own adjust action); elsewhere why not.
    static func adjustments(_ rows: [ReviewService.AdjustRow], cycle: UUID, csrf: String) -> Node<HTML.BodyContext> {
        guard !rows.isEmpty else { return .empty }
        let header: Node<HTML.TableContext> = .tr(.th("工号"), .th("姓名"), .th("班组"), .th("阶段"), .th("评分人"), .th("评分人总分"), .th("最终结果"),
                                                  .th("等级"), .th("校准调整（须写原因）"))
        let table: [Node<HTML.TableContext>] = [header] + rows.map { adjustRow($0, cycle: cycle, csrf: csrf) }
        return .group(
            .h2(.id("adjust"), .text("逐张校准调整（R-004-04）")),
            .p(.text("调整一项分数或等级，总分随之重新计算；评分人提交的总分保留，调整与原因记入考核表的记录和审计。")),
            .table(.class("adjustments"), .group(table))
        )
    }

    static func adjustRow(_ r: ReviewService.AdjustRow, cycle: UUID, csrf: String) -> Node<HTML.TableContext> {
        var team: Node<HTML.BodyContext> = .text("—")
        if let t = r.team { team = Bits.name(t) }
        var control: Node<HTML.BodyContext> = .text(r.note ?? "—")
        if let who = r.noteName { control = .group(.text(r.note ?? ""), Bits.name(who)) }
        if !r.columns.isEmpty {
            let options: [(String, String)] = r.columns.map { ($0.column, $0.label) }
            control = .form(.class("adjust"), .method(.post), .action(SiteURL.calibration(cycle).path),
                            CycleView.hidden("_csrf", csrf), CycleView.hidden("sheet", r.id.uuidString), CycleView.hidden("version", String(r.version)),
                            .label(.text("项目 "), DataView.select("column", options)),
                            .label(.text("改为 "), .input(.type(.text), .name("value"), .required(true), .attribute(named: "size", value: "6"),
                                                         .attribute(named: "inputmode", value: "decimal"))),
                            .label(.text("原因 "), .input(.type(.text), .name("reason"), .required(true))),
                            .button(.type(.submit), "校准调整"))
        }
        return .tr(.attribute(named: "id", value: HTMLEscape.attribute("sheet-\(r.number)")),
                   .td(.a(.href(SiteURL.sheet(r.id).path), .text(r.number))), .td(Bits.name(r.name)), .td(team), .td(.text(r.stage)), .td(Bits.name(r.rater)),
                   .td(.class("num"), .text(r.raterTotal ?? "—")), .td(.class("num final"), .text(r.finalTotal ?? "—")), .td(.text(r.grade ?? "—")), .td(control))
    }

    /// A share Core gives in percentage points (25.0 is a quarter), as a person reads it: "25 %".
    static func percent(_ points: Double) -> String {
        points.rounded() == points ? String(format: "%.0f %%", points) : String(format: "%.1f %%", points)
    }
}
