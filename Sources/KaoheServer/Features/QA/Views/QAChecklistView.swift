import Foundation
import KaoheCore
import Plot

/// The QA checklist form of one agent (issue 17 §5): for the next recording, the criteria the
/// inspector ticks (scoring criteria not met, auto-fail criteria found), the recording's day, a
/// link or call id of the recording or chat transcript, a comment; the grade the checklist gives
/// (computed by the server from the typed values, and live by `/assets/sheet.js`); the month's
/// recordings with their checklists.
struct QAChecklistModel {
    var csrf: String
    var scheme: String
    var period: String
    var team: String?
    var page: Int
    var employee: UUID
    var number: String
    var name: String
    var teamName: String
    /// The graded item the recordings are graded for, its label and rule (grades, checklist).
    var item: String
    var itemLabel: String
    var rule: GradedRule
    var done: Int
    var expected: Int
    /// The recording day's default (today, or the month's last day when the month is over).
    var day: String
    var values: QAChecklistService.Values
    /// What the typed values give (nil: nothing to compute, e.g. an unknown criterion was sent).
    var outcome: ChecklistOutcome?
    var recordings: [QAModel.Recording]
    var message: String?
    var error: String?
}

enum QAChecklistView {
    /// The link to an agent's checklist form, escaped for an `href` (a scheme's key is data).
    static func link(scheme: String, period: String, team: String?, page: Int, employee: UUID) -> String {
        HTMLEscape.attribute(SiteURL.qa.path([("scheme", scheme), ("period", period), ("team", team ?? ""), ("page", String(page)),
                                              ("checklist", employee.uuidString)]))
    }

