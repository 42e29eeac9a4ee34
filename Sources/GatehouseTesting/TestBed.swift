import Foundation
public import GatehouseCore

/// The core endpoints wired as the server wires them, over an ``InMemoryStore`` and a ``TestClock``:
/// Gatehouse without a socket or a database, as `HummingbirdTesting` gives Hummingbird apps.
///
/// ```swift
/// let bed = TestBed()
/// let client = try await bed.registerClient(.confidential)
/// let user = try await bed.createUser()
/// let tokens = try await bed.finishCodeFlow(client: client, user: user)
/// bed.clock.advance(by: 3600)
/// #expect(try await bed.introspectionEndpoint().lookup(token: tokens.accessToken).active == false)
/// ```
public struct TestBed: Sendable {
    public let store: InMemoryStore
    public let clock: TestClock
    public let configuration: ServerConfiguration
    /// Receives the security events of every endpoint the bed builds.
    public let events: any SecurityEventSink

    /// The issuer of the default configuration.
    public static let issuer = "https://gatehouse.test"

    public init(
        configuration: ServerConfiguration = ServerConfiguration(issuer: TestBed.issuer),
        store: InMemoryStore = InMemoryStore(),
        clock: TestClock = TestClock(),
        events: any SecurityEventSink = DiscardingSecurityEventSink()
    ) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.events = events
    }

    // MARK: Endpoints

    /// The client-authentication limit of SPEC §9 on the bed's store and clock.
    public func clientAuthenticationLimiter() -> ClientAuthenticationLimiter {
        ClientAuthenticationLimiter(
            store: store, limit: configuration.clientAuthFailureLimit, window: configuration.rateLimitWindow, events: events,
            now: clock.now
        )
    }

    /// The grants of the server, issuing opaque tokens unless a client asks for JWTs.
    public func grantHandlers() -> [any GrantHandler] {
        // The signing keys of JWT access tokens, kept in the bed's store and timed by its clock.
        let keys = KeyRing(
            store: store, encryption: KeyEncryption(secret: nil), refreshInterval: configuration.keyRefreshInterval,
            accessTokenLifetime: configuration.accessTokenTTL, now: clock.now
        )
        let accessTokens = AccessTokenIssuer(
            lifetime: configuration.accessTokenTTL, defaultFormat: configuration.accessTokenFormat,
            jwt: .init(keys: keys, issuer: configuration.issuer, audience: configuration.accessTokenAudience)
        )
        let refreshTokens = RefreshTokenIssuer(lifetime: configuration.refreshTokenTTL)
        let idTokens = idTokenIssuer()
        return [
            AuthorizationCodeGrant(
                codes: store, accessTokens: accessTokens, refreshTokens: refreshTokens, profile: configuration.errorProfile, events: events,
                idTokens: idTokens
            ),
            RefreshTokenGrant(
                store: store, accessTokens: accessTokens, refreshTokens: refreshTokens,
                reuseInterval: configuration.refreshTokenReuseInterval, events: events, idTokens: idTokens
            ),
            ClientCredentialsGrant(issuer: accessTokens, tokens: store, events: events),
            TokenExchangeGrant(
                issuer: accessTokens, tokens: store, grants: store, jwtVerification: .init(keys: keys, issuer: configuration.issuer),
                defaultAudience: configuration.accessTokenAudience, events: events
            ),
            DeviceCodeGrant(store: store, accessTokens: accessTokens, refreshTokens: refreshTokens, events: events),
        ]
    }

    /// - Parameter limiter: the client-authentication limit; `nil` for none, as a call from inside
    ///   the process has none.
    public func tokenEndpoint(limiter: ClientAuthenticationLimiter? = nil) -> TokenEndpoint {
        TokenEndpoint(
            configuration: configuration, clients: store, handlers: grantHandlers(), clientAuthenticationLimiter: limiter,
            now: clock.now
        )
    }

    public func authorizationEndpoint() -> AuthorizationEndpoint {
        AuthorizationEndpoint(configuration: configuration, clients: store, grants: store, consents: store, now: clock.now)
    }

    public func revocationEndpoint(limiter: ClientAuthenticationLimiter? = nil) -> RevocationEndpoint {
        RevocationEndpoint(
            configuration: configuration, clients: store, accessTokens: store, grants: store, clientAuthenticationLimiter: limiter,
            now: clock.now, events: events
        )
    }

    public func introspectionEndpoint(limiter: ClientAuthenticationLimiter? = nil) -> IntrospectionEndpoint {
        IntrospectionEndpoint(
            configuration: configuration, clients: store, accessTokens: store, grants: store, users: store,
            clientAuthenticationLimiter: limiter, now: clock.now
        )
    }

    // MARK: Fixtures

    /// Registers a client with a fresh id, name and (when confidential) secret of 256 bits.
    public func registerClient(
        _ kind: RegisteredClient.Kind = .confidential,
        grantTypes: Set<GrantType> = [.authorizationCode, .refreshToken, .clientCredentials],
        scopes: ScopeSet = ["read", "write", "profile"],
        redirectURIs: [String] = ["https://app.example/cb"],
        skipConsent: Bool = false,
        canIntrospect: Bool = false,
        tokenFormat: AccessTokenFormat? = nil
    ) async throws -> RegisteredClient {
        let generator = SecretGenerator()
        let secret = kind == .confidential ? generator.make(.clientSecret) : nil
        let id = generator.makeIdentifier()
        let client = Client(
            id: id, name: "client-\(id.prefix(8))", secretHash: secret.map(SecretHasher.hash), redirectURIs: redirectURIs,
            grantTypes: grantTypes, scopes: scopes, tokenFormat: tokenFormat, skipConsent: skipConsent, canIntrospect: canIntrospect,
            createdAt: clock.now()
        )
        try await store.createClient(client)
        return RegisteredClient(client: client, secret: secret)
    }

    /// Creates a user. Passwords are the server's business (bcrypt lives there), so the hash is a
    /// placeholder no password matches.
    public func createUser(username: String? = nil) async throws -> User {
        let id = SecretGenerator().makeIdentifier()
        let user = User(
            id: id, username: username ?? "user-\(id.prefix(8))", passwordHash: "$2b$12$placeholder", createdAt: clock.now()
        )
        try await store.createUser(user)
        return user
    }

    /// Runs the authorization endpoint as a signed-in user who allowed the request: validates the
    /// query, then issues a code (RFC 6749 §4.1.1–4.1.2).
    /// - Parameters:
    ///   - scope: the `scope` parameter; `nil` sends none.
    ///   - pkce: whether to send an S256 challenge; public clients must.
    ///   - extra: more query parameters, e.g. `state`.
    /// - Throws: ``AuthorizationFailure`` when the endpoint refuses the request.
    public func issueCode(
        client: RegisteredClient, user: User, scope: String? = nil, pkce: Bool = true, state: String? = "xyz"
    ) async throws -> IssuedCode {
        let redirectURI = client.client.redirectURIs.first ?? ""
        var query = [("response_type", "code"), ("client_id", client.id), ("redirect_uri", redirectURI)]
        if let scope { query.append(("scope", scope)) }
        if let state { query.append(("state", state)) }
        // A 256-bit secret is a well-formed verifier (RFC 7636 §4.1: 43 to 128 unreserved characters).
        let verifier = pkce ? SecretGenerator().make(.authorizationCode) : nil
        if let verifier {
            query += [("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256")]
        }
        let endpoint = authorizationEndpoint()
        let request = try await endpoint.validate(query: Array(FormEncoding.encode(query).utf8))
        let location = try await endpoint.issueCode(request, userID: user.id)
        let items = URLComponents(string: location)?.queryItems ?? []
        guard let code = items.first(where: { $0.name == "code" })?.value,
            let grantID = try await store.authorizationCode(hash: SecretHasher.hash(code))?.grantID
        else { throw TestBedError.noCode(location) }
        return IssuedCode(code: code, verifier: verifier, redirectURI: redirectURI, state: state, grantID: grantID)
    }

    /// A user's tokens from a finished code flow: the authorization endpoint issues a code, the
    /// token endpoint redeems it with the client's credentials.
    public func finishCodeFlow(client: RegisteredClient, user: User, scope: String? = nil) async throws -> CodeFlowTokens {
        let code = try await issueCode(client: client, user: user, scope: scope)
        let response = try await token(code.tokenParameters, client: client)
        return CodeFlowTokens(accessToken: response.accessToken, refreshToken: response.refreshToken, grantID: code.grantID)
    }

    /// A token request by `client`: HTTP Basic for a confidential client, `client_id` in the body
    /// for a public one.
    public func token(_ parameters: [String: String], client: RegisteredClient) async throws -> TokenResponse {
        if client.secret != nil {
            return try await tokenEndpoint().handle(parameters: RequestParameters(parameters), authorization: client.basicAuthorization)
        }
        let body = parameters.merging(client.bodyCredentials) { first, _ in first }
        return try await tokenEndpoint().handle(parameters: RequestParameters(body), authorization: nil)
    }
}
