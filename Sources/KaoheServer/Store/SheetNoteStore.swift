import Fluent
import Foundation
import Vapor

/// The comments on a sheet's items and the items of its objection (issue 17 §4).
enum SheetNoteStore {
    /// Every comment row of a sheet, oldest first (the newest of an author on an item is current).
    static func comments(sheet: UUID, on db: Database) async throws -> [SheetComment] {
        try await SheetComment.query(on: db).filter(\.$sheet.$id == sheet).sort(\.$at).all()
    }

    static func add(_ c: SheetComment, on db: Database) async throws {
        try await c.save(on: db)
    }

    /// The items of a sheet's objection, in the order they were objected.
    static func objectionItems(sheet: UUID, on db: Database) async throws -> [ObjectionItem] {
        try await ObjectionItem.query(on: db).filter(\.$sheet.$id == sheet).sort(\.$objectedAt).sort(\.$item).all()
    }

    /// The items of a sheet's objection the reviewer has not decided yet.
    static func undecidedItems(sheet: UUID, on db: Database) async throws -> [ObjectionItem] {
        try await ObjectionItem.query(on: db).filter(\.$sheet.$id == sheet).filter(\.$decision == nil).sort(\.$objectedAt).sort(\.$item).all()
    }

    static func save(_ items: [ObjectionItem], on db: Database) async throws {
        for i in items { try await i.save(on: db) }
    }
}
