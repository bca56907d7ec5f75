import Fluent
import Foundation
import Vapor

/// The imports' queries: import batches, the uploads kept between preview and commit, the column
/// mappings saved per source.
enum ImportStore {
    /// The latest `limit` import batches, newest first: everyone's, or (given) only those `user` recorded.
    static func batches(limit: Int, recordedBy user: User?, on db: Database) async throws -> [ImportRecord] {
        let q = ImportRecord.query(on: db).sort(\.$at, .descending).limit(limit)
        if let user { q.filter(\.$recordedBy == user.id) }
        return try await q.all()
    }

    /// The upload with this id, or nil (removed on commit and after a day).
    static func upload(_ id: UUID, on db: Database) async throws -> ImportUpload? {
        try await ImportUpload.find(id, on: db)
    }

    /// Deletes the uploads created before `date`.
    static func dropUploads(createdBefore date: Date, on db: Database) async throws {
        try await ImportUpload.query(on: db).filter(\.$createdAt < date).delete()
    }

    /// How many uploads are of a period before `cutoff`.
    static func uploadCount(periodBefore cutoff: String, on db: Database) async throws -> Int {
        try await ImportUpload.query(on: db).filter(\.$period < cutoff).count()
    }

    /// Deletes the uploads of periods before `cutoff` (R-000-07).
    static func deleteUploads(periodBefore cutoff: String, on db: Database) async throws {
        try await ImportUpload.query(on: db).filter(\.$period < cutoff).delete()
    }

    /// Every saved column mapping, by source.
    static func mappings(on db: Database) async throws -> [ImportMapping] {
        try await ImportMapping.query(on: db).sort(\.$source).all()
    }

    /// The mapping saved for a source and kind, or nil.
    static func mapping(source: String, kind: String, on db: Database) async throws -> ImportMapping? {
        try await ImportMapping.query(on: db).filter(\.$source == source).filter(\.$kind == kind).first()
    }
}

// The imports' queries of a run (the same file imported before) and of a revert.
extension ImportStore {
    /// The latest committed batch of this kind whose file had this SHA-256, or nil.
    static func lastCommitted(checksum: String, kind: String, on db: Database) async throws -> ImportRecord? {
        try await ImportRecord.query(on: db).filter(\.$checksum == checksum).filter(\.$kind == kind)
            .filter(\.$status == .committed).sort(\.$at, .descending).first()
    }

    /// The import batch with this id with its scheme version loaded, or nil.
    static func batchWithScheme(_ id: UUID, on db: Database) async throws -> ImportRecord? {
        try await ImportRecord.query(on: db).filter(\.$id == id).with(\.$scheme).first()
    }

    /// The changes a batch made, last first (the order a revert undoes them in).
    static func changes(batch id: UUID, on db: Database) async throws -> [ImportChange] {
        try await ImportChange.query(on: db).filter(\.$batch.$id == id).sort(\.$seq, .descending).all()
    }
}
