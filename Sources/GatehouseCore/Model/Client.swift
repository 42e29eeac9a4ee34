public import Foundation

/// A registered OAuth client (RFC 6749 §2).
public struct Client: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// The SHA-256 of the client secret, hex-encoded; `nil` for a public client (RFC 6749 §2.1).
    public var secretHash: String?
    public var redirectURIs: [String]
    public var grantTypes: Set<GrantType>
    /// The scopes the client may ask for; any other scope is unknown to it.
    public var scopes: ScopeSet
    /// Overrides the server's `access_token_format` when set.
    public var tokenFormat: AccessTokenFormat?
    public var skipConsent: Bool
    public var canIntrospect: Bool
    public var createdAt: Date

    public init(
        id: String,
        name: String,
        secretHash: String?,
        redirectURIs: [String] = [],
        grantTypes: Set<GrantType> = GrantType.defaults,
        scopes: ScopeSet = [],
        tokenFormat: AccessTokenFormat? = nil,
        skipConsent: Bool = false,
        canIntrospect: Bool = false,
        createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.scopes = scopes
        self.tokenFormat = tokenFormat
        self.skipConsent = skipConsent
        self.canIntrospect = canIntrospect
        self.createdAt = createdAt
    }

    /// A public client has no secret and cannot authenticate (RFC 6749 §2.1).
    public var isPublic: Bool { secretHash == nil }
}
