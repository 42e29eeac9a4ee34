public import Foundation

/// Revokes one grant: the family of one authorization (RFC 6749 §10.5, RFC 9700 §4.14).
public protocol GrantRevocationStore: Sendable {
    /// Revokes the grant and every access and refresh token descended from it, as one unit.
    /// - Returns: how many tokens this call revoked.
    @discardableResult
    func revokeGrant(id: String, at date: Date) async throws -> Int
}
