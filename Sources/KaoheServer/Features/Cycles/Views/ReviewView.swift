import Foundation
import KaoheCore
import Plot

/// The review page of a cycle (`ReviewWebController`): what the reviewer reads and chooses.
struct ReviewModel {
    var listing: ReviewService.Listing
    var csrf: String
    /// Rows shown chosen: every row after "select all" without the script, the refused ones after a post.
    var selected: Set<UUID>
    /// The return reason typed, kept when the post was refused.
    var reason: String
    /// The step just taken, and what it did to each sheet.
    var step: ReviewService.Bulk?
    var outcomes: [ReviewService.Outcome]
    var error: String?
}

enum ReviewView {
    static func body(_ m: ReviewModel) -> Node<HTML.BodyContext> {
        let l = m.listing
        let others: Node<HTML.BodyContext> = l.elsewhere.isEmpty ? .empty
            : .p(.text("本周期由你复核的其他考核表："), .text(l.elsewhere.map { "\($0.stage) \($0.count)" }.joined(separator: "，")))
        return .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            outcomes(m.outcomes, step: m.step),
            .p(.text(l.scheme), .text(" · \(l.period)")),
            others,
            .if(l.rows.isEmpty, .p(.class("empty"), .text("没有等待你复核的考核表"))),
            .if(!l.rows.isEmpty, form(m)),
            .p(.a(.href(SiteURL.calibration(l.cycle).path), "校准（评分人对比、强制分布）"), .text(" · "), .a(.href(SiteURL.sheets.path), "我的考核"),
               .text(" · "), .a(.href(SiteURL.cycles.path), "返回考核周期")),
            .element(named: "script", nodes: [.attribute(named: "src", value: SiteURL.reviewScript.path), .attribute(named: "defer", value: "defer")])
        )
    }

    /// After a post: how many sheets were done, and per sheet what was done or why it was refused.
    static func outcomes(_ list: [ReviewService.Outcome], step: ReviewService.Bulk?) -> Node<HTML.BodyContext> {
        guard !list.isEmpty else { return .empty }
        let done = list.filter(\.done).count
        let verb = step == .returnToRater ? "已退回评分人" : "已复核通过"
        let rows: [Node<HTML.TableContext>] = list.map { o in
            let result: Node<HTML.TableRowContext> = o.done ? .td(.text(o.text)) : .td(.class("error"), .strong("未处理："), Bits.typed(o.text))
            return .tr(.class(o.done ? "" : "refused"), .td(.a(.href(SiteURL.sheet(o.id).path), .text(o.number))), .td(Bits.name(o.name)), result)
        }
        let head: Node<HTML.TableContext> = .tr(.th("工号"), .th("姓名"), .th("结果"))
        let table: [Node<HTML.TableContext>] = [head] + rows
        return .section(.class("outcomes"), .attribute(named: "role", value: "status"),
            .h2("处理结果"),
            .p(.text(verb + " "), .strong(.id("done-count"), .text(String(done))), .span(.text(" 张")),
               .if(done < list.count, .group(.text("；未处理 "), .strong(.id("refused-count"), .text(String(list.count - done))), .span(.text(" 张"))))),
            .table(.group(table))
        )
    }

    /// The table of sheets waiting for review, a checkbox each, and the two steps.
    static func form(_ m: ReviewModel) -> Node<HTML.BodyContext> {
        let l = m.listing
        let chosen = l.rows.filter { m.selected.contains($0.id) }.count
        let all = chosen == l.rows.count
        // "select all": the script shows the checkbox and hides the link (which works without it)
        let pick: Node<HTML.BodyContext> = .group(
            .span(.id("select-all-wrap"), .attribute(named: "hidden", value: "hidden"),
                  .label(.input(.type(.checkbox), .id("select-all"), .checked(all)), .text(" 全选"))),
            .a(.href(SiteURL.review(l.cycle).path([("all", "1")])), .attribute(named: "data-select-link", value: "all"), "全选"))
        let header: Node<HTML.TableContext> = .tr(.th(pick), .th("工号"), .th("姓名"), .th("班组"), .th("评分人"), .th("评分人总分"), .th("等级"), .th("待处理事项"))
        let rows: [Node<HTML.TableContext>] = [header] + l.rows.map { row($0, selected: m.selected.contains($0.id)) }
        return .form(.method(.post), .action(SiteURL.review(l.cycle).path), .id("review-form"),
            CycleView.hidden("_csrf", m.csrf),
            .p(.class("selection"), .text("待复核 "), .strong(.id("waiting-count"), .text(String(l.rows.count))), .text(" 张，已选 "),
               .strong(.id("selected-count"), .text(String(chosen))), .text(" 张")),
            .table(.class("review"), .group(rows)),
            .label(.text("退回原因（批量退回时必填，记入每一张退回的表）"),
                   .textarea(.name("reason"), .attribute(named: "rows", value: "2"), .text(m.reason))),
            .button(.type(.submit), .name("action"), .value(ReviewService.Bulk.approve.rawValue), "批量复核通过"),
            .button(.type(.submit), .name("action"), .value(ReviewService.Bulk.returnToRater.rawValue), "批量退回"),
            .p(.class("hint"), .text("每张表按你看到的版本处理：期间被他人改过的表、尚有待裁定项目的表不会通过，结果逐张列出。"))
        )
    }

    static func row(_ r: ReviewService.Row, selected: Bool) -> Node<HTML.TableContext> {
        let box: Node<HTML.BodyContext> = .input(.type(.checkbox), .name(HTMLEscape.attribute("s." + r.id.uuidString)), .value(String(r.version)),
                                                 .attribute(named: "data-sheet", value: "1"), .checked(selected),
                                                 .attribute(named: "aria-label", value: HTMLEscape.attribute("选择 \(r.number)")))
        var team: Node<HTML.BodyContext> = .text("—")
        if let t = r.team { team = Bits.name(t) }
        var changed: Node<HTML.BodyContext> = .empty
        if let t = r.total, t != r.raterTotal { changed = .small(.text("（现为 \(t)）")) }
        let decisions: [Node<HTML.ListContext>] = r.decisions.map { d in .li(.class("error"), .text(d)) }
        let notes: [Node<HTML.ListContext>] = r.flags.filter { !r.decisions.contains($0) }.map { f in .li(.text(f)) }
        var flags: Node<HTML.BodyContext> = .text("—")
        if !r.flags.isEmpty {
            let pending: Node<HTML.BodyContext> = r.decisions.isEmpty ? .empty : .p(.class("error"), .text("须在考核表上裁定后才能通过"))
            flags = .group(.ul(.class("flags"), .group(decisions + notes)), pending)
        }
        return .tr(.class(r.decisions.isEmpty ? "" : "flagged"), .attribute(named: "id", value: HTMLEscape.attribute("row-\(r.number)")),
                   .td(box), .td(.a(.href(SiteURL.sheet(r.id).path), .text(r.number))), .td(Bits.name(r.name)), .td(team), .td(Bits.name(r.rater)),
                   .td(.class("num"), .text(r.raterTotal ?? "—"), changed), .td(.text(r.grade ?? "—")), .td(flags))
    }

    /// On `/sheets`: the cycles with sheets waiting for the caller's review, each with its review page.
    static func queues(_ list: [ReviewStore.Queue]) -> Node<HTML.BodyContext> {
        guard !list.isEmpty else { return .empty }
        return .group(
            .h2("待我复核"),
            .ul(.class("queues"), .forEach(list) { q in
                // the texts between the tags are translated as wholes: the unit ends its own
                .li(.a(.href(SiteURL.review(q.cycle_id).path), "批量复核"), .text(" \(q.scheme) · \(q.period) · 待复核 "),
                    .strong(.text(String(q.waiting))), .text(" 张"))
            })
        )
    }

    /// `/assets/review.js`: "select all" and the count of sheets chosen (the page works without it:
    /// the link `?all=1` chooses every row).
    static let script = """
    (function () {
      var form = document.getElementById('review-form');
      if (!form) return;
      var boxes = form.querySelectorAll('input[type=checkbox][data-sheet]');
      var all = document.getElementById('select-all');
      var wrap = document.getElementById('select-all-wrap');
      var out = document.getElementById('selected-count');
      function count() {
        var n = 0;
        boxes.forEach(function (b) { if (b.checked) n++; });
        if (out) out.textContent = String(n);
        if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
      }
      if (all && wrap) {
        wrap.hidden = false;
        document.querySelectorAll('a[data-select-link]').forEach(function (a) { a.hidden = true; });
        all.addEventListener('change', function () {
          boxes.forEach(function (b) { b.checked = all.checked; });
          count();
        });
      }
      form.addEventListener('change', function (e) {
        if (e.target && e.target.hasAttribute && e.target.hasAttribute('data-sheet')) count();
      });
      count();
    })();
    """
}
