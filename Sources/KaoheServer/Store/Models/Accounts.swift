import Fluent
import Foundation
import Vapor

package final class User: Model, @unchecked Sendable {
    package static let schema = "users"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    // data fields
    @Field(key: "username") package var username: String
    @Field(key: "display_name") package var displayName: String
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "role") package var roleName: String
    package var role: Role { get { Role(rawValue: roleName) ?? .agent } set { roleName = newValue.rawValue } }
    /// Set for a first-start or reset password: the user must choose a new one.
    @Field(key: "must_change_password") package var mustChangePassword: Bool
    /// The interface language chosen (`zh-Hans`, `zh-Hant`, `en`); nil: the browser's, else 简体中文.
    @OptionalField(key: "language") package var language: String?
    /// False once deactivated (a leaver): no sign-in, no session, no token works (M012).
    @Field(key: "active") package var active: Bool
    @OptionalField(key: "deactivated_at") package var deactivatedAt: Date?
    @OptionalField(key: "deactivated_reason") package var deactivatedReason: String?
    /// Raised by a password change or a deactivation: sessions signed in under an older value end.
    @Field(key: "auth_epoch") package var authEpoch: Int
    /// Where reminders and publication notices are e-mailed; set by HR or the person (M018).
    @OptionalField(key: "email") package var email: String?
    // relationships (the scope of the role)
    @OptionalParent(key: "employee_id") package var employee: Employee?
    @OptionalParent(key: "team_id") package var team: Team?
    @OptionalParent(key: "department_id") package var department: Department?

    package init() {}
    package init(id: UUID? = nil, username: String, displayName: String, passwordHash: String, role: Role,
         employeeId: UUID? = nil, teamId: UUID? = nil, departmentId: UUID? = nil, mustChangePassword: Bool = false) {
        self.id = id; self.username = username; self.displayName = displayName; self.passwordHash = passwordHash
        self.roleName = role.rawValue; self.mustChangePassword = mustChangePassword
        self.active = true; self.authEpoch = 0
        self.$employee.id = employeeId; self.$team.id = teamId; self.$department.id = departmentId
    }

    package var viewer: Viewer { Viewer(userId: id!, role: role, employeeId: $employee.id, teamId: $team.id, departmentId: $department.id) }
}

extension User: ModelSessionAuthenticatable {}

/// An API token for integrations (`Authorization: Bearer …`). Only a SHA-256 of the token is
/// stored; the token itself is shown once when created.
package final class UserToken: Model, @unchecked Sendable {
    package static let schema = "user_tokens"
    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    // data fields
    @Field(key: "name") package var name: String
    @Field(key: "token_hash") package var tokenHash: String
    @OptionalField(key: "last_used_at") package var lastUsedAt: Date?
    /// `read`: GET only; `write`: what the owner's role allows.
    @Field(key: "scope") package var scopeName: String
    package var scope: Scope { Scope(rawValue: scopeName) ?? .read }
    @OptionalField(key: "expires_at") package var expiresAt: Date?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?
    // relationships
    @Parent(key: "user_id") package var user: User

    package enum Scope: String, Codable, CaseIterable, Sendable { case read, write }

    package init() {}
    package init(id: UUID? = nil, userId: UUID, name: String, tokenHash: String, scope: Scope = .write, expiresAt: Date? = nil) {
        self.id = id; self.$user.id = userId; self.name = name; self.tokenHash = tokenHash
        self.scopeName = scope.rawValue; self.expiresAt = expiresAt
    }

    /// Usable now: not revoked, not expired.
    func usable(at now: Date = Date()) -> Bool { revokedAt == nil && (expiresAt.map { $0 > now } ?? true) }

    static func hash(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).hex }
}

/// One failed login (throttling works across several server processes: it lives in the database).
package final class LoginAttempt: Model, @unchecked Sendable {
    package static let schema = "login_attempts"
    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "address") package var address: String
    @Field(key: "at") package var at: Date

    package init() {}
    package init(username: String, address: String, at: Date) { self.username = username; self.address = address; self.at = at }
}

/// Append-only audit trail (R-004-03): who, when, what, before, after, why.
package final class AuditEntry: Model, @unchecked Sendable {
    package static let schema = "audit_entries"
    @ID(key: .id) package var id: UUID?
    @Field(key: "at") package var at: Date
    @OptionalField(key: "actor_id") package var actorId: UUID?
    @Field(key: "actor_name") package var actorName: String
    /// create | update | delete | login | logout | purge | recompute …
    @Field(key: "action") package var action: String
    @Field(key: "entity") package var entity: String
    @Field(key: "entity_id") package var entityId: String
    @OptionalField(key: "before") package var before: String?
    @OptionalField(key: "after") package var after: String?
    @OptionalField(key: "reason") package var reason: String?

    package init() {}
    package init(at: Date = Date(), actorId: UUID?, actorName: String, action: String, entity: String, entityId: String,
         before: String? = nil, after: String? = nil, reason: String? = nil) {
        self.at = at; self.actorId = actorId; self.actorName = actorName; self.action = action
        self.entity = entity; self.entityId = entityId; self.before = before; self.after = after; self.reason = reason
    }
}

