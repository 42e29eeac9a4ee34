public import Foundation

/// Makes access tokens, opaque or JWT (RFC 9068), and the records the store keeps of them.
///
/// The issuer writes nothing: the record is stored by the unit of work that hands the token out
/// (``CodeRedemptionStore``, ``RefreshRotationStore``, ``AccessTokenStore``), so a token exists in
/// the store exactly when the rest of its unit does (SPEC §9 "Atomic units of work").
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

    private let generator: SecretGenerator
    private let defaultFormat: AccessTokenFormat
    private let jwt: JWTSettings?
    /// Lifetime in seconds.
    public let lifetime: Int

    public init(
        lifetime: Int,
        defaultFormat: AccessTokenFormat = .opaque,
        jwt: JWTSettings? = nil,
        generator: SecretGenerator = SecretGenerator()
    ) {
        self.lifetime = lifetime
        self.defaultFormat = defaultFormat
        self.jwt = jwt
        self.generator = generator
    }

    /// The format of `client`'s tokens: its own, or the server's default.
    public func format(for client: Client) -> AccessTokenFormat {
        client.tokenFormat ?? defaultFormat
    }

    /// A new access token in the client's format and its record. The token itself exists only in
    /// the returned value; the record keeps its hash.
    /// - Parameters:
    ///   - audience: the resources the token is for (RFC 8707); empty: the configured audience.
    ///   - parentTokenHash: the refresh token whose rotation issues this token, if any.
    ///   - exchange: for token exchange (RFC 8693), the subject token and the actor.
    public func make(
        client: Client,
        userID: String?,
        scope: ScopeSet,
        audience: [String] = [],
        grantID: String?,
        parentTokenHash: String? = nil,
        exchange: Exchange? = nil,
        now: Date
    ) async throws -> (token: String, record: AccessTokenRecord) {
        let id = generator.makeIdentifier()
        var expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
        if let exchange, exchange.subjectExpiresAt < expiresAt { expiresAt = exchange.subjectExpiresAt }
        let token: String
        switch format(for: client) {
        case .opaque:
            token = generator.make(.accessToken)
        case .jwt:
            guard let jwt else { throw OAuthError.serverError("JWT access tokens requested but no keys configured") }
            let claims = JWTAccessToken.Claims(
                issuer: jwt.issuer, subject: exchange?.subject ?? userID ?? client.id,
                audience: audience.isEmpty ? [jwt.audience] : audience, expiresAt: Int(expiresAt.timeIntervalSince1970),
                issuedAt: Int(now.timeIntervalSince1970), tokenID: id, clientID: client.id, scope: scope, actor: exchange?.actor
            )
            token = try JWTAccessToken.sign(claims, with: try await jwt.keys.signingKey())
        }
        let record = AccessTokenRecord(
            id: id,
            tokenHash: SecretHasher.hash(token),
            clientID: client.id,
            userID: userID,
            scope: scope,
            audience: audience,
            issuedAt: now,
            expiresAt: expiresAt,
            grantID: grantID,
            parentTokenHash: parentTokenHash,
            subjectTokenHash: exchange?.subjectTokenHash,
            actor: exchange?.actor
        )
        return (token, record)
    }

    /// What a token issued by token exchange (RFC 8693) takes from its subject token.
    public struct Exchange: Sendable {
        /// The hash of the subject token.
        public var subjectTokenHash: String
        /// The subject token's `sub`, which the new token keeps.
        public var subject: String
        /// The end of the subject token's life: the new token's ends no later.
        public var subjectExpiresAt: Date
        /// `act`, when an actor token was sent.
        public var actor: TokenActor?

        public init(subjectTokenHash: String, subject: String, subjectExpiresAt: Date, actor: TokenActor?) {
            self.subjectTokenHash = subjectTokenHash
            self.subject = subject
            self.subjectExpiresAt = subjectExpiresAt
            self.actor = actor
        }
    }
}
