import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: UserStore {
    public func createUser(_ user: User) async throws {
        try await insert(
            """
            INSERT INTO users (id, username, password_hash, created_at)
            VALUES (\(bind: user.id), \(bind: user.username), \(bind: user.passwordHash), \(bind: user.createdAt.unixSeconds))
            """,
            duplicate: "a user named \(user.username)"
        )
    }

    public func user(username: String) async throws -> User? {
        try await rows("SELECT * FROM users WHERE username = \(bind: username)").first.map(Self.user(from:))
    }

    public func user(id: String) async throws -> User? {
        try await rows("SELECT * FROM users WHERE id = \(bind: id)").first.map(Self.user(from:))
    }

    public func users() async throws -> [User] {
        try await rows("SELECT * FROM users ORDER BY username").map(Self.user(from:))
    }

    public func deleteUser(username: String) async throws -> Bool {
        try await affectedRows("DELETE FROM users WHERE username = \(bind: username) RETURNING id") > 0
    }

    private static func user(from row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: String.self),
            username: try row.decode(column: "username", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self))
        )
    }
}
