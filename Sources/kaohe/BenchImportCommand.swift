import ArgumentParser
import Foundation
import KaoheBench
import KaoheServer
import KaoheServerBench

/// `kaohe bench-import`: the issue 5 benchmark — a 1,000,000-row interaction log (about 100 MB)
/// for 5,000 agents imported end to end on SQLite (a temporary file) or PostgreSQL (DATABASE_URL).
struct BenchImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-import",
        abstract: "Benchmark: import and aggregate an interaction log (rows/s, seconds, peak memory) on SQLite or PostgreSQL.")

    @Option(help: "log rows") var rows = 1_000_000
    @Option(help: "agents") var agents = 5_000
    @Option(help: "where the generated log is kept (reused when it exists)") var dir = FileManager.default.temporaryDirectory.path
    @Flag(help: "use PostgreSQL from DATABASE_URL instead of a temporary SQLite file") var postgres = false

    func run() async throws {
        let log = "\(dir)/kaohe-bench-chatlog-v2-\(rows)-\(agents).csv"
        let g0 = Date()
        try KaoheTasks.syntheticLog(path: log, rows: rows, agents: agents)
        let rssAfterGen = peakRSSMiB()
        print("log \(log) ready in \(String(format: "%.1f", Date().timeIntervalSince(g0))) s")
        var env = ProcessInfo.processInfo.environment
        let tmp = "\(dir)/kaohe-bench-\(UUID().uuidString).sqlite"
        if !postgres { env["DATABASE_URL"] = nil; env["KAOHE_DB"] = tmp }
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let config = try AppConfig.from(environment: env)
        let r = try await KaohePrint.run { try await KaoheTasks.benchImport(config, log: log, agents: agents) }
        let mb = Double(r.bytes) / 1_048_576
        print("""
        database            \(postgres ? "PostgreSQL" : "SQLite (file)")
        log                 \(r.rows) rows, \(String(format: "%.1f", mb)) MiB, \(r.agents) employee-periods
        aggregate only      \(String(format: "%.2f", r.aggregateSeconds)) s = \(Int(Double(r.rows) / r.aggregateSeconds)) rows/s
        import end to end   \(String(format: "%.2f", r.importSeconds)) s = \(Int(Double(r.rows) / r.importSeconds)) rows/s (checksum, aggregation, \(r.evidenceWritten) values written, \(r.resultsStored) sheets scored and stored, one transaction)
        peak RSS            \(peakRSSMiB()) MiB (\(rssAfterGen) MiB before the import)
        """)
    }
}

enum KaohePrint {
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let r as KaoheTasks.Refused { throw failInput(r.description) }
    }
}
