import Fluent
import Foundation

final class Department: Model, @unchecked Sendable {
    static let schema = "departments"
    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    // data fields
    @Field(key: "name") var name: String
    /// Two-digit department code used in 工号 scheme (a) (R-002-35).
    @Field(key: "code") var code: String

    init() {}
    init(id: UUID? = nil, name: String, code: String) { self.id = id; self.name = name; self.code = code }
}

final class Team: Model, @unchecked Sendable {
    static let schema = "teams"
    // managed fields
    @ID(key: .id) var id: UUID?
    // data fields
    @Field(key: "name") var name: String
    // relationships
    @Parent(key: "department_id") var department: Department
    /// 组长 (an employee), once people exist.
    @OptionalField(key: "leader_id") var leaderId: UUID?

    init() {}
    init(id: UUID? = nil, name: String, departmentId: UUID) { self.id = id; self.name = name; self.$department.id = departmentId }
}

final class Employee: Model, @unchecked Sendable {
    static let schema = "employees"
    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    // data fields
    /// 工号 (R-002-35), unique.
    @Field(key: "number") var number: String
    @Field(key: "name") var name: String
    @Field(key: "position") var position: String
    /// YYYY-MM-DD
    @Field(key: "hire_date") var hireDate: String
    @OptionalField(key: "probation_end") var probationEnd: String?
    /// active | left
    @Field(key: "status") var status: EmployeeStatus
    @OptionalField(key: "star") var star: Int?
    @OptionalField(key: "level") var level: String?
    @OptionalField(key: "job_grade") var jobGrade: String?
    // relationships
    @Parent(key: "department_id") var department: Department
    @OptionalParent(key: "team_id") var team: Team?
    @OptionalField(key: "superior_id") var superiorId: UUID?

    init() {}
    init(id: UUID? = nil, number: String, name: String, position: String, hireDate: String, departmentId: UUID, teamId: UUID?) {
        self.id = id; self.number = number; self.name = name; self.position = position; self.hireDate = hireDate
        self.status = .active; self.$department.id = departmentId; self.$team.id = teamId
    }

    var subject: Subject { Subject(employeeId: id!, teamId: $team.id, departmentId: $department.id) }
}

/// Whether a person still works here: leavers keep their record and results (R-000-07), are not
/// given new sheets, and their accounts stop (issue 13).
enum EmployeeStatus: String, Codable, Sendable, CaseIterable { case active, left }
