/// A successful token response (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var scope: ScopeSet
    public var refreshToken: String?
    /// RFC 8693 §2.2.1: the type of the token a token exchange issued.
    public var issuedTokenType: String? = nil
    /// OpenID Connect Core §3.1.3.3: the `id_token` of a grant whose scope holds `openid`.
    public var idToken: String?

    public init(
        accessToken: String, tokenType: String = "Bearer", expiresIn: Int, scope: ScopeSet, refreshToken: String? = nil,
        idToken: String? = nil
    ) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
        self.refreshToken = refreshToken
        self.idToken = idToken
    }
}