    static func body(_ m: QAChecklistModel) -> Node<HTML.BodyContext> {
        let list = m.rule.checklist ?? []
        let scoring = list.filter { !$0.autoFail }
        let fatal = list.filter(\.autoFail)
        let ranked = m.rule.gradesByPoints
        let failGrade = m.rule.grades.first { $0.id == m.rule.autoFailGrade } ?? ranked.last
        let ticked = Set(m.values.faults)
        let back = HTMLEscape.attribute(SiteURL.qa.path([("scheme", m.scheme), ("period", m.period), ("team", m.team ?? ""), ("page", String(m.page))])
                                        + "#qa-\(m.number)")
        func box(_ c: ChecklistCriterion) -> Node<HTML.FormContext> {
            .label(.class("criterion"),
                   .input(.type(.checkbox), .name("fault"), .value(HTMLEscape.attribute(c.id)), .checked(ticked.contains(c.id)),
                          .attribute(named: "data-points", value: c.points?.format() ?? "0"),
                          c.autoFail ? .attribute(named: "data-auto-fail", value: "1") : .empty),
                   .text(" "), .text(c.label), .text(" "),
                   c.autoFail ? .span(.class("fatal"), .text("致命项")) : .span(.class("num"), .text("−\((c.points ?? .zero).format()) 分")),
                   .text(" "), .span(.class("rule"), .text(c.rules.joined(separator: ", "))))
        }
        return .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.a(.href(back), "返回质检列表")),
            .h2(.text(m.number), .text(" "), Bits.name(m.name), .text(" · "), Bits.name(m.teamName)),
            .p(.text(m.itemLabel), .text("："), .text("本月已评"), .text(" \(m.done)/\(m.expected) "), .text("条录音"), .text("（R-002-14）")),
            .p(.text("勾选未达标的标准与出现的致命项，等级按清单计算（R-002-14）：每条录音从最高等级的分数起，扣除未达标项的分值，按仍达到的最高等级定级；出现任何一项致命项即定为"),
               .text("「"), .text(failGrade?.label ?? ""), .text("」。")),
            .form(.method(.post), .action(SiteURL.qa.path), .id("checklist"), .class("checklist"),
                  .attribute(named: "data-checklist", value: m.rule.checklistStart?.format() ?? "0"),
                  .attribute(named: "data-auto-fail-grade", value: HTMLEscape.attribute(failGrade?.id ?? "")),
                  DataView.hidden(m.csrf), CycleView.hidden("scheme", m.scheme), CycleView.hidden("period", m.period),
                  CycleView.hidden("employee", m.employee.uuidString), CycleView.hidden("team", m.team ?? ""), CycleView.hidden("page", String(m.page)),
                  CycleView.hidden("checklist", "1"),
                  .fieldset(.element(named: "legend", text: "扣分项（未达标请勾选）"), .forEach(scoring) { box($0) }),
                  .if(!fatal.isEmpty, .fieldset(.element(named: "legend", text: "致命项（出现请勾选）"), .forEach(fatal) { box($0) })),
                  .label(.text("录音日期 "), .input(.type(.date), .name("day"), .value(HTMLEscape.attribute(m.values.day ?? m.day)), .required(true))),
                  .label(.text("录音或聊天记录（http/https 链接或通话编号） "),
                         .input(.type(.text), .name("reference"), .value(HTMLEscape.attribute(m.values.reference)),
                                .attribute(named: "maxlength", value: String(QAChecklistService.referenceLimit)), .attribute(named: "size", value: "40"),
                                .attribute(named: "style", value: "max-width:100%"),
                                .attribute(named: "placeholder", value: "https://… 或通话编号"))),
                  .label(.text("评语 "),
                         .textarea(.name("comment"), .rows(3), .attribute(named: "maxlength", value: String(QAChecklistService.commentLimit)),
                                   .attribute(named: "style", value: "width:100%;max-width:40rem"), .text(m.values.comment))),
                  // the month's count reached (R-002-14): one more only when ticked
                  .if(m.done >= m.expected, .p(.text("本月已评定"), .text(" \(m.done)/\(m.expected) "), .text("条录音"), .text(" "),
                                               .label(.input(.type(.checkbox), .name("beyond"), .value("1"), .checked(m.values.beyond)), .text("超出仍记录")))),
                  .p(.class("checklist-result"), .attribute(named: "role", value: "status"), .attribute(named: "aria-live", value: "polite"),
                     .text("按清单计："), .span(.id("checklist-score"), .class("num"), .text(m.outcome?.score.format() ?? "—")), .text(" "), .text("分"),
                     .text(" → "), .strong(.id("checklist-grade"), .text(m.outcome?.grade.label ?? "—"))),
                  .ul(.class("grade-scale"), .forEach(ranked) { g in
                      .li(.attribute(named: "data-grade-points", value: g.points?.format() ?? "0"), .attribute(named: "data-grade", value: HTMLEscape.attribute(g.id)),
                          .class(g.id == m.outcome?.grade.id ? "current" : ""),
                          .span(.class("g"), .text(g.label)), .text(" \(g.points?.format() ?? "") "), .text("分起"))
                  }),
                  .button(.type(.submit), "记录本条录音")),
            .h3("本月记录"),
            .if(m.recordings.isEmpty, .p("本月暂无记录")),
            .ul(.forEach(m.recordings) { rec in
                .li(.text("\(rec.day) "), .text(m.rule.grades.first { $0.id == rec.grade }?.label ?? rec.grade), .text(" "),
                    .if(rec.checklist == nil, .group(Bits.typed(rec.note), .text(" · "), Bits.name(rec.by))),
                    .unwrap(rec.checklist) { summary($0) })
            }),
            .element(named: "script", nodes: [.attribute(named: "src", value: SiteURL.script.path), .attribute(named: "defer", value: "defer")])
        )
    }

    /// One recording's checklist in a few lines: the score and grade, the criteria ticked, how many
    /// were met, the reference (a link only for http/https), the comment, who and when.
    static func summary<C>(_ d: QAChecklistService.DTO) -> Node<C> {
        func el(_ name: String, _ nodes: [Node<C>]) -> Node<C> { .element(named: name, nodes: nodes) }
        func cls(_ c: String) -> Node<C> { .attribute(named: "class", value: c) }
        var lines: [Node<C>] = []
        lines.append(el("span", [cls("qa-grade"), .text("按清单"), .text(" \(d.score) "), .text("分"), .text(" → "), el("strong", [.text(d.grade)])]))
        let missed = d.faults.filter { !$0.autoFail }
        let failed = d.faults.filter(\.autoFail)
        var faults: [Node<C>] = []
        if !failed.isEmpty {
            var line: [Node<C>] = [cls("error"), .text("致命项"), .text("：")]
            for (i, f) in failed.enumerated() {
                if i > 0 { line.append(.text("；")) }
                line.append(.text(f.label))
            }
            faults.append(el("li", line))
        }
        if !missed.isEmpty {
            var line: [Node<C>] = [.text("未达标："), .text(" ")]
            for (i, f) in missed.enumerated() {
                if i > 0 { line.append(.text("；")) }
                line += [.text(f.label), .text("（−\(f.points ?? "0") "), .text("分"), .text("）")]
            }
            faults.append(el("li", line))
        }
        if d.faults.isEmpty { faults.append(el("li", [.text("各项均达标")])) } else { faults.append(el("li", [.text("达标项："), .text(" \(d.met)")])) }
        if let r = d.reference {
            let ref: Node<C> = d.link.map { url in
                el("a", [.attribute(named: "href", value: HTMLEscape.attribute(url)), .attribute(named: "rel", value: "noopener noreferrer nofollow"),
                         .attribute(named: "target", value: "_blank"), .attribute(named: "translate", value: "no"), .text(url)])
            } ?? el("span", [.attribute(named: "translate", value: "no"), .text(r)])
            faults.append(el("li", [.text("录音或聊天记录："), ref]))
        }
        if let c = d.comment { faults.append(el("li", [.text("评语："), el("span", [cls("comment"), .attribute(named: "translate", value: "no"), .text(c)])])) }
        faults.append(el("li", [cls("by"), el("span", [.attribute(named: "translate", value: "no"), .text(d.by)]), .text(" · \(LocalTime.text(d.at))")]))
        lines.append(el("ul", faults))
        return el("div", [cls("qa-checklist")] + lines)
    }

    /// The checklists of an item's recordings on a sheet (under the item's explanation): folded,
    /// one line per recording when opened.
    static func onSheet<C>(_ list: [QAChecklistService.DTO]) -> Node<C> {
        guard !list.isEmpty else { return .empty }
        func el(_ name: String, _ nodes: [Node<C>]) -> Node<C> { .element(named: name, nodes: nodes) }
        let rows: [Node<C>] = list.map { d in el("li", [.text("\(d.day) "), summary(d)]) }
        return el("details", [.attribute(named: "class", value: "qa-recordings"),
                              el("summary", [.text("质检清单"), .text(" \(list.count) "), .text("条录音")]),
                              el("ul", rows)])
    }
}

