public import Foundation

/// Remembered consents: which scopes a user already allowed a client.
public protocol ConsentStore: Sendable {
    func consentedScope(clientID: String, userID: String) async throws -> ScopeSet
    /// Adds `scope` to what the user allowed the client, atomically: two concurrent consents for
    /// different scopes both stay recorded.
    func recordConsent(clientID: String, userID: String, scope: ScopeSet, at date: Date) async throws
}
