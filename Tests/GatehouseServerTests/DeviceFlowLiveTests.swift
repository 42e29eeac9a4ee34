import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The device authorization grant over real HTTP on SQLite and PostgreSQL (SPEC §11, RFC 8628):
/// the endpoint, the verification page and polling.
@Suite("Device flow (live)")
struct DeviceFlowLiveTests {
    static let grantType = "urn:ietf:params:oauth:grant-type:device_code"

    /// One error row of the device authorization endpoint.
    struct EndpointRow: Sendable, CustomTestStringConvertible {
        let situation: String
        /// The request: method, body and `Authorization`, given a device client and another client.
        let request:
            @Sendable (_ device: LiveServer.RegisteredClient, _ codeOnly: LiveServer.RegisteredClient) -> (
                method: HTTPRequest.Method, body: String, authorization: String?
            )
        let status: HTTPResponse.Status
        let error: OAuthErrorCode
        var challenge: String?
        var allow: String?

        var testDescription: String { "\(error.rawValue) \(status.code): \(situation)" }
    }

    static let endpointRows: [EndpointRow] = [
        EndpointRow(
            situation: "a client not registered for the device grant",
            request: { _, codeOnly in (.post, "scope=read", codeOnly.basicAuthorization) }, status: .badRequest, error: .unauthorizedClient),
        EndpointRow(
            situation: "a wrong secret via Basic",
            request: { device, _ in (.post, "", LiveServer.RegisteredClient(id: device.id, secret: "wrong").basicAuthorization) },
            status: .unauthorized, error: .invalidClient, challenge: #"Basic realm="gatehouse", charset="UTF-8""#),
        EndpointRow(
            situation: "a public client unknown",
            request: { _, _ in (.post, "client_id=nobody", nil) }, status: .unauthorized, error: .invalidClient),
        EndpointRow(
            situation: "a parameter repeated",
            request: { device, _ in (.post, "scope=read&scope=write", device.basicAuthorization) }, status: .badRequest,
            error: .invalidRequest),
        EndpointRow(
            situation: "a scope the client may not ask for",
            request: { device, _ in (.post, "scope=admin", device.basicAuthorization) }, status: .badRequest, error: .invalidScope),
        EndpointRow(
            situation: "GET instead of POST",
            request: { device, _ in (.get, "", device.basicAuthorization) }, status: .methodNotAllowed, error: .invalidRequest, allow: "POST"),
    ]

    @Test(
        "SPEC §11 device authorization endpoint: error rows with the headers of §5", .spec("device.unauthorized_client"),
        arguments: Backend.available, endpointRows)
    func endpointErrors(backend: Backend, row: EndpointRow) async throws {
        try await LiveServer.run(backend) { server in
            let device = try await server.register(grantTypes: [.deviceCode])
            let codeOnly = try await server.register(grantTypes: [.authorizationCode, .refreshToken])
            let (method, body, authorization) = row.request(device, codeOnly)
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            headers[.authorization] = authorization
            let response = try await server.send(method, "/oauth2/device_authorization", headers: headers, body: method == .post ? body : nil)
            expectOAuthError(response, status: row.status, error: row.error)
            #expect(response.headers[.wwwAuthenticate] == row.challenge)
            #expect(response.headers[.allow] == row.allow)
        }
    }

    @Test(
        "the user enters the code on /device, signs in and allows; the device polls pending, slow_down, then gets the tokens once",
        .spec("device.polling"), .spec("device.single-use"), arguments: Backend.available)
    func pageFlowAndPolling(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let device = try await server.register(grantTypes: [.deviceCode, .refreshToken], isPublic: true)
            let user = try await server.createUser()
            let started = try await server.deviceAuthorization(client: device, scope: "read")
            #expect(started.status == .ok)
            #expect(started.headers[.cacheControl] == "no-store")
            #expect(started.headers[.pragma] == "no-cache")
            let body = started.json
            let deviceCode = try #require(body["device_code"] as? String)
            let userCode = try #require(body["user_code"] as? String)
            #expect(body["verification_uri"] as? String == "\(LiveServer.issuer)/device")
            #expect(body["verification_uri_complete"] as? String == "\(LiveServer.issuer)/device?user_code=\(userCode)")
            #expect(body["expires_in"] as? Int == 600)
            #expect(body["interval"] as? Int == 5)

            let pending = try await server.poll(deviceCode, client: device)
            expectOAuthError(pending, status: .badRequest, error: .authorizationPending)
            let tooSoon = try await server.poll(deviceCode, client: device)
            expectOAuthError(tooSoon, status: .badRequest, error: .slowDown)

            // The user types the code in lower case without the dash.
            var browser = DeviceBrowser(server: server)
            let codePage = try await browser.get("/device")
            expectPageHeaders(codePage)
            #expect(codePage.text.contains(#"name="user_code""#))
            let login = try await browser.post(page: codePage, fields: ["user_code": userCode.replacingOccurrences(of: "-", with: "").lowercased()])
            expectPageHeaders(login)
            #expect(login.text.contains(#"name="password""#))
            let consent = try await browser.post(page: login, fields: ["user_code": userCode, "username": user.username, "password": "correct horse"])
            expectPageHeaders(consent)
            #expect(consent.text.contains(#"value="allow""#))
            #expect(consent.text.contains(userCode))
            let done = try await browser.post(page: consent, fields: ["user_code": userCode, "decision": "allow"])
            expectPageHeaders(done)
            #expect(done.status == .ok)
            #expect(done.text.contains("You may return to your device."))

            // The interval grew to 10 s with the slow_down.
            server.clock.advance(by: 10)
            let tokens = try await server.poll(deviceCode, client: device)
            #expect(tokens.status == .ok)
            #expect(tokens.headers[.cacheControl] == "no-store")
            #expect(tokens.headers[.pragma] == "no-cache")
            #expect(tokens.json["token_type"] as? String == "Bearer")
            #expect(tokens.json["scope"] as? String == "read")
            #expect(tokens.json["refresh_token"] is String)
            let accessToken = try #require(tokens.json["access_token"] as? String)
            #expect(try await server.store.accessToken(hash: SecretHasher.hash(accessToken))?.userID == user.id)

            server.clock.advance(by: 10)
            expectOAuthError(try await server.poll(deviceCode, client: device), status: .badRequest, error: .invalidGrant)
        }
    }

