import Fluent
import Foundation
import Vapor

/// The accounts' queries: users and their API tokens.
package enum AccountStore {
    /// The account with this id, or nil.
    static func user(_ id: UUID, on db: Database) async throws -> User? {
        try await User.find(id, on: db)
    }

    /// Every account, by username.
    static func users(on db: Database) async throws -> [User] {
        try await User.query(on: db).sort(\.$username).all()
    }

    /// The accounts with these ids.
    static func users(_ ids: Set<UUID>, on db: Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$id ~~ ids).all()
    }

    /// Every account, in the database's order (unsorted: who comes first decides ties, as it always has).
    static func allUsers(on db: Database) async throws -> [User] {
        try await User.query(on: db).all()
    }

    /// The accounts of these employees.
    static func users(employees: Set<UUID>, on db: Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$employee.$id ~~ employees).all()
    }

    /// The account of this employee (the first found), or nil.
    static func user(employee: UUID, on db: Database) async throws -> User? {
        try await User.query(on: db).filter(\.$employee.$id == employee).first()
    }

    /// How many accounts have this username (0 or 1).
    static func count(username: String, on db: Database) async throws -> Int {
        try await User.query(on: db).filter(\.$username == username).count()
    }

    /// An account's API tokens, newest first.
    static func tokens(of user: UUID, on db: Database) async throws -> [UserToken] {
        try await UserToken.query(on: db).filter(\.$user.$id == user).sort(\.$createdAt, .descending).all()
    }

    /// API tokens with their owners loaded, newest first: an account's, or (nil) every account's.
    static func tokensWithOwners(of user: UUID?, on db: Database) async throws -> [UserToken] {
        let q = UserToken.query(on: db).with(\.$user).sort(\.$createdAt, .descending)
        if let user { q.filter(\.$user.$id == user) }
        return try await q.all()
    }
}

// The accounts' queries of sign-in, first start, API authentication and leavers.
extension AccountStore {
    /// How many accounts there are (0 on a first start).
    static func userCount(on db: Database) async throws -> Int {
        try await User.query(on: db).count()
    }

    /// The account with this username, or nil.
    static func user(username: String, on db: Database) async throws -> User? {
        try await User.query(on: db).filter(\.$username == username).first()
    }

    /// A person's active accounts.
    static func activeUsers(employee: UUID, on db: Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$employee.$id == employee).filter(\.$active == true).all()
    }

    /// The API token with this id, or nil.
    static func token(_ id: UUID, on db: Database) async throws -> UserToken? {
        try await UserToken.find(id, on: db)
    }

    /// The API token whose SHA-256 is `hash`, with its owner loaded, or nil.
    static func tokenWithOwner(hash: String, on db: Database) async throws -> UserToken? {
        try await UserToken.query(on: db).filter(\.$tokenHash == hash).with(\.$user).first()
    }

    /// Revokes (now) every token of the account that is not revoked yet.
    static func revokeOpenTokens(of user: UUID, on db: Database) async throws {
        try await UserToken.query(on: db).filter(\.$user.$id == user).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: Date()).update()
    }

    /// Deletes the sign-in attempts made before `date`.
    static func dropLoginAttempts(before date: Date, on db: Database) async throws {
        try await LoginAttempt.query(on: db).filter(\.$at < date).delete()
    }

    /// How many sign-in attempts with this username from this address were made since `date`.
    static func loginAttemptCount(username: String, address: String, since date: Date, on db: Database) async throws -> Int {
        try await LoginAttempt.query(on: db)
            .filter(\.$username == username).filter(\.$address == address).filter(\.$at >= date).count()
    }

    /// Deletes the sign-in attempts with this username from this address.
    static func clearLoginAttempts(username: String, address: String, on db: Database) async throws {
        try await LoginAttempt.query(on: db).filter(\.$username == username).filter(\.$address == address).delete()
    }
}

// The accounts' reads of the demo company.
extension AccountStore {
    /// An account (the first the database returns) of this role scoped to this team, or nil.
    package static func user(role: Role, team: UUID?, on db: Database) async throws -> User? {
        try await User.query(on: db).filter(\.$team.$id == team).filter(\.$roleName == role.rawValue).first()
    }

    /// An account (the first the database returns) of this role scoped to this department, or nil.
    package static func user(role: Role, department: UUID?, on db: Database) async throws -> User? {
        try await User.query(on: db).filter(\.$department.$id == department).filter(\.$roleName == role.rawValue).first()
    }
}
