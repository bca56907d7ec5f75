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
    @Option(help: "YYYY-MM: label rows without a period column, or print only that period's sheets") var period: String?
    @Option(name: .customLong("as-of"), help: "YYYY-MM: the month the outcome policies (ranks, levels, stars …) are evaluated for; default the latest") var asOf: String?
    @Option(help: "json, csv or table") var format: OutputFormat = .table

    func validate() throws {
        if (preset == nil) == (scheme == nil) { throw ValidationError("give exactly one of --preset or --scheme") }
        if let p = period, !Period.isValid(p) { throw ValidationError("--period “\(p)” is not a period (YYYY-MM)") }
        if format == .yaml { throw ValidationError("--format is json, csv or table") }
        if let a = asOf, MonthIndex(a) == nil { throw ValidationError("--as-of “\(a)” is not a month (YYYY-MM)") }
    }

    func run() throws {
        let engine = try loadEngine()
        guard let data = FileManager.default.contents(atPath: input) else {
            throw failInput("\(input): 无法读取文件 cannot read the file")
        }
        var rows: [ScoringRow]
        do { rows = try EvidenceCSV.read(data, file: input, engine: engine, period: period) } catch { throw failInput(error.description) }
        let outcomeEngine: OutcomeEngine
        do { outcomeEngine = try OutcomeEngine(engine: engine) } catch { throw failInput((scheme ?? preset ?? "") + ": " + error.description) }
        let periods = Set(rows.compactMap(\.period))
        // outcomes need months; they are evaluated when the scheme has policies and the input has
        // periods, for the formats that print them (CSV has one line per sheet and no outcomes)
        let withOutcomes = !outcomeEngine.isEmpty && !periods.isEmpty && format != .csv
        if let a = asOf, !outcomeEngine.isEmpty, !periods.isEmpty, !periods.contains(a) {
            throw failInput("\(input): --as-of \(a) 不在输入的期间中 is not a period of the input (\(periods.sorted().joined(separator: ", ")))")
        }
        var records: [OutcomeRecord] = []
        let out = FileHandle.standardOutput
        var sink = ByteSink(capacity: 1 << 21)
        var shown: [SheetResult] = []
        switch format {
        case .json: ResultWriter.jsonHeader(engine, into: &sink)
        case .csv: ResultWriter.csvHeader(engine, into: &sink)
        default: break
        }
        let fmt = format, only = period, hasPay = engine.hasPay, policies = outcomeEngine, recording = withOutcomes
        if format == .table {
            // the table lays out every sheet at once (a few people, read by a person)
            engine.scoreAll(rows) { r, values in
                if recording, let rec = policies.record(r, values: values) { records.append(rec) }
                if only == nil || r.period == only { shown.append(r) }
            }
        } else {
            // on every core: each chunk's results written (and its outcome records made) on a
            // worker, the chunks taken in input order
            var started = false
            // the CSV prints numbers and flag codes, no words: they are not made
            engine.scoreAll(consume rows, words: format != .csv, render: { (r: SheetResult, values: [Fixed?], o: inout ByteSink, made: inout [OutcomeRecord]) in
                if recording, let rec = policies.record(r, values: values) { made.append(rec) }
                guard only == nil || r.period == only else { return }
                if fmt == .json { ResultWriter.json(r, into: &o, first: false) } else { ResultWriter.csv(r, hasPay: hasPay, into: &o) }
            }, consume: { chunk, made in
                records += made
                guard !chunk.bytes.isEmpty else { return }
                // the first result of the file carries no separating comma
                if fmt == .json && !started { sink.bytes.append(contentsOf: chunk.bytes.dropFirst()) } else { sink.bytes.append(contentsOf: chunk.bytes) }
                started = true
                if sink.bytes.count > 1 << 20 { sink.flush(to: out) }
            })
        }
        let asOfMonth = asOf.flatMap(MonthIndex.init) ?? period.flatMap(MonthIndex.init)
        switch format {
        case .json:
            if withOutcomes {
                // outcomes are streamed as they are made; team results (few) follow
                final class Box { var sink: ByteSink; var first = true; var teams: [TeamOutcome] = []; init(_ s: ByteSink) { sink = s } }
                let box = Box(sink)
                let evaluated = asOfMonth ?? records.lazy.map(\.period).max()
                ResultWriter.outcomesOpen(asOf: evaluated?.label, into: &box.sink)
                outcomeEngine.evaluate(records, asOf: asOfMonth, outcome: { x in
                    ResultWriter.json(x, into: &box.sink, first: box.first)
                    box.first = false
                    if box.sink.bytes.count > 1 << 20 { box.sink.flush(to: out) }
                }, team: { box.teams.append($0) })
                ResultWriter.outcomesClose(teams: box.teams, into: &box.sink)
                sink = box.sink
            } else {
                ResultWriter.jsonFooter(into: &sink)
            }
        case .csv: break
        default:
            let (outcomes, teams) = withOutcomes ? outcomeEngine.evaluate(records, asOf: asOfMonth) : ([], [])
            sink.text(ResultWriter.table(engine, shown))
            sink.text(ResultWriter.outcomesTable(outcomes, teams))
        }
        sink.flush(to: out)
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
