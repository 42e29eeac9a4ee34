/// Authorization server metadata (RFC 8414 §2), listing only what exists.
public struct ServerMetadata: Sendable, Codable, Equatable {
    public var issuer: String
    public var tokenEndpoint: String
    public var serviceDocumentation: String
    public var responseTypesSupported: [String]
    public var grantTypesSupported: [String]
    public var scopesSupported: [String]
    public var tokenEndpointAuthMethodsSupported: [String]
    public var uiLocalesSupported: [String]

    enum CodingKeys: String, CodingKey {
        case issuer
        case tokenEndpoint = "token_endpoint"
        case serviceDocumentation = "service_documentation"
        case responseTypesSupported = "response_types_supported"
        case grantTypesSupported = "grant_types_supported"
        case scopesSupported = "scopes_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case uiLocalesSupported = "ui_locales_supported"
    }

    public init(configuration: ServerConfiguration, grantTypes: [GrantType], scopes: [String]) {
        let issuer = configuration.issuer
        self.issuer = issuer
        self.tokenEndpoint = "\(issuer)/oauth2/token"
        self.serviceDocumentation = configuration.errorURIBase
        // RFC 8414 §2: response_types_supported is REQUIRED even when no authorization endpoint
        // exists yet; an empty list says so honestly.
        self.responseTypesSupported = []
        self.grantTypesSupported = grantTypes.map(\.rawValue)
        self.scopesSupported = scopes
        self.tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
        self.uiLocalesSupported = configuration.locales
    }
}
