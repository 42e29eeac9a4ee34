/// The token type identifiers of RFC 8693 §3 that Gatehouse's token exchange knows.
public enum TokenTypeIdentifier: String, Sendable, Hashable, CaseIterable {
    /// "Indicates that the token is an OAuth 2.0 access token issued by the given authorization
    /// server": any access token of this server, opaque or JWT.
    case accessToken = "urn:ietf:params:oauth:token-type:access_token"
    /// "Indicates that the token is a JWT": here, a JWT access token (RFC 9068) this server signed.
    case jwt = "urn:ietf:params:oauth:token-type:jwt"
}
