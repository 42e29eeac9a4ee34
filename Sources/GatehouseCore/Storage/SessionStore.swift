public import Foundation

/// A browser session at the authorization endpoint, kept server-side so any instance can continue
/// a flow. The cookie holds a random id; the store keeps its hash.
public struct Session: Sendable, Hashable {
    public var idHash: String
    /// The signed-in user, once the login form succeeded.
    public var userID: String?
    /// The anti-CSRF token every form of this session must echo.
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date
    /// Set when the provider's login app signed the user in (SPEC §10): `userID` is its subject.
    public var delegation: Grant.Delegation?
    /// Whether a later authorization request may skip the login (`skip` of a login request). A
    /// delegated login accepted without `remember` keeps a session only for the rest of its flow.
    public var remembered: Bool

    public init(
        idHash: String, userID: String?, csrfToken: String, createdAt: Date, expiresAt: Date,
        delegation: Grant.Delegation? = nil, remembered: Bool = true
    ) {
        self.idHash = idHash
        self.userID = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.delegation = delegation
        self.remembered = remembered
    }
}

public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func session(idHash: String) async throws -> Session?
    func deleteSession(idHash: String) async throws
}

/// Counts failed sign-ins per key (a username, a client address) for throttling.
public protocol LoginAttemptStore: Sendable {
    /// Adds one failure atomically.
    /// - Returns: the failures counted for the key so far, and when the last one happened.
    func recordLoginFailure(key: String, at date: Date) async throws -> Int
    func loginFailures(key: String) async throws -> (count: Int, lastFailureAt: Date)?
    func clearLoginFailures(key: String) async throws
}
