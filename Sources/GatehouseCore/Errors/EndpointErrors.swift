public import HTTPTypes

/// Which errors each endpoint answers, with which status and when: the source of the error parts
/// of `docs/openapi.yaml`, of the guide's error tables and of `/docs/errors`.
public struct EndpointErrors: Sendable {
    public struct Row: Sendable {
        public let code: OAuthErrorCode
        public let status: HTTPResponse.Status
        /// The situations that produce it, as the integrator meets them.
        public let when: String
    }

    public let method: String
    public let path: String
    public let rows: [Row]

    init(_ method: String, _ path: String, _ rows: [(OAuthErrorCode, HTTPResponse.Status, String)]) {
        self.method = method
        self.path = path
        self.rows = rows.map { Row(code: $0.0, status: $0.1, when: $0.2) }
    }

    /// The distinct codes of the endpoint, in catalog order.
    public var codes: [OAuthErrorCode] {
        ErrorCatalog.entries.map(\.code).filter { code in rows.contains { $0.code == code } }
    }

    public static let all: [EndpointErrors] = [token, revocation, introspection, authorization, protectedResource]

    static let bodyRows: [(OAuthErrorCode, HTTPResponse.Status, String)] = [
        (.invalidRequest, .methodNotAllowed, "a method other than POST (the Allow header names POST)"),
        (.invalidRequest, .contentTooLarge, "the body is larger than max_body_bytes"),
        (.serverError, .internalServerError, "the server failed, for example its database is down"),
    ]

    public static let token = EndpointErrors(
        "POST", "/oauth2/token",
        [
            (
                .invalidRequest, .badRequest,
                "the body is not form-encoded; a parameter is repeated; grant_type, code or refresh_token is missing; credentials sent both in the Basic header and in the body; a malformed code_verifier"
            ),
            (
                .invalidClient, .unauthorized,
                "unknown client, wrong secret, a confidential client without its secret, malformed credentials (with WWW-Authenticate: Basic when Basic was used)"
            ),
            (
                .invalidGrant, .badRequest,
                "the code or refresh token is unknown, expired, used, revoked, rotated away or another client's; redirect_uri or code_verifier does not match"
            ),
            (.unauthorizedClient, .badRequest, "the client is not registered for this grant type"),
            (.unsupportedGrantType, .badRequest, "grant_type is not one the server supports"),
            (.invalidScope, .badRequest, "a scope is malformed, not registered for the client, or wider than the grant"),
        ] + bodyRows
    )

    public static let revocation = EndpointErrors(
        "POST", "/oauth2/token/revoke",
        [
            (.invalidRequest, .badRequest, "token is missing; a parameter is repeated; the body is not form-encoded"),
            (.invalidClient, .unauthorized, "client authentication failed"),
            (.unsupportedTokenType, .badRequest, "token_type_hint is neither access_token nor refresh_token"),
            (.unauthorizedClient, .badRequest, "the token belongs to another client; nothing is revoked"),
        ] + bodyRows
    )

    public static let introspection = EndpointErrors(
        "POST", "/oauth2/introspect",
        [
            (.invalidRequest, .badRequest, "token is missing; a parameter is repeated; the body is not form-encoded"),
            (.invalidClient, .unauthorized, "client authentication failed, or the client is public"),
        ] + bodyRows
    )

    /// Errors other than the 400 page travel in the redirect, whose status is 302 or 303.
    public static let authorization = EndpointErrors(
        "GET", "/oauth2/authorize",
        [
            (.invalidRequest, .badRequest, "unknown client_id, or redirect_uri missing or not registered: an error page, never a redirect"),
            (
                .invalidRequest, .found,
                "response_type missing, a parameter repeated, PKCE missing for a public client, a code_challenge_method other than S256 (redirect)"
            ),
            (.unauthorizedClient, .found, "the client is not registered for authorization_code (redirect)"),
            (.accessDenied, .found, "the user pressed Deny (redirect)"),
            (.unsupportedResponseType, .found, "response_type other than code (redirect)"),
            (.invalidScope, .found, "a scope not registered for the client (redirect)"),
            (.serverError, .found, "an unexpected failure after the redirect URI was validated (redirect)"),
            (.temporarilyUnavailable, .found, "maintenance is on (redirect)"),
        ]
    )

    public static let protectedResource = EndpointErrors(
        "GET", "/api/me",
        [
            (.invalidRequest, .badRequest, "Bearer without a token, with two tokens, or with characters outside b64token"),
            (.invalidToken, .unauthorized, "the token is unknown, expired, revoked or forged"),
            (.insufficientScope, .forbidden, "the token lacks the scope profile"),
        ]
    )
}