    @Test(
        "a denied request answers access_denied; expired_token after expires_in; another client's device code is invalid_grant",
        .spec("device.polling"), arguments: Backend.available)
    func deniedExpiredAndForeign(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let device = try await server.register(grantTypes: [.deviceCode])
            let other = try await server.register(grantTypes: [.deviceCode])
            let user = try await server.createUser()
            let deniedStart = try await server.deviceAuthorization(client: device).json
            let denied = try #require(deniedStart["user_code"] as? String)
            let deniedDeviceCode = try #require(deniedStart["device_code"] as? String)
            var browser = DeviceBrowser(server: server)
            let login = try await browser.get("/device?user_code=\(denied)")
            let consent = try await browser.post(page: login, fields: ["user_code": denied, "username": user.username, "password": "correct horse"])
            let done = try await browser.post(page: consent, fields: ["user_code": denied, "decision": "deny"])
            #expect(done.text.contains("The device was not given access."))
            expectOAuthError(try await server.poll(deniedDeviceCode, client: device), status: .badRequest, error: .accessDenied)

            let started = try await server.deviceAuthorization(client: device).json
            let deviceCode = try #require(started["device_code"] as? String)
            expectOAuthError(try await server.poll(deviceCode, client: other), status: .badRequest, error: .invalidGrant)
            server.clock.advance(by: 600)
            expectOAuthError(try await server.poll(deviceCode, client: device), status: .badRequest, error: .expiredToken)
        }
    }

    @Test("wrong codes on /device are limited per address: 429 with Retry-After, the page's headers", arguments: Backend.available)
    func wrongCodesLimited(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.signInFailureLimit = 2 }) { server in
            var browser = DeviceBrowser(server: server)
            var page = try await browser.get("/device")
            for _ in 0..<2 {
                page = try await browser.post(page: page, fields: ["user_code": "BBBB-BBBB"])
                #expect(page.status == .ok)
                #expect(page.text.contains("This code is not valid or has expired."))
            }
            let refused = try await browser.post(page: page, fields: ["user_code": "BBBB-BBBB"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter].flatMap(Int.init) ?? 0 > 0)
            #expect(server.events.count(.rateLimited, reason: "user_code") == 1)
            expectPageHeaders(refused)
            // A form without its CSRF token is refused, not looked up.
            let forged = try await server.send(
                .post, "/device", headers: [.contentType: "application/x-www-form-urlencoded"], body: "user_code=BBBB-BBBB")
            #expect(forged.status == .forbidden)
            expectPageHeaders(forged)
        }
    }

    @Test(
        "with login_url and consent_url the provider's app signs the user in and consents; the device gets tokens for its subject",
        .spec("device.polling"), arguments: Backend.available)
    func delegated(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let admin = try await server.delegationToken()
            let device = try await server.register(grantTypes: [.deviceCode], isPublic: true)
            let started = try await server.deviceAuthorization(client: device, scope: "read").json
            let userCode = try #require(started["user_code"] as? String)
            let deviceCode = try #require(started["device_code"] as? String)

            var browser = DeviceBrowser(server: server)
            let toLogin = try await browser.get("/device?user_code=\(userCode)")
            let login = try challenge(in: toLogin, at: LiveServer.loginURL, named: "login_challenge")
            let loginRequest = try await server.delegation(.get, "/admin/v1/login-requests/\(login)", token: admin).json
            #expect(loginRequest["client_id"] as? String == device.id)
            #expect(loginRequest["requested_scope"] as? [String] == ["read"])
            #expect(loginRequest["skip"] as? Bool == false)
            let back = try await server.accept(
                "login", login, token: admin, json: #"{"subject": "user-8412", "username": "alice@example.com"}"#)
            #expect(back.hasPrefix("\(LiveServer.issuer)/device?"))

            let toConsent = try await browser.get(String(back.dropFirst(LiveServer.issuer.count)))
            let consent = try challenge(in: toConsent, at: LiveServer.consentURL, named: "consent_challenge")
            let consentRequest = try await server.delegation(.get, "/admin/v1/consent-requests/\(consent)", token: admin).json
            #expect(consentRequest["subject"] as? String == "user-8412")
            #expect(consentRequest["client_id"] as? String == device.id)
            let allowed = try await server.accept("consent", consent, token: admin, json: #"{"grant_scope": ["read"]}"#)
            let done = try await browser.get(String(allowed.dropFirst(LiveServer.issuer.count)))
            #expect(done.status == .ok)
            #expect(done.text.contains("You may return to your device."))

            let tokens = try await server.poll(deviceCode, client: device)
            #expect(tokens.status == .ok, "\(tokens.text)")
            let accessToken = try #require(tokens.json["access_token"] as? String)
            #expect(try await server.store.accessToken(hash: SecretHasher.hash(accessToken))?.userID == "user-8412")

            // The app's verifier completes only once, and only in the browser that started it.
            var stranger = DeviceBrowser(server: server)
            let replay = try await stranger.get(String(allowed.dropFirst(LiveServer.issuer.count)))
            #expect(replay.status == .badRequest)
        }
    }

    @Test("of concurrent polls after the user allowed exactly one gets the tokens", .spec("device.single-use"), arguments: Backend.available)
    func concurrentRedemption(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let device = try await server.register(grantTypes: [.deviceCode], isPublic: true)
            let user = try await server.createUser()
            let started = try await server.deviceAuthorization(client: device).json
            let userCode = try #require(started["user_code"] as? String)
            let deviceCode = try #require(started["device_code"] as? String)
            var browser = DeviceBrowser(server: server)
            let login = try await browser.get("/device?user_code=\(userCode)")
            let consent = try await browser.post(page: login, fields: ["user_code": userCode, "username": user.username, "password": "correct horse"])
            _ = try await browser.post(page: consent, fields: ["user_code": userCode, "decision": "allow"])

            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await server.poll(deviceCode, client: device)
                        return (response.status, response.json["error"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0.0 != .ok }.allSatisfy { $0.0 == .badRequest && $0.1 == "invalid_grant" }, "\(statuses)")
        }
    }

    @Test("the RFC 8414 metadata lists the device authorization endpoint and grant", arguments: Backend.available)
    func metadata(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let metadata = try await server.send(.get, "/.well-known/oauth-authorization-server").json
            #expect(metadata["device_authorization_endpoint"] as? String == "\(LiveServer.issuer)/oauth2/device_authorization")
            #expect((metadata["grant_types_supported"] as? [String])?.contains(Self.grantType) == true)
        }
    }

    private func expectPageHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        #expect(response.headers[.xFrameOptions] == "DENY", sourceLocation: sourceLocation)
        #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, sourceLocation: sourceLocation)
    }
}

