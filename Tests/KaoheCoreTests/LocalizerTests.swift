import Foundation
import Testing
@testable import KaoheCore

@Suite("Languages: 简体中文, 繁體中文, English (issue 7 §1)")
struct LocalizerTests {
    @Test("the catalogue's second column is the Chinese-only (简体) form: a key without an English gloss keeps itself, never a 繁體 form")
    func chineseOnlyColumnIsSimplified() {
        var wrong: [String] = []
        for row in Localizer.rows("messages") where row.count >= 3 {
            guard !row[0].contains(where: { $0.isASCII && $0.isLetter }) else { continue }
            if !row[0].hasPrefix(row[1]) { wrong.append("\(row[0]) → \(row[1])") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        // a 简体 page reads 简体 even where a gloss triggers the catalogue (本行数据, not 本行數據)
        #expect(Localizer.shared.text("退款率 1.67%；本行数据：换货率 无数据 (R-001-07)", .zhHans).contains("本行数据：换货率"))
    }

    let l = Localizer.shared

    @Test("a message written “中文 — English” (the scheme validator's): each reader gets one half, in their language")
    func dashGlossed() {
        let m = "档位空档 80～90：落在其中的值将标记，交评分人裁定 — gap between 80 and 90: a value there is flagged for a rater"
        #expect(l.text(m, .zhHans) == "档位空档 80～90：落在其中的值将标记，交评分人裁定")
        #expect(l.text(m, .zhHant).contains("80～90：") && !l.text(m, .zhHant).contains("gap"), "\(l.text(m, .zhHant))")
        #expect(l.text(m, .en) == "gap between 80 and 90: a value there is flagged for a rater")
        // a dash between Chinese on both sides is not a gloss
        #expect(l.text("评分人裁定 — 复核人确认", .zhHans) == "评分人裁定 — 复核人确认")
    }

    @Test("繁體: characters and phrases (OpenCC), the seed's own form of its titles")
    func traditional() {
        #expect(l.text("员工月绩效考核记录表", .zhHant) == "員工月績效考核記錄表")
        // and back: a 简体 page shows a seed's 繁體 title in 简体 (issue 17 §3), a 繁體 page keeps it
        #expect(l.text("員工月績效考核記錄表", .zhHans) == "员工月绩效考核记录表")
        #expect(l.text("平均響應時間 50 秒；店長評分", .zhHans) == "平均响应时间 50 秒；店长评分")
        #expect(l.text("員工月績效考核記錄表", .zhHant) == "員工月績效考核記錄表")
        #expect(l.text("员工月绩效考核记录表", .zhHans) == "员工月绩效考核记录表")
        #expect(l.text("客户服务部员工绩效考核工作规程", .zhHant) == "客戶服務部員工績效考核工作規程")
        // a phrase where the characters alone would give 覆/複 wrongly: the Taiwan usage is kept
        #expect(l.text("复核通过", .zhHant) == "複核通過")
        // figures, ids and English are left alone
        #expect(l.text("R-001-02 扣 2 分 (¥50.00)", .zhHant) == "R-001-02 扣 2 分 (¥50.00)")
        #expect(l.text("no Chinese here", .zhHant) == "no Chinese here")
    }

    @Test("a message with an English gloss shows only its Chinese to Chinese readers and only English to English readers")
    func glossedMessages() {
        #expect(l.text("暂无成绩 no results yet", .zhHans) == "暂无成绩")
        #expect(l.text("暂无成绩 no results yet", .zhHant) == "暫無成績")
        let en = l.text("暂无成绩 no results yet", .en)
        #expect(!en.contains("暂") && en.lowercased().contains("no results"))
    }

    @Test("English: a whole known text, else its known fragments left to right, figures kept, punctuation made English")
    func englishFragments() {
        let t = Localizer(messages: [("命中区间", "命中区间", "band"), ("扣", "扣", "deduct"), ("分", "分", "pts"), ("首页", "首页", "Home")])
        #expect(t.text("首页", .en) == "Home")
        #expect(t.text("  首页 ", .en) == "  Home ")
        #expect(t.text("命中区间 [0, 50)，扣 2 分", .en) == "band [0, 50), deduct 2 pts")
        #expect(t.text("扣2分（R-001-04）", .en) == "deduct 2 pts (R-001-04)")
        // unknown Chinese (a name) stays as it is; nothing is lost
        #expect(t.text("王芳：扣 1 分", .en) == "王芳: deduct 1 pts")
        // longest match wins over a shorter key at the same place
        let u = Localizer(messages: [("考核", "考核", "appraisal"), ("考核表", "考核表", "appraisal sheet")])
        #expect(u.text("考核表", .en) == "appraisal sheet")
        #expect(u.text("考核周", .en).hasPrefix("appraisal"))
        // a single character other than a unit translates only as the whole text
        let v = Localizer(messages: [("有", "有", "Yes"), ("没有申诉", "没有申诉", "No objections"), ("分", "分", "pts")])
        #expect(v.text("有", .en) == "Yes")
        #expect(v.text("没有申诉", .en) == "No objections")
        #expect(v.text("有 3 分", .en) == "有 3 pts")
    }

    @Test("pages: text and readable attributes translated; scripts, styles, textareas and translate=\"no\" left alone")
    func html() {
        let t = Localizer(messages: [("首页", "首页", "Home"), ("分", "分", "pts"), ("姓名", "姓名", "Name")])
        let page = #"<html lang="zh-Hans"><p title="首页">首页 &amp; 分</p><span translate="no">王<b>分</b>分</span><td>分</td><textarea name="y">分</textarea><script src="/a.js"></script><input placeholder="姓名" value="分"></html>"#
        let out = t.html(page, .en)
        #expect(out.contains(#"<p title="Home">Home &amp; pts</p>"#))
        #expect(out.contains(#"<span translate="no">王<b>分</b>分</span>"#))
        #expect(out.contains("<td>pts</td>"))
        #expect(out.contains(#"<textarea name="y">分</textarea>"#))
        #expect(out.contains(#"placeholder="Name" value="分""#))
        // the default language changes nothing but glossed messages
        #expect(t.html(page, .zhHans) == page)
    }

    @Test("a part translated once (a kept report) passes through the page's translation as it is; the rest around it is translated")
    func translatedPart() {
        let t = Localizer(messages: [("首页", "首页", "Home"), ("分", "分", "pts")])
        let part = t.translatedPart(#"<td title="分">分</td><span translate="no">分</span>"#, .en)
        #expect(part == #"<!--kaohe:translated--><td title="pts">pts</td><span translate="no">分</span><!--/kaohe:translated-->"#)
        // a name that happens to be a known word, inside the part, is not translated a second time
        let kept = "<!--kaohe:translated--><td>分</td><!--/kaohe:translated-->"
        let page = "<p>首页</p>" + kept + "<p>分</p><!-- a comment -->"
        #expect(t.html(page, .en) == "<p>Home</p>" + kept + "<p>pts</p><!-- a comment -->")
        // an opening marker without its end is an ordinary comment
        #expect(t.html("<!--kaohe:translated--><p>分</p>", .en) == "<!--kaohe:translated--><p>pts</p>")
    }

    @Test("the catalogue covers every preset's labels: no Chinese left in English")
    func presetLabels() throws {
        for p in Presets.all() {
            let scheme = try Presets.scheme(p.id)
            var labels = [scheme.name]
            for s in scheme.sections { labels.append(s.label); labels += s.items.map(\.label) }
            for label in labels {
                let en = l.text(label, .en)
                #expect(!en.unicodeScalars.contains { $0.value >= 0x3400 && $0.value <= 0x9FFF }, "\(p.id): \(label) → \(en)")
            }
        }
    }
}

@Suite("The scheme editor places a problem at its line (issue 7 §6)")
struct SchemeLineTests {
    let text = """
    id: demo
    name: 示例
    sections:
      - id: a
        label: 甲
        items:
          - {id: x, label: 项目一, kind: manual, max: 5}
          - id: y
            label: 项目二
            kind: manual
            max: -3
      - id: b
        label: 乙
    """

    @Test func lines() {
        #expect(SchemeLoader.line(of: "name", in: text) == 2)
        #expect(SchemeLoader.line(of: "sections[0].items[0]", in: text) == 7)
        #expect(SchemeLoader.line(of: "sections[0].items[1].max", in: text) == 11)
        #expect(SchemeLoader.line(of: "sections[1].label", in: text) == 13)
        // deeper than the text: the deepest node that exists
        #expect(SchemeLoader.line(of: "sections[1].items[0].max", in: text) == 12)
        #expect(SchemeLoader.line(of: "sections[0].items[7]", in: text) == 6)
        #expect(SchemeLoader.line(of: "x", in: "{ unclosed") == nil)
    }
}
