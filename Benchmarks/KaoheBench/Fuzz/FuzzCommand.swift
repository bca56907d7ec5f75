import ArgumentParser
import Dispatch
import Foundation
import KaoheCore

/// `kaohe fuzz` / `kaohe-bench fuzz`: a seeded, reproducible mutation fuzzer for the parsers
/// (issue 13). Each execution calls a public Core entry point on a mutated input; it must return
/// or throw. A crash or a hang ends the process with a note naming the seed and iteration; an
/// execution slower than `--max-ms` or a peak memory above `--max-rss-mb` is a failure in the
/// report. Exit code 1 on any failure.
public struct FuzzCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fuzz the parsers (XLSX, CSV, expressions, schemes, interaction logs) with seeded mutations; exit 1 on a slow or memory-hungry input.",
        discussion: """
        Every input is built from (seed, target, iteration) alone, so `--seed S --runs N` repeats a run and \
        `--replay S:I` rebuilds one input. A crash or hang prints the command that replays it. \
        Seeds: generated workbooks, CSVs, logs and the presets, plus any .csv/.xlsx/.yaml/.json under \
        ./examples, ./Tests/KaoheCoreTests/Fixtures and --corpus directories. See docs/fuzzing.md.
        """
    )

    public enum Target: String, ExpressibleByArgument, CaseIterable, Sendable {
        case xlsx, csv, expression, scheme, log, all
    }

    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable { case table, json }

    @Option(help: "xlsx, csv, expression, scheme, log or all") var target: Target = .all
    @Option(help: "executions per target (default 2000 when --seconds is not given)") var runs: Int?
    @Option(help: "time budget per target in seconds; stops at whichever of --runs and --seconds comes first") var seconds: Double?
    @Option(help: "run seed (default: from the clock, printed at the start)") var seed: UInt64?
    @Option(help: "an execution slower than this many milliseconds is a failure") var maxMs: Double = 1000
    @Option(help: "a peak resident memory above this many MiB is a failure") var maxRssMb: Int = 256
    @Option(help: "an execution still running after this many milliseconds ends the run (default 10 × --max-ms, at least 10 s)") var hangMs: Int?
    @Option(help: "resident memory above this many MiB ends the run (default 8 × --max-rss-mb, at least 2048)") var hardRssMb: Int?
    @Option(help: "stack of the fuzzing thread in KiB (8192 is Linux's default thread stack; 512 is a Darwin secondary thread)") var stackKb: Int = 8192
    @Option(help: "S:I — run only iteration I of seed S (with --target, or on every target)") var replay: String?
    @Option(help: "with --replay: write the input to this file (one target) or to FILE.<target>") var dump: String?
    @Option(help: "more seed files (.csv, .xlsx, .yaml, .json); repeatable") var corpus: [String] = []
    @Option(help: "table or json") var format: Format = .table

    public func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        if maxMs <= 0 || maxRssMb <= 0 { throw ValidationError("--max-ms and --max-rss-mb must be positive") }
        if let replay, Self.parseReplay(replay) == nil { throw ValidationError("--replay is SEED:ITERATION, e.g. 42:1337") }
        if dump != nil && replay == nil { throw ValidationError("--dump needs --replay") }
    }

    static func parseReplay(_ s: String) -> (seed: UInt64, iteration: Int)? {
        let p = s.split(separator: ":")
        guard p.count == 2, let seed = UInt64(p[0]), let it = Int(p[1]), it >= 0 else { return nil }
        return (seed, it)
    }

    public func run() throws {
        let options = FuzzOptions(
            targets: target == .all ? [.xlsx, .csv, .expression, .scheme, .log] : [target],
            runs: runs ?? (seconds == nil ? 2000 : Int.max),
            seconds: seconds,
            seed: replay.flatMap(Self.parseReplay)?.seed ?? seed ?? Self.clockSeed(),
            replayIteration: replay.flatMap(Self.parseReplay)?.iteration,
            dump: dump,
            maxMs: maxMs,
            maxRSSMB: maxRssMb,
            stackKiB: stackKb,
            corpusDirs: ["examples", "Tests/KaoheCoreTests/Fixtures"] + corpus,
            command: Self.commandName()
        )
        printError("kaohe fuzz: seed \(options.seed) — repeat this run with --seed \(options.seed)\(runs.map { " --runs \($0)" } ?? "")")
        CrashNote.install()
        Watchdog.start(hangMs: hangMs ?? Swift.max(10_000, Int(maxMs * 10)), hardRSSMB: hardRssMb ?? Swift.max(2048, maxRssMb * 8))
        let report = runOnFuzzThread(stackKiB: stackKb) { FuzzSession(options).run() }
        switch format {
        case .json:
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            enc.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        case .table:
            print(report.table(), terminator: "")
        }
        if report.failures > 0 { throw ExitCode(1) }
    }

    static func clockSeed() -> UInt64 {
        FuzzRandom.mix(DispatchTime.now().uptimeNanoseconds ^ UInt64(UInt(bitPattern: Int(Date().timeIntervalSince1970 * 1000))))
    }

    /// `kaohe fuzz` or `kaohe-bench fuzz`, as this process was started.
    static func commandName() -> String {
        let exe = CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "kaohe"
        return "\(exe) fuzz"
    }
}