/// A browser on `/device`: keeps its cookies and fills in the forms with their CSRF token.
struct DeviceBrowser {
    var flow: BrowserFlow

    init(server: LiveServer) {
        self.flow = BrowserFlow(server: server)
    }

    mutating func get(_ path: String) async throws -> TestResponse {
        var headers = flow.formHeaders()
        headers[.contentType] = nil
        let response = try await flow.server.send(.get, path, headers: headers)
        flow.remember(response)
        return response
    }

    mutating func post(page: TestResponse, fields: [String: String]) async throws -> TestResponse {
        let response = try await flow.server.send(.post, "/device", headers: flow.formHeaders(), body: flow.formBody(page: page, fields: fields))
        flow.remember(response)
        return response
    }
}

extension LiveServer {
    /// `POST /oauth2/device_authorization`: Basic for a confidential client, `client_id` for a public one.
    func deviceAuthorization(client: RegisteredClient, scope: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        var form = scope.map { "scope=\(RegisteredClient.formEncode($0))" } ?? ""
        if client.secret == nil {
            form += (form.isEmpty ? "" : "&") + "client_id=\(client.id)"
        } else {
            headers[.authorization] = client.basicAuthorization
        }
        return try await send(.post, "/oauth2/device_authorization", headers: headers, body: form)
    }

    /// One poll of the token endpoint for `deviceCode`.
    func poll(_ deviceCode: String, client: RegisteredClient) async throws -> TestResponse {
        var form = "grant_type=\(RegisteredClient.formEncode(DeviceFlowLiveTests.grantType))&device_code=\(deviceCode)"
        if client.secret == nil {
            form += "&client_id=\(client.id)"
            return try await token(form: form)
        }
        return try await token(form: form, authorization: client.basicAuthorization)
    }
}
