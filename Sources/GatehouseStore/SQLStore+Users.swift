import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: UserStore {
    public func createUser(_ user: User) async throws {
        try await insert(
            """
            INSERT INTO users (id, username, password_hash, created_at, email, name)
            VALUES (
                \(bind: user.id), \(bind: user.username), \(bind: user.passwordHash), \(bind: user.createdAt.unixSeconds),
                \(bind: user.email), \(bind: user.name)
            )
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

    /// One unit: the user and everything issued to it. The subject columns no longer reference
    /// `users` (a delegated subject need not be one, SPEC §10), so the cascade is spelt out.
    public func deleteUser(username: String) async throws -> Bool {
        try await database.transaction("delete_user") { sql in
            guard let row = try await sql.raw("DELETE FROM users WHERE username = \(bind: username) RETURNING id").first() else {
                return false
            }
            let id = try row.decode(column: "id", as: String.self)
            // Deleting the grants deletes their codes and tokens through the grant references.
            for table in ["grants", "authorization_codes", "access_tokens", "refresh_tokens", "sessions", "consents"] {
                try await sql.raw("DELETE FROM \(ident: table) WHERE user_id = \(bind: id)").run()
            }
            return true
        }
    }

    private static func user(from row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: String.self),
            username: try row.decode(column: "username", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
            email: try row.decode(column: "email", as: String?.self),
            name: try row.decode(column: "name", as: String?.self)
        )
    }
}
