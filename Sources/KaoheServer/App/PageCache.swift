import Fluent
import Foundation
import KaoheCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Rendered parts of department-wide pages (a 1,156-row ranking, a year of a department's
/// statistics, a manager's home), kept under the database's data version (M011): issue 7 §9 asks
/// for every page in under 100 ms at the median with 2,000 agents, and those pages read and render
/// tens of thousands of rows. A part is built afresh when the version moved since it was kept —
/// any change to people, results, sheets, cycles, findings … — so nobody sees a stale figure; the
/// first request after a change pays the full price. Memory is bounded (least recently used parts
/// leave first). Access checks run before the cache is asked, on every request.
final class PageCache: @unchecked Sendable {
    private struct Entry { var version: Int64; var value: Any; var bytes: Int; var used: UInt64 }
    private struct State { var entries: [String: Entry] = [:]; var bytes = 0; var clock: UInt64 = 0; var hits = 0; var misses = 0 }
    private let state = NIOLockedValueBox(State())
    let budget: Int

    init(budget: Int) { self.budget = budget }

    /// The data version, or nil on a database without the counter (then nothing is cached).
    static func version(on db: Database) async throws -> Int64? {
        try await DataVersionStore.version(on: db)
    }

    /// The value kept under `key` for the current data version, or `make()`'s, kept for the next
    /// request. The version is read before `make` reads anything, so a change committed meanwhile
    /// leaves the part under the older version, and the next request builds it again.
    func value<T>(_ key: String, on db: Database, bytes: (T) -> Int = { _ in 1024 }, make: () async throws -> T) async throws -> T {
        guard let v = try await Self.version(on: db) else { return try await make() }
        if let hit: T = state.withLockedValue({ s -> T? in
            guard var e = s.entries[key], e.version == v, let t = e.value as? T else { s.misses += 1; return nil }
            s.clock += 1; e.used = s.clock; s.entries[key] = e; s.hits += 1
            return t
        }) { return hit }
        let made = try await make()
        let size = bytes(made)
        guard size <= budget / 4 else { return made }
        state.withLockedValue { s in
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.bytes }
            // parts of older versions are of no use to anyone
            for (k, e) in s.entries where e.version < v { s.entries.removeValue(forKey: k); s.bytes -= e.bytes }
            while s.bytes + size > budget, let oldest = s.entries.min(by: { $0.value.used < $1.value.used }) {
                s.entries.removeValue(forKey: oldest.key); s.bytes -= oldest.value.bytes
            }
            s.clock += 1
            s.entries[key] = Entry(version: v, value: made, bytes: size, used: s.clock)
            s.bytes += size
        }
        return made
    }

    /// Rendered HTML kept under `key`.
    func html(_ key: String, on db: Database, make: () async throws -> String) async throws -> String {
        try await value(key, on: db, bytes: { $0.utf8.count }, make: make)
    }

    /// A page part kept in the reader's language: translated once when built and marked, so the
    /// page-wide translation (`Localize`) passes over it.
    func html(_ key: String, in lang: Language, on db: Database, make: () async throws -> String) async throws -> String {
        try await html("\(key)|\(lang.rawValue)", on: db) { Localizer.shared.translatedPart(try await make(), lang) }
    }

    var stats: (entries: Int, bytes: Int, hits: Int, misses: Int) {
        state.withLockedValue { ($0.entries.count, $0.bytes, $0.hits, $0.misses) }
    }

}

struct PageCacheKey: StorageKey { typealias Value = PageCache }

extension Application {
    /// This application's page cache, set by `configure` (one per application: tests run many, each
    /// on its own database); without one, nothing is kept.
    var pageCache: PageCache {
        storage[PageCacheKey.self] ?? PageCache(budget: 0)
    }
}
