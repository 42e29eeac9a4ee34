import GatehouseCore
import HTTPTypes

extension ReferenceDocumentation {
    /// SPEC §11 "OpenID Connect Core": discovery, UserInfo and RP-initiated logout.
    static func openIDConnectPaths() -> String {
        let errors = Dictionary(EndpointErrors.openIDConnect.map { ($0.path, $0) }) { first, _ in first }
        let claims = OpenIDProviderMetadata.claims.joined(separator: ", ")
        let userInfoAnswer = """
                  responses:
                    '200':
                      description: 'The claims: sub; preferred_username and name with profile; email and email_verified with email.'
                      headers:
                        Cache-Control: {$ref: '#/components/headers/Cache-Control'}
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [sub]
                            properties: {sub: {type: string}, preferred_username: {type: string}, name: {type: string}, email: {type: string}, email_verified: {type: boolean}}
                          example: {sub: 25f80497fce0f814750a911daeb47bf6, preferred_username: alice, name: Alice Example, email: alice@example.com, email_verified: false}

            """
        var yaml = """
              \(EndpointPath.openIDConfiguration.path):
                get:
                  summary: OpenID Provider metadata (OpenID Connect Discovery 1.0 §3)
                  responses:
                    '200':
                      description: 'Metadata; registration_endpoint only when registration is on. claims_supported: \(claims).'
                      content:
                        application/json:
                          schema: {type: object, required: [issuer, authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri, end_session_endpoint, scopes_supported, response_types_supported, subject_types_supported, id_token_signing_alg_values_supported, claims_supported, grant_types_supported, token_endpoint_auth_methods_supported, code_challenge_methods_supported]}
                          example: {issuer: 'http://127.0.0.1:8080', authorization_endpoint: 'http://127.0.0.1:8080/oauth2/authorize', token_endpoint: 'http://127.0.0.1:8080/oauth2/token', userinfo_endpoint: 'http://127.0.0.1:8080/oauth2/userinfo', jwks_uri: 'http://127.0.0.1:8080/oauth2/jwks', end_session_endpoint: 'http://127.0.0.1:8080/oauth2/logout', scopes_supported: [email, openid, profile], response_types_supported: [code], subject_types_supported: [public], id_token_signing_alg_values_supported: [ES256], code_challenge_methods_supported: [S256]}
              \(EndpointPath.userInfo.path):
                get:
                  summary: UserInfo (OpenID Connect Core §5.3), with an access token of scope openid
                  security: [{bearerToken: []}]

            """
        yaml += userInfoAnswer
        if let table = errors[EndpointPath.userInfo.path] { yaml += errorResponses(table, bearer: true) }
        yaml += """
                post:
                  summary: UserInfo by POST, as GET
                  security: [{bearerToken: []}]

            """
        yaml += userInfoAnswer
        if let table = errors[EndpointPath.userInfo.path] { yaml += errorResponses(table, bearer: true) }
        yaml += """
              \(EndpointPath.endSession.path):
                get:
                  summary: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0); ends the browser session
                  parameters:
                    - {name: id_token_hint, in: query, schema: {type: string}, description: 'An id_token of this server; an expired one is accepted.'}
                    - {name: post_logout_redirect_uri, in: query, schema: {type: string, format: uri}, description: 'Followed only when registered for the client of the hint.'}
                    - {name: state, in: query, schema: {type: string}}
                    - {name: ui_locales, in: query, schema: {type: string}}
                  responses:
                    '200': {description: 'The signed-out page (HTML), when there is no hint or no registered post_logout_redirect_uri.'}
                    '302': {description: 'To post_logout_redirect_uri, with state when sent.'}

            """
        if let table = errors[EndpointPath.endSession.path] { yaml += errorResponses(table) }
        return yaml
    }
}
