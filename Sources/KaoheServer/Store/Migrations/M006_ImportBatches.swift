import Fluent
import SQLKit

/// Imports become revertible batches (issue 5): `imports` is rebuilt as `import_batches` (the
/// scheme is optional — a roster belongs to no scheme — and a batch has a status), each change
/// a batch made is kept in `import_changes` so the batch can be reverted as a whole, and the
/// column mapping of a source is saved in `import_mappings` so next month's file maps itself.
struct M006_ImportBatches: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(ImportRecord.schema)
            .id()
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("sheet", .string)
            .field("source", .string)
            .field("checksum", .string, .required)
            .field("rows", .int, .required)
            .field("created", .int, .required)
            .field("updated", .int, .required)
            .field("unchanged", .int, .required)
            .field("at", .datetime, .required)
            .field("recorded_by", .uuid)
            .field("scheme_id", .uuid, .references(SchemeVersion.schema, "id"))
            .field("status", .string, .required)
            .field("reverted_at", .datetime)
            .field("reverted_by", .uuid)
            .field("periods", .string, .required)
            .create()
        do {
            let sql = try db.sql()
            try await sql.raw("""
                INSERT INTO import_batches (id, kind, file_name, checksum, rows, created, updated, unchanged, at, recorded_by, scheme_id, status, periods)
                SELECT id, kind, file_name, checksum, rows, created, updated, unchanged, at, recorded_by, scheme_id, 'committed', '' FROM imports
                """).run()
        }
        try await db.schema("imports").delete()
        try await db.schema(ImportChange.schema)
            .id()
            .field("import_id", .uuid, .required, .references(ImportRecord.schema, "id"))
            .field("seq", .int, .required)
            .field("entity", .string, .required)
            .field("target_id", .uuid, .required)
            .field("field", .string)
            .field("before", .string)
            .field("after", .string)
            .create()
        try await db.schema(ImportMapping.schema)
            .id()
            .field("source", .string, .required)
            .field("kind", .string, .required)
            .field("mapping", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid)
            .unique(on: "source", "kind")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(ImportMapping.schema).delete()
        try await db.schema(ImportChange.schema).delete()
        try await db.schema(ImportRecord.schema).delete()
        try await M005_CreateImports().prepare(on: db)
    }
}
