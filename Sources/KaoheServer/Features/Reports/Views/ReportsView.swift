import Foundation
import Plot

/// The list of report pages (HR's and managers'): each form, linked for the latest counted period
/// (its year for the annual forms).
struct ReportsModel {
    /// The latest period with counted results (YYYY-MM), or "".
    var period: String
}

enum ReportsView {
    static func body(_ m: ReportsModel) -> Node<HTML.BodyContext> {
        let period = m.period
        return .group(
            .p("月度报表填月份（2026-10），年度报表填年份（2026）。"),
            .ul(.forEach(DataView.forms) { f in
                let p = ["year-end-record", "department-stats", "annual-stats"].contains(f.0) ? String(period.prefix(4)) : period
                return .li(.a(.href(HTMLEscape.attribute(SiteURL.report(f.0).path + "?period=\(p)")), .text(f.1)))
            })
        )
    }
}