private func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

struct FuzzOptions: Sendable {
    var targets: [FuzzCommand.Target]
    var runs: Int
    var seconds: Double?
    var seed: UInt64
    var replayIteration: Int?
    var dump: String?
    var maxMs: Double
    var maxRSSMB: Int
    var stackKiB: Int
    var corpusDirs: [String]
    var command: String
}

/// What one execution did with its input.
enum FuzzOutcome: Equatable {
    /// The entry point returned a value.
    case accepted
    /// It threw (the input was refused with an error).
    case refused
    /// Two evaluations that must agree did not (expression tree and compiled program).
    case mismatch(String)
}

/// A fuzz target: builds inputs from a generator and runs them through public Core entry points.
protocol FuzzTarget: AnyObject {
    var name: String { get }
    /// Seeds available (generated and read from the corpus directories).
    var seedCount: Int { get }
    /// Builds the next input (not timed); returns what kind of input it is.
    func prepare(_ r: inout FuzzRandom) -> StaticString
    /// Runs the entry points on the input last prepared (timed).
    func execute() -> FuzzOutcome
    /// The input last prepared, as bytes (for --dump).
    func inputBytes() -> [UInt8]
    /// libFuzzer (LibFuzzer.swift): sets the input to libFuzzer's bytes, the selector choosing
    /// the side settings `prepare` would have drawn.
    func load(_ selector: UInt8, _ bytes: UnsafeBufferPointer<UInt8>)
    /// The seeds in `load`'s format: the selector byte, then the input.
    func libFuzzerSeeds() -> [[UInt8]]
}

struct FuzzFailure: Encodable {
    var target: String
    /// slow, memory or mismatch
    var kind: String
    var input: String
    var iteration: Int
    var ms: Double
    var rssMb: Int
    var detail: String
    var replay: String
}

struct FuzzTargetReport: Encodable {
    var target: String
    var seeds = 0
    var setupSeconds = 0.0
    var seconds = 0.0
    var executions = 0
    var accepted = 0
    var refused = 0
    var slowestMs = 0.0
    var slowestInput = ""
    var slowestIteration = -1
    var peakRssMb = 0
    var failures = 0
    /// The first failures (all are counted in `failures`).
    var failureList: [FuzzFailure] = []
    /// Executions per input kind.
    var inputs: [String: Int] = [:]
}

struct FuzzReport: Encodable {
    var seed: UInt64
    var command: String
    var maxMs: Double
    var maxRssMb: Int
    var stackKib: Int
    var corpusFingerprint: String
    var targets: [FuzzTargetReport] = []
    var failures: Int { targets.reduce(0) { $0 + $1.failures } }

