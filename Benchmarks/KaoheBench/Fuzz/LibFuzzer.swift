import Foundation
import KaoheCore

/// The fuzz targets driven by libFuzzer instead of the seeded generator (docs/fuzzing.md,
/// "Coverage-guided"): `kaohe-libfuzz TARGET [libFuzzer flags] CORPUS_DIR`, built with
/// `-sanitize=fuzzer`. libFuzzer chooses the bytes from the code paths they reach; the first byte
/// chooses a target's side settings (the preset of a CSV, the period, the sheet, the values of an
/// expression's names), the rest is the input the entry points read, exactly as `kaohe fuzz`
/// executes it. A mismatch (tree evaluator against compiled program) traps, so that libFuzzer
/// keeps the input as a crash.
public enum LibFuzzer {
    public static let targets = ["xlsx", "csv", "expression", "scheme", "log"]

    /// The target named, with its seed corpus built from the presets and `corpusDirs`.
    public static func target(_ name: String, corpusDirs: [String] = ["examples", "Tests/KaoheCoreTests/Fixtures"]) -> LibFuzzerTarget? {
        guard let t = FuzzCommand.Target(rawValue: name), t != .all else { return nil }
        let corpus = FuzzCorpus(directories: corpusDirs, bombMiB: 320)
        return LibFuzzerTarget(FuzzSession.makeTarget(t, corpus))
    }
}

/// One target as libFuzzer calls it.
public final class LibFuzzerTarget {
    let target: FuzzTarget
    init(_ target: FuzzTarget) { self.target = target }

    public var name: String { target.name }

    /// One execution on libFuzzer's bytes (`LLVMFuzzerTestOneInput`).
    public func run(_ data: UnsafeBufferPointer<UInt8>) {
        guard let selector = data.first else { return }
        target.load(selector, UnsafeBufferPointer(rebasing: data.dropFirst()))
        if case .mismatch(let why) = target.execute() { fatalError("kaohe libfuzz: mismatch in \(target.name): \(why)") }
    }

    /// Writes the seeds, in `run`'s format, as files of `dir`; returns how many.
    public func writeSeeds(to dir: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let seeds = target.libFuzzerSeeds()
        for (k, s) in seeds.enumerated() {
            try Data(s).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("seed-\(k)")))
        }
        return seeds.count
    }
}

extension FuzzSession {
    static func makeTarget(_ t: FuzzCommand.Target, _ corpus: FuzzCorpus) -> FuzzTarget {
        switch t {
        case .xlsx: return XLSXTarget(corpus)
        case .csv: return CSVTarget(corpus)
        case .expression: return ExpressionTarget(corpus)
        case .scheme: return SchemeTarget(corpus)
        case .log, .all: return LogTarget(corpus)
        }
    }
}

/// The side settings a selector byte chooses: the same choices `prepare` draws from.
enum Selector {
    static let csvPeriods: [String?] = [nil, nil, nil, nil, "2026-10", "2026-Q4", "2026", "2026-13"]
    static let logPeriods: [String?] = [nil, "2026-10", "2026-11", "2026-Q4"]

    static func pick<T>(_ options: [T], _ bits: UInt8) -> T { options[Int(bits) % options.count] }
    static func index<T>(of value: T, in options: [T]) -> UInt8 where T: Equatable { UInt8(options.firstIndex(of: value) ?? 0) }
}
