import Foundation
import Testing
@testable import KaoheCore

/// The QA checklist of a recording (issue 17 §5, R-002-14): the grade from the criteria ticked,
/// auto-fail criteria, the callcentre preset's checklist (seed 002, 4.1.4), and the validator's
/// errors naming the item and the field.
@Suite("QA checklist (issue 17 §5)")
struct QAChecklistTests {
    let engine: ScoringEngine
    let rule: GradedRule
    init() throws {
        engine = try ScoringEngine(scheme: try Presets.scheme("callcentre-agent"))
        guard case .graded(let g) = engine.scheme.sections[0].items[0].rule else { throw ChecklistError.noChecklist(item: "qa_score") }
        rule = g
    }

    func grade(_ faults: [String]) throws -> ChecklistOutcome { try rule.checklistGrade(item: "qa_score", faults: faults) }

    @Test("R-002-14: the preset's checklist: eight scoring criteria worth 60 points, two auto-fail ones, 劣 on auto-fail")
    func presetChecklist() throws {
        let list = try #require(rule.checklist)
        #expect(list.filter { !$0.autoFail }.map(\.id) == ["greeting", "phrases", "voice", "attitude", "accuracy", "guidance", "first_ask", "time_limit"])
        #expect(list.filter(\.autoFail).map(\.id) == ["misconduct", "rude"])
        #expect(list.filter { !$0.autoFail }.reduce(Fixed.zero) { $0 + ($1.points ?? .zero) } == Fixed(60))
        #expect(rule.autoFailGrade == "lie")
        #expect(list.allSatisfy { $0.rules.contains("R-002-14") })
        #expect(engine.scheme.sections[0].items[0].allRules.contains("R-002-10"))
        let problems = SchemeValidator.validate(engine.scheme)
        #expect(!problems.contains { $0.severity == .error }, "\(problems.filter { $0.severity == .error })")
        #expect(rule.checklistStart == Fixed(100))
        #expect(rule.gradesByPoints.map(\.id) == ["you", "liang", "zhong", "cha", "lie"])
    }

    @Test("R-002-14: the grade follows from the criteria not met — from 100, the best grade the score still reaches")
    func gradeFromCriteria() throws {
        // all met: 100 → 优
        let all = try grade([])
        #expect(all.grade.id == "you" && all.score == Fixed(100) && all.met == 10 && all.missed.isEmpty)
        #expect(all.explanation == "从 100 分起，各扣分项均达标，得 100 分，定为「优」")
        // 语气 only (−5): 95 → 良 (85 ≤ 95 < 100)
        let voice = try grade(["voice"])
        #expect(voice.grade.id == "liang" && voice.score == Fixed(95) && voice.met == 9)
        #expect(voice.explanation == "从 100 分起，未达标：语气亲切、语音清晰、语速适中 −5，得 95 分，定为「良」")
        // the seed's 中: 语气一般 5 + 漏说一次服务用语 5 + 不能灵活应变 10 + 服务欠周到 10 = 30 → 70, exactly 中's 70
        let zhong = try grade(["voice", "greeting", "guidance", "attitude"])
        #expect(zhong.grade.id == "zhong" && zhong.score == Fixed(70))
        // ticked in any order, listed in the checklist's order
        #expect(zhong.missed.map(\.id) == ["greeting", "voice", "attitude", "guidance"])
        // 5 more: 65 → 差
        #expect(try grade(["voice", "greeting", "guidance", "attitude", "time_limit"]).grade.id == "cha")
        // the seed's 差: attitude 10 + voice 5 + accuracy 10 + first_ask 10 + greeting 5 + phrases 5 + time 5 = 50 → 差
        let cha = try grade(["attitude", "voice", "accuracy", "first_ask", "greeting", "phrases", "time_limit"])
        #expect(cha.grade.id == "cha" && cha.score == Fixed(50))
        // every scoring criterion missed: 40, under 差's 50 → the lowest, 劣
        let none = try grade(["greeting", "phrases", "voice", "attitude", "accuracy", "guidance", "first_ask", "time_limit"])
        #expect(none.grade.id == "lie" && none.score == Fixed(40) && none.met == 2)
        // a repeated id counts once
        #expect(try grade(["voice", "voice"]).score == Fixed(95))
    }

    @Test("R-002-14: an auto-fail criterion makes the recording 劣 whatever the score; 劣 then cancels the month's service pay")
    func autoFail() throws {
        let misconduct = try grade(["misconduct"])
        #expect(misconduct.grade.id == "lie" && misconduct.score == Fixed(100) && misconduct.failed.map(\.id) == ["misconduct"] && misconduct.missed.isEmpty)
        let both = try grade(["voice", "rude"])
        #expect(both.grade.id == "lie" && both.score == Fixed(95) && both.failed.map(\.id) == ["rude"] && both.missed.map(\.id) == ["voice"])
        #expect(both.explanation == "从 100 分起，未达标：语气亲切、语音清晰、语速适中 −5，得 95 分；出现致命项：服务态度生硬恶劣，定为「劣」")
        // the grade goes where a chosen grade goes: 优 + the auto-failed 劣 → average 50, service pay 50 cancelled
        let r = try engine.score(["qa_score.you": "1", "qa_score.\(both.grade.id)": "1"])
        #expect(r.item("qa_score")?.points == Fixed(50))
        #expect(r.moneyLine("service_pay")?.amount == Decimal(0))
    }

