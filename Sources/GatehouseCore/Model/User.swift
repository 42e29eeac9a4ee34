public import Foundation

/// A resource owner of the built-in user store.
public struct User: Sendable, Hashable {
    public var id: String
    public var username: String
    /// A bcrypt hash; user passwords are chosen by people, so they get a slow hash.
    public var passwordHash: String
    public var createdAt: Date
    /// The optional profile of SPEC §2, kept for the OpenID Connect claims of SPEC §11.
    public var email: String?
    public var name: String?

    public init(id: String, username: String, passwordHash: String, createdAt: Date, email: String? = nil, name: String? = nil) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.email = email
        self.name = name
    }

    /// Why `email` cannot be a user's email address, or `nil` when it can: one `@` with text on
    /// both sides and no control character. Deliverability is the provider's business; this only
    /// keeps text that is plainly not an address out of the `email` claim.
    public static func emailProblem(_ email: String) -> String? {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return "email must be one @ with text on both sides"
        }
        guard !email.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "email must not contain control characters"
        }
        return nil
    }

    /// Why `name` cannot be a user's display name, or `nil` when it can: not empty and no control
    /// character (a line break would split the one-line listing of `gatehouse users list`).
    public static func nameProblem(_ name: String) -> String? {
        guard !name.isEmpty else { return "name must not be empty" }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "name must not contain control characters"
        }
        return nil
    }
}
