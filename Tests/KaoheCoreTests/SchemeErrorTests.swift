import Foundation
import Testing
@testable import KaoheCore

/// Scheme errors a person can act on (issue 16 §2): typing slips and YAML errors at their line
/// and column, wrong values with the valid choices, unknown keys with the keys allowed there,
/// SPEC-id warnings for presets only, and one document in YAML and JSON.
@Suite("Scheme errors people can act on (issue 16 §2)")
struct SchemeErrorTests {
    static let valid = """
    id: t
    name: 测试方案
    max: 10
    sections:
      - id: s
        label: 质量
        max: 10
        items:
          - {id: a, label: 甲, kind: manual, max: 5}
          - {id: b, label: 乙, kind: manual, max: 3}
          - {id: c, label: 丙, kind: manual, max: 2}

    """

    func problems(_ text: String, _ format: SchemeLoader.Format = .yaml) -> [SchemeProblem] {
        do { _ = try SchemeLoader.decode(text, format: format); return [] } catch { return error.problems }
    }

    @Test("a full-width colon is named at its line and column, with what to type instead")
    func fullWidthColon() throws {
        // line 6: four spaces, `label` in columns 5–9, the colon in column 10
        let text = Self.valid.replacingOccurrences(of: "    label: 质量", with: "    label：质量")
        let p = try #require(problems(text).first)
        #expect(p.line == 6 && p.column == 10, "\(p)")
        #expect(p.message.hasPrefix("第 6 行第 10 列："), "\(p.message)")
        #expect(p.message.contains("「：」是全角冒号，请改为半角冒号「: 」"))
        // in a flow mapping too: `{id: a，label：甲 …}` → the comma and the colon
        let flow = Self.valid.replacingOccurrences(of: "{id: a, label: 甲", with: "{id: a，label：甲")
        let slips = problems(flow)
        #expect(slips.contains { $0.line == 9 && $0.message.contains("全角逗号") }, "\(slips)")
        #expect(slips.contains { $0.line == 9 && $0.message.contains("全角冒号") }, "\(slips)")
        // a full-width colon inside a Chinese value is not a slip: the valid text decodes
        #expect(problems(Self.valid.replacingOccurrences(of: "label: 质量", with: "label: 质量：通话与服务")).isEmpty)
    }

    @Test("tabs and full-width spaces in the indentation, quotes and brackets left open")
    func otherSlips() throws {
        let tab = Self.valid.replacingOccurrences(of: "    max: 10\n    items", with: "\tmax: 10\n    items")
        #expect(problems(tab).contains { $0.line == 7 && $0.column == 1 && $0.message.contains("制表符") }, "\(problems(tab))")
        let wide = Self.valid.replacingOccurrences(of: "    label: 质量", with: "\u{3000}\u{3000}label: 质量")
        #expect(problems(wide).contains { $0.line == 6 && $0.message.contains("全角空格") }, "\(problems(wide))")
        let quote = Self.valid.replacingOccurrences(of: "name: 测试方案", with: "name: \"测试方案")
        #expect(problems(quote).contains { $0.line == 2 && $0.column == 7 && $0.message.contains("引号") }, "\(problems(quote))")
        let bracket = Self.valid.replacingOccurrences(of: "kind: manual, max: 3}", with: "kind: manual, max: 3")
        #expect(problems(bracket).contains { $0.line == 10 && $0.column == 9 && $0.message.contains("没有闭合") }, "\(problems(bracket))")
    }

    @Test("a hostile line (an alias then 50,000 dashes, the fuzzer's hang of 2026-12-01) is read once: refused at its line; a slip far along a long line is still found")
    func longLines() throws {
        let hostile = Self.valid + "decisions:\n*alias   " + String(repeating: "- ", count: 50_000) + "x\n"
        let p = try #require(problems(hostile).first)
        let line = hostile.components(separatedBy: "\n").firstIndex { $0.hasPrefix("*alias") }! + 1
        #expect(p.line == line && p.severity == .error, "\(p)")
        // a full-width colon after a key, behind 20,000 dashes and commas in a flow list: found at its column
        let long = Self.valid.replacingOccurrences(of: "max: 10\nsections", with: "max: 10\nnotes: [" + String(repeating: "- a, ", count: 4_000) + "b]\nperiod：month\nsections")
        #expect(problems(long).contains { $0.line == 5 && $0.column == 7 && $0.message.contains("全角冒号") }, "\(problems(long).prefix(3))")
    }

    @Test("any other YAML error is said in Chinese with its line and column")
    func yamlErrorHasLine() throws {
        let text = "id: t\nname: x\n  period: month\n"
        let p = try #require(problems(text).first)
        #expect(p.line == 3 && p.column != nil, "\(p)")
        #expect(p.message.hasPrefix("第 3 行第 ") && p.message.contains("YAML 语法错误"), "\(p.message)")
    }

