import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// The provider's own login and consent app of SPEC §10, played by the test: it reads the
/// challenge the browser brings and answers it through the admin API.
extension LiveServer {
    static let loginURL = "https://provider.example/login"
    static let consentURL = "https://provider.example/consent"

    /// A server whose login and consent go to the provider's app.
    static func delegating(_ backend: Backend, consent: Bool = true, _ body: @Sendable (LiveServer) async throws -> Void) async throws {
        try await run(
            backend,
            configure: {
                $0.loginURL = loginURL
                $0.consentURL = consent ? consentURL : nil
            }, body)
    }

    /// A client_credentials token with `gatehouse:admin`, of a client registered as `clients create
    /// --admin` registers it.
    func delegationToken() async throws -> String {
        try await serviceToken(scopes: ["gatehouse:admin"]).token
    }

    /// One call of the delegation API.
    func delegation(_ method: HTTPRequest.Method, _ path: String, token: String?, json: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await send(method, path, headers: headers, body: json)
    }

    /// Accepts a challenge and returns the `redirect_to` the app sends the browser to.
    func accept(_ kind: String, _ challenge: String, token: String, json: String) async throws -> String {
        let response = try await delegation(.put, "/admin/v1/\(kind)-requests/\(challenge)/accept", token: token, json: json)
        guard response.status == .ok, let target = response.json["redirect_to"] as? String else {
            throw TestFailure("accept \(kind): \(response.status) \(response.text)")
        }
        return target
    }
}

extension BrowserFlow {
    /// Follows the app's `redirect_to`, which points back at the authorization endpoint.
    mutating func follow(_ redirectTo: String) async throws -> TestResponse {
        let prefix = LiveServer.issuer + EndpointPath.authorization.path + "?"
        guard redirectTo.hasPrefix(prefix) else { throw TestFailure("redirect_to outside the endpoint: \(redirectTo)") }
        return try await open(String(redirectTo.dropFirst(prefix.count)))
    }
}

/// The challenge in a redirect to the provider's app.
func challenge(in response: TestResponse, at url: String, named name: String) throws -> String {
    let location = response.headers[.location] ?? ""
    guard response.status == .found, location.hasPrefix(url + "?") else {
        throw TestFailure("expected a redirect to \(url), got \(response.status) \(location)")
    }
    return try #require(redirectParameters(response)[name])
}