    enum CodingKeys: String, CodingKey { case seed, command, maxMs, maxRssMb, stackKib, corpusFingerprint, targets, failures, ok }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(seed), forKey: .seed)   // a string: JSON numbers above 2^53 lose digits in many readers
        try c.encode(command, forKey: .command)
        try c.encode(maxMs, forKey: .maxMs)
        try c.encode(maxRssMb, forKey: .maxRssMb)
        try c.encode(stackKib, forKey: .stackKib)
        try c.encode(corpusFingerprint, forKey: .corpusFingerprint)
        try c.encode(targets, forKey: .targets)
        try c.encode(failures, forKey: .failures)
        try c.encode(failures == 0, forKey: .ok)
    }

    func table() -> String {
        var rows = [["target", "seeds", "executions", "accepted", "refused", "slowest ms", "slowest input (iteration)", "peak RSS MB", "failures", "seconds"]]
        for t in targets {
            rows.append([t.target, "\(t.seeds)", "\(t.executions)", "\(t.accepted)", "\(t.refused)", String(format: "%.1f", t.slowestMs),
                         t.slowestIteration >= 0 ? "\(t.slowestInput) (\(t.slowestIteration))" : "-", "\(t.peakRssMb)", "\(t.failures)",
                         String(format: "%.1f", t.seconds)])
        }
        var out = "kaohe fuzz — seed \(seed), --max-ms \(Int(maxMs)), --max-rss-mb \(maxRssMb), stack \(stackKib) KiB, corpus \(corpusFingerprint)\n"
        out += Table.render(rows)
        for t in targets where !t.failureList.isEmpty {
            for f in t.failureList {
                out += "FAIL \(f.target) \(f.kind): \(f.detail) — input \(f.input), iteration \(f.iteration); replay: \(f.replay)\n"
            }
            if t.failures > t.failureList.count { out += "… \(t.failures - t.failureList.count) more \(t.target) failures (see --format json)\n" }
        }
        out += failures == 0 ? "no failures\n" : "\(failures) failure(s)\n"
        return out
    }
}

/// One `kaohe fuzz` run: the targets one after the other, on the fuzz thread.
final class FuzzSession {
    let options: FuzzOptions
    let corpus: FuzzCorpus
    let memory = MemoryProbe()

    init(_ options: FuzzOptions) {
        self.options = options
        corpus = FuzzCorpus(directories: options.corpusDirs, bombMiB: Swift.max(320, options.maxRSSMB + 64))
    }

    func run() -> FuzzReport {
        var report = FuzzReport(seed: options.seed, command: options.command, maxMs: options.maxMs, maxRssMb: options.maxRSSMB,
                                stackKib: options.stackKiB, corpusFingerprint: "")
        for t in options.targets {
            let index = FuzzCommand.Target.allCases.firstIndex(of: t) ?? 0
            let setup0 = DispatchTime.now().uptimeNanoseconds
            let target = makeTarget(t)
            var r = FuzzTargetReport(target: target.name)
            r.seeds = target.seedCount
            r.setupSeconds = Double(DispatchTime.now().uptimeNanoseconds - setup0) / 1e9
            if let it = options.replayIteration { replay(target, index: index, iteration: it, into: &r) } else { fuzz(target, index: index, into: &r) }
            report.targets.append(r)
        }
        report.corpusFingerprint = String(corpus.fingerprint, radix: 16)
        return report
    }

    func makeTarget(_ t: FuzzCommand.Target) -> FuzzTarget { Self.makeTarget(t, corpus) }

