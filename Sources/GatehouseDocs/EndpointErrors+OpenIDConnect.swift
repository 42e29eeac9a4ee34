import GatehouseCore
import HTTPTypes

extension EndpointErrors {
    /// OpenID Connect Core §3.1.2.6: the redirect errors of an `openid` request.
    static let openIDConnectAuthorizationRows: [Row] = [
        .redirect(.invalidRequest, "with scope openid: prompt combines none with another value, or max_age is not a non-negative integer (redirect)"),
        .redirect(.loginRequired, "prompt=none, but there is no signed-in session, or its sign-in is older than max_age (redirect)"),
        .redirect(.consentRequired, "prompt=none, but the user has not consented to this client and scope (redirect)"),
        .redirect(.interactionRequired, "the provider's login or consent app ended a prompt=none request with it (redirect)"),
    ]

    /// SPEC §11: the OpenID Connect endpoints that can fail.
    public static let openIDConnect: [EndpointErrors] = [
        EndpointErrors(
            .userInfo,
            [
                .answer(.invalidRequest, "Bearer without a token, with two tokens, or with characters outside b64token"),
                .answer(.invalidToken, "the token is unknown, expired, revoked or forged (no token at all: 401 with a bare Bearer challenge)"),
                .answer(.insufficientScope, "the token lacks the scope openid"),
                .answer(.methodNotAllowed, "a method other than GET or POST (the Allow header names them)"),
            ]
        ),
        EndpointErrors(
            .endSession,
            [
                .answer(.invalidRequest, "a parameter is repeated, or id_token_hint is not an id_token of this server (an error page; nothing ends)"),
                .answer(.methodNotAllowed, "a method other than GET (the Allow header names GET, HEAD)"),
            ]
        ),
    ]
}