@Suite("Delegated login and consent (SPEC §10)")
struct DelegatedLoginTests {
    @Test(
        "login and consent through the provider's app end in tokens for its subject", .spec("delegation.login-request"),
        .spec("delegation.login-decision"), .spec("delegation.consent"), arguments: Backend.available
    )
    func acceptedFlow(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile", "read"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id, scope: "profile read").string

            let toLogin = try await browser.open(query)
            expectHTMLSecurityHeaders(toLogin)
            let loginChallenge = try challenge(in: toLogin, at: LiveServer.loginURL, named: "login_challenge")
            let browserCookie = try #require(toLogin.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_browser=") })
            #expect(browserCookie.contains("HttpOnly") && browserCookie.contains("SameSite=Lax"))

            let login = try await server.delegation(.get, "/admin/v1/login-requests/\(loginChallenge)", token: admin)
            #expect(login.status == .ok)
            #expect(login.headers[.cacheControl] == "no-store")
            #expect(login.json["challenge"] as? String == loginChallenge)
            #expect(login.json["client_id"] as? String == client.id)
            #expect((login.json["client_name"] as? String)?.isEmpty == false)
            #expect(login.json["requested_scope"] as? [String] == ["profile", "read"])
            #expect(login.json["skip"] as? Bool == false)
            #expect(login.json["subject"] is NSNull)

            let afterLogin = try await server.accept(
                "login", loginChallenge, token: admin, json: #"{"subject": "provider-user-42", "username": "pat", "remember": true}"#
            )
            let toConsent = try await browser.follow(afterLogin)
            let consentChallenge = try challenge(in: toConsent, at: LiveServer.consentURL, named: "consent_challenge")
            #expect(browser.sessionCookie != nil)

            let consent = try await server.delegation(.get, "/admin/v1/consent-requests/\(consentChallenge)", token: admin)
            #expect(consent.status == .ok)
            #expect(consent.headers[.cacheControl] == "no-store")
            #expect(consent.json["challenge"] as? String == consentChallenge)
            #expect(consent.json["client_id"] as? String == client.id)
            #expect(consent.json["client_name"] as? String == login.json["client_name"] as? String)
            #expect(consent.json["subject"] as? String == "provider-user-42")
            #expect(consent.json["requested_scope"] as? [String] == ["profile", "read"])
            #expect(consent.json["previously_granted_scope"] as? [String] == [])

            let afterConsent = try await server.accept(
                "consent", consentChallenge, token: admin, json: #"{"grant_scope": ["profile"], "remember": true}"#
            )
            let toClient = try await browser.follow(afterConsent)
            #expect(toClient.status == .found)
            let parameters = redirectParameters(toClient)
            #expect(parameters["state"] == "st-123")
            #expect(parameters["iss"] == LiveServer.issuer)
            let code = try #require(parameters["code"])

            let tokens = try await server.redeem(code, client: client)
            #expect(tokens.status == .ok, "\(tokens.text)")
            #expect(tokens.json["scope"] as? String == "profile")
            let accessToken = try #require(tokens.json["access_token"] as? String)
            let introspection = try await server.introspect(accessToken, authorization: client.basicAuthorization)
            #expect(introspection.json["active"] as? Bool == true)
            #expect(introspection.json["sub"] as? String == "provider-user-42")
            #expect(introspection.json["username"] as? String == "pat")
            let me = try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(accessToken)"])
            #expect(me.json["sub"] as? String == "provider-user-42")

            // The session is remembered: the next login request may be skipped; the remembered
            // consent covers `profile`, so the code follows the login at once. No username this time.
            let again = AuthorizationQuery(clientID: client.id, scope: "profile").string
            let secondChallenge = try challenge(in: try await browser.open(again), at: LiveServer.loginURL, named: "login_challenge")
            let second = try await server.delegation(.get, "/admin/v1/login-requests/\(secondChallenge)", token: admin)
            #expect(second.json["skip"] as? Bool == true)
            #expect(second.json["subject"] as? String == "provider-user-42")
            let skipped = try await server.accept("login", secondChallenge, token: admin, json: #"{"subject": "provider-user-42", "remember": false}"#)
            let secondCode = try #require(redirectParameters(try await browser.follow(skipped))["code"])
            let secondTokens = try await server.redeem(secondCode, client: client)
            let secondToken = try #require(secondTokens.json["access_token"] as? String)
            let secondIntrospection = try await server.introspect(secondToken, authorization: client.basicAuthorization)
            #expect(secondIntrospection.json["sub"] as? String == "provider-user-42")
            #expect(secondIntrospection.json["username"] == nil)

            // A wider request asks for consent again, showing what was granted before.
            let wider = AuthorizationQuery(clientID: client.id, scope: "profile read").string
            let thirdChallenge = try challenge(in: try await browser.open(wider), at: LiveServer.loginURL, named: "login_challenge")
            let thirdLogin = try await server.accept("login", thirdChallenge, token: admin, json: #"{"subject": "provider-user-42"}"#)
            let widerConsent = try challenge(in: try await browser.follow(thirdLogin), at: LiveServer.consentURL, named: "consent_challenge")
            let asked = try await server.delegation(.get, "/admin/v1/consent-requests/\(widerConsent)", token: admin)
            #expect(asked.json["requested_scope"] as? [String] == ["profile", "read"])
            #expect(asked.json["previously_granted_scope"] as? [String] == ["profile"])
        }
    }

    @Test("a login accepted without remember keeps no session for later requests", arguments: Backend.available)
    func notRemembered(backend: Backend) async throws {
        try await LiveServer.delegating(backend, consent: false) { server in
            let client = try await server.registerWebApp(scopes: ["profile"], skipConsent: true)
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let first = try challenge(in: try await browser.open(query), at: LiveServer.loginURL, named: "login_challenge")
            let redirectTo = try await server.accept("login", first, token: admin, json: #"{"subject": "s-1", "remember": false}"#)
            #expect(redirectParameters(try await browser.follow(redirectTo))["code"] != nil)
            let next = try challenge(in: try await browser.open(query), at: LiveServer.loginURL, named: "login_challenge")
            let login = try await server.delegation(.get, "/admin/v1/login-requests/\(next)", token: admin)
            #expect(login.json["skip"] as? Bool == false)
            #expect(login.json["subject"] is NSNull)
        }
    }

    @Test("a delegated login followed by the built-in consent page", arguments: Backend.available)
    func builtInConsent(backend: Backend) async throws {
        try await LiveServer.delegating(backend, consent: false) { server in
            let client = try await server.registerWebApp(scopes: ["profile"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let loginChallenge = try challenge(in: try await browser.open(query), at: LiveServer.loginURL, named: "login_challenge")
            let redirectTo = try await server.accept("login", loginChallenge, token: admin, json: #"{"subject": "s-2", "username": "sam", "remember": false}"#)
            let consentPage = try await browser.follow(redirectTo)
            #expect(consentPage.status == .ok)
            #expect(consentPage.text.contains("sam"))
            let pageQuery = String(redirectTo.dropFirst((LiveServer.issuer + EndpointPath.authorization.path + "?").count))
            let toClient = try await browser.submit(pageQuery, page: consentPage, fields: ["decision": "allow"])
            #expect(toClient.status == .seeOther)
            let code = try #require(redirectParameters(toClient)["code"])
            let tokens = try await server.redeem(code, client: client)
            let token = try #require(tokens.json["access_token"] as? String)
            #expect(try await server.introspect(token, authorization: client.basicAuthorization).json["sub"] as? String == "s-2")
        }
    }

    @Test(
        "a rejected login or consent ends at the client's redirect URI with the error", .spec("delegation.login-decision"),
        .spec("delegation.consent"), arguments: Backend.available, ["login", "consent"]
    )
    func rejected(backend: Backend, kind: String) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            var current = try challenge(in: try await browser.open(query), at: LiveServer.loginURL, named: "login_challenge")
            if kind == "consent" {
                let redirectTo = try await server.accept("login", current, token: admin, json: #"{"subject": "s-3", "remember": false}"#)
                current = try challenge(in: try await browser.follow(redirectTo), at: LiveServer.consentURL, named: "consent_challenge")
            }
            let rejection = try await server.delegation(
                .put, "/admin/v1/\(kind)-requests/\(current)/reject", token: admin,
                json: #"{"error": "access_denied", "error_description": "The user said no."}"#
            )
            #expect(rejection.status == .ok, "\(rejection.text)")
            let redirectTo = try #require(rejection.json["redirect_to"] as? String)
            let toClient = try await browser.follow(redirectTo)
            #expect(toClient.status == .found)
            #expect(toClient.headers[.location]?.hasPrefix("http://127.0.0.1:9000/cb?") == true)
            let parameters = redirectParameters(toClient)
            #expect(parameters["error"] == "access_denied")
            #expect(parameters["error_description"] == "The user said no.")
            #expect(parameters["state"] == "st-123")
            #expect(parameters["iss"] == LiveServer.issuer)
            #expect(parameters["code"] == nil)
        }
    }

    @Test(
        "a challenge is single-use: a second decision, a read after it and a replayed redirect_to are refused",
        .spec("delegation.challenge-lifetime"), arguments: Backend.available
    )
    func replayed(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile"], skipConsent: true)
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let current = try challenge(
                in: try await browser.open(AuthorizationQuery(clientID: client.id).string), at: LiveServer.loginURL, named: "login_challenge"
            )
            let redirectTo = try await server.accept("login", current, token: admin, json: #"{"subject": "s-4", "remember": false}"#)
            let again = try await server.delegation(
                .put, "/admin/v1/login-requests/\(current)/accept", token: admin, json: #"{"subject": "someone-else", "remember": false}"#
            )
            expectOAuthError(again, status: .notFound, error: .notFound)
            expectOAuthError(try await server.delegation(.get, "/admin/v1/login-requests/\(current)", token: admin), status: .notFound, error: .notFound)
            expectOAuthError(
                try await server.delegation(.put, "/admin/v1/login-requests/\(current)/reject", token: admin, json: "{}"),
                status: .notFound, error: .notFound
            )
            #expect(redirectParameters(try await browser.follow(redirectTo))["code"] != nil)
            let replay = try await browser.follow(redirectTo)
            #expect(replay.status == .badRequest)
            #expect(replay.headers[.location] == nil)
            expectHTMLSecurityHeaders(replay)
        }
    }

    @Test("of concurrent decisions on one challenge exactly one succeeds", .spec("delegation.challenge-lifetime"), arguments: Backend.available)
    func concurrentDecisions(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let current = try challenge(
                in: try await browser.open(AuthorizationQuery(clientID: client.id).string), at: LiveServer.loginURL, named: "login_challenge"
            )
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let path = "/admin/v1/login-requests/\(current)/\(index.isMultiple(of: 2) ? "accept" : "reject")"
                        let body = index.isMultiple(of: 2) ? #"{"subject": "s-\#(index)"}"# : "{}"
                        return try await server.delegation(.put, path, token: admin, json: body).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .notFound }.count == 7)
        }
    }

    @Test("a challenge expires after 10 minutes", .spec("delegation.challenge-lifetime"), arguments: Backend.available)
    func expired(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let current = try challenge(
                in: try await browser.open(AuthorizationQuery(clientID: client.id).string), at: LiveServer.loginURL, named: "login_challenge"
            )
            // The server's clock is real time plus an offset: margins for the seconds the test itself takes.
            server.clock.advance(by: 570)
            #expect(try await server.delegation(.get, "/admin/v1/login-requests/\(current)", token: admin).status == .ok)
            server.clock.advance(by: 40)
            expectOAuthError(try await server.delegation(.get, "/admin/v1/login-requests/\(current)", token: admin), status: .notFound, error: .notFound)
            let late = try await server.delegation(
                .put, "/admin/v1/login-requests/\(current)/accept", token: admin, json: #"{"subject": "s-5", "remember": false}"#
            )
            expectOAuthError(late, status: .notFound, error: .notFound)
        }
    }

