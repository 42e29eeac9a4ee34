public import Foundation

/// Revokes everything of one client or one user at once, for operators (`gatehouse tokens revoke`).
/// Each call is one unit: all of it is revoked, or nothing.
public protocol BulkRevocationStore: Sendable {
    /// - Returns: how many access and refresh tokens were revoked.
    func revokeAllTokens(clientID: String, at date: Date) async throws -> Int
    /// Also ends the user's browser sessions and forgets the user's consents (SPEC §9).
    /// - Returns: how many access and refresh tokens were revoked.
    func revokeAllTokens(userID: String, at date: Date) async throws -> Int
}
