public import Foundation

/// The token endpoint (RFC 6749 §3.2), independent of HTTP.
///
/// Checks run in the order SPEC §6 gives, and the first failure answers: request syntax, client
/// authentication, grant type, then the grant itself.
public struct TokenEndpoint: Sendable {
    private let configuration: ServerConfiguration
    private let authenticator: ClientAuthenticator
    private let handlers: [String: any GrantHandler]
    /// Computed once: the grants of every request read it.
    private let knownResources: Set<String>
    private let now: @Sendable () -> Date

    public init(
        configuration: ServerConfiguration,
        clients: any ClientStore,
        handlers: [any GrantHandler],
        clientAuthenticationLimiter: ClientAuthenticationLimiter? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.authenticator = ClientAuthenticator(
            clients: clients, realm: configuration.realm, limiter: clientAuthenticationLimiter, now: now
        )
        self.knownResources = configuration.knownResources
        self.handlers = Dictionary(handlers.map { ($0.grantType.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
        self.now = now
    }

    /// The grant types this endpoint can handle, for the server metadata.
    public var supportedGrantTypes: [GrantType] {
        handlers.values.map(\.grantType).sorted()
    }

    /// Answers a token request.
    /// - Parameters:
    ///   - parameters: the decoded form body; repeated parameters were refused while decoding.
    ///   - authorization: the `Authorization` header, if any.
    ///   - address: the client's address (SPEC §9), for the client-authentication limit.
    /// - Throws: ``OAuthError`` for every refusal; any other error is a server failure.
    public func handle(parameters: RequestParameters, authorization: String?, address: String? = nil) async throws -> TokenResponse {
        // (1) Syntax. RFC 6749 §4.1.3, §4.4.2, §6: grant_type is REQUIRED.
        let grantTypeName = try parameters.required("grant_type")
        // (2) Client authentication.
        let client = try await ClientAuthenticatedRequest.authenticate(
            parameters: parameters, authorization: authorization, address: address, authenticator: authenticator,
            realm: configuration.realm
        )
        // (3) Grant type: one the server has, then one this client may use.
        guard let handler = handlers[grantTypeName] else {
            switch configuration.errorProfile {
            case .rfc6749:
                throw OAuthError.unsupportedGrantType("grant_type \(grantTypeName) not supported")
            case .dnsimple:
                throw OAuthError.invalidRequest("grant_type \(grantTypeName) not supported (dnsimple profile)")
            }
        }
        guard client.grantTypes.contains(handler.grantType),
            !(client.isPublic && handler.grantType == .clientCredentials)
        else {
            throw OAuthError.unauthorizedClient("client \(client.id) may not use \(grantTypeName)")
        }
        // (4) The grant itself.
        let usedBasic = authorization.map { $0.lowercased().hasPrefix("basic ") } ?? false
        return try await handler.handle(
            GrantRequest(
                parameters: parameters, client: client, now: now(), usedBasic: usedBasic, realm: configuration.realm, address: address,
                knownResources: knownResources
            )
        )
    }
}