    func fuzz(_ target: FuzzTarget, index: Int, into r: inout FuzzTargetReport) {
        CrashNote.set(target: target.name, seed: options.seed, command: options.command)
        MemoryProbe.resetPeak()
        var lastPeak = memory.peakKiB()
        r.peakRssMb = lastPeak / 1024
        let limitKiB = options.maxRSSMB * 1024
        let maxNs = UInt64(options.maxMs * 1e6)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let deadline = options.seconds.map { t0 + UInt64($0 * 1e9) } ?? UInt64.max
        var kinds: [UnsafePointer<UInt8>: (StaticString, Int)] = [:]
        var iteration = 0
        while iteration < options.runs {
            if DispatchTime.now().uptimeNanoseconds >= deadline { break }
            var rng = FuzzRandom(seed: options.seed, target: index, iteration: iteration)
            let kind = target.prepare(&rng)
            CrashNote.kind = kind
            CrashNote.iteration = iteration
            let a = DispatchTime.now().uptimeNanoseconds
            CrashNote.started = a
            let outcome = target.execute()
            let b = DispatchTime.now().uptimeNanoseconds
            CrashNote.started = 0
            let peak = memory.peakKiB()

            r.executions += 1
            kinds[kind.utf8Start, default: (kind, 0)].1 += 1
            switch outcome {
            case .accepted: r.accepted += 1
            case .refused: r.refused += 1
            case .mismatch(let why): record(&r, target, "mismatch", kind, iteration, b - a, peak, why)
            }
            let ns = b - a
            if Double(ns) / 1e6 > r.slowestMs {
                r.slowestMs = Double(ns) / 1e6; r.slowestInput = "\(kind)"; r.slowestIteration = iteration
            }
            if ns > maxNs {
                record(&r, target, "slow", kind, iteration, ns, peak, String(format: "%.0f ms > --max-ms %.0f", Double(ns) / 1e6, options.maxMs))
            }
            if peak > limitKiB && peak > lastPeak {
                record(&r, target, "memory", kind, iteration, ns, peak, "peak RSS \(peak / 1024) MiB > --max-rss-mb \(options.maxRSSMB)")
                // start again from the current size, so that the next input to exceed the limit is caught too
                if MemoryProbe.resetPeak() { lastPeak = memory.peakKiB() } else { lastPeak = peak }
            } else if peak > lastPeak {
                lastPeak = peak
            }
            r.peakRssMb = Swift.max(r.peakRssMb, peak / 1024)
            iteration += 1
        }
        CrashNote.iteration = -1
        r.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        for (_, v) in kinds { r.inputs["\(v.0)"] = v.1 }
    }

    func replay(_ target: FuzzTarget, index: Int, iteration: Int, into r: inout FuzzTargetReport) {
        CrashNote.set(target: target.name, seed: options.seed, command: options.command)
        MemoryProbe.resetPeak()
        var rng = FuzzRandom(seed: options.seed, target: index, iteration: iteration)
        let kind = target.prepare(&rng)
        if let dump = options.dump {
            let path = options.targets.count == 1 ? dump : "\(dump).\(target.name)"
            do {
                try Data(target.inputBytes()).write(to: URL(fileURLWithPath: path))
                printError("kaohe fuzz: \(target.name) iteration \(iteration) (\(kind)) written to \(path)")
            } catch {
                printError("kaohe fuzz: cannot write \(path): \(error)")
            }
        }
        CrashNote.kind = kind
        CrashNote.iteration = iteration
        let a = DispatchTime.now().uptimeNanoseconds
        CrashNote.started = a
        let outcome = target.execute()
        let b = DispatchTime.now().uptimeNanoseconds
        CrashNote.started = 0
        CrashNote.iteration = -1
        let peak = memory.peakKiB()
        r.executions = 1
        r.inputs["\(kind)"] = 1
        r.slowestMs = Double(b - a) / 1e6; r.slowestInput = "\(kind)"; r.slowestIteration = iteration
        r.peakRssMb = peak / 1024
        r.seconds = r.slowestMs / 1000
        switch outcome {
        case .accepted: r.accepted = 1
        case .refused: r.refused = 1
        case .mismatch(let why): record(&r, target, "mismatch", kind, iteration, b - a, peak, why)
        }
        if Double(b - a) / 1e6 > options.maxMs {
            record(&r, target, "slow", kind, iteration, b - a, peak, String(format: "%.0f ms > --max-ms %.0f", r.slowestMs, options.maxMs))
        }
        if peak > options.maxRSSMB * 1024 {
            record(&r, target, "memory", kind, iteration, b - a, peak, "peak RSS \(peak / 1024) MiB > --max-rss-mb \(options.maxRSSMB)")
        }
    }

    func record(_ r: inout FuzzTargetReport, _ target: FuzzTarget, _ kind: String, _ input: StaticString, _ iteration: Int,
                _ ns: UInt64, _ peakKiB: Int, _ detail: String) {
        r.failures += 1
        guard r.failureList.count < 20 else { return }
        r.failureList.append(FuzzFailure(target: target.name, kind: kind, input: "\(input)", iteration: iteration, ms: Double(ns) / 1e6,
                                         rssMb: peakKiB / 1024, detail: detail,
                                         replay: "\(options.command) --target \(target.name) --replay \(options.seed):\(iteration)"))
    }
}
