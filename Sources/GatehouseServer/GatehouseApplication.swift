public import Foundation
public import GatehouseCore
import GatehouseResource
public import GatehouseStore
import HTTPTypes
public import Hummingbird
public import Logging
public import Prometheus

/// Where the server listens, beside the protocol settings.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var configuration: ServerConfiguration
    /// Serve the walk-through of `gatehouse serve --demo` at `/`.
    public var demo: Bool
    /// Seals the JWT signing keys at rest (`GATEHOUSE_KEY_ENCRYPTION_KEY`).
    public var keyEncryption: KeyEncryption
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` is believed for the client address.
    public var trustedProxies: [IPAddressRange]
    /// Seconds an idle or half-sent connection is kept open.
    public var idleTimeout: Int
    /// Seconds in-flight requests get to finish after SIGTERM.
    public var shutdownTimeout: Int
    /// Where security events go (the audit log and the metrics).
    public var events: any SecurityEventSink
    /// The clock of every expiry decision; tests set it instead of sleeping or editing rows.
    public var now: @Sendable () -> Date
    /// The registry `/metrics` exposes (SPEC §9); the CLI's is also swift-metrics' global one.
    public var metrics: PrometheusCollectorRegistry

    public init(
        host: String, port: Int, configuration: ServerConfiguration, demo: Bool = false,
        keyEncryption: KeyEncryption = KeyEncryption(secret: nil),
        trustedProxies: [IPAddressRange] = [],
        idleTimeout: Int = 60,
        shutdownTimeout: Int = 30,
        events: any SecurityEventSink = DiscardingSecurityEventSink(),
        now: @escaping @Sendable () -> Date = Date.init,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.demo = demo
        self.keyEncryption = keyEncryption
        self.trustedProxies = trustedProxies
        self.idleTimeout = idleTimeout
        self.shutdownTimeout = shutdownTimeout
        self.events = events
        self.now = now
        self.metrics = metrics
    }

    /// The key ring every component of one server shares.
    func makeKeyRing(store: SQLStore) -> KeyRing {
        KeyRing(
            store: store, encryption: keyEncryption, refreshInterval: configuration.keyRefreshInterval,
            accessTokenLifetime: configuration.accessTokenTTL
        )
    }
}

/// Builds the Gatehouse HTTP application.
public enum GatehouseApplication {
    /// The OAuth endpoints and the admin API, and the methods each accepts; any other method gets
    /// a 405 in the OAuth error format, with `Allow`.
    static func endpoints(profile: ServerConfiguration.ErrorProfile) -> [(path: RouterPath, methods: [HTTPRequest.Method])] {
        let endpoints =
            EndpointPath.oauth + EndpointPath.admin + EndpointPath.delegation + (profile == .dnsimple ? [.dnsimpleToken] : [])
            + EndpointPath.openIDConnect
            + [.registration, .registrationClient, .deviceAuthorization, .device]
        return endpoints.map { (RouterPath($0.path), $0.methods) }
    }

    /// The router with every route, for embedding or for tests.
    /// - Throws: when a page template does not parse (a build defect, caught by any test).
    public static func makeRouter(settings: ServerSettings, store: SQLStore) throws -> Router<GatehouseRequestContext> {
        let configuration = settings.configuration
        let responder = OAuthResponder(configuration: configuration)
        let clients = CachedClientStore(upstream: store, ttl: TimeInterval(configuration.clientCacheTTL))
        let keys = settings.makeKeyRing(store: store)
        let accessTokens = AccessTokenIssuer(
            lifetime: configuration.accessTokenTTL, defaultFormat: configuration.accessTokenFormat,
            jwt: .init(keys: keys, issuer: configuration.issuer, audience: configuration.accessTokenAudience)
        )
        let refreshTokens = RefreshTokenIssuer(lifetime: configuration.refreshTokenTTL)
        let idTokens = IDTokenIssuer(keys: keys, issuer: configuration.issuer, lifetime: configuration.idTokenTTL)
        let addresses = ClientAddressResolver(trustedProxies: settings.trustedProxies)
        let clientAuthenticationLimiter = ClientAuthenticationLimiter(
            store: store, limit: configuration.clientAuthFailureLimit, window: configuration.rateLimitWindow, events: settings.events,
            now: settings.now
        )
        let tokenEndpoint = TokenEndpoint(
            configuration: configuration,
            clients: clients,
            handlers: [
                AuthorizationCodeGrant(
                    codes: store, accessTokens: accessTokens, refreshTokens: refreshTokens, profile: configuration.errorProfile,
                    events: settings.events, idTokens: idTokens
                ),
                RefreshTokenGrant(
                    store: store, accessTokens: accessTokens, refreshTokens: refreshTokens,
                    reuseInterval: configuration.refreshTokenReuseInterval, events: settings.events, idTokens: idTokens
                ),
                ClientCredentialsGrant(issuer: accessTokens, tokens: store, events: settings.events),
                TokenExchangeGrant(
                    issuer: accessTokens, tokens: store, grants: store, jwtVerification: .init(keys: keys, issuer: configuration.issuer),
                    defaultAudience: configuration.accessTokenAudience, events: settings.events
                ),
                DeviceCodeGrant(store: store, accessTokens: accessTokens, refreshTokens: refreshTokens, events: settings.events),
            ],
            clientAuthenticationLimiter: clientAuthenticationLimiter,
            now: settings.now
        )
        let tokens = TokenController(
            endpoint: tokenEndpoint, responder: responder, maxBodyBytes: configuration.maxBodyBytes, addresses: addresses
        )
        let introspection = IntrospectionEndpoint(
            configuration: configuration, clients: clients, accessTokens: store, grants: store, users: store,
            clientAuthenticationLimiter: clientAuthenticationLimiter, now: settings.now
        )
        let management = TokenManagementController(
            revocation: RevocationEndpoint(
                configuration: configuration, clients: clients, accessTokens: store, grants: store,
                clientAuthenticationLimiter: clientAuthenticationLimiter, now: settings.now, events: settings.events
            ),
            introspection: introspection,
            maxBodyBytes: configuration.maxBodyBytes,
            addresses: addresses
        )
        let discovery = DiscoveryController(
            configuration: configuration, grantTypes: tokenEndpoint.supportedGrantTypes, store: store, responder: responder
        )
        let pages = try HTMLPages(locales: configuration.locales)
        let interaction = AuthorizationInteraction(
            endpoint: AuthorizationEndpoint(configuration: configuration, clients: clients, grants: store, consents: store, now: settings.now),
            configuration: configuration,
            sessions: store,
            users: store,
            consents: store,
            challenges: store,
            signInLimiter: SignInLimiter(
                store: store, userLimit: configuration.signInFailureLimit, addressLimit: configuration.signInAddressFailureLimit,
                window: configuration.rateLimitWindow
            ),
            passwords: SignInVerifier(users: store),
            preLogin: PreLoginState(secrets: store),
            events: settings.events,
            now: settings.now
        )
        let authorize = AuthorizeController(
            interaction: interaction, pages: pages, responder: responder, addresses: addresses, configuration: configuration
        )

        // SPEC §9: HEAD is answered on every GET endpoint, from the GET handler without the body.
        let router = Router(context: GatehouseRequestContext.self, options: .autoGenerateHeadEndpoints)
        let metrics = GatehouseMetrics(registry: settings.metrics)
        metrics.declareFamilies()
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.get(RouterPath(EndpointPath.metrics.path)) { _, _ in MetricsController.metrics(metrics) }
        let errorDocs = try ErrorDocsController(pages: pages)
        router.get(RouterPath(EndpointPath.errorDocs.path)) { request, context in errorDocs.page(request, context: context) }
        router.get(RouterPath(EndpointPath.health.path)) { request, context in discovery.health(request, context: context) }
        router.get(RouterPath(EndpointPath.ready.path)) { request, context in await discovery.ready(request, context: context) }
        router.get(RouterPath(EndpointPath.authorization.path)) { request, context in await authorize.authorize(request, context: context) }
        router.post(RouterPath(EndpointPath.authorization.path)) { request, context in await authorize.authorize(request, context: context) }
        // SPEC §11, RFC 8628 §3.3: the device verification page.
        let deviceVerification = DeviceVerification(
            clients: clients, store: store,
            limiter: UserCodeLimiter(store: store, limit: configuration.signInFailureLimit, window: configuration.rateLimitWindow),
            events: settings.events, now: settings.now
        )
        let device = DeviceController(
            interaction: DeviceInteraction(
                configuration: configuration,
                verification: deviceVerification,
                sessions: store, challenges: store, users: store,
                signInLimiter: SignInLimiter(
                    store: store, userLimit: configuration.signInFailureLimit, addressLimit: configuration.signInAddressFailureLimit,
                    window: configuration.rateLimitWindow
                ),
                passwords: SignInVerifier(users: store), preLogin: PreLoginState(secrets: store), events: settings.events, now: settings.now
            ),
            pages: try DevicePages(pages: pages), addresses: addresses, configuration: configuration
        )
        router.get(RouterPath(EndpointPath.device.path)) { request, context in await device.device(request, context: context) }
        router.post(RouterPath(EndpointPath.device.path)) { request, context in await device.device(request, context: context) }
        if settings.demo {
            let demo = try DemoController(configuration: configuration, tokenEndpoint: tokenEndpoint, pages: pages)
            router.get("/") { request, context in demo.home(request, context: context) }
            router.get("/demo/start") { request, context in demo.start(request, context: context) }
            router.get("/demo/callback") { request, context in await demo.receive(request, context: context) }
        }

        // SPEC §4: a protected resource guarded by GatehouseResource in store mode; SPEC §10: the
        // resource `{issuer}/api`, which also takes tokens requested without `resource`.
        let apiResource = ProtectedResource(
            identifier: configuration.apiResource, authorizationServers: [configuration.issuer], scopesSupported: ["profile"],
            alsoAccepting: [configuration.accessTokenAudience],
            metadataURL: EndpointPath.apiResourceMetadata.url(issuer: configuration.issuer)
        )
        router.get(RouterPath(EndpointPath.apiResourceMetadata.path)) { _, _ in apiResource.metadataResponse() }
        router.group(RouterPath(EndpointPath.me.path))
            .add(
                middleware: BearerTokenMiddleware<GatehouseRequestContext>(
                    verifier: StoreTokenVerifier(introspection: introspection), realm: configuration.realm, scope: ["profile"],
                    resource: apiResource, errorURIBase: configuration.errorURIBase, locales: configuration.locales
                )
            )
            .get { _, context in MeController.me(context: context) }

        // SPEC §10: the admin API, guarded as /api/me is but with the scope gatehouse:admin. A wrong
        // method is answered before the guard, as on the OAuth endpoints (the loop below).
        let admin = router.group()
            .add(middleware: OAuthErrorMiddleware(responder: responder))
            .add(
                middleware: BearerTokenMiddleware<GatehouseRequestContext>(
                    verifier: StoreTokenVerifier(introspection: introspection), realm: configuration.realm, scope: ["gatehouse:admin"],
                    errorURIBase: configuration.errorURIBase, locales: configuration.locales
                )
            )
        AdminController(
            api: AdminAPI(
                clients: store, policy: ClientRegistrationPolicy(registrar: .adminAPI, configuration: configuration), clientCache: clients,
                users: store, grants: store, revocations: store, events: settings.events, now: settings.now
            ),
            maxBodyBytes: configuration.maxBodyBytes
        ).addRoutes(to: admin)

        // SPEC §10: the provider's login and consent app answers challenges, with an admin token.
        DelegationController(interaction: interaction.withDeviceFlow(deviceVerification), maxBodyBytes: configuration.maxBodyBytes).addRoutes(
            to: router.group().add(middleware: OAuthErrorMiddleware(responder: responder)).add(
                middleware: BearerTokenMiddleware<GatehouseRequestContext>(
                    verifier: StoreTokenVerifier(introspection: introspection), realm: configuration.realm, scope: ["gatehouse:admin"],
                    errorURIBase: configuration.errorURIBase, locales: configuration.locales
                )
            )
        )

        let oauth = router.group().add(middleware: OAuthErrorMiddleware(responder: responder))
        // SPEC §11: OpenID Connect discovery, UserInfo (guarded as /api/me, with scope openid) and logout.
        let openID = try OpenIDConnectController(
            configuration: configuration, grantTypes: tokenEndpoint.supportedGrantTypes, store: store, responder: responder,
            idTokens: idTokens, clients: clients, pages: pages
        )
        oauth.get(RouterPath(EndpointPath.openIDConfiguration.path)) { request, context in
            try await openID.configuration(request, context: context)
        }
        router.get(RouterPath(EndpointPath.endSession.path)) { request, context in await openID.logout(request, context: context) }
        let userInfo = router.group(RouterPath(EndpointPath.userInfo.path))
            .add(middleware: OAuthErrorMiddleware(responder: responder))
            .add(
                middleware: BearerTokenMiddleware<GatehouseRequestContext>(
                    verifier: StoreTokenVerifier(introspection: introspection), realm: configuration.realm, scope: [OpenIDScope.openid],
                    errorURIBase: configuration.errorURIBase, locales: configuration.locales
                )
            )
        userInfo.get { _, context in try await openID.userInfo(context: context) }
        userInfo.post { _, context in try await openID.userInfo(context: context) }
        // SPEC §10: dynamic registration; in token mode behind a gatehouse:register access token.
        RegistrationController(
            endpoint: RegistrationEndpoint(
                configuration: configuration, clients: store,
                limiter: RegistrationLimiter(
                    store: store, limit: configuration.clientAuthFailureLimit, window: configuration.rateLimitWindow, events: settings.events
                ),
                events: settings.events, now: settings.now
            ),
            mode: configuration.registration, maxBodyBytes: configuration.maxBodyBytes, addresses: addresses
        ).addRoutes(
            to: oauth,
            guard: BearerTokenMiddleware<GatehouseRequestContext>(
                verifier: RegistrationTokenVerifier(tokens: StoreTokenVerifier(introspection: introspection)), realm: configuration.realm,
                errorURIBase: configuration.errorURIBase, locales: configuration.locales
            )
        )
        oauth.post(RouterPath(EndpointPath.token.path)) { request, context in try await tokens.token(request, context: context) }
        // SPEC §11, RFC 8628 §3.1: the device authorization endpoint.
        let deviceAuthorization = DeviceAuthorizationController(
            endpoint: DeviceAuthorizationEndpoint(
                configuration: configuration, clients: clients, store: store, clientAuthenticationLimiter: clientAuthenticationLimiter,
                now: settings.now
            ),
            responder: responder, maxBodyBytes: configuration.maxBodyBytes, addresses: addresses
        )
        oauth.post(RouterPath(EndpointPath.deviceAuthorization.path)) { request, context in
            try await deviceAuthorization.authorize(request, context: context)
        }
        oauth.post(RouterPath(EndpointPath.revocation.path)) { request, context in try await management.revoke(request, context: context) }
        oauth.post(RouterPath(EndpointPath.introspection.path)) { request, context in try await management.introspect(request, context: context) }
        if configuration.errorProfile == .dnsimple {
            oauth.post(RouterPath(EndpointPath.dnsimpleToken.path)) { request, context in try await tokens.token(request, context: context) }
        }
        oauth.get(RouterPath(EndpointPath.metadata.path)) { request, context in
            try await discovery.metadata(request, context: context)
        }
        oauth.get(RouterPath(EndpointPath.jwks.path)) { request, context in try await discovery.jwks(request, context: context, keys: keys) }
        let allMethods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for endpoint in endpoints(profile: configuration.errorProfile) {
            // SPEC §9: HEAD is answered wherever GET is (Hummingbird derives it from the GET route).
            let served = endpoint.methods.contains(.get) ? endpoint.methods + [.head] : endpoint.methods
            let allowed = served.map(\.rawValue)
            for method in allMethods where !served.contains(method) {
                oauth.on(endpoint.path, method: method) { request, _ -> Response in
                    throw OAuthError.methodNotAllowed(request.method.rawValue, allowed: allowed)
                }
            }
        }
        return router
    }

    /// The application, ready for `runService()`.
    public static func make(settings: ServerSettings, store: SQLStore, logger: Logger) throws -> some ApplicationProtocol {
        Application(
            router: try makeRouter(settings: settings, store: store),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(settings.idleTimeout)))),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Gatehouse"),
            logger: logger
        )
    }
}

extension GatehouseApplication {
    /// Seals keys found unsealed, makes sure a signing key exists and that the configured
    /// key-encryption secret opens the stored keys, so a wrong `GATEHOUSE_KEY_ENCRYPTION_KEY`
    /// stops the server at start.
    public static func prepareSigningKeys(settings: ServerSettings, store: SQLStore) async throws {
        let ring = settings.makeKeyRing(store: store)
        try await ring.sealStoredKeys()
        _ = try await ring.keys(forceReload: true)
        _ = try await ring.signingKey()
    }

    /// Seeds the demo user `demo` (password `demo`) and the demo client for `serve --demo`.
    public static func seedDemo(store: SQLStore, issuer: String) async throws {
        try await DemoController.seed(store: store, issuer: issuer)
    }
}
