import Testing

/// Every row of SPEC.md that a test must name (``SpecDocument`` says what a row is): the id tests
/// name it by, and the start of its text in SPEC.md.
///
/// A test names a row with `spec: "token.invalid_grant.code"` in a row of its arguments table, or
/// with the trait `.spec("token.invalid_grant.code")` when the whole test proves it.
/// `SpecCoverageTests` fails when a row of ``sections`` has no entry here, when an entry's quote
/// starts no row or several, and when an id is named by no test or a test names an unknown id.
enum SpecRows {
    /// The sections whose rows must be named.
    static let sections = [5, 6, 7, 9, 10, 11]

    struct Entry: Sendable, CustomStringConvertible {
        let id: String
        let section: Int
        /// The start of the row's text in SPEC.md, whitespace collapsed.
        let quote: String

        var description: String { "\(id) (§\(section) \"\(quote)\")" }
    }

    static let all: [Entry] =
        section(
            5,
            [
                ("errors.headers", "Content-Type: application/json; charset=utf-8"),
                ("errors.status.401", "Status codes: 400 for every error except: 401 `invalid_client`"),
                ("errors.status.403", "403 `insufficient_scope`"),
                ("errors.status.405", "405 `invalid_request`"),
                ("errors.status.413", "413 `invalid_request`"),
                ("errors.status.429", "429 `temporarily_unavailable`"),
                ("errors.status.500-503", "500 `server_error` / 503"),
            ])
        + section(
            6,
            [
                ("token.check-order", "(4) the grant itself"),
                ("token.invalid_request", "body not `application/x-www-form-urlencoded`"),
                ("token.credentials-twice", "client credentials in both the Basic header and the body"),
                ("token.invalid_client", "unknown client, wrong secret"),
                ("token.unsupported_grant_type", "`grant_type` not one of the server's grants"),
                ("token.unauthorized_client", "grant type not allowed for this client"),
                ("token.invalid_grant.code", "code unknown, expired, already used"),
                ("token.code-reuse", "a second use fails with `invalid_grant`"),
                ("token.refresh-reuse", "presenting a rotated-away refresh token fails with `invalid_grant`"),
                ("token.invalid_grant.redirect_uri", "`redirect_uri` absent or different"),
                ("token.invalid_grant.pkce", "PKCE `code_verifier`"),
                ("token.invalid_grant.refresh", "refresh token unknown"),
                ("token.invalid_scope", "requested scope unknown"),
                ("authorize.no-redirect", "a 400 page"),
                ("authorize.invalid_request", "`response_type` missing"),
                ("authorize.unauthorized_client", "client not allowed the `authorization_code` grant"),
                ("authorize.access_denied", "the user presses Deny"),
                ("authorize.unsupported_response_type", "`response_type` other than `code`"),
                ("authorize.invalid_scope", "scope unknown or not allowed for the client"),
                ("authorize.server_error", "an unexpected failure after the redirect URI was validated"),
                ("authorize.temporarily_unavailable", "`maintenance` is on"),
                ("revoke.invalid_request", "`token` missing"),
                ("revoke.unsupported_token_type", "`token_type_hint` other than"),
                ("revoke.success", "An unknown, expired or already revoked token"),
                ("revoke.unauthorized_client", "A token issued to another client"),
                ("introspect.invalid_client", "Requires client authentication"),
                ("resource.no-header", "no `Authorization` header"),
                ("resource.invalid_request", "a `Bearer` header without a token"),
                ("resource.other-scheme", "another scheme"),
                ("resource.invalid_token", "token unknown, expired or revoked"),
                ("resource.insufficient_scope", "token lacks the required scope"),
            ])
        + section(
            7,
            [
                ("dnsimple.invalid_grant", "an unknown or expired code"),
                ("dnsimple.invalid_client", "failed client authentication"),
                ("dnsimple.invalid_request", "an unsupported `grant_type`"),
            ])
        + section(
            9,
            [
                ("ops.client-address", "Client address."),
                ("ops.rate-limit.client-authentication", "Client authentication (token, revocation"),
                ("ops.rate-limit.sign-in", "Sign-in (built-in login page)"),
                ("ops.consent", "Consent."),
                ("ops.atomic-units", "Atomic units of work."),
                ("ops.busy-database", "a database that is busy"),
                ("ops.unreachable-database", "a database that is unreachable"),
                ("ops.bounded-waiting", "work waiting for the database is bounded"),
                ("ops.deleted-client", "a deleted client is refused"),
                ("ops.idle-timeout", "a connection idle or half-sent"),
                ("ops.shutdown", "SIGTERM or SIGINT"),
                ("ops.resource-errors", "Errors of protected resources"),
                ("ops.head", "HTTP."),
                ("ops.metrics", "Metrics"),
                ("ops.audit-log", "Audit log"),
                ("ops.keys-at-rest", "Keys and files at rest."),
            ])
        + section(
            10,
            [
                ("reserved-scopes", "Reserved scopes."),
                ("admin.bearer", "errors as the RFC 6750 table of section 6"),
                ("admin.errors", "Other errors: `400 invalid_request`"),
                ("admin.clients.create", "`POST /admin/v1/clients` |"),
                ("admin.clients.list", "`GET /admin/v1/clients?limit=N&cursor=C` |"),
                ("admin.clients.read", "`GET /admin/v1/clients/{id}` |"),
                ("admin.clients.replace", "`PUT /admin/v1/clients/{id}` |"),
                ("admin.clients.delete", "`DELETE /admin/v1/clients/{id}` |"),
                ("admin.clients.secret", "`POST /admin/v1/clients/{id}/secret` |"),
                ("admin.users", "`POST /admin/v1/users`, `GET /admin/v1/users`"),
                ("admin.grants.list", "`GET /admin/v1/grants?subject=S`"),
                ("admin.grants.delete", "`DELETE /admin/v1/grants/{grant_id}` |"),
                ("admin.tokens.revoke", "`POST /admin/v1/tokens/revoke` |"),
                ("registration.off", "`registration = off`"),
                ("registration.token", "`token`: the request needs `Authorization: Bearer`"),
                ("registration.open", "`open`: anyone may register"),
                ("registration.invalid_redirect_uri", "otherwise `invalid_redirect_uri`"),
                ("registration.invalid_client_metadata", "a scope outside `registration_scopes` or a reserved scope"),
                ("registration.management", "`GET`, `PUT` (full replacement) and `DELETE` (204) on `registration_client_uri`"),
                ("delegation.login-request", "`GET /admin/v1/login-requests/{CH}`"),
                ("delegation.login-decision", "`PUT /admin/v1/login-requests/{CH}/accept`"),
                ("delegation.consent", "With `consent_url` set, consent goes the same way"),
                ("delegation.challenge-lifetime", "A challenge is single-use and expires after 10 minutes"),
                ("indicators.invalid_target", "A `resource` parameter (repeatable)"),
                ("indicators.narrowing", "A refresh or code exchange may narrow the resources of its grant"),
                ("indicators.resource-identifier", "`GatehouseResource` can be given its resource identifier"),
            ])
        + section(
            11,
            [
                ("oidc.authorization-request", "An authorization request with scope `openid` may carry `nonce`"),
                ("oidc.id_token", "The token response for such a grant carries an `id_token`"),
                ("oidc.discovery", "`GET /.well-known/openid-configuration`: the OpenID Provider metadata"),
                ("oidc.userinfo", "`GET` or `POST /oauth2/userinfo` with a bearer access token"),
                ("oidc.logout", "`GET /oauth2/logout?id_token_hint="),
                ("oidc.third-party", "Third-party relying parties verify the `id_token`"),
                ("device.unauthorized_client", "The client must be registered for the device grant"),
                ("device.polling", "Polling the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:device_code`"),
                ("device.single-use", "then 200 with the tokens, once: the device code is single-use"),
                ("exchange.invalid_request", "Errors: a missing or unsupported parameter, or an invalid or inactive subject"),
                ("exchange.invalid_scope", "a scope beyond the subject token's → `invalid_scope`"),
                ("exchange.invalid_target", "an `audience` or `resource` not allowed → `invalid_target`"),
                ("errors.added-codes", "`invalid_target` (400, RFC 8707), `invalid_client_metadata`"),
            ])

    private static func section(_ number: Int, _ rows: [(id: String, quote: String)]) -> [Entry] {
        rows.map { Entry(id: $0.id, section: number, quote: $0.quote) }
    }
}

/// Names the SPEC.md row a whole test proves; ``SpecRows`` lists the ids. Server, store and CLI
/// tests take the same trait from GatehouseTestSupport, which this target does not link.
struct SpecRow: TestTrait, SuiteTrait {
    let id: String
}

extension Trait where Self == SpecRow {
    static func spec(_ id: String) -> Self { SpecRow(id: id) }
}
