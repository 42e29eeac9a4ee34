public import Foundation

/// Token introspection (RFC 7662), independent of HTTP.
public struct IntrospectionEndpoint: Sendable {
    /// The answer: `active: false` alone, or the token's claims (RFC 7662 §2.2).
    public struct Answer: Sendable, Equatable {
        public var active: Bool
        public var scope: ScopeSet?
        public var clientID: String?
        public var username: String?
        public var tokenType: String?
        public var expiresAt: Int?
        public var issuedAt: Int?
        public var subject: String?
        public var issuer: String?
        public var tokenID: String?
        /// `aud` of an access token: its resources (RFC 8707), or `access_token_audience` when it
        /// was requested without any, as in its JWT form.
        public var audience: [String]?
        /// `act` of a token issued by token exchange with an actor token (RFC 8693 §4.1, §4.4).
        public var actor: TokenActor?

        public static let inactive = Answer(active: false)

        init(
            active: Bool, scope: ScopeSet? = nil, clientID: String? = nil, username: String? = nil, tokenType: String? = nil,
            expiresAt: Int? = nil, issuedAt: Int? = nil, subject: String? = nil, issuer: String? = nil, tokenID: String? = nil,
            audience: [String]? = nil, actor: TokenActor? = nil
        ) {
            self.active = active
            self.scope = scope
            self.clientID = clientID
            self.username = username
            self.tokenType = tokenType
            self.expiresAt = expiresAt
            self.issuedAt = issuedAt
            self.subject = subject
            self.issuer = issuer
            self.tokenID = tokenID
            self.audience = audience
            self.actor = actor
        }
    }

    private let configuration: ServerConfiguration
    private let authenticator: ClientAuthenticator
    private let accessTokens: any AccessTokenStore
    private let activeTokens: AccessTokenLookup
    private let grants: any GrantStore
    private let users: any UserStore
    private let now: @Sendable () -> Date

    public init(
        configuration: ServerConfiguration,
        clients: any ClientStore,
        accessTokens: any AccessTokenStore,
        grants: any GrantStore,
        users: any UserStore,
        clientAuthenticationLimiter: ClientAuthenticationLimiter? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.authenticator = ClientAuthenticator(
            clients: clients, realm: configuration.realm, limiter: clientAuthenticationLimiter, now: now
        )
        self.accessTokens = accessTokens
        self.activeTokens = AccessTokenLookup(accessTokens: accessTokens, grants: grants)
        self.grants = grants
        self.users = users
        self.now = now
    }

    /// Introspects a token for an authenticated client.
    ///
    /// RFC 7662 §2.1 requires the caller to be authorized; a public client cannot authenticate, so
    /// it cannot introspect. A client registered with `--can-introspect` sees any token; any other
    /// client only its own, and `active: false` for the rest (RFC 7662 §4: no hint of why).
    /// - Throws: ``OAuthError``: `invalid_request` without `token`; `invalid_client`.
    public func handle(parameters: RequestParameters, authorization: String?, address: String? = nil) async throws -> Answer {
        let token = try parameters.required("token")
        let client = try await ClientAuthenticatedRequest.authenticate(
            parameters: parameters, authorization: authorization, address: address, authenticator: authenticator,
            realm: configuration.realm
        )
        guard !client.isPublic else {
            throw OAuthError.invalidClient("public client cannot introspect", usedBasic: false, realm: configuration.realm)
        }
        return try await lookup(token: token, visibleTo: client)
    }

    /// What the store says of a token, for `client` (`nil`: no visibility rule, for the resource
    /// middleware running inside Gatehouse).
    public func lookup(token: String, visibleTo client: Client? = nil) async throws -> Answer {
        let hash = SecretHasher.hash(token)
        let date = now()
        func visible(_ owner: String) -> Bool { client.map { $0.id == owner || $0.canIntrospect } ?? true }
        if let record = try await accessTokens.accessToken(hash: hash) {
            guard visible(record.clientID), let active = try await activeTokens.active(record, at: date) else { return .inactive }
            return try await answer(
                tokenType: "Bearer", clientID: record.clientID, userID: record.userID, grant: active.grant, scope: record.scope,
                issuedAt: record.issuedAt, expiresAt: record.expiresAt, tokenID: record.id,
                audience: record.audience.isEmpty ? [configuration.accessTokenAudience] : record.audience, subject: active.subject,
                actor: record.actor
            )
        }
        if let record = try await grants.refreshToken(hash: hash) {
            guard visible(record.clientID), record.rotatedAt == nil, record.revokedAt == nil, date < record.expiresAt,
                case .live(let grant) = try await grantState(record.grantID)
            else { return .inactive }
            return try await answer(
                tokenType: "refresh_token", clientID: record.clientID, userID: record.userID, grant: grant, scope: record.scope,
                issuedAt: record.issuedAt, expiresAt: record.expiresAt, tokenID: record.id
            )
        }
        return .inactive
    }

    private enum GrantState {
        /// Live, with its grant when the token has one.
        case live(Grant?)
        case gone
    }

    private func grantState(_ grantID: String?) async throws -> GrantState {
        guard let grantID else { return .live(nil) }
        guard let grant = try await grants.grant(id: grantID), grant.revokedAt == nil else { return .gone }
        return .live(grant)
    }

    /// `sub` is the user, or for a client_credentials token the client itself (RFC 9068 §2.2).
    private func answer(
        tokenType: String, clientID: String, userID: String?, grant: Grant?, scope: ScopeSet, issuedAt: Date, expiresAt: Date, tokenID: String,
        audience: [String]? = nil, subject: String? = nil, actor: TokenActor? = nil
    ) async throws -> Answer {
        // A subject the provider's login app named has the username its accept gave, if any
        // (SPEC §10); any other is a user of the built-in store.
        let username: String?
        if let delegation = grant?.delegation {
            username = delegation.username
        } else {
            username = try await userID.asyncFlatMap { try await users.user(id: $0)?.username }
        }
        return Answer(
            active: true, scope: scope, clientID: clientID, username: username, tokenType: tokenType,
            expiresAt: Int(expiresAt.timeIntervalSince1970), issuedAt: Int(issuedAt.timeIntervalSince1970),
            subject: subject ?? userID ?? clientID, issuer: configuration.issuer, tokenID: tokenID, audience: audience, actor: actor
        )
    }
}

extension Optional {
    fileprivate func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
