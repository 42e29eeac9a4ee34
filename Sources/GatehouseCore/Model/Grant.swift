public import Foundation

/// One authorization a user gave a client: the family every code, access token and refresh token
/// of that authorization descends from. Revoking it revokes them all (RFC 6749 §10.5, RFC 9700 §4.14).
public struct Grant: Sendable, Hashable {
    public var id: String
    public var clientID: String
    public var userID: String?
    public var scope: ScopeSet
    /// The resources (RFC 8707) the authorization was for; empty: the default audience only. Tokens
    /// of the grant may be narrowed to some of them, never widened.
    public var resources: [String]
    public var createdAt: Date
    public var revokedAt: Date?
    /// Set when the provider's own login app named the subject (SPEC §10): `userID` is then its
    /// subject, which the built-in user store need not know.
    public var delegation: Delegation?
    /// Set when the scope held `openid` (OpenID Connect Core §3.1.2.1): what every `id_token` of
    /// the grant repeats.
    public var openID: OpenIDAuthentication?

    /// A subject named by the provider's login app rather than signed in on the built-in page.
    public struct Delegation: Sendable, Hashable {
        /// Introspection's `username`: the one the login accept gave, `nil` when it gave none.
        public var username: String?

        public init(username: String?) {
            self.username = username
        }
    }

    public init(
        id: String, clientID: String, userID: String?, scope: ScopeSet, resources: [String] = [], createdAt: Date, revokedAt: Date? = nil,
        delegation: Delegation? = nil, openID: OpenIDAuthentication? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.userID = userID
        self.scope = scope
        self.resources = resources
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.delegation = delegation
        self.openID = openID
    }
}