    @Test("kind: deduction names the path, the value and every valid kind with its Chinese name")
    func wrongKindListsTheKinds() throws {
        let text = Self.valid.replacingOccurrences(of: "{id: c, label: 丙, kind: manual", with: "{id: c, label: 丙, kind: deduction")
        let p = try #require(problems(text).first)
        #expect(p.path == "sections[0].items[2].kind", "\(p)")
        #expect(p.message.contains("“deduction”"))
        for kind in Item.Kind.allCases { #expect(p.message.contains(kind.rawValue + " " + SchemeChoices.label(kind)), "\(kind)") }
        #expect(p.message.contains("manual 手工评分、deductions 扣分项"))
        #expect(p.message.contains("banded 档位/区间"))
        #expect(!p.message.contains("Cannot initialize"))
    }

    @Test("a wrong direction lists the choices of its own kind (per_occurrence or relative)")
    func wrongDirection() throws {
        let text = Self.valid.replacingOccurrences(of: "{id: c, label: 丙, kind: manual, max: 2}",
                                                   with: "{id: c, label: 丙, kind: per_occurrence, points: 1, direction: up, max: 2}")
        let p = try #require(problems(text).first)
        #expect(p.path == "sections[0].items[2].direction", "\(p)")
        #expect(p.message.contains("deduct 从满分扣、add 从 0 加") && !p.message.contains("below"), "\(p.message)")
        // the period too
        let period = problems(Self.valid.replacingOccurrences(of: "max: 10\nsections", with: "period: monthly\nmax: 10\nsections"))
        #expect(period.first?.path == "period" && period.first?.message.contains("month 月") == true, "\(period)")
    }

    @Test("an unknown key names its path and the keys allowed there")
    func unknownKey() throws {
        let text = Self.valid.replacingOccurrences(of: "{id: a, label: 甲, kind: manual, max: 5}", with: "{id: a, label: 甲, kind: manual, maxx: 5}")
        let p = try #require(problems(text).first)
        #expect(p.path == "sections[0].items[0].maxx", "\(p)")
        #expect(p.message.contains("sections[0].items[0] 处可用的键"))
        for key in ["id", "label", "max", "kind", "raters"] { #expect(p.message.contains(key)) }
        let top = try #require(problems(Self.valid.replacingOccurrences(of: "max: 10\nsections", with: "maxpoints: 10\nsections")).first)
        #expect(top.path == "maxpoints" && top.message.contains("方案的第一层") && top.message.contains("sections"), "\(top)")
    }

    @Test("a company's scheme gets no SPEC-id warnings; a preset missing one still does")
    func specIdWarningsForPresetsOnly() throws {
        let s = try SchemeLoader.decode(Self.valid, format: .yaml)
        #expect(!SchemeValidator.validate(s).contains { $0.message.contains("SPEC id") })
        #expect(!SchemeValidator.validate(s).contains { $0.severity == .warning })
        let asPreset = SchemeValidator.validate(s, preset: true).filter { $0.message.contains("SPEC id") }
        #expect(asPreset.map(\.path) == ["sections[0].items[0].rule", "sections[0].items[1].rule", "sections[0].items[2].rule"])
        #expect(asPreset.allSatisfy { $0.severity == .warning })
        // loaded as a preset from a file, the warning is there too
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString).yaml")
        try Self.valid.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try SchemeLoader.load(path: url.path, preset: true).1.contains { $0.message.contains("SPEC id") })
        #expect(try !SchemeLoader.load(path: url.path).1.contains { $0.message.contains("SPEC id") })
    }

    @Test("validator problems in Chinese list the valid choices: a points kind in money, an unknown rater")
    func validatorChoices() throws {
        let money = Self.valid + "money:\n  - {id: m, label: 奖金, kind: manual}\n"
        let p = try #require(SchemeValidator.validate(try SchemeLoader.decode(money, format: .yaml)).first { $0.path == "money[0].kind" })
        #expect(p.message.contains("金额项目不能用 “manual”") && p.message.contains("events 金额奖罚（元）、graded 等级评定、banded 档位/区间、formula 公式"), "\(p.message)")
        let rater = Self.valid.replacingOccurrences(of: "{id: a, label: 甲, kind: manual, max: 5}", with: "{id: a, label: 甲, kind: manual, raters: [boss], max: 5}")
            .replacingOccurrences(of: "max: 10\nsections", with: "max: 10\nraters:\n  - {id: lead, label: 组长, weight: 1}\nsections")
        let r = try #require(SchemeValidator.validate(try SchemeLoader.decode(rater, format: .yaml)).first { $0.path == "sections[0].items[0].raters" })
        #expect(r.message.contains("“boss”") && r.message.contains("lead 组长"), "\(r.message)")
    }

    @Test("a name written into a scheme text reads back as the same text: plain where YAML keeps it, quoted where it would read as a number, a flag, a key or a comment")
    func yamlStrings() throws {
        for name in ["本公司客服考核", "售后组月度服务评定", "yes", "null", "0.30", "001", "2026", "1e3", "-a", "a: b", "a #b", "[x]", "x, y", "tab\there",
                     "line\nbreak", "quote \" mark", "back\\slash", "trailing ", "ends:", "&anchor", "*alias", "%p", "@at"] {
            // the scheme's name on its own line, an item's label inside a flow mapping
            let text = Self.valid.replacingOccurrences(of: "name: 测试方案", with: "name: \(SchemeText.yamlString(name, flow: false))")
                .replacingOccurrences(of: "label: 甲,", with: "label: \(SchemeText.yamlString(name, flow: true)),")
            let read = try SchemeLoader.decode(text, format: .yaml)
            #expect(read.name == name, "\(name) → \(text)")
            #expect(read.sections[0].items[0].label == name, "\(name) in a flow mapping → \(text)")
        }
        #expect(SchemeText.yamlString("本公司客服考核", flow: false) == "本公司客服考核")
        #expect(SchemeText.yamlString("0.30", flow: false) == "\"0.30\"")
    }
}
