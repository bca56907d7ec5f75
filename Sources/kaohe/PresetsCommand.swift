import ArgumentParser
import Foundation
import KaoheCore
import Yams

struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List, show and validate schemes (the seed presets or your own file).",
        subcommands: [List.self, Show.self, Validate.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the presets: id, name, source seed, SPEC rules covered.")
        @Option(help: "json or table") var format: OutputFormat = .table

        func run() throws {
            let all = Presets.all()
            if format == .json {
                struct Row: Encodable { var id: String; var name: String; var source: String?; var rules: [String] }
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
                let data = try enc.encode(all.map { Row(id: $0.id, name: $0.name, source: $0.source, rules: $0.rules) })
                print(String(decoding: data, as: UTF8.self))
            } else {
                var rows = [["id", "名称", "来源", "规则"]]
                for e in all { rows.append([e.id, e.name, e.source ?? "", compactRules(e.rules)]) }
                print(Table.render(rows), terminator: "")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a preset in full, with the CSV columns it accepts.")
        @Argument(help: "preset id") var id: String
        @Option(help: "json or yaml") var format: OutputFormat = .yaml

        func run() throws {
            let scheme: Scheme
            do { scheme = try Presets.scheme(id) } catch { throw failInput("\(error)") }
            let engine: ScoringEngine
            do { engine = try ScoringEngine(scheme: scheme) } catch { throw failInput("\(error)") }
            let doc = SchemeDocument(scheme: scheme, engine: engine)
            switch format {
            case .json:
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try enc.encode(doc), as: UTF8.self))
            default:
                let enc = YAMLEncoder()
                enc.options.allowUnicode = true
                enc.options.sortKeys = false
                print(try enc.encode(doc), terminator: "")
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", abstract: "Validate a scheme file (YAML or JSON); exit 1 with the problems listed.")
        @Argument(help: "scheme file") var file: String

        func run() throws {
            do {
                let (scheme, problems) = try SchemeLoader.load(path: file)
                _ = try OutcomeEngine(engine: try ScoringEngine(scheme: scheme))
                for p in problems.sorted(by: { $0.severity < $1.severity }) { print("\(file): \(p)") }
                print("\(file): 有效 valid — \(scheme.id)（\(scheme.name)），\(problems.filter { $0.severity == .warning }.count) 个警告")
            } catch {
                reportInvalid(error, file: file)
                throw ExitCode(1)
            }
        }
    }
}

func reportInvalid(_ problems: SchemeProblems, file: String) {
    let errors = problems.problems.filter { $0.severity == .error }.count
    for p in problems.problems.sorted(by: { $0.severity < $1.severity }) { print("\(file): \(p)") }
    print("\(file): 无效 invalid — \(errors) 个错误 error(s)")
}

/// `R-001-01..R-001-19` style compaction for the table view.
func compactRules(_ rules: [String]) -> String {
    var out: [String] = []
    var runStart: String?, prev: String?, prevNum = -1, prevPrefix = ""
    func flush() {
        guard let s = runStart, let p = prev else { return }
        out.append(s == p ? s : "\(s)..\(p.suffix(2))")
    }
    for r in rules {
        let prefix = String(r.dropLast(2)), num = Int(r.suffix(2)) ?? -10
        if prefix == prevPrefix && num == prevNum + 1 { prev = r } else { flush(); runStart = r; prev = r }
        prevPrefix = prefix; prevNum = num
    }
    flush()
    return out.joined(separator: " ")
}

/// The scheme plus the columns it accepts (`presets show`).
struct SchemeDocument: Encodable {
    var scheme: Scheme
    var engine: ScoringEngine

    struct InputRow: Encodable {
        var column: String
        var label: String
        var kind: String
        var rater: String?
        var rule: [String]
        var min: Fixed?
        var max: Fixed?
        var values: [String]?
        var optional: Bool
        /// what an empty cell stands for (0 for counts of events, a metric's `default`)
        var `default`: Fixed?
    }

    enum Keys: String, CodingKey { case inputs, attainable_max, problems }

    func encode(to encoder: Encoder) throws {
        try scheme.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(engine.attainableMax, forKey: .attainable_max)
        try c.encode(engine.inputs.map {
            InputRow(column: $0.column, label: $0.label, kind: $0.kind.rawValue, rater: $0.rater, rule: $0.rules,
                     min: $0.min, max: $0.max, values: $0.grades.isEmpty ? nil : $0.grades, optional: $0.optional || $0.rater == "reviewer",
                     default: $0.whenEmpty)
        }, forKey: .inputs)
        try c.encode(engine.problems.map(\.description), forKey: .problems)
    }
}
