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
            EndpointErrors(.adminLoginRequest, [notFound] + adminRows(allowed: "GET, HEAD")),
            EndpointErrors(
                .adminLoginAccept,
                [
                    .answer(.invalidRequest, "the body is not a JSON object, a member has the wrong type, or subject is missing or empty"),
                    notFound,
                ] + adminRows(allowed: "PUT", body: true)
            ),
            EndpointErrors(.adminLoginReject, [reject, notFound] + adminRows(allowed: "PUT", body: true)),
            EndpointErrors(.adminConsentRequest, [notFound] + adminRows(allowed: "GET, HEAD")),
            EndpointErrors(
                .adminConsentAccept,
                [
                    .answer(
                        .invalidRequest,
                        "the body is not a JSON object, a member has the wrong type, or grant_scope is missing, empty or not a subset of the requested scope"
                    ),
                    notFound,
                ] + adminRows(allowed: "PUT", body: true)
            ),
            EndpointErrors(.adminConsentReject, [reject, notFound] + adminRows(allowed: "PUT", body: true)),
        ]
    }()
}
