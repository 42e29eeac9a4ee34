public import Foundation

/// Makes access tokens, opaque or JWT (RFC 9068), and records them in the store before they are
/// handed out.
///
/// JWTs are recorded like opaque tokens (hash, `jti`, grant), so revocation, introspection and grant
/// revocation treat both formats alike; a resource server that checks JWTs locally learns of a
/// revocation only through introspection or the store.
public struct AccessTokenIssuer: Sendable {
    /// What a JWT needs beyond the record: the keys and the `iss` and `aud` claims.
    public struct JWTSettings: Sendable {
        public let keys: KeyRing
        public let issuer: String
        public let audience: String

        public init(keys: KeyRing, issuer: String, audience: String) {
            self.keys = keys
            self.issuer = issuer
            self.audience = audience
        }
    }

    private let store: any AccessTokenStore
    private let generator: SecretGenerator
    private let defaultFormat: AccessTokenFormat
    private let jwt: JWTSettings?
    /// Lifetime in seconds.
    public let lifetime: Int

    public init(
        store: any AccessTokenStore,
        lifetime: Int,
        defaultFormat: AccessTokenFormat = .opaque,
        jwt: JWTSettings? = nil,
        generator: SecretGenerator = SecretGenerator()
    ) {
        self.store = store
        self.lifetime = lifetime
        self.defaultFormat = defaultFormat
        self.jwt = jwt
        self.generator = generator
    }

    /// A new access token in the client's format (its own, or the server's default). The token
    /// itself exists only in the returned value; the store keeps its hash.
    public func issue(
        client: Client,
        userID: String?,
        scope: ScopeSet,
        grantID: String?,
        now: Date
    ) async throws -> (token: String, record: AccessTokenRecord) {
        let id = generator.makeIdentifier()
        let expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
        let token: String
        switch client.tokenFormat ?? defaultFormat {
        case .opaque:
            token = generator.make(.accessToken)
        case .jwt:
            guard let jwt else { throw OAuthError.serverError("JWT access tokens requested but no keys configured") }
            let claims = JWTAccessToken.Claims(
                issuer: jwt.issuer, subject: userID ?? client.id, audience: jwt.audience,
                expiresAt: Int(expiresAt.timeIntervalSince1970), issuedAt: Int(now.timeIntervalSince1970),
                tokenID: id, clientID: client.id, scope: scope
            )
            token = try JWTAccessToken.sign(claims, with: try await jwt.keys.signingKey())
        }
        let record = AccessTokenRecord(
            id: id,
            tokenHash: SecretHasher.hash(token),
            clientID: client.id,
            userID: userID,
            scope: scope,
            issuedAt: now,
            expiresAt: expiresAt,
            grantID: grantID
        )
        try await store.insertAccessToken(record)
        return (token, record)
    }
}