    @Test("redirect_to completes only in the browser that started the request", arguments: Backend.available)
    func otherBrowser(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile"], skipConsent: true)
            let admin = try await server.delegationToken()
            var victim = BrowserFlow(server: server)
            let current = try challenge(
                in: try await victim.open(AuthorizationQuery(clientID: client.id).string), at: LiveServer.loginURL, named: "login_challenge"
            )
            let redirectTo = try await server.accept("login", current, token: admin, json: #"{"subject": "s-6", "remember": true}"#)

            var other = BrowserFlow(server: server)
            let stolen = try await other.follow(redirectTo)
            #expect(stolen.status == .badRequest)
            #expect(stolen.headers[.location] == nil)
            #expect(other.sessionCookie == nil)
            var planted = BrowserFlow(server: server)
            planted.cookies["gatehouse_browser"] = "gthw_somebody-else"
            #expect(try await planted.follow(redirectTo).status == .badRequest)

            // The refusal does not use the verifier up: its own browser still completes.
            #expect(redirectParameters(try await victim.follow(redirectTo))["code"] != nil)
        }
    }

    @Test("grant_scope must be a subset of the requested scope", .spec("delegation.consent"), arguments: Backend.available)
    func grantScopeSubset(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile", "read"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let loginChallenge = try challenge(
                in: try await browser.open(AuthorizationQuery(clientID: client.id, scope: "profile").string), at: LiveServer.loginURL,
                named: "login_challenge"
            )
            let redirectTo = try await server.accept("login", loginChallenge, token: admin, json: #"{"subject": "s-7", "remember": false}"#)
            let consentChallenge = try challenge(in: try await browser.follow(redirectTo), at: LiveServer.consentURL, named: "consent_challenge")
            let path = "/admin/v1/consent-requests/\(consentChallenge)/accept"
            for body in [#"{"grant_scope": ["profile", "read"]}"#, #"{"grant_scope": ["write"]}"#, #"{"grant_scope": []}"#] {
                expectOAuthError(try await server.delegation(.put, path, token: admin, json: body), status: .badRequest, error: .invalidRequest)
            }
            // A refused accept decides nothing.
            let accepted = try await server.accept("consent", consentChallenge, token: admin, json: #"{"grant_scope": ["profile"]}"#)
            #expect(redirectParameters(try await browser.follow(accepted))["code"] != nil)
        }
    }

