import Fluent
import Foundation

package final class Department: Model, @unchecked Sendable {
    package static let schema = "departments"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    // data fields
    @Field(key: "name") package var name: String
    /// Two-digit department code used in 工号 scheme (a) (R-002-35).
    @Field(key: "code") package var code: String

    package init() {}
    package init(id: UUID? = nil, name: String, code: String) { self.id = id; self.name = name; self.code = code }
}

package final class Team: Model, @unchecked Sendable {
    package static let schema = "teams"
    // managed fields
    @ID(key: .id) package var id: UUID?
    // data fields
    @Field(key: "name") package var name: String
    // relationships
    @Parent(key: "department_id") package var department: Department
    /// 组长 (an employee), once people exist.
    @OptionalField(key: "leader_id") package var leaderId: UUID?

    package init() {}
    package init(id: UUID? = nil, name: String, departmentId: UUID) { self.id = id; self.name = name; self.$department.id = departmentId }
}

package final class Employee: Model, @unchecked Sendable {
    package static let schema = "employees"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    // data fields
    /// 工号 (R-002-35), unique.
    @Field(key: "number") package var number: String
    @Field(key: "name") package var name: String
    @Field(key: "position") package var position: String
    /// YYYY-MM-DD
    @Field(key: "hire_date") package var hireDate: String
    @OptionalField(key: "probation_end") package var probationEnd: String?
    /// active | left
    @Field(key: "status") package var status: EmployeeStatus
    @OptionalField(key: "star") package var star: Int?
    @OptionalField(key: "level") package var level: String?
    @OptionalField(key: "job_grade") package var jobGrade: String?
    /// The day a leaver left (YYYY-MM-DD) and why, set when HR marks them as left (M019).
    @OptionalField(key: "left_on") package var leftOn: String?
    @OptionalField(key: "leave_reason") package var leaveReason: String?
    // relationships
    @Parent(key: "department_id") package var department: Department
    @OptionalParent(key: "team_id") package var team: Team?
    @OptionalField(key: "superior_id") package var superiorId: UUID?

    package init() {}
    package init(id: UUID? = nil, number: String, name: String, position: String, hireDate: String, departmentId: UUID, teamId: UUID?) {
        self.id = id; self.number = number; self.name = name; self.position = position; self.hireDate = hireDate
        self.status = .active; self.$department.id = departmentId; self.$team.id = teamId
    }

    package var subject: Subject { Subject(employeeId: id!, teamId: $team.id, departmentId: $department.id) }
}

/// Whether a person still works here: leavers keep their record and results (R-000-07), are not
/// given new sheets, and their accounts stop (issue 13).
package enum EmployeeStatus: String, Codable, Sendable, CaseIterable { case active, left }
