import GatehouseCore

extension ReferenceDocumentation {
    /// SPEC §11, RFC 8628: the device authorization endpoint and the verification page.
    static func devicePaths() -> String {
        var yaml = """
              \(EndpointPath.deviceAuthorization.path):
                post:
                  summary: Device authorization request (RFC 8628 §3.1)
                  description: Client authentication as at the token endpoint; a public client sends client_id. The client must be
                    registered for urn:ietf:params:oauth:grant-type:device_code. The device then shows user_code and
                    verification_uri and polls the token endpoint with grant_type=urn:ietf:params:oauth:grant-type:device_code and
                    device_code, no more often than every interval seconds.
                  security: [{clientSecretBasic: []}, {}]
                  requestBody:
                    required: true
                    content:
                      application/x-www-form-urlencoded:
                        schema:
                          type: object
                          properties:
                            scope: {type: string, description: Space-separated scopes; defaults to those registered for the client.}
                            resource:
                              type: array
                              items: {type: string, format: uri}
                              description: RFC 8707, repeatable; among the server's resources.
                            client_id: {type: string, description: 'client_secret_post, or none for public clients.'}
                            client_secret: {type: string, description: client_secret_post.}
                  responses:
                    '200':
                      description: The device and user codes (RFC 8628 §3.2).
                      headers:
                        Cache-Control: {$ref: '#/components/headers/Cache-Control'}
                        Pragma: {$ref: '#/components/headers/Pragma'}
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [device_code, user_code, verification_uri, verification_uri_complete, expires_in, interval]
                            properties:
                              device_code: {type: string}
                              user_code: {type: string, pattern: '^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$', description: 'Accepted in any case, with or without the dash.'}
                              verification_uri: {type: string, format: uri, description: '{issuer}/device'}
                              verification_uri_complete: {type: string, format: uri, description: 'verification_uri?user_code=…'}
                              expires_in: {type: integer, description: device_code_ttl}
                              interval: {type: integer, description: 'device_poll_interval: seconds between polls; slow_down adds 5.'}
                          example: {device_code: gthd_Q2hhbmdlIG1lIHRvIGEgcmVhbCBkZXZpY2UgY29kZSBwbGVhc2U, user_code: WDJB-MJHT, verification_uri: 'https://auth.example/device', verification_uri_complete: 'https://auth.example/device?user_code=WDJB-MJHT', expires_in: 600, interval: 5}

            """
        yaml += errorResponses(EndpointErrors.deviceAuthorization)
        let pageResponses = """
                  responses:
                    '200': {description: 'HTML: the code form, the login or consent form, or the page that sends the user back to the device.'}
                    '302': {description: 'After a GET, to login_url or consent_url with a challenge when they are set (SPEC §10); 303 after a POST.'}
                    '303': {description: 'After a POST, to login_url or consent_url with a challenge when they are set (SPEC §10).'}
                    '400': {description: 'HTML: a login_verifier or consent_verifier that is unknown, used, expired or of another browser.'}
                    '403': {description: 'HTML: a form posted without its csrf_token.'}
                    '429':
                      description: 'HTML: too many wrong user codes (sign_in_failure_limit per address within rate_limit_window), or too many failed sign-ins.'
                      headers:
                        Retry-After: {description: Seconds until one more attempt fits., schema: {type: integer}}

            """
        yaml += """
              \(EndpointPath.device.path):
                get:
                  summary: The device verification page (RFC 8628 §3.3), HTML
                  parameters:
                    - {name: user_code, in: query, schema: {type: string}, description: 'From verification_uri_complete: skips typing the code.'}

            """
        yaml += pageResponses
        yaml += """
                post:
                  summary: The forms of the device verification page (code, login, consent), HTML
                  requestBody:
                    required: true
                    content:
                      application/x-www-form-urlencoded:
                        schema:
                          type: object
                          required: [csrf_token, user_code]
                          properties:
                            csrf_token: {type: string}
                            user_code: {type: string}
                            username: {type: string}
                            password: {type: string}
                            decision: {type: string, enum: [allow, deny]}

            """
        yaml += pageResponses
        return yaml
    }
}
