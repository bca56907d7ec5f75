import ArgumentParser
import Foundation
import KaoheServer

/// `kaohe import KIND FILE`: the web upload's preview and commit from the command line, on the
/// database `kaohe serve` uses (KAOHE_DB / DATABASE_URL). Dry run unless `--commit`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "导入 CSV/XLSX Import a file: evidence, log, events or roster (dry run unless --commit). Errors exit 2 naming file, sheet, row and column.")

    @Argument(help: "evidence | log | events | roster") var kind: String
    @Argument(help: "the file (CSV in UTF-8, UTF-8 with BOM or GB18030; or XLSX)") var file: String
    @Option(help: "scheme key (not for roster)") var scheme: String?
    @Option(help: "worksheet of an XLSX file (default: the first)") var sheet: String?
    @Option(help: "the file's source (e.g. taobao-chat): its column mapping is saved and reused") var source: String?
    @Option(help: "YYYY-MM for rows without a period or date; rows outside it are refused") var period: String?
    @Option(name: .customLong("map"), help: "HEADER=FIELD (repeatable; FIELD '-' skips the column)") var maps: [String] = []
    @Option(help: "account the import is recorded as") var user = "admin"
    @Flag(help: "write the import (default: preview only)") var commit = false

    func run() async throws {
        var mapping: [String: String] = [:]
        for m in maps {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw failInput("--map: 须为 HEADER=FIELD (got “\(m)”)") }
            mapping[parts[0]] = parts[1]
        }
        let config: AppConfig
        do { config = try AppConfig.from(environment: ProcessInfo.processInfo.environment) } catch { throw failInput("\(error)") }
        do {
            print(try await KaoheTasks.importFile(config, kind: kind, path: file, scheme: scheme, sheet: sheet, source: source, period: period,
                                                  mapping: mapping, commit: commit, user: user))
        } catch let r as KaoheTasks.Refused { throw failInput(r.description) }
    }
}

/// `kaohe export FORM`: a form as XLSX or CSV.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "导出报表 Export a form as XLSX or CSV: monthly-record, year-end-record, department-stats, annual-stats, ranking, star-board, ledger, results.")

    @Argument(help: "the form") var form: String
    @Option(help: "YYYY-MM (monthly forms) or YYYY (annual forms)") var period: String?
    @Option(help: "department code or name (default: the whole company)") var department: String?
    @Option(help: "only sheets of this scheme") var scheme: String?
    @Option(help: "xlsx or csv (default: from --out, else xlsx)") var format: String?
    @Option(help: "output file (default: standard output)") var out: String?
    @Option(help: "account the export is made as (HR: any department)") var user = "admin"

    func run() async throws {
        let fmt = format ?? (out.map { ($0 as NSString).pathExtension.lowercased() }.flatMap { ["xlsx", "csv"].contains($0) ? $0 : nil } ?? "xlsx")
        let config: AppConfig
        do { config = try AppConfig.from(environment: ProcessInfo.processInfo.environment) } catch { throw failInput("\(error)") }
        let data: Data
        do {
            data = try await KaoheTasks.export(config, form: form, period: period, department: department, scheme: scheme, format: fmt, user: user)
        } catch let r as KaoheTasks.Refused { throw failInput(r.description) }
        if let out {
            do { try data.write(to: URL(fileURLWithPath: out)) } catch { throw failInput("--out: 无法写入 cannot write \(out): \(error.localizedDescription)") }
            printError("已写入 wrote \(out) (\(data.count) bytes)")
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}

/// `kaohe backup FILE`: an online copy of the database `kaohe serve` uses.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "备份 Back up the database (KAOHE_DB: SQLite's online copy; DATABASE_URL: pg_dump) to a new FILE; safe while kaohe serve runs.")

    @Argument(help: "the backup file to write (must not exist)") var file: String

    func run() async throws { try await runTask { try await KaoheTasks.backup($0, to: file) } }
}

/// `kaohe restore FILE`: a backup into an empty database.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "恢复 Restore a backup FILE into an empty database (a new KAOHE_DB path, or an empty DATABASE_URL); refuses a database that has data. With --archive: put the records of a retention archive back into the database.")

    @Argument(help: "the backup file (or, with --archive, the archive JSON)") var file: String
    @Flag(help: "FILE is an archive of purged months (GET /api/v1/retention/archive): restore its records into this database, all or nothing") var archive = false

    func run() async throws {
        try await runTask { archive ? try await KaoheTasks.restoreArchive($0, from: file) : try await KaoheTasks.restore($0, from: file) }
    }
}

/// Runs a server task on the configured database (KAOHE_DB / DATABASE_URL), printing its report;
/// a refusal exits 2 with its message.
func runTask(_ body: (AppConfig) async throws -> String) async throws {
    let config: AppConfig
    do { config = try AppConfig.from(environment: ProcessInfo.processInfo.environment) } catch { throw failInput("\(error)") }
    do { print(try await body(config)) } catch let r as KaoheTasks.Refused { throw failInput(r.description) }
}
