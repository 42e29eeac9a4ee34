/// The client credentials grant (RFC 6749 §4.4): a confidential client acting for itself.
public struct ClientCredentialsGrant: GrantHandler {
    public let grantType = GrantType.clientCredentials
    private let issuer: AccessTokenIssuer
    /// One insert is the whole unit of this grant.
    private let tokens: any AccessTokenStore
    private let events: any SecurityEventSink

    public init(issuer: AccessTokenIssuer, tokens: any AccessTokenStore, events: any SecurityEventSink = DiscardingSecurityEventSink()) {
        self.issuer = issuer
        self.tokens = tokens
        self.events = events
    }

    public func handle(_ request: GrantRequest) async throws -> TokenResponse {
        let client = request.client
        // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential
        // clients." The endpoint refuses public clients before a handler runs; this guards the rule
        // for anyone composing handlers differently.
        guard !client.isPublic else {
            throw OAuthError.unauthorizedClient("public client asked for client_credentials")
        }
        // SPEC §10: the one grant that may hand out the reserved scopes of an --admin client.
        let scope = try ScopePolicy.resolve(
            requested: request.parameters["scope"], allowed: client.scopes, default: client.scopes, grantsReserved: true
        )
        let resources = try ResourcePolicy.resolve(requested: request.parameters.all("resource"), known: request.knownResources)
        let issued = try await issuer.make(
            client: client, userID: nil, scope: scope, audience: resources, grantID: nil, now: request.now
        )
        try await request.storing { try await tokens.insertAccessToken(issued.record) }
        events.record(
            SecurityEvent(
                .tokenIssued, time: request.now, clientID: client.id, subject: client.id, address: request.address,
                grantType: grantType.rawValue, tokenFormat: issuer.format(for: client).rawValue
            )
        )
        // RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included."
        return TokenResponse(accessToken: issued.token, expiresIn: issuer.lifetime, scope: scope)
    }
}
