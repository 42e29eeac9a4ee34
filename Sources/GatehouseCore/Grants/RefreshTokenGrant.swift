/// The refresh token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
public struct RefreshTokenGrant: GrantHandler {
    public let grantType = GrantType.refreshToken
    private let grants: any GrantStore
    private let accessTokens: AccessTokenIssuer
    private let refreshTokens: RefreshTokenIssuer

    public init(grants: any GrantStore, accessTokens: AccessTokenIssuer, refreshTokens: RefreshTokenIssuer) {
        self.grants = grants
        self.accessTokens = accessTokens
        self.refreshTokens = refreshTokens
    }

    public func handle(_ request: GrantRequest) async throws -> TokenResponse {
        let client = request.client
        let presented = try request.parameters.required("refresh_token")
        guard let (record, grant) = try await grants.refreshTokenWithGrant(hash: SecretHasher.hash(presented)) else {
            throw OAuthError.invalidGrant("unknown refresh token")
        }
        guard record.clientID == client.id else {
            throw OAuthError.invalidGrant("refresh token issued to another client")
        }
        // A rotated-away token presented again means it was copied: whoever holds the newer one may
        // be an attacker, so the whole family goes (RFC 9700 §4.14.2).
        if record.rotatedAt != nil {
            try await grants.revokeGrant(id: record.grantID, at: request.now)
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
        guard try await grants.rotateRefreshToken(hash: record.tokenHash, at: request.now) else {
            try await grants.revokeGrant(id: record.grantID, at: request.now)
            throw OAuthError.invalidGrant("refresh token used concurrently; grant \(record.grantID) revoked")
        }
        let access = try await accessTokens.issue(
            client: client, userID: record.userID, scope: scope, grantID: record.grantID, now: request.now
        )
        // The new refresh token keeps the grant's scope, so a narrower access token now does not
        // narrow later ones.
        let refreshToken = try await refreshTokens.issue(
            clientID: client.id, userID: record.userID, scope: record.scope, grantID: record.grantID, now: request.now
        )
        return TokenResponse(accessToken: access.token, expiresIn: accessTokens.lifetime, scope: scope, refreshToken: refreshToken)
    }
}
