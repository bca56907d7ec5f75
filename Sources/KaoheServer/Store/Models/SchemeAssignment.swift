import Fluent
import Foundation

/// Which scheme a team (or, for its teams without one, a department) is appraised by (issue 16
/// §4): opening a cycle for a department gives each team its own scheme, never the one picked for
/// the department. One row per team or department (`team_id` or `department_id`, the other nil);
/// the scheme by key (its newest version is used when a cycle opens).
package final class SchemeAssignment: Model, @unchecked Sendable {
    package static let schema = "scheme_assignments"
    @ID(key: .id) package var id: UUID?
    @OptionalField(key: "team_id") package var teamId: UUID?
    @OptionalField(key: "department_id") package var departmentId: UUID?
    @Field(key: "scheme_key") package var schemeKey: String
    @OptionalField(key: "assigned_by") package var assignedBy: UUID?
    @Field(key: "assigned_at") package var assignedAt: Date

    package init() {}
    package init(team: UUID?, department: UUID?, scheme: String, by user: UUID?) {
        self.teamId = team; self.departmentId = department; self.schemeKey = scheme; self.assignedBy = user; self.assignedAt = Date()
    }
}
