import Foundation

/// The refresh token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2), and
/// the reuse interval of SPEC §9.
public struct RefreshTokenGrant: GrantHandler {
    public let grantType = GrantType.refreshToken
    private let store: any RefreshRotationStore
    private let accessTokens: AccessTokenIssuer
    private let refreshTokens: RefreshTokenIssuer
    /// `refresh_token_reuse_interval`: seconds in which a retry with a just-rotated token is
    /// answered with a fresh pair; 0 makes every reuse revoke the grant.
    private let reuseInterval: Int
    private let events: any SecurityEventSink
    /// Issues a new `id_token` on each refresh of an `openid` grant (OpenID Connect Core §12.2).
    private let idTokens: IDTokenIssuer?

    public init(
        store: any RefreshRotationStore,
        accessTokens: AccessTokenIssuer,
        refreshTokens: RefreshTokenIssuer,
        reuseInterval: Int = 0,
        events: any SecurityEventSink = DiscardingSecurityEventSink(),
        idTokens: IDTokenIssuer? = nil
    ) {
        self.store = store
        self.accessTokens = accessTokens
        self.refreshTokens = refreshTokens
        self.reuseInterval = reuseInterval
        self.events = events
        self.idTokens = idTokens
    }

    public func handle(_ request: GrantRequest) async throws -> TokenResponse {
        let client = request.client
        let presented = try request.parameters.required("refresh_token")
        guard let (record, grant) = try await store.refreshTokenWithGrant(hash: SecretHasher.hash(presented)) else {
            throw OAuthError.invalidGrant("unknown refresh token")
        }
        guard record.clientID == client.id else {
            throw OAuthError.invalidGrant("refresh token issued to another client")
        }
        // A rotated-away token presented again means it was copied: whoever holds the newer one may
        // be an attacker, so the whole family goes (RFC 9700 §4.14.2). Within the reuse interval
        // the unit below decides whether it is an honest retry instead.
        if let rotatedAt = record.rotatedAt, !isWithinReuseInterval(rotatedAt, now: request.now) {
            try await revokeReused(record, at: request.now, address: request.address)
            throw OAuthError.invalidGrant("refresh token reused; grant \(record.grantID) revoked")
        }
        guard record.revokedAt == nil, grant.revokedAt == nil else {
            throw OAuthError.invalidGrant("refresh token or its grant revoked")
        }
        guard request.now < record.expiresAt else {
            throw OAuthError.invalidGrant("refresh token expired")
        }
        // RFC 6749 §6: the requested scope "MUST NOT include any scope not originally granted".
        let scope = try ScopePolicy.resolve(requested: request.parameters["scope"], allowed: record.scope, default: record.scope)
        // RFC 8707 §2.2 likewise: the resources of the grant, or fewer of them.
        let resources = try ResourcePolicy.narrow(
            requested: request.parameters.all("resource"), granted: grant.resources, known: request.knownResources
        )
        let access = try await accessTokens.make(
            client: client, userID: record.userID, scope: scope, audience: resources, grantID: record.grantID,
            parentTokenHash: record.tokenHash, now: request.now
        )
        // The new refresh token keeps the grant's scope (and the grant its resources), so a narrower
        // access token now does not narrow later ones.
        let refresh = refreshTokens.make(
            clientID: client.id, userID: record.userID, scope: record.scope, grantID: record.grantID,
            parentTokenHash: record.tokenHash, now: request.now
        )
        // Core §12.2: the same `sub` and `auth_time`; no `nonce`. Only while the scope keeps `openid`.
        let idToken = try await idTokens?.make(
            clientID: client.id, subject: record.userID ?? client.id, scope: scope, authentication: grant.openID, nonce: nil,
            accessToken: access.token, now: request.now
        )
        let issued = IssuedTokens(accessToken: access.record, refreshToken: refresh.record)
        let outcome = try await request.storing {
            try await store.rotateRefreshToken(
                hash: record.tokenHash, clientID: client.id, issuing: issued, reuseInterval: reuseInterval, at: request.now
            )
        }
        if outcome == .reuse {
            try await revokeReused(record, at: request.now, address: request.address)
            throw OAuthError.invalidGrant("refresh token used concurrently or reused; grant \(record.grantID) revoked")
        }
        events.record(
            SecurityEvent(
                .tokenIssued, time: request.now, clientID: client.id, subject: record.userID, grantID: record.grantID,
                address: request.address,
                reason: outcome == .replacedEarlierPair ? "retry" : nil,
                grantType: grantType.rawValue, tokenFormat: accessTokens.format(for: client).rawValue
            )
        )
        return TokenResponse(
            accessToken: access.token, expiresIn: accessTokens.lifetime, scope: scope, refreshToken: refresh.token, idToken: idToken
        )
    }

    private func isWithinReuseInterval(_ rotatedAt: Date, now: Date) -> Bool {
        reuseInterval > 0 && now.timeIntervalSince(rotatedAt) < TimeInterval(reuseInterval)
    }

    private func revokeReused(_ record: RefreshTokenRecord, at date: Date, address: String?) async throws {
        let revoked = try await store.revokeGrant(id: record.grantID, at: date)
        events.record(
            SecurityEvent(
                .refreshReuseDetected, outcome: .failure, time: date, clientID: record.clientID, subject: record.userID,
                grantID: record.grantID, address: address, reason: "reuse"
            )
        )
        events.record(
            SecurityEvent(
                .tokenRevoked, time: date, clientID: record.clientID, subject: record.userID, grantID: record.grantID,
                address: address, reason: "reuse", count: revoked
            )
        )
    }
}
