import Fluent
import Foundation

/// A rater's or reviewer's comment on one item of a sheet (issue 17 §4): part of the sheet's
/// record. A changed comment is a new row (the newest of an author on an item is the one shown;
/// the earlier ones stay as its history); an empty text withdraws it.
package final class SheetComment: Model, @unchecked Sendable {
    package static let schema = "sheet_comments"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "at") package var at: Date
    // data fields
    /// The item's id in the scheme (`communication`, `penalties`).
    @Field(key: "item") package var item: String
    @OptionalField(key: "author_id") package var authorId: UUID?
    @Field(key: "author_name") package var authorName: String
    /// The author's part on the sheet when writing: rater | reviewer.
    @Field(key: "role") package var role: String
    /// The sheet's stage when it was written.
    @Field(key: "stage") package var stage: String
    /// Empty: the author withdrew the comment.
    @Field(key: "text") package var text: String
    // relationships
    @Parent(key: "sheet_id") package var sheet: Sheet

    package init() {}
    package init(sheet: UUID, item: String, author: User, role: String, stage: String, text: String) {
        self.$sheet.id = sheet; self.item = item; self.authorId = author.id; self.authorName = author.displayName
        self.role = role; self.stage = stage; self.text = text; self.at = Date()
    }
}

/// One item an employee's objection points at (issue 17 §4), with the employee's reason and the
/// reviewer's decision on it: upheld, or changed with the item's new points. The objection itself
/// (the sheet's move to 申诉中 and back) is the sheet's `object`, `uphold` or `change` step.
package final class ObjectionItem: Model, @unchecked Sendable {
    package static let schema = "sheet_objection_items"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "objected_at") package var objectedAt: Date
    // data fields
    @Field(key: "item") package var item: String
    /// The item's label when the objection was made.
    @Field(key: "label") package var label: String
    @Field(key: "reason") package var reason: String
    /// The item's points (a money line: yuan) when the objection was made.
    @OptionalField(key: "points") package var points: String?
    /// nil until decided; `upheld` or `changed`.
    @OptionalField(key: "decision") package var decision: String?
    /// The reviewer's words on this item.
    @OptionalField(key: "note") package var note: String?
    /// The item's points (or yuan) after the decision.
    @OptionalField(key: "after") package var after: String?
    @OptionalField(key: "decided_by") package var decidedBy: UUID?
    @OptionalField(key: "decided_by_name") package var decidedByName: String?
    @OptionalField(key: "decided_at") package var decidedAt: Date?
    // relationships
    @Parent(key: "sheet_id") package var sheet: Sheet

    package init() {}
    package init(sheet: UUID, item: String, label: String, reason: String, points: String?) {
        self.$sheet.id = sheet; self.item = item; self.label = label; self.reason = reason; self.points = points; self.objectedAt = Date()
    }
}
