import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Authorization code flow")
struct AuthorizationCodeFlowTests {
    @Test("login, consent, code with state and iss, then tokens", arguments: Backend.available)
    func fullFlow(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id, scope: "profile read").string

            let login = try await flow.open(query, headers: [.acceptLanguage: "de"])
            #expect(login.status == .ok)
            expectHTMLSecurityHeaders(login)
            #expect(login.headers[.contentLanguage] == "de")
            #expect(login.text.contains(#"<form method="post">"#))
            #expect(login.text.contains(#"name="username""#) && login.text.contains(#"name="password""#))
            let cookie = try #require(login.headers[values: .setCookie].first)
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))

            let consent = try await flow.submit(query, page: login, fields: ["username": user.username, "password": "correct horse"])
            #expect(consent.status == .ok)
            expectHTMLSecurityHeaders(consent)
            #expect(consent.text.contains(#"name="decision" value="allow""#))
            #expect(consent.text.contains(#"name="decision" value="deny""#))
            #expect(consent.text.contains("<code>profile</code>") && consent.text.contains("<code>read</code>"))

            let redirect = try await flow.submit(query, page: consent, fields: ["decision": "allow"])
            #expect(redirect.status == .seeOther)
            let parameters = redirectParameters(redirect)
            #expect(parameters["state"] == "st-123")
            #expect(parameters["iss"] == LiveServer.issuer)
            let code = try #require(parameters["code"])
            #expect(code.hasPrefix("gthc_"))

            let tokens = try await server.redeem(code, client: client)
            #expect(tokens.status == .ok)
            #expect(tokens.headers[.cacheControl] == "no-store")
            #expect(tokens.json["scope"] as? String == "profile read")
            #expect((tokens.json["refresh_token"] as? String)?.hasPrefix("gthr_") == true)

            // Consent is remembered: the next request for the same scopes gets a code at once.
            let again = try await flow.open(query)
            #expect(again.status == .found)
            #expect(redirectParameters(again)["code"] != nil)
        }
    }

    @Test("a public client completes the flow with PKCE and no secret", arguments: Backend.available)
    func publicClient(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp(isPublic: true)
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user)
            let tokens = try await server.redeem(code, client: client)
            #expect(tokens.status == .ok, "\(tokens.text)")
        }
    }

    @Test("a --skip-consent client gets its code right after sign-in", arguments: Backend.available)
    func skipConsent(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp(skipConsent: true)
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let login = try await flow.open(query)
            let redirect = try await flow.submit(query, page: login, fields: ["username": user.username, "password": "correct horse"])
            #expect(redirect.status == .seeOther)
            #expect(redirectParameters(redirect)["code"] != nil)
        }
    }

    @Test("Deny redirects with access_denied and issues nothing", .spec("authorize.access_denied"), arguments: Backend.available)
    func deny(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let login = try await flow.open(query)
            let consent = try await flow.submit(query, page: login, fields: ["username": user.username, "password": "correct horse"])
            let denied = try await flow.submit(query, page: consent, fields: ["decision": "deny"])
            expectErrorRedirect(denied, status: .seeOther, error: .accessDenied)
            #expect(redirectParameters(denied)["error_description"] == ErrorMessage.accessDenied.english)
            #expect(try await codeCount(server, clientID: client.id) == 0)
        }
    }

    @Test("a wrong password shows the form again with a message and issues nothing", arguments: Backend.available)
    func wrongPassword(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let login = try await flow.open(query)
            let again = try await flow.submit(query, page: login, fields: ["username": user.username, "password": "wrong"])
            #expect(again.status == .ok)
            #expect(again.text.contains(#"role="alert""#))
            #expect(again.text.contains(#"name="password""#))
            #expect(again.headers[.location] == nil)
            #expect(try await codeCount(server, clientID: client.id) == 0)
        }
    }

    @Test("repeated failures for one username are slowed down with 429 and Retry-After", .spec("ops.rate-limit.sign-in"), arguments: Backend.available)
    func throttling(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            var page = try await flow.open(query)
            for _ in 0..<5 {
                page = try await flow.submit(query, page: page, fields: ["username": user.username, "password": "wrong"])
                #expect(page.status == .ok)
            }
            // Even the right password waits now.
            let locked = try await flow.submit(query, page: page, fields: ["username": user.username, "password": "correct horse"])
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0)
            expectHTMLSecurityHeaders(locked)
            #expect(try await codeCount(server, clientID: client.id) == 0)
        }
    }

    @Test("a POST without a valid CSRF token is refused and issues nothing", arguments: Backend.available, ["", "gthf_forged"])
    func csrf(backend: Backend, token: String) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp(skipConsent: true)
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let login = try await flow.open(query)
            let refused = try await flow.submit(
                query, page: login, fields: ["username": user.username, "password": "correct horse"], csrf: token
            )
            #expect(refused.status == .forbidden)
            expectHTMLSecurityHeaders(refused)
            #expect(refused.headers[.location] == nil)
            #expect(try await codeCount(server, clientID: client.id) == 0)
        }
    }

    @Test("the session cookie is Secure when the issuer is https", arguments: Backend.available)
    func secureCookie(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0 = ServerConfiguration(issuer: "https://auth.example") }) { server in
            let client = try await server.registerWebApp()
            var flow = BrowserFlow(server: server)
            let login = try await flow.open(AuthorizationQuery(clientID: client.id).string)
            #expect(login.headers[values: .setCookie].first?.contains("Secure") == true)
        }
    }

    @Test("the session row is written at a successful sign-in, not before; the login cookie is signed", arguments: Backend.available)
    func sessionOnlyAtSignIn(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let query = AuthorizationQuery(clientID: client.id).string
            let login = try await flow.open(query)
            #expect(flow.sessionCookie == nil)
            let loginCookie = try #require(flow.cookies[AuthorizeControllerCookie.preLogin])
            let wrong = try await flow.submit(query, page: login, fields: ["username": user.username, "password": "wrong"])
            #expect(wrong.status == .ok)
            #expect(try await sessionCount(server, userID: user.id) == 0)

            // A login cookie whose expiry was pushed back is worth nothing, even with its own token.
            let parts = loginCookie.split(separator: ".")
            #expect(parts.count == 3)
            var forged = flow
            forged.cookies[AuthorizeControllerCookie.preLogin] = "\((Int(parts[0]) ?? 0) + 86_400).\(parts.dropFirst().joined(separator: "."))"
            let refused = try await forged.submit(query, page: login, fields: ["username": user.username, "password": "correct horse"])
            #expect(refused.status == .forbidden)

            let consent = try await flow.submit(query, page: wrong, fields: ["username": user.username, "password": "correct horse"])
            #expect(consent.status == .ok)
            #expect(flow.sessionCookie != nil)
            #expect(flow.cookies[AuthorizeControllerCookie.preLogin] == nil)
            #expect(try await sessionCount(server, userID: user.id) == 1)
            #expect(consent.headers[values: .setCookie].allSatisfy { $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
        }
    }

    @Test("the consent page is skipped only when a stored consent covers every requested scope", .spec("ops.consent"), arguments: Backend.available)
    func consentCoversScopes(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var flow = BrowserFlow(server: server)
            let narrow = AuthorizationQuery(clientID: client.id, scope: "profile").string
            let first = try await flow.signInAndAllow(narrow, username: user.username, password: "correct horse")
            #expect(redirectParameters(first)["code"] != nil)
            #expect(server.events.count(.consentGranted) == 1)

            let wider = AuthorizationQuery(clientID: client.id, scope: "profile read").string
            let asked = try await flow.open(wider)
            #expect(asked.status == .ok)
            #expect(asked.text.contains(#"name="decision" value="allow""#))
            let denied = try await flow.submit(wider, page: asked, fields: ["decision": "deny"])
            #expect(redirectParameters(denied)["error"] == "access_denied")
            #expect(server.events.count(.consentDenied) == 1)

            let same = try await flow.open(narrow)
            #expect(same.status == .found)
            #expect(redirectParameters(same)["code"] != nil)
        }
    }

    private func sessionCount(_ server: LiveServer, userID: String) async throws -> Int {
        try await server.store.database.withSQL { sql in
            try await sql.raw("SELECT id_hash FROM sessions WHERE user_id = \(bind: userID)").all().count
        }
    }

    private func codeCount(_ server: LiveServer, clientID: String) async throws -> Int {
        try await server.store.database.withSQL { sql in
            try await sql.raw("SELECT code_hash FROM authorization_codes WHERE client_id = \(bind: clientID)").all().count
        }
    }
}
