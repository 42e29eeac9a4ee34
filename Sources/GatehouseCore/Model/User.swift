public import Foundation

/// A resource owner of the built-in user store.
public struct User: Sendable, Hashable {
    public var id: String
    public var username: String
    /// A bcrypt hash; user passwords are chosen by people, so they get a slow hash.
    public var passwordHash: String
    public var createdAt: Date

    public init(id: String, username: String, passwordHash: String, createdAt: Date) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}
