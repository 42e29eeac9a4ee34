public import Foundation

/// What the authorization code grant needs of the store (RFC 6749 §4.1.3).
public protocol CodeRedemptionStore: GrantRevocationStore {
    func authorizationCode(hash: String) async throws -> AuthorizationCode?
    /// Consumes the code if, and only if, it is unconsumed, and stores `tokens`, as one unit
    /// (SPEC §9 "Atomic units of work"): when anything fails, nothing is written and the code stays
    /// usable. Of any number of concurrent calls for one code, exactly one returns `true`.
    /// - Returns: whether this call consumed the code; `false` writes nothing.
    /// - Throws: ``StoreError/missingReference(_:)`` when the client or user is gone,
    ///   ``StoreError/unavailable(retryAfter:)`` when the database is busy or unreachable.
    func redeemAuthorizationCode(hash: String, issuing tokens: IssuedTokens, at date: Date) async throws -> Bool
}
