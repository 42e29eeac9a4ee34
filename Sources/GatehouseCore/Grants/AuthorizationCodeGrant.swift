import Foundation

/// The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5–4.6).
public struct AuthorizationCodeGrant: GrantHandler {
    public let grantType = GrantType.authorizationCode
    private let codes: any CodeRedemptionStore
    private let accessTokens: AccessTokenIssuer
    private let refreshTokens: RefreshTokenIssuer
    private let profile: ServerConfiguration.ErrorProfile
    private let events: any SecurityEventSink
    /// Issues the `id_token` of an `openid` grant (OpenID Connect Core §3.1.3.3); `nil`: none.
    private let idTokens: IDTokenIssuer?

    public init(
        codes: any CodeRedemptionStore,
        accessTokens: AccessTokenIssuer,
        refreshTokens: RefreshTokenIssuer,
        profile: ServerConfiguration.ErrorProfile,
        events: any SecurityEventSink = DiscardingSecurityEventSink(),
        idTokens: IDTokenIssuer? = nil
    ) {
        self.codes = codes
        self.accessTokens = accessTokens
        self.refreshTokens = refreshTokens
        self.profile = profile
        self.events = events
        self.idTokens = idTokens
    }

    public func handle(_ request: GrantRequest) async throws -> TokenResponse {
        let parameters = request.parameters
        let client = request.client
        let code = try parameters.required("code")
        guard let record = try await codes.authorizationCode(hash: SecretHasher.hash(code)) else {
            throw OAuthError.invalidGrant("unknown authorization code")
        }
        if record.consumedAt != nil {
            try await revokeReplayed(record, at: request.now, address: request.address)
            throw OAuthError.invalidGrant("authorization code replayed; grant \(record.grantID) revoked")
        }
        guard record.clientID == client.id else {
            throw OAuthError.invalidGrant("authorization code issued to another client")
        }
        guard request.now < record.expiresAt else {
            throw OAuthError.invalidGrant("authorization code expired")
        }
        // RFC 6749 §4.1.3: redirect_uri is REQUIRED "if the redirect_uri parameter was included in
        // the authorization request", and "their values MUST be identical".
        if let expected = record.redirectURI, parameters["redirect_uri"] != expected {
            throw mismatch("redirect_uri absent or different from the authorization request")
        }
        if profile == .dnsimple, let state = parameters["state"], state != record.state {
            throw OAuthError.invalidRequest("state differs from the authorization request (dnsimple profile)")
        }
        try verifyPKCE(challenge: record.codeChallenge, verifier: parameters["code_verifier"])
        let resources = try ResourcePolicy.narrow(
            requested: parameters.all("resource"), granted: record.resources, known: request.knownResources
        )
        let access = try await accessTokens.make(
            client: client, userID: record.userID, scope: record.scope, audience: resources, grantID: record.grantID, now: request.now
        )
        var refresh: (token: String, record: RefreshTokenRecord)?
        if client.grantTypes.contains(.refreshToken) {
            refresh = refreshTokens.make(
                clientID: client.id, userID: record.userID, scope: record.scope, grantID: record.grantID, now: request.now
            )
        }
        // Signed before the unit below, so that a failure to sign leaves the code usable.
        let idToken = try await idTokens?.make(
            clientID: client.id, subject: record.userID, scope: record.scope, authentication: record.openID,
            nonce: record.openID?.nonce, accessToken: access.token, now: request.now
        )
        // One unit consumes the code and stores the tokens; its compare-and-swap decides a race:
        // of concurrent redemptions exactly one gets past it, and a failure leaves the code usable.
        let issued = IssuedTokens(accessToken: access.record, refreshToken: refresh?.record)
        let redeemed = try await request.storing {
            try await codes.redeemAuthorizationCode(hash: record.codeHash, issuing: issued, at: request.now)
        }
        guard redeemed else {
            try await revokeReplayed(record, at: request.now, address: request.address)
            throw OAuthError.invalidGrant("authorization code redeemed concurrently; grant \(record.grantID) revoked")
        }
        events.record(
            SecurityEvent(
                .tokenIssued, time: request.now, clientID: client.id, subject: record.userID, grantID: record.grantID,
                address: request.address,
                grantType: grantType.rawValue, tokenFormat: accessTokens.format(for: client).rawValue
            )
        )
        return TokenResponse(
            accessToken: access.token, expiresIn: accessTokens.lifetime, scope: record.scope, refreshToken: refresh?.token,
            idToken: idToken
        )
    }

    /// RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server
    /// MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on
    /// that authorization code."
    private func revokeReplayed(_ record: AuthorizationCode, at date: Date, address: String?) async throws {
        let revoked = try await codes.revokeGrant(id: record.grantID, at: date)
        events.record(
            SecurityEvent(
                .codeReplayed, outcome: .failure, time: date, clientID: record.clientID, subject: record.userID,
                grantID: record.grantID, address: address, reason: "code_replay"
            )
        )
        events.record(
            SecurityEvent(
                .tokenRevoked, time: date, clientID: record.clientID, subject: record.userID, grantID: record.grantID,
                address: address, reason: "code_replay", count: revoked
            )
        )
    }

    /// RFC 7636 §4.6; OAuth 2.1 §4.1.3: a verifier without a challenge is refused as well.
    private func verifyPKCE(challenge: String?, verifier: String?) throws {
        switch (challenge, verifier) {
        case (nil, nil):
            return
        case (nil, .some):
            throw OAuthError.invalidGrant("code_verifier sent but the authorization request had no code_challenge")
        case (.some, nil):
            throw OAuthError.invalidGrant("code_verifier missing")
        case (let challenge?, let verifier?):
            guard PKCE.isWellFormed(verifier) else {
                throw OAuthError.invalidRequest("malformed code_verifier", message: .malformedParameter)
            }
            guard PKCE.verify(verifier: verifier, challenge: challenge) else {
                throw OAuthError.invalidGrant("code_verifier does not match the code_challenge")
            }
        }
    }

    /// SPEC §7: DNSimple answers a redirect_uri mismatch with `invalid_request`.
    private func mismatch(_ hint: String) -> OAuthError {
        switch profile {
        case .rfc6749: .invalidGrant(hint)
        case .dnsimple: .invalidRequest(hint)
        }
    }
}
