import Fluent
import Foundation
import KaoheCore
import Vapor

/// What an inbox message waits for, and clearing it when that is done (issue 17 §7: "inbox
/// messages never clear"). A message that asks for a step carries a topic; the step — whoever
/// takes it — marks every open message of that topic done, and it moves from the unread list to
/// the archive. Messages that only inform (an objection decided, a result corrected) have no
/// topic and stay unread until their reader marks them read.
enum Inbox {
    /// A sheet waiting at `stage` for its person there (self-assessment, rating, review, an
    /// objection to decide, a published result to acknowledge).
    static func sheet(_ id: UUID, _ stage: SheetStage) -> String { "sheet/\(id.uuidString)/\(stage.rawValue)" }

    /// HR's reminder of a cycle's stage: done when the person has no sheet left at that stage.
    static func reminder(_ cycle: UUID, _ stage: String) -> String { "remind/\(cycle.uuidString)/\(stage)" }

    /// A rater-accountability finding (R-001-15): `justify` for the rater, `decide` for the reviewer.
    static func finding(_ id: UUID, _ step: String) -> String { "finding/\(id.uuidString)/\(step)" }

    /// After a step moved sheet `s` from `from` to `to`: what asked for the step at `from` is done,
    /// and so is a reminder of that stage once its person has no other sheet of the cycle there.
    static func settle(_ s: Sheet, from: SheetStage, to: SheetStage, on db: Database) async throws {
        guard from != to, let id = s.id else { return }
        try await NotificationStore.done(topics: [sheet(id, from)], on: db)
        try await settleReminders(cycle: s.$cycle.id, stage: from, on: db)
    }

    /// The same for many sheets of one cycle moved at once (publication, locking).
    static func settle(_ sheets: [Sheet], cycle: UUID, from stages: Set<SheetStage>, on db: Database) async throws {
        var topics: [String] = []
        for s in sheets { if let id = s.id { for st in stages { topics.append(sheet(id, st)) } } }
        var start = 0
        while start < topics.count {
            let end = min(start + 400, topics.count)
            try await NotificationStore.done(topics: Array(topics[start..<end]), on: db)
            start = end
        }
        for st in stages { try await settleReminders(cycle: cycle, stage: st, on: db) }
    }

    static func settleReminders(cycle: UUID, stage: SheetStage, on db: Database) async throws {
        for item in try await NotificationStore.open(topic: reminder(cycle, stage.rawValue), on: db) {
            let employee = try await AccountStore.user(item.userId, on: db)?.$employee.id
            if try await NotificationStore.waiting(cycle: cycle, stage: stage, user: item.userId, employee: employee, on: db) == 0 {
                item.doneAt = Date()
                try await item.save(on: db)
            }
        }
    }
}
