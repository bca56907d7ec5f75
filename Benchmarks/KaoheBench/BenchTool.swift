import ArgumentParser

/// The `kaohe-bench` executable: the scoring benchmark (the default, so `kaohe-bench --rows 100000`
/// still runs it) and the parser fuzzer (`kaohe-bench fuzz`), without building the server.
public struct BenchTool: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "kaohe-bench",
        abstract: "Kaohe benchmarks and the parser fuzzer (the same commands as `kaohe bench` and `kaohe fuzz`).",
        subcommands: [BenchCommand.self, FuzzCommand.self],
        defaultSubcommand: BenchCommand.self
    )
}
