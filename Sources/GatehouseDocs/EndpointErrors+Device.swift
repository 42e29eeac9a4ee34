import GatehouseCore

extension EndpointErrors {
    /// The device grant's answers at the token endpoint (SPEC §11, RFC 8628 §3.5).
    static let deviceTokenRows: [Row] = [
        .answer(.authorizationPending, "device_code grant: the user has not yet allowed or denied the request; keep polling"),
        .answer(.slowDown, "device_code grant: polled sooner than the interval; the interval grows by 5 seconds for every later request"),
        .answer(.accessDenied, "device_code grant: the user denied the request"),
        .answer(.expiredToken, "device_code grant: the device_code expired (expires_in passed); start a new device authorization"),
    ]

    /// `POST /oauth2/device_authorization` (SPEC §11, RFC 8628 §3.1).
    public static let deviceAuthorization = EndpointErrors(
        .deviceAuthorization,
        [
            .answer(.invalidRequest, "a parameter is repeated; the body is not form-encoded; credentials sent both in the Basic header and in the body"),
            .answer(
                .invalidClient,
                "unknown client, wrong secret, a confidential client without its secret, malformed credentials (with WWW-Authenticate: Basic when Basic was used)"
            ),
            .answer(.unauthorizedClient, "the client is not registered for the grant type urn:ietf:params:oauth:grant-type:device_code"),
            .answer(.invalidScope, "a scope is malformed or not registered for the client, or the scope resolves to nothing"),
            .answer(.invalidTarget, "a resource is not an absolute URI without fragment or not one of the server's resources"),
            .answer(.rateLimited, "client_auth_failure_limit failed authentications of this client from this address (Retry-After)"),
        ] + bodyRows
    )
}
