import Fluent

/// A leaver's day and reason (issue 16 §1): HR marks a person as left with the date they left
/// and why; the status (`left`) is what the cycle opening reads, the date and reason are the record.
struct M019_OrganisationPages: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Employee.schema).field("left_on", .string).update()
        try await db.schema(Employee.schema).field("leave_reason", .string).update()
    }

    func revert(on db: Database) async throws {
        for f in ["left_on", "leave_reason"] {
            try await db.schema(Employee.schema).deleteField(.string(f)).update()
        }
    }
}
