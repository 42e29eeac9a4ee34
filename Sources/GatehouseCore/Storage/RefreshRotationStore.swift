public import Foundation

/// What the refresh token grant needs of the store (RFC 6749 §6, RFC 9700 §4.14.2).
public protocol RefreshRotationStore: GrantRevocationStore {
    /// The refresh token with the grant it belongs to, in one lookup (the refresh grant's hot path).
    func refreshTokenWithGrant(hash: String) async throws -> (token: RefreshTokenRecord, grant: Grant)?
    /// Retires the presented refresh token and stores `tokens` in its place, as one unit (SPEC §9
    /// "Atomic units of work"): when anything fails, nothing is written and the token stays usable.
    ///
    /// A token that is already rotated away counts as a retry only when `reuseInterval` is
    /// positive, the presenting client is the token's, fewer than `reuseInterval` seconds have
    /// passed since the rotation, and the refresh token issued then was never used; the pair
    /// issued by the earlier use is then revoked. With a `reuseInterval` of 0, of any number of
    /// concurrent calls for one token exactly one succeeds.
    /// - Parameter tokens: the new pair; its records name the presented token as their parent.
    /// - Throws: ``StoreError/missingReference(_:)`` when the client or user is gone,
    ///   ``StoreError/unavailable(retryAfter:)`` when the database is busy or unreachable.
    func rotateRefreshToken(
        hash: String, clientID: String, issuing tokens: IssuedTokens, reuseInterval: Int, at date: Date
    ) async throws -> RefreshRotation
}

/// How a rotation ended.
public enum RefreshRotation: Sendable, Hashable {
    /// The token was current; it is retired and the new pair stored.
    case rotated
    /// A retry within the reuse interval: the pair of the earlier use is revoked, the new one stored.
    case replacedEarlierPair
    /// The token was rotated away (or revoked) and this is no retry: reuse. Nothing was written.
    case reuse
}
