import Fluent
import Foundation
import Vapor

/// `kaohe backup FILE` and `kaohe restore FILE` (issue 20 §1): an online copy of the whole
/// database — SQLite's `VACUUM INTO` (consistent while `kaohe serve` runs), PostgreSQL's
/// `pg_dump` — and its restore into an empty database only, checked table by table.
extension KaoheTasks {
    /// Writes a backup of the configured database to `path` (never over an existing file);
    /// returns a summary: each table and its rows.
    public static func backup(_ config: AppConfig, to path: String) async throws -> String {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Refused(status: 409, description: "\(path): 文件已存在，不覆盖 the file exists; give a new name")
        }
        switch config.database {
        case .memory:
            throw Refused(status: 400, description: "KAOHE_DB: 内存数据库没有可备份的内容 an in-memory database has nothing to back up")
        case .sqlite:
            return try await withApp(config) { app in
                try await TableStore.copySQLite(to: path, on: app.db)
                return Backup.summary(try await TableStore.counts(on: app.db), what: "备份 backup \(path)")
            }
        case .postgres(let url):
            try Backup.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", path, url])
            return try await withApp(config) { app in Backup.summary(try await TableStore.counts(on: app.db), what: "备份 backup \(path)") }
        }
    }

    /// Puts the records of an archive (GET /api/v1/retention/archive, written before a purge)
    /// back into the configured database, all or nothing; returns each table and its rows.
    public static func restoreArchive(_ config: AppConfig, from path: String) async throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Refused(status: 400, description: "\(path): 找不到文件 no such file")
        }
        return try await withApp(config) { app in
            let counts = try await RetentionArchive.restore(app.db, archive: data, file: path)
            try await Audit.record(on: app.db, actor: nil, action: "restore", entity: "records", id: (path as NSString).lastPathComponent,
                                   after: counts.map { "\($0.0)=\($0.1)" }.joined(separator: " "), reason: "kaohe restore --archive")
            return Backup.summary(counts, what: "存档已恢复 archive restored \(path)")
        }
    }

    /// Restores `path` into the configured database, which must be empty (a missing SQLite file,
    /// or a PostgreSQL database with no tables); returns each table and its rows.
    public static func restore(_ config: AppConfig, from path: String) async throws -> String {
        guard let head = FileHandle(forReadingAtPath: path).map({ h in defer { try? h.close() }; return h.readData(ofLength: 16) }) else {
            throw Refused(status: 400, description: "\(path): 找不到文件 no such file")
        }
        switch config.database {
        case .memory:
            throw Refused(status: 400, description: "KAOHE_DB: 不能恢复到内存数据库 cannot restore into an in-memory database")
        case .sqlite(let target):
            guard head == Data("SQLite format 3\u{0}".utf8) else {
                throw Refused(status: 422, description: "\(path): 不是 Kaohe 的 SQLite 备份 not an SQLite backup (PostgreSQL backups restore with DATABASE_URL set)")
            }
            if let size = (try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int, size > 0 {
                throw Refused(status: 409, description: "\(target): 目标数据库不是空的，不覆盖 the database is not empty; restore into a new KAOHE_DB path")
            }
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: path, toPath: target)
            do {
                return try await withApp(config) { app in
                    let check = try await TableStore.integrityCheck(on: app.db)
                    guard check == ["ok"] else {
                        throw Refused(status: 422, description: "\(path): 备份已损坏 the backup is damaged: \(check.prefix(3).joined(separator: "; "))")
                    }
                    return Backup.summary(try await TableStore.counts(on: app.db), what: "恢复 restored \(path) → \(target)")
                }
            } catch {
                try? FileManager.default.removeItem(atPath: target)
                throw error
            }
        case .postgres(let url):
            guard head.starts(with: Data("PGDMP".utf8)) else {
                throw Refused(status: 422, description: "\(path): 不是 pg_dump 的备份 not a pg_dump (custom format) backup")
            }
            let tables = try Backup.run("psql", ["--no-psqlrc", "-At", "-c", "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", url])
            guard tables.trimmingCharacters(in: .whitespacesAndNewlines) == "0" else {
                throw Refused(status: 409, description: "DATABASE_URL: 目标数据库不是空的（\(tables.trimmingCharacters(in: .whitespacesAndNewlines)) 张表），不覆盖 the database is not empty; restore into a new database")
            }
            try Backup.run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", url, path])
            return try await withApp(config) { app in
                Backup.summary(try await TableStore.counts(on: app.db), what: "恢复 restored \(path)")
            }
        }
    }
}

/// The command-line side of backups: summaries and the PostgreSQL client tools (the SQL is `TableStore`).
enum Backup {
    static func summary(_ counts: [(String, Int)], what: String) -> String {
        "\(what)：\(counts.count) 张表 tables, \(counts.map(\.1).reduce(0, +)) 行 rows\n" + counts.map { "  \($0.0)\t\($0.1)" }.joined(separator: "\n")
    }

    /// Runs a PostgreSQL client tool; its error output is the refusal.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw KaoheTasks.Refused(status: 500, description: "\(tool): 无法运行 cannot run (\(error)); install PostgreSQL's client tools")
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw KaoheTasks.Refused(status: 500, description: "\(tool) 失败 failed (exit \(p.terminationStatus)): \(String(decoding: errors.prefix(2000), as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