    @Test(
        "malformed bodies, wrong types and unknown error codes are 400 invalid_request", .spec("delegation.login-decision"),
        arguments: Backend.available
    )
    func malformedBodies(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let client = try await server.registerWebApp(scopes: ["profile"])
            let admin = try await server.delegationToken()
            var browser = BrowserFlow(server: server)
            let current = try challenge(
                in: try await browser.open(AuthorizationQuery(clientID: client.id).string), at: LiveServer.loginURL, named: "login_challenge"
            )
            let accept = "/admin/v1/login-requests/\(current)/accept"
            let reject = "/admin/v1/login-requests/\(current)/reject"
            let rows: [(String, String?)] = [
                (accept, #"{"subject": "s-8", "#), (accept, #"{"subject": 42}"#), (accept, #"{"subject": "s", "remember": "yes"}"#),
                (accept, #"{"username": "no subject"}"#), (accept, nil), (accept, #"["s-8"]"#), (accept, #"{"subject": ""}"#),
                (reject, #"{"error": "no_such_error"}"#), (reject, #"{"error": 1}"#),
                (reject, #"{"error_description": "quote \" inside"}"#),
            ]
            for (path, body) in rows {
                let response = try await server.delegation(.put, path, token: admin, json: body)
                expectOAuthError(response, status: .badRequest, error: .invalidRequest)
            }
            // None of them decided the challenge.
            #expect(try await server.delegation(.get, "/admin/v1/login-requests/\(current)", token: admin).status == .ok)
        }
    }

    @Test("the delegation calls need a bearer token with gatehouse:admin", arguments: Backend.available)
    func guarded(backend: Backend) async throws {
        try await LiveServer.delegating(backend) { server in
            let (_, unscoped) = try await server.serviceToken(scopes: ["read"])
            for endpoint in EndpointPath.delegation {
                let path = endpoint.path.replacingOccurrences(of: "{challenge}", with: "gthi_unknown")
                for method in endpoint.methods {
                    let body = method == .get ? nil : "{}"
                    let anonymous = try await server.delegation(method, path, token: nil, json: body)
                    #expect(anonymous.status == .unauthorized, "\(method) \(path)")
                    #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

                    let unknown = try await server.delegation(method, path, token: "gtha_unknown", json: body)
                    expectOAuthError(unknown, status: .unauthorized, error: .invalidToken)
                    #expect(unknown.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)

                    let lacking = try await server.delegation(method, path, token: unscoped, json: body)
                    expectOAuthError(lacking, status: .forbidden, error: .insufficientScope)
                    #expect(lacking.headers[.wwwAuthenticate]?.contains(#"scope="gatehouse:admin""#) == true)
                }
            }
            let admin = try await server.delegationToken()
            expectOAuthError(
                try await server.delegation(.get, "/admin/v1/consent-requests/gthi_unknown", token: admin), status: .notFound, error: .notFound
            )
            let wrongMethod = try await server.delegation(.delete, "/admin/v1/login-requests/gthi_unknown", token: admin)
            expectOAuthError(wrongMethod, status: .methodNotAllowed, error: .invalidRequest)
            #expect(wrongMethod.headers[.allow]?.contains("GET") == true)
        }
    }
}
