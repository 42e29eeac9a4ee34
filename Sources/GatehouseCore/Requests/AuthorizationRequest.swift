/// A validated authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3).
public struct AuthorizationRequest: Sendable, Equatable {
    public let client: Client
    /// Where the answer goes: the `redirect_uri` sent, or the client's only registered one.
    public let redirectURI: String
    /// Whether the request carried `redirect_uri`; if it did, the token request must repeat it.
    public let redirectURIWasSent: Bool
    public let scope: ScopeSet
    /// The `resource` parameters (RFC 8707), each one of the server's resources; empty when none
    /// was sent. Defaulted, so that code building a request without resources needs no change.
    public var resources: [String] = []
    public let state: String?
    public let codeChallenge: String?
    /// `ui_locales` (OpenID Connect Core §3.1.2.1), the page language before `Accept-Language`.
    public let uiLocales: String?
    /// The OpenID Connect parameters, when the scope holds `openid` (SPEC §11).
    public var openID: OpenIDRequest? = nil
}

/// Why an authorization request is refused, and how the answer must travel.
public enum AuthorizationFailure: Error, Sendable {
    /// The client or the redirect URI cannot be trusted: the user sees an error page and is
    /// never redirected (RFC 6749 §4.1.2.1).
    case page(OAuthError)
    /// Everything else goes back to the client at the redirect URI.
    case redirect(OAuthError, location: String)
}
