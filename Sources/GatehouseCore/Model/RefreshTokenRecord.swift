public import Foundation

/// What the store keeps of a refresh token: its hash, its grant and whether it was rotated away.
public struct RefreshTokenRecord: Sendable, Hashable {
    public var id: String
    public var tokenHash: String
    public var grantID: String
    public var clientID: String
    public var userID: String?
    /// The scope of the grant; a refresh token keeps it across rotations (RFC 6749 §6).
    public var scope: ScopeSet
    public var issuedAt: Date
    public var expiresAt: Date
    /// Set when the token was exchanged for a new one; presenting it again is a reuse.
    public var rotatedAt: Date?
    public var revokedAt: Date?
    /// The hash of the refresh token whose rotation issued this one; `nil` for the first of a grant.
    public var parentTokenHash: String?

    public init(
        id: String,
        tokenHash: String,
        grantID: String,
        clientID: String,
        userID: String?,
        scope: ScopeSet,
        issuedAt: Date,
        expiresAt: Date,
        rotatedAt: Date? = nil,
        revokedAt: Date? = nil,
        parentTokenHash: String? = nil
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.grantID = grantID
        self.clientID = clientID
        self.userID = userID
        self.scope = scope
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.rotatedAt = rotatedAt
        self.revokedAt = revokedAt
        self.parentTokenHash = parentTokenHash
    }
}
