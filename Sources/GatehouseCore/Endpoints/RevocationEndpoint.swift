public import Foundation

/// Token revocation (RFC 7009), independent of HTTP.
public struct RevocationEndpoint: Sendable {
    private let configuration: ServerConfiguration
    private let authenticator: ClientAuthenticator
    private let accessTokens: any AccessTokenStore
    private let grants: any GrantStore
    private let now: @Sendable () -> Date
    private let events: any SecurityEventSink

    public init(
        configuration: ServerConfiguration,
        clients: any ClientStore,
        accessTokens: any AccessTokenStore,
        grants: any GrantStore,
        clientAuthenticationLimiter: ClientAuthenticationLimiter? = nil,
        now: @escaping @Sendable () -> Date = Date.init,
        events: any SecurityEventSink = DiscardingSecurityEventSink()
    ) {
        self.configuration = configuration
        self.authenticator = ClientAuthenticator(
            clients: clients, realm: configuration.realm, limiter: clientAuthenticationLimiter, now: now
        )
        self.accessTokens = accessTokens
        self.grants = grants
        self.now = now
        self.events = events
    }

    /// Revokes a token of the authenticated client.
    ///
    /// RFC 7009 §2.2: "invalid tokens do not cause an error response", so an unknown, expired or
    /// already revoked token answers success. A token of another client is refused and left alone.
    /// - Throws: ``OAuthError``: `invalid_request` without `token`; `invalid_client`;
    ///   `unsupported_token_type` for a hint other than `access_token` or `refresh_token` (SPEC §6);
    ///   `unauthorized_client` for another client's token.
    public func handle(parameters: RequestParameters, authorization: String?, address: String? = nil) async throws {
        let token = try parameters.required("token")
        let client = try await ClientAuthenticatedRequest.authenticate(
            parameters: parameters, authorization: authorization, address: address, authenticator: authenticator,
            realm: configuration.realm
        )
        let hint = parameters["token_type_hint"]
        guard hint == nil || hint == "access_token" || hint == "refresh_token" else {
            throw OAuthError(.unsupportedTokenType, hint: "token_type_hint \(hint ?? "")")
        }
        let hash = SecretHasher.hash(token)
        let date = now()
        // The hint only orders the lookups; `nil` means no token was found, `.some(nil)` an
        // access token outside any grant.
        var revoked: String??
        if hint == "refresh_token" {
            revoked = try await revokeRefreshToken(hash: hash, client: client, at: date)
            if revoked == nil { revoked = try await revokeAccessToken(hash: hash, client: client, at: date) }
        } else {
            revoked = try await revokeAccessToken(hash: hash, client: client, at: date)
            if revoked == nil { revoked = try await revokeRefreshToken(hash: hash, client: client, at: date) }
        }
        // SPEC §9 audit log: only a revocation that found a token is an event.
        if let grantID = revoked {
            events.record(
                SecurityEvent(.tokenRevoked, time: date, clientID: client.id, grantID: grantID, address: address, reason: "revocation", count: 1)
            )
        }
    }

    /// - Returns: `nil` when the hash named no access token, else the token's grant, if any.
    private func revokeAccessToken(hash: String, client: Client, at date: Date) async throws -> String?? {
        guard let record = try await accessTokens.accessToken(hash: hash) else { return nil }
        guard record.clientID == client.id else {
            throw OAuthError(.tokenOfAnotherClient, hint: "access token belongs to another client")
        }
        try await accessTokens.revokeAccessToken(hash: hash, at: date)
        return .some(record.grantID)
    }

    /// Revoking a refresh token revokes its grant, and with it the access tokens issued from the
    /// same authorization (RFC 7009 §2.1: the server "SHOULD also invalidate the access token").
    /// - Returns: `nil` when the hash named no refresh token, else its grant.
    private func revokeRefreshToken(hash: String, client: Client, at date: Date) async throws -> String?? {
        guard let record = try await grants.refreshToken(hash: hash) else { return nil }
        guard record.clientID == client.id else {
            throw OAuthError(.tokenOfAnotherClient, hint: "refresh token belongs to another client")
        }
        try await grants.revokeGrant(id: record.grantID, at: date)
        return .some(record.grantID)
    }
}
