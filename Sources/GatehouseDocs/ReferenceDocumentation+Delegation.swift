import Foundation
import GatehouseCore
import HTTPTypes

extension ReferenceDocumentation {
    /// SPEC §10 "Delegated login and consent": the provider's app reads a challenge and accepts or
    /// rejects it, with a bearer token of scope `gatehouse:admin`.
    static func delegationPaths() -> String {
        let loginRequest = """
            {type: object, required: [challenge, client_id, client_name, requested_scope, skip, subject], properties: {challenge: {type: string}, client_id: {type: string}, client_name: {type: string}, requested_scope: {type: array, items: {type: string}}, skip: {type: boolean, description: The browser has a remembered session; accept with its subject.}, subject: {type: [string, 'null']}, login_hint: {type: string, description: The login_hint of an OpenID Connect request.}}}
            """
        let consentRequest = """
            {type: object, required: [challenge, client_id, client_name, subject, requested_scope, previously_granted_scope], properties: {challenge: {type: string}, client_id: {type: string}, client_name: {type: string}, subject: {type: string}, requested_scope: {type: array, items: {type: string}}, previously_granted_scope: {type: array, items: {type: string}}}}
            """
        let rejection = """
            {type: object, properties: {error: {type: string, default: access_denied, enum: [access_denied, invalid_request, invalid_scope, unauthorized_client, server_error, temporarily_unavailable, login_required, consent_required, interaction_required]}, error_description: {type: string}}}
            """
        let redirect = "{type: object, required: [redirect_to], properties: {redirect_to: {type: string, format: uri}}}"
        let calls: [(EndpointPath, summary: String, request: String?, answer: String, schema: String)] = [
            (.adminLoginRequest, "Read a login request: the challenge of login_url?login_challenge=", nil, "The login request.", loginRequest),
            (
                .adminLoginAccept, "Accept a login request as the app's subject; remember keeps a browser session",
                "{type: object, required: [subject], properties: {subject: {type: string}, username: {type: string}, remember: {type: boolean, default: false}}}",
                "Where to send the browser; it completes only in the browser that started the request.", redirect
            ),
            (
                .adminLoginReject, "Reject a login request: the request ends at the client's redirect URI with the error", rejection,
                "Where to send the browser.", redirect
            ),
            (.adminConsentRequest, "Read a consent request: the challenge of consent_url?consent_challenge=", nil, "The consent request.", consentRequest),
            (
                .adminConsentAccept, "Accept a consent request for grant_scope, a subset of requested_scope; remember stores the consent",
                "{type: object, required: [grant_scope], properties: {grant_scope: {type: array, items: {type: string}}, remember: {type: boolean, default: false}}}",
                "Where to send the browser; it completes only in the browser that started the request.", redirect
            ),
            (
                .adminConsentReject, "Reject a consent request: the request ends at the client's redirect URI with the error", rejection,
                "Where to send the browser.", redirect
            ),
        ]
        let errors = Dictionary(EndpointErrors.delegation.map { ($0.path, $0) }) { first, _ in first }
        var yaml = ""
        for (endpoint, summary, request, answer, schema) in calls {
            guard let method = endpoint.methods.first?.rawValue.lowercased(), let table = errors[endpoint.path] else { continue }
            yaml +=
                "  \(endpoint.path):\n    \(method):\n      summary: '\(summary.replacingOccurrences(of: "'", with: "''"))'\n      security: [{bearerToken: []}]\n"
            yaml += "      parameters:\n        - {name: challenge, in: path, required: true, schema: {type: string}}\n"
            if let request {
                yaml += "      requestBody:\n        required: true\n        content:\n          application/json:\n"
                yaml += "            schema: \(request)\n"
            }
            yaml += "      responses:\n        '200':\n          description: '\(answer.replacingOccurrences(of: "'", with: "''"))'\n"
            yaml += "          headers:\n            Cache-Control: {$ref: '#/components/headers/Cache-Control'}\n"
            yaml += "          content:\n            application/json:\n              schema: \(schema)\n"
            yaml += errorResponses(table)
        }
        return yaml
    }
}
