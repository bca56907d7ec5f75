import Fluent
import Foundation
import KaoheCore
import Vapor

/// The visual scheme builder's server side (issue 16 §2): a document the page edits (JSON, or the
/// YAML of the advanced tab) checked exactly as a save checks it (`SchemeService.check`: decoding,
/// the validator, the engine, the outcome policies), a sample employee scored with it, and the
/// save — a new version of a scheme through `SchemeService.save`, or version 1 of a new one.
enum SchemeBuilderService {
    /// A problem as the page shows it: at its path (`sections[0].items[1].bands[2]`), in the reader's
    /// language, with its line in the YAML when the document is YAML.
    struct Problem: Codable, Equatable {
        var severity: String
        var path: String
        var message: String
        var rules: [String]
        var line: Int?
    }

    /// The document as read: its YAML text (nil when it could not be read), the scheme when it
    /// decodes, and every problem a save would report.
    struct Checked {
        var yaml: String?
        var scheme: Scheme?
        var problems: [SchemeProblem]
        var errors: Bool { yaml == nil || scheme == nil || problems.contains { $0.severity == .error } }
    }

    /// The blank document a new scheme starts from.
    static let blank = #"{"id":"","name":"","period":"month","max":100,"boundary":"better","raters":[],"metrics":[],"derived":[],"sections":[],"adjustments":[],"money":[],"grades":[],"outcomes":[]}"#

    /// Ids a new scheme may not take: they are the builder's own paths.
    /// Reads a JSON document (the visual editor) or a YAML text (the advanced tab). `key` is the
    /// scheme being edited; nil for a new one, whose key is the document's own id.
    static func check(document: String?, yaml: String?, key: String?) -> Checked {
        let text: String
        if let yaml {
            text = yaml.replacingOccurrences(of: "\r\n", with: "\n")
        } else {
            do { text = try SchemeText.yaml(fromJSON: document ?? "") } catch { return Checked(yaml: nil, scheme: nil, problems: error.problems) }
        }
        let id = key ?? ((try? SchemeLoader.decode(text, format: .yaml))?.id ?? "")
        let (scheme, problems) = SchemeService.check(text, key: id)
        return Checked(yaml: text, scheme: scheme, problems: problems)
    }

    static func problems(_ ps: [SchemeProblem], yaml: String?, _ lang: Language) -> [Problem] {
        ps.sorted { $0.severity < $1.severity }.map { p in
            Problem(severity: p.severity.rawValue, path: p.path, message: Localizer.shared.text(p.message, lang), rules: p.rules,
                    line: yaml.flatMap { SchemeLoader.line(of: p.path, in: $0) })
        }
    }

    // MARK: preview

    /// One input of the sample employee: what the engine reads, and the value used.
    struct Input: Codable, Equatable {
        var column: String
        var label: String
        var kind: String
        var min: String?
        var max: String?
        var grades: [String]
        /// The value the sample takes when none is typed: the middle of the input's range.
        var sample: String
        /// The value scored: the typed one, else the sample.
        var value: String
    }

    struct ItemLine: Codable, Equatable {
        var id: String
        var label: String
        var section: String?
        var points: String?
        var max: String?
        var explanation: String
        var flag: String?
    }

    struct MoneyLine: Codable, Equatable {
        var id: String
        var label: String
        var amount: String
        var explanation: String
    }

    struct Preview: Codable, Equatable {
        var inputs: [Input]
        var items: [ItemLine]
        var money: [MoneyLine]
        var total: String?
        var max: String?
        var grade: String?
        var pay: String?
        var flags: [String]
        /// Why the sample could not be scored (a typed value out of range …).
        var error: String?
    }

    /// A name a formula may use: the metrics and derived metrics, by id, with their labels.
    struct Name: Codable, Equatable { var id: String; var label: String }

    /// What `POST /schemes/builder/preview` answers.
    struct Outcome: Codable {
        var errors: Int
        var warnings: Int
        var problems: [Problem]
        var attainableMax: String?
        var declaredMax: String?
        var names: [Name]
        var preview: Preview?
    }

    /// The middle of an input's range (a whole number for counts), its default when it has one
    /// (an empty cell's meaning: 0 events, a coefficient of 1), the first grade of a grade column.
    static func sample(_ input: InputSpec) -> String? {
        if input.kind == .text { return nil }
        if let g = input.grades.first { return g }
        if let d = input.whenEmpty { return d.description }
        let lo = input.min, hi = input.max ?? (input.kind == .percent ? Fixed.hundred : nil)
        var v: Fixed
        switch (lo, hi) {
        case let (l?, h?): v = Fixed.divide(l + h, Fixed(2)) ?? l
        case let (nil, h?): v = Fixed.divide(h, Fixed(2)) ?? h
        case let (l?, nil): v = l
        case (nil, nil): v = .zero
        }
        if input.kind == .count { v = v.floored }
        return v.description
    }

    /// Scores a sample employee with the checked scheme: each input its typed value, else the middle
    /// of its range; a rater's override column is left empty (the evidence decides).
    static func preview(_ scheme: Scheme, values: [String: String], _ lang: Language) -> Preview {
        let engine: ScoringEngine
        do { engine = try ScoringEngine(scheme: scheme) } catch {
            return Preview(inputs: [], items: [], money: [], total: nil, max: nil, grade: nil, pay: nil, flags: [],
                           error: error.problems.map { Localizer.shared.text($0.message, lang) }.joined(separator: "；"))
        }
        var inputs: [Input] = []
        var row: [String: String] = [:]
        for i in engine.inputs where !i.column.hasSuffix(".override") {
            guard let s = sample(i) else { continue }
            let typed = values[i.column]?.trimmingCharacters(in: .whitespaces) ?? ""
            let v = typed.isEmpty ? s : typed
            row[i.column] = v
            inputs.append(Input(column: i.column, label: i.label, kind: i.kind.rawValue, min: i.min?.description, max: i.max?.description,
                                grades: i.grades, sample: s, value: v))
        }
        let result: SheetResult
        do { result = try engine.score(row, employee: "样例", period: nil) } catch {
            return Preview(inputs: inputs, items: [], money: [], total: nil, max: engine.attainableMax.format(), grade: nil, pay: nil, flags: [],
                           error: Localizer.shared.text(error.description, lang))
        }
        let t = { (s: String) in Localizer.shared.text(s, lang) }
        return Preview(
            inputs: inputs,
            items: result.items.map { it in
                ItemLine(id: it.id, label: it.label, section: it.section, points: it.points?.format(), max: it.max?.format(),
                         explanation: t(it.explanation), flag: result.flags.first(where: { $0.item == it.id }).map { t($0.message) })
            },
            money: result.money.map { MoneyLine(id: $0.item, label: $0.label, amount: $0.amount.yuan, explanation: t($0.explanation)) },
            total: result.total.format(), max: result.max.format(), grade: result.grade, pay: result.pay.map { t($0.explanation) },
            flags: result.flags.map { t($0.message) }, error: nil)
    }

    static func names(_ scheme: Scheme?) -> [Name] {
        guard let s = scheme else { return [] }
        return s.metrics.map { Name(id: $0.id, label: $0.label) } + s.derived.map { Name(id: $0.id, label: $0.label) }
    }

}
