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

    public init(idHash: String, userID: String?, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.userID = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
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