    @Test("an id the checklist does not list is refused, naming the field; an item without a checklist has none to grade by")
    func unknownCriterion() throws {
        #expect(throws: ChecklistError.unknownCriterion("chatting")) { try grade(["voice", "chatting"]) }
        #expect(ChecklistError.unknownCriterion("chatting").message.hasPrefix("fault:"))
        #expect(ChecklistError.unknownCriterion("chatting").message.contains("chatting"))
        // the e-commerce supervisor's grade has no checklist: chosen directly, as before
        let ecommerce = try Presets.scheme("ecommerce-monthly")
        let evaluation = try #require(ecommerce.sections.flatMap(\.items).first { $0.id == "evaluation" })
        guard case .graded(let g) = evaluation.rule else { Issue.record("evaluation is graded"); return }
        #expect(g.checklist == nil)
        #expect(throws: ChecklistError.noChecklist(item: "evaluation")) { try g.checklistGrade(item: "evaluation", faults: []) }
    }

    static func scheme(count: String = "multiple", autoFailGrade: String? = "bad", checklist: String) -> String {
        """
        id: t
        name: 测试
        sections:
          - id: q
            label: 质检
            max: 100
            items:
              - id: qa
                label: 录音质检
                kind: graded
                max: 100
                rule: R-002-14
                count: \(count)
        \(count == "multiple" ? "        aggregate: average\n" : "")\(autoFailGrade.map { "        auto_fail_grade: \($0)\n" } ?? "")\
                grades:
                  - {id: good, label: 好, points: 100}
                  - {id: ok, label: 中, points: 60}
                  - {id: bad, label: 差, points: 0}
                checklist:

        """ + checklist.split(separator: "\n").map { "          " + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n") + "\n"
    }

    func errors(_ yaml: String) throws -> [SchemeProblem] {
        SchemeValidator.validate(try yamlScheme(yaml)).filter { $0.severity == .error }
    }

    @Test("the validator: ids unique and plain, labels non-empty, points on scoring criteria; each error names the item and the field")
    func validatorErrors() throws {
        let ok = try errors(Self.scheme(checklist: """
            - {id: greeting, label: 开场白, points: 10, rule: R-002-14}
            - {id: rude, label: 态度恶劣, auto_fail: true, rule: R-002-14}
            """))
        #expect(ok.isEmpty, "\(ok)")
        let bad = try errors(Self.scheme(checklist: """
            - {id: greeting, label: 开场白, points: 10}
            - {id: greeting, label: 开场白二, points: 10}
            - {id: blank, label: " ", points: 5}
            - {id: nopoints, label: 无分值}
            - {id: negative, label: 负分, points: -5}
            - {id: "a,b", label: 逗号, points: 5}
            - {id: rude, label: 态度恶劣, auto_fail: true}
            """))
        func at(_ path: String) -> SchemeProblem? { bad.first { $0.path == "sections[0].items[0].\(path)" } }
        #expect(at("checklist[1].id")?.message.contains("“greeting” 重复") == true, "\(bad)")
        #expect(at("checklist[2].label")?.message.contains("label 不能为空") == true)
        #expect(at("checklist[3].points")?.message.contains("须有 points") == true)
        #expect(at("checklist[4].points")?.message.contains("须大于 0") == true)
        #expect(at("checklist[5].id")?.message.contains("只能用英文字母") == true)
        // every message names the item by its label and id, and keeps its rule
        #expect(bad.count == 5 && bad.allSatisfy { $0.message.contains("录音质检") && $0.message.contains("（qa）") && $0.rules == ["R-002-14"] }, "\(bad)")
    }

    @Test("the validator: auto-fail criteria need auto_fail_grade, one of the item's grades; a checklist only on recordings graded one by one")
    func validatorAutoFail() throws {
        let missing = try errors(Self.scheme(autoFailGrade: nil, checklist: "- {id: rude, label: 态度恶劣, auto_fail: true}\n- {id: a, label: 甲, points: 5}"))
        #expect(missing.map(\.path) == ["sections[0].items[0].auto_fail_grade"] && missing[0].message.contains("须写 auto_fail_grade"), "\(missing)")
        let unknown = try errors(Self.scheme(autoFailGrade: "nope", checklist: "- {id: rude, label: 态度恶劣, auto_fail: true}"))
        #expect(unknown.map(\.path) == ["sections[0].items[0].auto_fail_grade"] && unknown[0].message.contains("“nope” 不是本项的等级"), "\(unknown)")
        let single = try errors(Self.scheme(count: "single", checklist: "- {id: a, label: 甲, points: 5}"))
        #expect(single.contains { $0.path == "sections[0].items[0].checklist" && $0.message.contains("count: multiple") }, "\(single)")
        let empty = try errors(Self.scheme(checklist: "").replacingOccurrences(of: "checklist:\n", with: "checklist: []\n"))
        #expect(empty.contains { $0.path == "sections[0].items[0].checklist" && $0.message.contains("为空") }, "\(empty)")
        // a key the criterion does not have is refused at its path (typos never become defaults)
        do {
            _ = try yamlScheme(Self.scheme(checklist: "- {id: a, label: 甲, points: 5, weight: 3}"))
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.problems.first?.path == "sections[0].items[0].checklist[0].weight", "\(error.problems)")
        }
    }
}
