public import Foundation

/// What the store keeps of an authorization code (RFC 6749 §4.1.2): its hash and the request it
/// answers, so that the token request can be checked against it.
public struct AuthorizationCode: Sendable, Hashable {
    /// SHA-256 of the code, hex-encoded.
    public var codeHash: String
    public var grantID: String
    public var clientID: String
    public var userID: String
    /// The `redirect_uri` of the authorization request, `nil` when the request carried none; the
    /// token request must then repeat it exactly (RFC 6749 §4.1.3).
    public var redirectURI: String?
    public var scope: ScopeSet
    /// The `resource` parameters of the authorization request (RFC 8707), which the token request
    /// may narrow.
    public var resources: [String]
    /// PKCE (RFC 7636): the S256 challenge, when the request carried one.
    public var codeChallenge: String?
    /// The `state` of the authorization request, checked at the token endpoint in the `dnsimple` profile.
    public var state: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var consumedAt: Date?
    /// The sign-in behind an `openid` request, which the code's `id_token` states; the store keeps
    /// it with the grant.
    public var openID: OpenIDAuthentication?

    public init(
        codeHash: String,
        grantID: String,
        clientID: String,
        userID: String,
        redirectURI: String?,
        scope: ScopeSet,
        resources: [String] = [],
        codeChallenge: String?,
        state: String?,
        createdAt: Date,
        expiresAt: Date,
        consumedAt: Date? = nil,
        openID: OpenIDAuthentication? = nil
    ) {
        self.codeHash = codeHash
        self.grantID = grantID
        self.clientID = clientID
        self.userID = userID
        self.redirectURI = redirectURI
        self.scope = scope
        self.resources = resources
        self.codeChallenge = codeChallenge
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
        self.openID = openID
    }
}
