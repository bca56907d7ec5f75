import Fluent
import Foundation
import Vapor

/// The stored scheme versions' queries: the latest version of each scheme, one scheme's versions.
/// (Which version a period's sheets use is `SheetStore.version`/`writeVersion`.)
package enum SchemeStore {
    /// The scheme version with this id, or nil.
    static func version(_ id: UUID, on db: Database) async throws -> SchemeVersion? {
        try await SchemeVersion.find(id, on: db)
    }

    /// The latest version of each scheme, by key (with its department loaded if asked).
    static func latest(withDepartments: Bool = false, on db: Database) async throws -> [String: SchemeVersion] {
        let q = SchemeVersion.query(on: db).sort(\.$version)
        if withDepartments { q.with(\.$department) }
        var latest: [String: SchemeVersion] = [:]
        for v in try await q.all() { latest[v.key] = v }
        return latest
    }

    /// The newest version of scheme `key`, or nil when there is no such scheme.
    static func newest(key: String, on db: Database) async throws -> SchemeVersion? {
        try await SchemeVersion.query(on: db).filter(\.$key == key).sort(\.$version, .descending).first()
    }

    /// Every version of scheme `key`, oldest first (newest first if asked); empty when there is no such scheme.
    static func versions(key: String, newestFirst: Bool = false, on db: Database) async throws -> [SchemeVersion] {
        let direction: DatabaseQuery.Sort.Direction = newestFirst ? .descending : .ascending
        return try await SchemeVersion.query(on: db).filter(\.$key == key).sort(\.$version, direction).all()
    }

    /// The ids of every version of scheme `key`.
    static func versionIds(key: String, on db: Database) async throws -> [UUID] {
        try await SchemeVersion.query(on: db).filter(\.$key == key).all().compactMap(\.id)
    }

    /// How many versions scheme `key` has (0: no such scheme).
    static func count(key: String, on db: Database) async throws -> Int {
        try await SchemeVersion.query(on: db).filter(\.$key == key).count()
    }
}

// The scheme versions' reads of homes, reports, scoring and the demo.
extension SchemeStore {

    /// The scheme versions with these ids (those that exist).
    static func versions(ids: Set<UUID>, on db: Database) async throws -> [SchemeVersion] {
        try await SchemeVersion.query(on: db).filter(\.$id ~~ ids).all()
    }

    /// Every version of scheme `key`, in no particular order; empty when there is no such scheme.
    static func versionsUnordered(key: String, on db: Database) async throws -> [SchemeVersion] {
        try await SchemeVersion.query(on: db).filter(\.$key == key).all()
    }

    /// Some version of scheme `key` (the first the database returns), or nil when there is no such scheme.
    package static func anyVersion(key: String, on db: Database) async throws -> SchemeVersion? {
        try await SchemeVersion.query(on: db).filter(\.$key == key).first()
    }
}
