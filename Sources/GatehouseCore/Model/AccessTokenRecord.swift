public import Foundation

/// What the store keeps of an issued access token: its hash and what it grants, never the token.
public struct AccessTokenRecord: Sendable, Hashable {
    /// A unique identifier, the `jti` of the token (RFC 7662 §2.2, RFC 9068 §2.2).
    public var id: String
    /// SHA-256 of the token, hex-encoded.
    public var tokenHash: String
    public var clientID: String
    /// The user who granted the token; `nil` for `client_credentials`.
    public var userID: String?
    public var scope: ScopeSet
    /// The resources (RFC 8707) the token is for, its `aud`; empty when none was requested, and the
    /// audience is then the server's `access_token_audience`.
    public var audience: [String]
    public var issuedAt: Date
    public var expiresAt: Date
    /// The grant (the family of one authorization) the token descends from, if any.
    public var grantID: String?
    public var revokedAt: Date?
    /// The hash of the refresh token whose rotation issued this token, so that a retry within the
    /// reuse interval can revoke the pair of the earlier use (SPEC §9).
    public var parentTokenHash: String?
    /// For a token issued by token exchange (RFC 8693): the hash of the subject token it was
    /// exchanged for. The token is active only while that one is, and speaks for its subject.
    public var subjectTokenHash: String?
    /// For a token issued by token exchange with an actor token: who acts for the subject (`act`).
    public var actor: TokenActor?

    public init(
        id: String,
        tokenHash: String,
        clientID: String,
        userID: String?,
        scope: ScopeSet,
        audience: [String] = [],
        issuedAt: Date,
        expiresAt: Date,
        grantID: String? = nil,
        revokedAt: Date? = nil,
        parentTokenHash: String? = nil,
        subjectTokenHash: String? = nil,
        actor: TokenActor? = nil
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.clientID = clientID
        self.userID = userID
        self.scope = scope
        self.audience = audience
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.grantID = grantID
        self.revokedAt = revokedAt
        self.parentTokenHash = parentTokenHash
        self.subjectTokenHash = subjectTokenHash
        self.actor = actor
    }

    /// Whether the token is usable at `date`: not revoked and not yet expired.
    public func isActive(at date: Date) -> Bool {
        revokedAt == nil && date < expiresAt
    }
}
