import Fluent
import Foundation
import Vapor

/// The accounts' queries: users and their API tokens.
enum AccountStore {
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
