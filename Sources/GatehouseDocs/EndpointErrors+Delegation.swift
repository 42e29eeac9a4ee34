import GatehouseCore
import HTTPTypes

extension EndpointErrors {
    /// SPEC §10 "Delegated login and consent": the calls of the provider's login and consent app,
    /// one table per method and path.
    public static let delegation: [EndpointErrors] = {
        let notFound = EndpointErrors.Row.answer(
            .notFound, "no open challenge has this value: unknown, already accepted or rejected, older than 10 minutes, or its client is gone"
        )
        let reject = EndpointErrors.Row.answer(
            .invalidRequest,
            "the body is not a JSON object or a member has the wrong type; error is not an error of the authorization response; error_description has characters outside RFC 6749's set"
        )
        return [
            EndpointErrors(.adminLoginRequest, [notFound] + delegationRows(allowed: "GET, HEAD")),
            EndpointErrors(
                .adminLoginAccept,
                [
                    .answer(.invalidRequest, "the body is not a JSON object, a member has the wrong type, or subject is missing or empty"),
                    notFound,
                ] + delegationRows(allowed: "PUT", body: true)
            ),
            EndpointErrors(.adminLoginReject, [reject, notFound] + delegationRows(allowed: "PUT", body: true)),
            EndpointErrors(.adminConsentRequest, [notFound] + delegationRows(allowed: "GET, HEAD")),
            EndpointErrors(
                .adminConsentAccept,
                [
                    .answer(
                        .invalidRequest,
                        "the body is not a JSON object, a member has the wrong type, or grant_scope is missing, empty or not a subset of the requested scope"
                    ),
                    notFound,
                ] + delegationRows(allowed: "PUT", body: true)
            ),
            EndpointErrors(.adminConsentReject, [reject, notFound] + delegationRows(allowed: "PUT", body: true)),
        ]
    }()

    private static func delegationRows(allowed: String, body: Bool = false) -> [Row] {
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
