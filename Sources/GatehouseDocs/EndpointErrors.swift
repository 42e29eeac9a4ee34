public import GatehouseCore
public import HTTPTypes

/// Which errors each endpoint answers, with which status and when: the source of the error parts
/// of `docs/openapi.yaml`, of the guide's error tables and of `/docs/errors`.
public struct EndpointErrors: Sendable {
    public struct Row: Sendable {
        public let code: OAuthErrorCode
        /// The status of the answer: the catalog's for the code or the exception, or 302 for an
        /// error that travels in the authorization redirect.
        public let status: HTTPResponse.Status
        /// The situations that produce it, as the integrator meets them.
        public let when: String

        /// An error answered with the code's own status.
        public static func answer(_ code: OAuthErrorCode, _ when: String) -> Self {
            Self(code: code, status: ErrorCatalog.status(of: code), when: when)
        }

        /// An error answered with the status of one of SPEC §5's exceptions.
        public static func answer(_ exception: ErrorCatalog.StatusException, _ when: String) -> Self {
            Self(code: exception.code, status: ErrorCatalog.status(of: exception.code, exception: exception), when: when)
        }

        /// An error sent to the client's redirect URI (RFC 6749 §4.1.2.1).
        public static func redirect(_ code: OAuthErrorCode, _ when: String) -> Self {
            Self(code: code, status: .found, when: when)
        }
    }

    public let method: String
    public let path: String
    public let rows: [Row]

    /// The rows of `endpoint`'s first method (the authorization endpoint's GET).
    init(_ endpoint: EndpointPath, _ rows: [Row]) {
        self.method = endpoint.methods.first?.rawValue ?? "GET"
        self.path = endpoint.path
        self.rows = rows
    }

    /// The distinct codes of the endpoint, in catalog order.
    public var codes: [OAuthErrorCode] {
        ErrorCatalog.entries.map(\.code).filter { code in rows.contains { $0.code == code } }
    }

    public static let all: [EndpointErrors] =
        [token, revocation, introspection, authorization, protectedResource, registration, registrationClient] + admin + delegation + openIDConnect
        + [deviceAuthorization]

    static let bodyRows: [Row] = [
        .answer(.methodNotAllowed, "a method other than POST (the Allow header names POST)"),
        .answer(.bodyTooLarge, "the body is larger than max_body_bytes"),
        .answer(.serverError, "the server failed, for example its database is down"),
    ]

    public static let token = EndpointErrors(
        .token,
        [
            .answer(
                .invalidRequest,
                "the body is not form-encoded; a parameter is repeated; grant_type, code or refresh_token is missing; credentials sent both in the Basic header and in the body; a malformed code_verifier; token exchange: subject_token or subject_token_type missing, an unsupported token type or requested_token_type, actor_token without actor_token_type or the reverse, a subject or actor token that is not an active access token of this server"
            ),
            .answer(
                .invalidClient,
                "unknown client, wrong secret, a confidential client without its secret, malformed credentials (with WWW-Authenticate: Basic when Basic was used)"
            ),
            .answer(
                .invalidGrant,
                "the code or refresh token is unknown, expired, used, revoked, rotated away or another client's; redirect_uri or code_verifier does not match"
            ),
            .answer(.unauthorizedClient, "the client is not registered for this grant type"),
            .answer(.unsupportedGrantType, "grant_type is not one the server supports"),
            .answer(
                .invalidScope,
                "a scope is malformed, not registered for the client, or wider than the grant; on a token exchange, beyond the subject token's"
            ),
            .answer(
                .invalidTarget,
                "a resource is not an absolute URI without fragment or not one of the server's resources; on a code exchange or refresh, not one of the grant's; on a token exchange, an audience the server does not issue tokens for"
            ),
        ] + deviceTokenRows + bodyRows
    )