extension QAChecklistView {
    /// The checklist form's live grade (served with the sheet script, `/assets/sheet.js`): the
    /// same arithmetic as Core's `checklistGrade`, in hundredths of a point, on the figures the
    /// form carries (`data-points`, `data-grade-points`); the grade's label is copied from the
    /// page's own grade scale, so it reads in the page's language. The server computes the grade
    /// again when the form is sent; without the script the form works the same.
    static let script = """
    (function () {
      var form = document.querySelector('form[data-checklist]');
      if (!form) return;
      function hundredths(s) { var n = parseFloat(s); return isNaN(n) ? 0 : Math.round(n * 100); }
      var start = hundredths(form.getAttribute('data-checklist'));
      var failId = form.getAttribute('data-auto-fail-grade');
      var scale = Array.prototype.slice.call(form.querySelectorAll('[data-grade-points]'));
      function update() {
        var score = start, fatal = false;
        form.querySelectorAll('input[name="fault"]').forEach(function (el) {
          if (!el.checked) return;
          if (el.hasAttribute('data-auto-fail')) { fatal = true; } else { score -= hundredths(el.getAttribute('data-points')); }
        });
        var pick = null;
        if (fatal) { scale.forEach(function (li) { if (li.getAttribute('data-grade') === failId) pick = li; }); }
        else { scale.forEach(function (li) { if (!pick && score >= hundredths(li.getAttribute('data-grade-points'))) pick = li; }); }
        if (!pick && scale.length) pick = scale[scale.length - 1];
        scale.forEach(function (li) { li.classList.toggle('current', li === pick); });
        var s = document.getElementById('checklist-score');
        if (s) s.textContent = String(score / 100);
        var g = document.getElementById('checklist-grade');
        var label = pick ? pick.querySelector('.g') : null;
        if (g && label) g.textContent = label.textContent;
      }
      form.addEventListener('change', update);
      update();
    })();
    """
}
