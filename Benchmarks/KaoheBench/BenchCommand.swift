import ArgumentParser
import Foundation
import KaoheCore
#if canImport(Glibc)
import Glibc
#endif

/// Throughput benchmark (not a timed test): CSV → scores → JSON for N employee-months.
public struct BenchCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark scoring: generate N employee-months, read the CSV, score, write JSON; report rows/s, item evaluations/s and peak memory."
    )

    @Option(help: "preset to score") var preset = "ecommerce-monthly"
    @Option(help: "or a scheme file") var scheme: String?
    @Option(help: "employee-months") var rows = 100_000
    @Option(help: "keep the generated CSV at this path") var keep: String?
    @Option(help: "months of history per employee; above 1 also runs every outcome policy of the scheme") var months = 1

    public func run() throws {
        let engine = try ScoringEngine(scheme: try scheme.map { try SchemeLoader.load(path: $0).0 } ?? Presets.scheme(preset))
        if months > 1 { return try runOutcomes(engine) }
        var gen = SyntheticEvidence(seed: 7)
        let data = gen.csv(engine: engine, rows: rows)
        if let keep { try data.write(to: URL(fileURLWithPath: keep)) }
        let rssBefore = peakRSSMiB()

        let t0 = DispatchTime.now().uptimeNanoseconds
        let parsed = try EvidenceCSV.read(data, file: "bench.csv", engine: engine)
        let t1 = DispatchTime.now().uptimeNanoseconds
        // engine alone: score every row, keep nothing
        var checksum = Fixed.zero
        engine.scoreAll(parsed) { checksum += $0.total }
        let t2 = DispatchTime.now().uptimeNanoseconds
        // the CLI's path: score and stream JSON
        var sink = ByteSink(capacity: 1 << 21)
        var bytes = 0
        ResultWriter.jsonHeader(engine, into: &sink)
        engine.scoreAll(parsed, render: { r, o in ResultWriter.json(r, into: &o, first: false) }, consume: { chunk in
            sink.bytes.append(contentsOf: chunk.bytes)
            if sink.bytes.count > 1 << 20 { bytes += sink.bytes.count; sink.bytes.removeAll(keepingCapacity: true) }
        })
        ResultWriter.jsonFooter(into: &sink)
        bytes += sink.bytes.count
        let t3 = DispatchTime.now().uptimeNanoseconds

        let evals = rows * engine.itemsPerRow
        func s(_ a: UInt64, _ b: UInt64) -> Double { Double(b - a) / 1e9 }
        print("""
        kaohe bench — scheme \(engine.scheme.id), \(rows) employee-months, \(engine.inputs.count) input columns, \(engine.itemsPerRow) items per sheet
        input CSV           \(String(format: "%.1f", Double(data.count) / 1_048_576)) MiB
        parse CSV           \(String(format: "%.3f", s(t0, t1))) s   \(Int(Double(rows) / s(t0, t1))) rows/s
        score (engine)      \(String(format: "%.3f", s(t1, t2))) s   \(Int(Double(rows) / s(t1, t2))) rows/s, \(Int(Double(evals) / s(t1, t2))) item evaluations/s
        score + write JSON (\(ProcessInfo.processInfo.activeProcessorCount) cores)  \(String(format: "%.3f", s(t2, t3))) s   \(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB (checksum \(checksum))
        CSV → JSON (parse + score + write)  \(String(format: "%.3f", s(t0, t1) + s(t2, t3))) s   \(Int(Double(rows) / (s(t0, t1) + s(t2, t3)))) rows/s
        peak RSS            \(peakRSSMiB()) MiB (\(rssBefore) MiB after generating the input)
        """)
    }
}

extension BenchCommand {
    /// Issue 3 benchmark: `months` × `rows` employee-months scored and run through every outcome policy.
    func runOutcomes(_ engine: ScoringEngine) throws {
        let outcomes = try OutcomeEngine(engine: engine)
        var gen = SyntheticEvidence(seed: 11)
        let t0 = DispatchTime.now().uptimeNanoseconds
        var records: [OutcomeRecord] = []
        records.reserveCapacity(rows * months)
        var parseSeconds = 0.0, scoreSeconds = 0.0
        for m in 1...months {
            let period = String(format: "2026-%02d", (m - 1) % 12 + 1)
            let data = gen.csv(engine: engine, rows: rows, period: period)
            let a = DispatchTime.now().uptimeNanoseconds
            let parsed = try EvidenceCSV.read(data, file: "bench-\(period).csv", engine: engine)
            let b = DispatchTime.now().uptimeNanoseconds
            engine.scoreAll(parsed) { r, values in if let rec = outcomes.record(r, values: values) { records.append(rec) } }
            let c = DispatchTime.now().uptimeNanoseconds
            parseSeconds += Double(b - a) / 1e9
            scoreSeconds += Double(c - b) / 1e9
        }
        let t1 = DispatchTime.now().uptimeNanoseconds
        // the CLI's path: outcomes streamed to JSON as they are made
        final class Counter { var n = 0, teams = 0, bytes = 0; var sink = ByteSink(capacity: 1 << 21) }
        let c = Counter()
        outcomes.evaluate(records, outcome: { x in
            ResultWriter.json(x, into: &c.sink, first: c.n == 0)
            c.n += 1
            if c.sink.bytes.count > 1 << 20 { c.bytes += c.sink.bytes.count; c.sink.bytes.removeAll(keepingCapacity: true) }
        }, team: { _ in c.teams += 1 })
        c.bytes += c.sink.bytes.count
        let t2 = DispatchTime.now().uptimeNanoseconds
        print("""
        kaohe bench — outcomes: \(rows) employees × \(months) months = \(records.count) records, \(engine.scheme.outcomes.count) policies
        generate + parse + score  \(String(format: "%.3f", Double(t1 - t0) / 1e9)) s (parse \(String(format: "%.3f", parseSeconds)) s, score \(String(format: "%.3f", scoreSeconds)) s)
        outcome policies + JSON   \(String(format: "%.3f", Double(t2 - t1) / 1e9)) s → \(c.n) outcomes (\(String(format: "%.1f", Double(c.bytes) / 1_048_576)) MiB JSON), \(c.teams) team results
        peak RSS                  \(peakRSSMiB()) MiB
        """)
    }
}

public func peakRSSMiB() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) / 1024
}
