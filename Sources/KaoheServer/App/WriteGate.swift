import Fluent
import SQLiteNIO
import Foundation
import SQLKit

/// One write transaction at a time on SQLite. SQLite has one writer; a transaction that begins by
/// reading and then writes while another connection writes gets SQLITE_BUSY at once (the busy
/// handler is skipped to avoid a deadlock), which surfaced as a 500 in the browser test when a
/// rater submitted while the session of another request was being saved. Write transactions of
/// this process queue here, and one that still meets a busy database (an autocommit write of
/// another connection, such as a session) is rolled back by SQLite and run again. PostgreSQL needs
/// neither (row locks and the sheets' version check do the work there).
actor WriteGate {
    static let shared = WriteGate()
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held { held = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// SQLite's "database is locked" (SQLITE_BUSY and its extended codes), by the driver's error code.
    static func isBusy(_ error: Error) -> Bool {
        guard let e = error as? SQLiteError else { return false }
        switch e.reason {
        case .busy, .locked, .busyInRecovery, .busyInSnapshot, .busyTimeout, .lockedBySharedCache: return true
        default: return false
        }
    }

    func release() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }
}

extension Database {
    /// `transaction`, queued behind the other write transactions of the process on SQLite.
    package func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        guard !inTransaction, (self as? SQLDatabase)?.dialect.name == "sqlite" else { return try await transaction(body) }
        await WriteGate.shared.acquire()
        var attempt = 0
        while true {
            do {
                let out = try await transaction(body)
                await WriteGate.shared.release()
                return out
            } catch where attempt < 50 && WriteGate.isBusy(error) {
                // rolled back whole: nothing of this attempt is stored; wait a little and run it again
                attempt += 1
                try? await Task.sleep(nanoseconds: UInt64(5_000_000 * min(attempt, 10)))
            } catch {
                await WriteGate.shared.release()
                throw error
            }
        }
    }
}
