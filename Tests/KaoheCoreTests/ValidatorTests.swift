import Testing
@testable import KaoheCore

@Suite("Scheme loading and validation")
struct ValidatorTests {
    func decodeProblem(_ yaml: String) -> SchemeProblem? {
        do { _ = try yamlScheme(yaml); return nil } catch { return error.problems.first }
    }

    @Test func unknownKeyNamesItsPath() {
        let yaml = bandedScheme(bands: """
              - {min: 0, max: 20, value: 4, colour: red}
        """)
        let p = decodeProblem(yaml)
        #expect(p?.path == "sections[0].items[0].bands[0].colour")
        #expect(p?.message.contains("unknown key") == true)
    }

    @Test func unknownItemKeyIsRejected() {
        let yaml = """
        id: t
        name: 测试
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - {id: a, label: 甲, kind: manual, max: 5, bandz: 3}
        """
        #expect(decodeProblem(yaml)?.path == "sections[0].items[0].bandz")
    }

    @Test func missingKeyAndWrongTypeNameThePath() {
        let missing = """
        id: t
        name: 测试
        sections:
          - {id: s, label: 维度, items: []}
        """
        #expect(decodeProblem(missing)?.path == "sections[0].max")
        let wrongKind = """
        id: t
        name: 测试
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - {id: a, label: 甲, kind: telepathy, max: 5}
        """
        #expect(decodeProblem(wrongKind)?.path == "sections[0].items[0].kind")
        #expect(decodeProblem("id: t\nname: 测试\nmax: lots\n")?.path == "max")
    }

    @Test("R-001-03: a gap in the band table is a warning at the band's path")
    func bandGapIsAWarning() throws {
        let s = try yamlScheme(bandedScheme(bands: """
              - {min: 0, max: 20, value: 4}
              - {min: 20, max: 30, value: 3}
              - {min: 30, max: 50, value: 2}
              - {min: 60, value: 0}
        """))
        let problems = SchemeValidator.validate(s)
        let gap = problems.first { $0.severity == .warning && $0.message.contains("gap") }
        #expect(gap?.path == "sections[0].items[0].bands[3]")
        #expect(gap?.message.contains("50") == true && gap?.message.contains("60") == true)
        #expect(gap?.rules.contains("R-001-03") == true)
        #expect(!problems.contains { $0.severity == .error })
    }

    @Test func bandOverlapIsAnError() throws {
        let s = try yamlScheme(bandedScheme(bands: """
              - {min: 0, max: 25, value: 4}
              - {min: 20, max: 30, value: 3}
        """))
        let e = SchemeValidator.validate(s).first { $0.severity == .error }
        #expect(e?.path == "sections[0].items[0].bands[1]")
        #expect(e?.message.contains("overlaps bands[0]") == true)
        #expect(throws: SchemeProblems.self) { try ScoringEngine(scheme: s) }
    }

    @Test("R-000-11: rater weights must sum to 1")
    func raterWeights() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        raters:
          - {id: self, label: 自评, weight: 0.3}
          - {id: boss, label: 店长, weight: 0.6}
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - {id: a, label: 甲, kind: manual, max: 5, rule: R-000-11}
        """)
        let e = SchemeValidator.validate(s).first { $0.severity == .error }
        #expect(e?.path == "raters")
        #expect(e?.message.contains("0.9") == true)
    }

    @Test func itemMaxAboveSectionAndDuplicateIds() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - {id: a, label: 甲, kind: manual, max: 6, rule: R-000-01}
              - {id: a, label: 乙, kind: manual, max: 1, rule: R-000-01}
        """)
        let errors = SchemeValidator.validate(s).filter { $0.severity == .error }
        #expect(errors.contains { $0.path == "sections[0].items[0].max" && $0.message.contains("exceeds its section") })
        #expect(errors.contains { $0.path == "sections[0].items[1].id" && $0.message.contains("duplicate item id") })
    }

    @Test func unknownMetricAndFormulaErrorsNameThePath() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        metrics:
          - {id: orders, label: 订单数, kind: count}
        derived:
          - {id: conv, label: 转化率, kind: percent, formula: "orders / inquiries * 100"}
          - {id: broken, label: 坏公式, formula: "orders + (2"}
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - {id: a, label: 甲, kind: ratio, max: 5, metric: nosuch, rule: R-003-20}
        """)
        let problems = SchemeValidator.validate(s)
        #expect(problems.contains { $0.path == "sections[0].items[0].metric" && $0.message.contains("nosuch") })
        do { _ = try ScoringEngine(scheme: s); Issue.record("expected errors") } catch {
            #expect(error.problems.contains { $0.path == "derived[0].formula" && $0.message.contains("inquiries") && $0.message.contains("position 10") })
            #expect(error.problems.contains { $0.path == "derived[1].formula" && $0.message.contains("position 12") })
        }
    }

    @Test func derivedCycleIsAnError() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        derived:
          - {id: a, label: 甲, formula: "b + 1"}
          - {id: b, label: 乙, formula: "a + 1"}
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - {id: x, label: 丙, kind: formula, max: 5, formula: "a", rule: R-001-12}
        """)
        do { _ = try ScoringEngine(scheme: s); Issue.record("expected a cycle error") } catch {
            #expect(error.problems.contains { $0.message.contains("cycle") })
        }
    }

    @Test("R-002-25: the attainable maximum is reported and compared with the declared one")
    func attainableMaximum() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        max: 100
        sections:
          - id: a
            label: 甲
            max: 30
            items: [{id: a1, label: 甲一, kind: manual, max: 30, rule: R-002-20}]
          - id: b
            label: 乙
            max: 62
            items: [{id: b1, label: 乙一, kind: manual, max: 62, rule: R-002-20}]
        """)
        #expect(SchemeValidator.attainableMax(s) == 92)
        let problems = SchemeValidator.validate(s)
        #expect(problems.contains { $0.severity == .info && $0.message.contains("92") })
        #expect(problems.contains { $0.severity == .warning && $0.path == "max" && $0.rules == ["R-002-25"] })
    }

    @Test func sectionWeightsMustSumToOne() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        max: 100
        sections:
          - {id: a, label: 甲, max: 10, weight: 0.8, items: [{id: a1, label: 甲一, kind: manual, max: 10, rule: R-002-31}]}
          - {id: b, label: 乙, max: 10, weight: 0.1, items: [{id: b1, label: 乙一, kind: manual, max: 10, rule: R-002-31}]}
        """)
        #expect(SchemeValidator.validate(s).contains { $0.severity == .error && $0.path == "sections" && $0.message.contains("0.9") })
    }

    @Test func moneyItemsMustBeMoneyRules() throws {
        let s = try yamlScheme("""
        id: t
        name: 测试
        money:
          - {id: m, label: 罚款, kind: manual, rule: R-002-10}
        """)
        #expect(SchemeValidator.validate(s).contains { $0.severity == .error && $0.path == "money[0].kind" })
    }

    @Test func jsonSchemesDecodeLikeYaml() throws {
        let json = #"{"id":"j","name":"测试","sections":[{"id":"s","label":"维度","max":5,"items":[{"id":"a","label":"甲","kind":"per_occurrence","max":5,"points":0.5,"rule":"R-001-06"}]}]}"#
        let s = try SchemeLoader.decode(json, format: .json)
        let e = try ScoringEngine(scheme: s)
        #expect(try e.score(["a": "3"]).total == Fixed("3.5")!)
    }
}
