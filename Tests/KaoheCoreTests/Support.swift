import Foundation
@testable import KaoheCore

/// Loads a scheme from Tests/KaoheCoreTests/Fixtures.
func fixtureScheme(_ name: String) throws -> Scheme {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return try SchemeLoader.load(path: url.path).0
}

func fixtureEngine(_ name: String) throws -> ScoringEngine { try ScoringEngine(scheme: try fixtureScheme(name)) }

/// Decodes a YAML scheme text (tests of the validator and loader).
func yamlScheme(_ text: String) throws(SchemeProblems) -> Scheme { try SchemeLoader.decode(text, format: .yaml) }

/// A minimal valid scheme with one banded item, to vary in tests. `bands` holds one flow
/// mapping per line (`{min: 0, max: 20, value: 4}`).
func bandedScheme(boundary: String = "better", mode: String = "deduction", bands: String) -> String {
    let bandLines = bands.split(separator: "\n").map { "          " + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    return """
    id: t
    name: 测试
    boundary: \(boundary)
    metrics:
      - {id: rate, label: 比率, kind: percent}
    sections:
      - id: s
        label: 维度
        max: 5
        items:
          - id: b
            label: 档位项
            kind: banded
            max: 5
            rule: R-001-03
            metric: rate
            mode: \(mode)
            bands:

    """ + bandLines + "\n"
}

extension ScoringEngine {
    /// The highest total the scheme allows: the attainable maximum plus every bonus's maximum,
    /// within `cap`; nil when a bonus has no upper limit (R-002-33's uncapped sales points) and
    /// no cap bounds the total.
    var totalCeiling: Fixed? {
        var bonus = Fixed.zero
        for a in scheme.adjustments {
            if case .veto = a.rule { continue }
            guard let m = a.max else { return scheme.cap }
            bonus += Swift.max(m, .zero)
        }
        return Swift.min(attainableMax + bonus, scheme.cap ?? attainableMax + bonus)
    }
}
