import Fluent
import Foundation
import Vapor

/// The events' queries (offences, complaints, praise, graded recordings): one event, a person's,
/// a page of people's, how many. (A sheet's count of events is kept by `EvidenceStore.recount`.)
enum EventStore {
    /// The event with this id with its employee and scheme version loaded, or nil.
    static func event(_ id: UUID, on db: Database) async throws -> EventRecord? {
        try await EventRecord.query(on: db).filter(\.$id == id).with(\.$employee).with(\.$scheme).first()
    }

    /// The events with these ids with their employees and scheme versions loaded (those that exist).
    static func events(_ ids: [UUID], on db: Database) async throws -> [EventRecord] {
        try await EventRecord.query(on: db).filter(\.$id ~~ ids).with(\.$employee).with(\.$scheme).all()
    }

    /// A person's events (of one period), with their scheme versions loaded, by day.
    static func events(employee: UUID, period: String?, on db: Database) async throws -> [EventRecord] {
        let q = EventRecord.query(on: db).filter(\.$employee.$id == employee).with(\.$scheme).sort(\.$occurredOn)
        if let p = period { q.filter(\.$period == p) }
        return try await q.all()
    }

    /// These people's events under these scheme versions in `period`, by day.
    static func events(employees: [UUID], schemes: [UUID], period: String, on db: Database) async throws -> [EventRecord] {
        try await EventRecord.query(on: db).filter(\.$employee.$id ~~ employees).filter(\.$scheme.$id ~~ schemes).filter(\.$period == period).sort(\.$occurredOn).all()
    }

    /// How many events a person has in these columns under one scheme version in `period`.
    static func count(employee: UUID, scheme: UUID, period: String, columns: [String], on db: Database) async throws -> Int {
        try await EventRecord.query(on: db).filter(\.$employee.$id == employee).filter(\.$scheme.$id == scheme).filter(\.$period == period)
            .filter(\.$column ~~ columns).count()
    }

    /// The events of the periods before `cutoff`, with their employees loaded (the retention archive).
    static func events(before cutoff: String, on db: Database) async throws -> [EventRecord] {
        try await EventRecord.query(on: db).filter(\.$period < cutoff).with(\.$employee).all()
    }
}

// The events' reads of the event import and of an import's revert.
extension EventStore {
    /// The event with this id, nothing loaded, or nil.
    static func plainEvent(_ id: UUID, on db: Database) async throws -> EventRecord? {
        try await EventRecord.find(id, on: db)
    }

    /// Everyone's events under one scheme version in these periods.
    static func events(scheme: UUID, periods: [String], on db: Database) async throws -> [EventRecord] {
        try await EventRecord.query(on: db).filter(\.$scheme.$id == scheme).filter(\.$period ~~ periods).all()
    }
}
