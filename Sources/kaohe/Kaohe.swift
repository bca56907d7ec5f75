import ArgumentParser
import Foundation
import KaoheBench
import KaoheCore

@main
struct Kaohe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kaohe",
        abstract: "Kaohe 考核 — performance appraisal for customer-service teams.",
        subcommands: [ServeCommand.self, PresetsCommand.self, ScoreCommand.self, ImportCommand.self, ExportCommand.self, BackupCommand.self, RestoreCommand.self, BenchCommand.self, BenchImportCommand.self, FuzzCommand.self]
    )
}

/// Writes to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
}

/// Bad input: message on stderr, nothing on stdout, exit code 2.
func failInput(_ message: String) -> ExitCode {
    printError(message)
    return ExitCode(2)
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case json, csv, table, yaml }
