import GatehouseCore
import HTTPTypes

extension EndpointErrors {
    /// The rows of one method of an endpoint that serves several (the admin API's paths).
    init(_ endpoint: EndpointPath, method: HTTPRequest.Method, _ rows: [Row]) {
        self.method = method.rawValue
        self.path = endpoint.path
        self.rows = rows
    }

    /// SPEC §10: every admin call, one table per method and path.
    public static let admin: [EndpointErrors] = [
        EndpointErrors(
            .adminClients, method: .post,
            [
                .answer(.invalidRequest, "the body is not a JSON object, or a member has the wrong type"),
                .answer(
                    .invalidRedirectURI,
                    "redirect_uris missing for authorization_code; a redirect URI not absolute, with a fragment, http on a host that is not loopback, or a private-use scheme for a confidential client"
                ),
                .answer(
                    .invalidClientMetadata,
                    "grant_types and response_types disagree; an unsupported grant type, response type or token_endpoint_auth_method; client_credentials for a public client; a reserved or unknown scope"
                ),
                .answer(.conflict, "another client has the client_name"),
            ] + adminRows(allowed: "GET, POST, HEAD", body: true)
        ),
        EndpointErrors(
            .adminClients, method: .get,
            [
                .answer(.invalidRequest, "limit is not a whole number from 1 to 500, cursor is not a next_cursor this server gave, or a parameter is repeated")
            ] + adminRows(allowed: "GET, POST, HEAD")
        ),
        EndpointErrors(
            .adminClient, method: .get,
            [.answer(.notFound, "no client has this client_id")] + adminRows(allowed: "GET, PUT, DELETE, HEAD")
        ),
        EndpointErrors(
            .adminClient, method: .put,
            [
                .answer(.invalidRequest, "the body is not a JSON object, a member has the wrong type, or its client_id is not the path's"),
                .answer(.invalidRedirectURI, "as for POST /admin/v1/clients"),
                .answer(.invalidClientMetadata, "as for POST /admin/v1/clients, or the client would change between public and confidential"),
                .answer(.notFound, "no client has this client_id"),
                .answer(.conflict, "another client has the client_name"),
            ] + adminRows(allowed: "GET, PUT, DELETE, HEAD", body: true)
        ),
        EndpointErrors(
            .adminClient, method: .delete,
            [.answer(.notFound, "no client has this client_id")] + adminRows(allowed: "GET, PUT, DELETE, HEAD")
        ),
        EndpointErrors(
            .adminClientSecret, method: .post,
            [
                .answer(
                    .invalidRequest,
                    "the body is not a JSON object, grace_seconds is not a whole number from 0 to 31536000, or the client is public and has no secret"
                ),
                .answer(.notFound, "no client has this client_id"),
            ] + adminRows(allowed: "POST", body: true)
        ),
        EndpointErrors(
            .adminUsers, method: .post,
            [
                .answer(
                    .invalidRequest,
                    "the body is not a JSON object; username or password is missing, not a string or empty; the username has spaces; "
                        + "email or name is not a string, email is not one @ with text on both sides, name is empty, or either has control characters"
                ),
                .answer(.conflict, "the username is taken"),
            ] + adminRows(allowed: "GET, POST, HEAD", body: true)
        ),
        EndpointErrors(.adminUsers, method: .get, adminRows(allowed: "GET, POST, HEAD")),
        EndpointErrors(
            .adminUser, method: .delete, [.answer(.notFound, "no user has this username")] + adminRows(allowed: "DELETE")
        ),
        EndpointErrors(
            .adminGrants, method: .get,
            [.answer(.invalidRequest, "neither subject nor client_id is given, or a parameter is repeated")]
                + adminRows(allowed: "GET, HEAD")
        ),
        EndpointErrors(
            .adminGrant, method: .delete,
            [.answer(.notFound, "no grant has this grant_id, or it was revoked already")] + adminRows(allowed: "DELETE")
        ),
        EndpointErrors(
            .adminTokenRevocation, method: .post,
            [
                .answer(.invalidRequest, "the body is not a JSON object, or it has not exactly one of client_id and subject as a string"),
                .answer(.notFound, "no client has the client_id"),
            ] + adminRows(allowed: "POST", body: true)
        ),
    ]

    /// The rows every admin call shares, the delegation calls' included: the bearer token's (RFC 6750 §3.1), a wrong method, a body
    /// too large, a failing server.
    static func adminRows(allowed: String, body: Bool = false) -> [Row] {
        var rows: [Row] = [
            .answer(.invalidRequest, "the Authorization header is Bearer without a token, with two tokens, or with characters outside b64token"),
            .answer(
                .invalidToken,
                "the access token is unknown, expired or revoked (with WWW-Authenticate: Bearer); without any bearer token the 401 has only the challenge, without an error code or body"
            ),
            .answer(.insufficientScope, "the access token lacks the scope gatehouse:admin (with WWW-Authenticate: Bearer)"),
            .answer(.methodNotAllowed, "a method other than \(allowed) (the Allow header names them)"),
        ]
        if body {
            rows.append(.answer(.bodyTooLarge, "the body is larger than max_body_bytes"))
        }
        rows.append(.answer(.serverError, "the server failed, for example its database is down"))
        return rows
    }
}
