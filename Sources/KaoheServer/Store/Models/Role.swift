import Foundation

/// Who may do what (issue 4 §6). Pure functions, tested without HTTP.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// 人事/管理员: everything.
    case hr
    /// 部门经理: their department.
    case manager
    /// 组长: their team.
    case lead
    /// 质检员: records QA grades; sees their own sheets.
    case qa
    /// 客服专员: their own sheets and results.
    case agent

    public var label: String {
        switch self {
        case .hr: return "人事/管理员"
        case .manager: return "部门经理"
        case .lead: return "组长"
        case .qa: return "质检员"
        case .agent: return "客服专员"
        }
    }
}

/// The signed-in person as the permission rules see them.
public struct Viewer: Sendable, Equatable {
    public var userId: UUID
    public var role: Role
    public var employeeId: UUID?
    public var teamId: UUID?
    public var departmentId: UUID?
    public init(userId: UUID, role: Role, employeeId: UUID? = nil, teamId: UUID? = nil, departmentId: UUID? = nil) {
        self.userId = userId; self.role = role; self.employeeId = employeeId; self.teamId = teamId; self.departmentId = departmentId
    }
}

/// The person a record belongs to.
public struct Subject: Sendable, Equatable {
    public var employeeId: UUID
    public var teamId: UUID?
    public var departmentId: UUID?
    public init(employeeId: UUID, teamId: UUID?, departmentId: UUID?) {
        self.employeeId = employeeId; self.teamId = teamId; self.departmentId = departmentId
    }
}

public enum Access {
    /// Sheets, results, evidence of `s`: an agent (or QA inspector) their own, a team lead their
    /// team, a manager their department, HR everyone.
    public static func canView(_ v: Viewer, _ s: Subject) -> Bool {
        switch v.role {
        case .hr: return true
        case .manager: return v.departmentId != nil && s.departmentId == v.departmentId
        case .lead: return (v.teamId != nil && s.teamId == v.teamId) || s.employeeId == v.employeeId
        case .qa, .agent: return s.employeeId == v.employeeId
        }
    }

    /// Marks and evidence on `s`'s sheet: the direct superior's line (lead, manager) and HR;
    /// nobody rates themselves except through the self-assessment mark.
    public static func canRecordEvidence(_ v: Viewer, _ s: Subject) -> Bool {
        switch v.role {
        case .hr: return true
        case .manager, .lead: return canView(v, s) && s.employeeId != v.employeeId
        case .qa, .agent: return false
        }
    }

    /// QA grades of recordings (R-002-14): QA inspectors and HR.
    public static func canRecordQA(_ v: Viewer) -> Bool { v.role == .qa || v.role == .hr }

    /// Who may send a file of this kind at all (checked before the file is read, issue 13): the
    /// roster HR only; evidence, logs and events those who record evidence or QA grades. Each row
    /// is then checked against `canRecordEvidence` / `canRecordQA`.
    public static func canImport(_ v: Viewer, kind: String) -> Bool {
        switch kind {
        case "roster": return v.role == .hr
        case "events": return v.role != .agent
        default: return v.role == .hr || v.role == .manager || v.role == .lead
        }
    }

    /// Organisation, people, schemes, accounts, audit, retention: HR only.
    public static func canAdminister(_ v: Viewer) -> Bool { v.role == .hr }
}
