public import HTTPTypes

/// A path Gatehouse serves (SPEC §4) and the methods it accepts there: the one definition that
/// the router, its 405 answers, the metadata (RFC 8414) and the OpenAPI document all read.
public struct EndpointPath: Sendable, Hashable {
    public let path: String
    /// The methods served, besides `HEAD` wherever `GET` is (SPEC §9).
    public let methods: [HTTPRequest.Method]

    public init(_ path: String, _ methods: [HTTPRequest.Method]) {
        self.path = path
        self.methods = methods
    }

    /// The address of the endpoint under `issuer`, as the metadata publishes it.
    public func url(issuer: String) -> String { issuer + path }

    public static let token = Self("/oauth2/token", [.post])
    public static let revocation = Self("/oauth2/token/revoke", [.post])
    public static let introspection = Self("/oauth2/introspect", [.post])
    public static let authorization = Self("/oauth2/authorize", [.get, .post])
    public static let metadata = Self("/.well-known/oauth-authorization-server", [.get])
    public static let jwks = Self("/oauth2/jwks", [.get])
    public static let me = Self("/api/me", [.get])
    /// RFC 9728 metadata of Gatehouse's own protected resource `{issuer}/api` (SPEC §10).
    public static let apiResourceMetadata = Self("/.well-known/oauth-protected-resource/api", [.get])
    public static let errorDocs = Self("/docs/errors", [.get])
    public static let health = Self("/healthz", [.get])
    public static let ready = Self("/readyz", [.get])
    public static let metrics = Self("/metrics", [.get])
    /// Dynamic client registration (RFC 7591 §3), served unless `registration` is `off`.
    public static let registration = Self("/oauth2/register", [.post])
    /// A registered client's configuration endpoint (RFC 7592 §2), its `registration_client_uri`.
    public static let registrationClient = Self("/oauth2/register/{client_id}", [.get, .put, .delete])
    /// SPEC §7: the token endpoint at DNSimple's path, served only in the `dnsimple` error profile.
    public static let dnsimpleToken = Self("/v2/oauth/access_token", [.post])

    // SPEC §10: the admin API, every call behind a bearer token with scope `gatehouse:admin`.
    public static let adminClients = Self("/admin/v1/clients", [.get, .post])
    public static let adminClient = Self("/admin/v1/clients/{client_id}", [.get, .put, .delete])
    public static let adminClientSecret = Self("/admin/v1/clients/{client_id}/secret", [.post])
    public static let adminUsers = Self("/admin/v1/users", [.get, .post])
    public static let adminUser = Self("/admin/v1/users/{username}", [.delete])
    public static let adminGrants = Self("/admin/v1/grants", [.get])
    public static let adminGrant = Self("/admin/v1/grants/{grant_id}", [.delete])
    public static let adminTokenRevocation = Self("/admin/v1/tokens/revoke", [.post])

    /// The admin API's paths: like the OAuth endpoints, any other method is answered with 405
    /// and `Allow`.
    public static let admin: [Self] = [
        adminClients, adminClient, adminClientSecret, adminUsers, adminUser, adminGrants, adminGrant, adminTokenRevocation,
    ]

    // SPEC §10 "Delegated login and consent": the provider's app reads and decides challenges.
    public static let adminLoginRequest = Self("/admin/v1/login-requests/{challenge}", [.get])
    public static let adminLoginAccept = Self("/admin/v1/login-requests/{challenge}/accept", [.put])
    public static let adminLoginReject = Self("/admin/v1/login-requests/{challenge}/reject", [.put])
    public static let adminConsentRequest = Self("/admin/v1/consent-requests/{challenge}", [.get])
    public static let adminConsentAccept = Self("/admin/v1/consent-requests/{challenge}/accept", [.put])
    public static let adminConsentReject = Self("/admin/v1/consent-requests/{challenge}/reject", [.put])

    /// The delegation calls of the admin API, answered with 405 and `Allow` for another method.
    public static let delegation: [Self] = [
        adminLoginRequest, adminLoginAccept, adminLoginReject, adminConsentRequest, adminConsentAccept, adminConsentReject,
    ]

    /// The OAuth endpoints: any method they do not serve is answered with 405 in the error format
    /// of SPEC §5, with `Allow`.
    public static let oauth: [Self] = [token, revocation, introspection, authorization, metadata, jwks, apiResourceMetadata]
}
