import Fluent
import SQLKit

/// The agent's view (issue 17 §4): comments on a sheet's items by the rater and the reviewer, and
/// the items an objection points at with the reviewer's decision on each. Both belong to their
/// sheet's month (archived and purged with it, RetentionArchive).
struct M016_ItemComments: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(SheetComment.schema)
            .id()
            .field("sheet_id", .uuid, .required, .references(Sheet.schema, "id"))
            .field("item", .string, .required)
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("role", .string, .required)
            .field("stage", .string, .required)
            .field("text", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await db.schema(ObjectionItem.schema)
            .id()
            .field("sheet_id", .uuid, .required, .references(Sheet.schema, "id"))
            .field("item", .string, .required)
            .field("label", .string, .required)
            .field("reason", .string, .required)
            .field("points", .string)
            .field("objected_at", .datetime, .required)
            .field("decision", .string)
            .field("note", .string)
            .field("after", .string)
            .field("decided_by", .uuid)
            .field("decided_by_name", .string)
            .field("decided_at", .datetime)
            .create()
        let sql = try db.sql()
        try await sql.create(index: "sheet_comments_sheet").on(SheetComment.schema).column("sheet_id").run()
        try await sql.create(index: "sheet_objection_items_sheet").on(ObjectionItem.schema).column("sheet_id").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(ObjectionItem.schema).delete()
        try await db.schema(SheetComment.schema).delete()
    }
}
