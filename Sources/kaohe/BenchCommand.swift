import ArgumentParser
import Foundation
import KaoheCore
#if canImport(Glibc)
import Glibc
#endif

/// Throughput benchmark (not a timed test): CSV → scores → JSON for N employee-months.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark scoring: generate N employee-months, read the CSV, score, write JSON; report rows/s, item evaluations/s and peak memory."
    )

    @Option(help: "preset to score") var preset = "ecommerce-monthly"
    @Option(help: "employee-months") var rows = 100_000
    @Option(help: "keep the generated CSV at this path") var keep: String?

    func run() throws {
        let engine = try ScoringEngine(scheme: try Presets.scheme(preset))
        var gen = SyntheticEvidence(seed: 7)
        let data = gen.csv(engine: engine, rows: rows)
        if let keep { try data.write(to: URL(fileURLWithPath: keep)) }
        let rssBefore = peakRSSMiB()

        let t0 = DispatchTime.now().uptimeNanoseconds
        let parsed = try EvidenceCSV.read(data, file: "bench.csv", engine: engine)
        let t1 = DispatchTime.now().uptimeNanoseconds
        let results = engine.scoreAll(parsed)
        let t2 = DispatchTime.now().uptimeNanoseconds
        var sink = ByteSink(capacity: 1 << 20)
        var bytes = 0
        ResultWriter.jsonHeader(engine, into: &sink)
        for (i, r) in results.enumerated() {
            ResultWriter.json(r, into: &sink, first: i == 0)
            if sink.bytes.count > 1 << 20 { bytes += sink.bytes.count; sink.bytes.removeAll(keepingCapacity: true) }
        }
        ResultWriter.jsonFooter(into: &sink)
        bytes += sink.bytes.count
        let t3 = DispatchTime.now().uptimeNanoseconds

        let evals = rows * engine.itemsPerRow
        func s(_ a: UInt64, _ b: UInt64) -> Double { Double(b - a) / 1e9 }
        let total = s(t0, t3)
        print("""
        kaohe bench — preset \(preset), \(rows) employee-months, \(engine.inputs.count) input columns, \(engine.itemsPerRow) items per sheet
        input CSV           \(String(format: "%.1f", Double(data.count) / 1_048_576)) MiB
        parse CSV           \(String(format: "%.3f", s(t0, t1))) s   \(Int(Double(rows) / s(t0, t1))) rows/s
        score (engine)      \(String(format: "%.3f", s(t1, t2))) s   \(Int(Double(rows) / s(t1, t2))) rows/s, \(Int(Double(evals) / s(t1, t2))) item evaluations/s
        write JSON          \(String(format: "%.3f", s(t2, t3))) s   \(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB
        CSV → JSON total    \(String(format: "%.3f", total)) s   \(Int(Double(rows) / total)) rows/s
        peak RSS            \(peakRSSMiB()) MiB (\(rssBefore) MiB after generating the input)
        """)
    }
}

func peakRSSMiB() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) / 1024
}