    public static let revocation = EndpointErrors(
        .revocation,
        [
            .answer(.invalidRequest, "token is missing; a parameter is repeated; the body is not form-encoded"),
            .answer(.invalidClient, "client authentication failed"),
            .answer(.unsupportedTokenType, "token_type_hint is neither access_token nor refresh_token"),
            .answer(.unauthorizedClient, "the token belongs to another client; nothing is revoked"),
        ] + bodyRows
    )

    public static let introspection = EndpointErrors(
        .introspection,
        [
            .answer(.invalidRequest, "token is missing; a parameter is repeated; the body is not form-encoded"),
            .answer(.invalidClient, "client authentication failed, or the client is public"),
        ] + bodyRows
    )

    /// Errors other than the 400 page travel in the redirect, whose status is 302 or 303.
    public static let authorization = EndpointErrors(
        .authorization,
        [
            .answer(.invalidRequest, "unknown client_id, or redirect_uri missing or not registered: an error page, never a redirect"),
            .redirect(
                .invalidRequest,
                "response_type missing, a parameter repeated, PKCE missing for a public client, a code_challenge_method other than S256 (redirect)"
            ),
            .redirect(.unauthorizedClient, "the client is not registered for authorization_code (redirect)"),
            .redirect(.accessDenied, "the user pressed Deny (redirect)"),
            .redirect(.unsupportedResponseType, "response_type other than code (redirect)"),
            .redirect(.invalidScope, "a scope not registered for the client (redirect)"),
            .redirect(.invalidTarget, "a resource not an absolute URI without fragment, or not one of the server's resources (redirect)"),
            .redirect(.serverError, "an unexpected failure after the redirect URI was validated (redirect)"),
            .redirect(.temporarilyUnavailable, "maintenance is on (redirect)"),
        ] + openIDConnectAuthorizationRows
    )

    public static let protectedResource = EndpointErrors(
        .me,
        [
            .answer(.invalidRequest, "Bearer without a token, with two tokens, or with characters outside b64token"),
            .answer(.invalidToken, "the token is unknown, expired, revoked or forged"),
            .answer(.insufficientScope, "the token lacks the scope profile"),
        ]
    )

    /// RFC 7591 §3.2.2 and SPEC §10: the JSON errors of dynamic registration.
    public static let registration = EndpointErrors(
        .registration,
        [
            .answer(.invalidRequest, "the body is not a JSON object, or a field has the wrong type"),
            .answer(
                .invalidRedirectURI,
                "redirect_uris missing for authorization_code; a redirect URI not absolute, with a fragment, http on a host that is not loopback, or a private-use scheme for a confidential client"
            ),
            .answer(
                .invalidClientMetadata,
                "grant_types and response_types disagree; an unsupported grant type, response type or token_endpoint_auth_method; client_credentials for a public client or in open mode; token exchange in open mode; a scope outside registration_scopes or reserved"
            ),
            .answer(.invalidToken, "in token mode, no access token with scope gatehouse:register (with WWW-Authenticate: Bearer)"),
            .answer(.notFound, "registration is off"),
            .answer(.rateLimited, "in open mode, client_auth_failure_limit registrations from this address within rate_limit_window"),
        ] + bodyRows
    )

    /// RFC 7592: reading, replacing and deleting a registration with its registration access token.
    public static let registrationClient = EndpointErrors(
        .registrationClient,
        [
            .answer(.invalidRequest, "the PUT body is not a JSON object, a field has the wrong type, or its client_id is not the client's"),
            .answer(.invalidRedirectURI, "PUT: as for registration"),
            .answer(.invalidClientMetadata, "PUT: as for registration, or the client would change between public and confidential"),
            .answer(
                .invalidToken,
                "no registration access token, or not this client's (also for a deleted or unknown client), with WWW-Authenticate: Bearer"
            ),
            .answer(.notFound, "registration is off"),
            .answer(.methodNotAllowed, "a method other than GET, PUT or DELETE (the Allow header names them)"),
            .answer(.bodyTooLarge, "the body is larger than max_body_bytes"),
            .answer(.serverError, "the server failed, for example its database is down"),
        ]
    )
}
