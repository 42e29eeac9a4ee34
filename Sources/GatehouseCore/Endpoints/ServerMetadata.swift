/// Authorization server metadata (RFC 8414 §2), listing only what exists.
public struct ServerMetadata: Sendable, Codable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var revocationEndpoint: String
    public var introspectionEndpoint: String
    public var jwksURI: String
    public var revocationEndpointAuthMethodsSupported: [String]
    public var introspectionEndpointAuthMethodsSupported: [String]
    public var codeChallengeMethodsSupported: [String]
    public var authorizationResponseIssParameterSupported: Bool
    public var serviceDocumentation: String
    public var responseTypesSupported: [String]
    public var grantTypesSupported: [String]
    public var scopesSupported: [String]
    public var tokenEndpointAuthMethodsSupported: [String]
    public var uiLocalesSupported: [String]
    /// RFC 8414 §2: present only when dynamic registration is on (SPEC §10).
    public var registrationEndpoint: String?
    /// RFC 8628 §4: present when the server has the device authorization grant (SPEC §11).
    public var deviceAuthorizationEndpoint: String?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case introspectionEndpoint = "introspection_endpoint"
        case jwksURI = "jwks_uri"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case introspectionEndpointAuthMethodsSupported = "introspection_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        case serviceDocumentation = "service_documentation"
        case responseTypesSupported = "response_types_supported"
        case grantTypesSupported = "grant_types_supported"
        case scopesSupported = "scopes_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case uiLocalesSupported = "ui_locales_supported"
        case registrationEndpoint = "registration_endpoint"
        case deviceAuthorizationEndpoint = "device_authorization_endpoint"
    }

    public init(configuration: ServerConfiguration, grantTypes: [GrantType], scopes: [String]) {
        let issuer = configuration.issuer
        self.issuer = issuer
        self.authorizationEndpoint = EndpointPath.authorization.url(issuer: issuer)
        self.tokenEndpoint = EndpointPath.token.url(issuer: issuer)
        self.revocationEndpoint = EndpointPath.revocation.url(issuer: issuer)
        self.introspectionEndpoint = EndpointPath.introspection.url(issuer: issuer)
        self.jwksURI = EndpointPath.jwks.url(issuer: issuer)
        self.revocationEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
        // RFC 7662 §2.1: introspection needs an authenticated caller; a public client is not one.
        self.introspectionEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post"]
        self.codeChallengeMethodsSupported = ["S256"]
        self.authorizationResponseIssParameterSupported = true
        self.serviceDocumentation = configuration.errorURIBase
        self.responseTypesSupported = ["code"]
        self.grantTypesSupported = grantTypes.map(\.rawValue)
        self.scopesSupported = scopes
        self.tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
        self.uiLocalesSupported = configuration.locales
        self.registrationEndpoint = configuration.registration == .off ? nil : EndpointPath.registration.url(issuer: issuer)
        self.deviceAuthorizationEndpoint = grantTypes.contains(.deviceCode) ? EndpointPath.deviceAuthorization.url(issuer: issuer) : nil
    }
}
