import ArgumentParser
import Foundation
import KaoheCore

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score employees from a CSV: one row per employee (and period). Bad input exits 2 and prints nothing on stdout."
    )

    @Option(help: "preset id (see `kaohe presets`)") var preset: String?
    @Option(help: "a scheme file (YAML or JSON)") var scheme: String?
    @Option(help: "evidence CSV: employee_id, optional period/team/name, and the scheme's input columns") var input: String
    @Option(help: "YYYY-MM: label rows without a period column, or select that period") var period: String?
    @Option(help: "json, csv or table") var format: OutputFormat = .table

    func validate() throws {
        if (preset == nil) == (scheme == nil) { throw ValidationError("give exactly one of --preset or --scheme") }
        if let p = period, !Period.isValid(p) { throw ValidationError("--period “\(p)” is not a period (YYYY-MM)") }
        if format == .yaml { throw ValidationError("--format is json, csv or table") }
    }

    func run() throws {
        let engine = try loadEngine()
        guard let data = FileManager.default.contents(atPath: input) else {
            throw failInput("\(input): 无法读取文件 cannot read the file")
        }
        var rows: [ScoringRow]
        do { rows = try EvidenceCSV.read(data, file: input, engine: engine, period: period) } catch { throw failInput(error.description) }
        if let p = period { rows = rows.filter { $0.period == p } }
        let out = FileHandle.standardOutput
        switch format {
        case .json:
            var sink = ByteSink(capacity: 1 << 21)
            ResultWriter.jsonHeader(engine, into: &sink)
            var first = true
            engine.scoreAll(rows) { r in
                ResultWriter.json(r, into: &sink, first: first)
                first = false
                if sink.bytes.count > 1 << 20 { sink.flush(to: out) }
            }
            ResultWriter.jsonFooter(into: &sink)
            sink.flush(to: out)
        case .csv:
            var sink = ByteSink(capacity: 1 << 21)
            ResultWriter.csvHeader(engine, into: &sink)
            engine.scoreAll(rows) { r in
                ResultWriter.csv(r, into: &sink)
                if sink.bytes.count > 1 << 20 { sink.flush(to: out) }
            }
            sink.flush(to: out)
        default:
            print(ResultWriter.table(engine, engine.scoreAll(rows)), terminator: "")
        }
    }

    func loadEngine() throws -> ScoringEngine {
        do {
            let s: Scheme
            if let id = preset { s = try Presets.scheme(id) } else { s = try SchemeLoader.load(path: scheme!).0 }
            return try ScoringEngine(scheme: s)
        } catch let e as SchemeProblems {
            var e = e
            if e.file == nil { e.file = scheme ?? preset }
            throw failInput(e.description)
        } catch {
            throw failInput("\(error)")
        }
    }
}
