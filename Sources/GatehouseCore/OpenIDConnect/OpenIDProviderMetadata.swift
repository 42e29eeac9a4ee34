/// The OpenID Provider metadata of OpenID Connect Discovery 1.0 §3, with exactly the fields of
/// SPEC §11, served at `/.well-known/openid-configuration`.
public struct OpenIDProviderMetadata: Sendable, Codable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var userinfoEndpoint: String
    public var jwksURI: String
    public var endSessionEndpoint: String
    public var scopesSupported: [String]
    public var responseTypesSupported: [String]
    public var subjectTypesSupported: [String]
    public var idTokenSigningAlgValuesSupported: [String]
    public var claimsSupported: [String]
    public var grantTypesSupported: [String]
    public var tokenEndpointAuthMethodsSupported: [String]
    public var codeChallengeMethodsSupported: [String]
    /// Present only when dynamic registration is on (SPEC §10).
    public var registrationEndpoint: String?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case scopesSupported = "scopes_supported"
        case responseTypesSupported = "response_types_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case claimsSupported = "claims_supported"
        case grantTypesSupported = "grant_types_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case registrationEndpoint = "registration_endpoint"
    }

    /// The claims of the `id_token` and of userinfo (Core §2, §5.1).
    public static let claims = [
        "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "name", "preferred_username", "email",
        "email_verified",
    ]

    /// - Parameter scopes: the clients' scopes, as RFC 8414's `scopes_supported` lists them;
    ///   `openid`, `profile` and `email` are always added.
    public init(configuration: ServerConfiguration, grantTypes: [GrantType], scopes: [String]) {
        let issuer = configuration.issuer
        self.issuer = issuer
        self.authorizationEndpoint = EndpointPath.authorization.url(issuer: issuer)
        self.tokenEndpoint = EndpointPath.token.url(issuer: issuer)
        self.userinfoEndpoint = EndpointPath.userInfo.url(issuer: issuer)
        self.jwksURI = EndpointPath.jwks.url(issuer: issuer)
        self.endSessionEndpoint = EndpointPath.endSession.url(issuer: issuer)
        self.scopesSupported = Set(scopes + [OpenIDScope.openid, OpenIDScope.profile, OpenIDScope.email]).sorted()
        self.responseTypesSupported = ["code"]
        self.subjectTypesSupported = ["public"]
        self.idTokenSigningAlgValuesSupported = ["ES256"]
        self.claimsSupported = Self.claims
        self.grantTypesSupported = grantTypes.map(\.rawValue)
        self.tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
        self.codeChallengeMethodsSupported = ["S256"]
        self.registrationEndpoint = configuration.registration == .off ? nil : EndpointPath.registration.url(issuer: issuer)
    }
}
