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
    /// RFC 7591 §2: how the client authenticates; `none` exactly when it is public.
    public var tokenEndpointAuthMethod: TokenEndpointAuthMethod
    /// RFC 7591 §2: the client's home page and logo, shown to users.
    public var clientURI: String?
    public var logoURI: String?
    /// RFC 7591 §2: ways to contact the people responsible for the client.
    public var contacts: [String]
    /// Where RP-initiated logout may return (SPEC §11).
    public var postLogoutRedirectURIs: [String]
    /// The secret replaced by the last rotation, still accepted until ``previousSecretExpiresAt``
    /// so that a deployment can roll the new secret out without downtime.
    public var previousSecretHash: String?
    public var previousSecretExpiresAt: Date?
    /// The SHA-256 of the RFC 7592 registration access token; `nil` for a client that was not
    /// registered dynamically.
    public var registrationAccessTokenHash: String?

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
        createdAt: Date,
        tokenEndpointAuthMethod: TokenEndpointAuthMethod? = nil,
        clientURI: String? = nil,
        logoURI: String? = nil,
        contacts: [String] = [],
        postLogoutRedirectURIs: [String] = [],
        previousSecretHash: String? = nil,
        previousSecretExpiresAt: Date? = nil,
        registrationAccessTokenHash: String? = nil
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
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod ?? (secretHash == nil ? .none : .clientSecretBasic)
        self.clientURI = clientURI
        self.logoURI = logoURI
        self.contacts = contacts
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.previousSecretHash = previousSecretHash
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.registrationAccessTokenHash = registrationAccessTokenHash
    }

    /// A public client has no secret and cannot authenticate (RFC 6749 §2.1).
    public var isPublic: Bool { secretHash == nil }
}
