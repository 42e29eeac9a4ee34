import Crypto
import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// SPEC §11 "OpenID Connect Core" without a socket: the interaction's `prompt`, `max_age` and
/// `login_hint`, the `id_token` of the code exchange and of a refresh, UserInfo's claims and
/// RP-initiated logout, on the in-memory store and the test clock.
@Suite("OpenID Connect: core behaviour")
struct OpenIDConnectTests {
    static let scopes: ScopeSet = ["openid", "profile", "email", "read"]

    /// A bed with a client allowed the OpenID scopes and a user with a profile.
    struct Fixture {
        let bed: TestBed
        let client: RegisteredClient
        let user: User
        var browser: SimulatedBrowser

        init(configuration: ServerConfiguration = ServerConfiguration(issuer: TestBed.issuer)) async throws {
            bed = TestBed(configuration: configuration)
            client = try await bed.registerClient(scopes: OpenIDConnectTests.scopes)
            let id = SecretGenerator().makeIdentifier()
            user = User(
                id: id, username: "alice-\(id.prefix(6))", passwordHash: "$2b$12$placeholder", createdAt: bed.clock.now(),
                email: "alice@example.com", name: "Alice Example"
            )
            try await bed.store.createUser(user)
            browser = SimulatedBrowser(interaction: bed.authorizationInteraction())
        }

        func query(scope: String = "openid profile", _ extra: [(String, String)] = []) -> String {
            String(decoding: AuthorizationQuery(clientID: client.id, scope: scope, extra: extra).bytes, as: UTF8.self)
        }

        /// Signs in on the built-in form and allows; returns the redirect with the code.
        mutating func signInAndAllow(_ query: String) async throws -> AuthorizationStep {
            let csrf = try #require(await browser.get(query).csrfToken)
            let consent = await browser.post(query, form: ["username": user.username, "password": "correct horse", "csrf_token": csrf])
            let consentCSRF = try #require(consent.csrfToken, "expected the consent page, got \(consent.kind)")
            return await browser.post(query, form: ["decision": "allow", "csrf_token": consentCSRF])
        }

        func redeem(_ code: String) async throws -> TokenResponse {
            try await bed.token(
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb",
                    "code_verifier": AuthorizationQuery.verifier,
                ],
                client: client
            )
        }

        func verify(_ idToken: String) async throws -> IDToken.Claims {
            let keys = bed.keyRing()
            return try await IDToken.verify(idToken, issuer: TestBed.issuer, now: bed.clock.now()) { kid in
                try await keys.publishedKeys().first { $0.kid == kid }?.privateKey.publicKey
            }
        }

        var sessionID: String? {
            browser.cookies[.session].map { OpenIDAuthentication.sessionID(ofSessionHash: SecretHasher.hash($0)) }
        }
    }

    // MARK: id_token

    @Test("the code exchange of an openid grant returns an id_token with every claim; nonce and at_hash match", .spec("oidc.id_token"))
    func idTokenOfCodeExchange() async throws {
        var fixture = try await Fixture()
        let signInTime = fixture.bed.clock.now()
        let done = try await fixture.signInAndAllow(fixture.query([("nonce", "n-0S6_WzA2Mj")]))
        fixture.bed.clock.advance(by: 5)
        let response = try await fixture.redeem(try #require(done.parameter("code")))
        let idToken = try #require(response.idToken)

        // Header: ES256 with the kid of the key ring's current key.
        let encodedHeader = try #require(idToken.split(separator: ".").first)
        let header = try #require(Base64URL.decode(encodedHeader))
        let headerJSON = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any])
        #expect(headerJSON["alg"] as? String == "ES256")
        #expect(headerJSON["kid"] as? String == (try await fixture.bed.keyRing().signingKey().kid))

        let claims = try await fixture.verify(idToken)
        #expect(claims.issuer == TestBed.issuer)
        #expect(claims.subject == fixture.user.id)
        #expect(claims.audience == fixture.client.id)
        #expect(claims.issuedAt == Int(fixture.bed.clock.now().timeIntervalSince1970))
        #expect(claims.expiresAt == claims.issuedAt + fixture.bed.configuration.idTokenTTL)
        #expect(claims.authTime == Int(signInTime.timeIntervalSince1970))
        #expect(claims.nonce == "n-0S6_WzA2Mj")
        #expect(claims.accessTokenHash == IDToken.accessTokenHash(response.accessToken))
        // at_hash by hand: the left half of SHA-256 of the token's ASCII, base64url.
        let digest = Array(SHA256.hash(data: Array(response.accessToken.utf8)))
        #expect(claims.accessTokenHash == Base64URL.encode(digest[0..<16]))
        #expect(claims.sessionID != nil && claims.sessionID == fixture.sessionID)
        #expect(claims.sessionID?.count == 32)
    }

    @Test("a refresh of an openid grant returns a new id_token: same sub, auth_time and sid, no nonce", .spec("oidc.id_token"))
    func idTokenOfRefresh() async throws {
        var fixture = try await Fixture()
        let done = try await fixture.signInAndAllow(fixture.query([("nonce", "abc")]))
        let first = try await fixture.redeem(try #require(done.parameter("code")))
        let original = try await fixture.verify(try #require(first.idToken))
        fixture.bed.clock.advance(by: 600)
        let refreshed = try await fixture.bed.token(
            ["grant_type": "refresh_token", "refresh_token": try #require(first.refreshToken)], client: fixture.client
        )
        let claims = try await fixture.verify(try #require(refreshed.idToken))
        #expect(claims.subject == original.subject)
        #expect(claims.authTime == original.authTime)
        #expect(claims.sessionID == original.sessionID)
        #expect(claims.nonce == nil)
        #expect(claims.issuedAt == original.issuedAt + 600)
        #expect(claims.accessTokenHash == IDToken.accessTokenHash(refreshed.accessToken))
        // A refresh narrowed to scopes without openid gets no id_token.
        let narrowed = try await fixture.bed.token(
            ["grant_type": "refresh_token", "refresh_token": try #require(refreshed.refreshToken), "scope": "profile"], client: fixture.client
        )
        #expect(narrowed.idToken == nil)
    }

    @Test("a grant without openid gets no id_token, even with nonce and prompt sent", .spec("oidc.id_token"))
    func noOpenIDNoIDToken() async throws {
        var fixture = try await Fixture()
        let done = try await fixture.signInAndAllow(fixture.query(scope: "read", [("nonce", "x"), ("prompt", "login")]))
        let response = try await fixture.redeem(try #require(done.parameter("code")))
        #expect(response.idToken == nil)
    }

    @Test("an id_token signed by another key, for another issuer or altered fails verification")
    func forgedIDTokens() async throws {
        var fixture = try await Fixture()
        let done = try await fixture.signInAndAllow(fixture.query())
        let code = try #require(done.parameter("code"))
        let idToken = try #require(try await fixture.redeem(code).idToken)
        let stranger = SigningKey.generate(now: fixture.bed.clock.now())
        let claims = try await fixture.verify(idToken)
        let forged = try IDToken.sign(
            claims, with: SigningKey(kid: try await fixture.bed.keyRing().signingKey().kid, privateKey: stranger.privateKey, createdAt: stranger.createdAt))
        await #expect(throws: IDToken.VerificationError.badSignature) { try await fixture.verify(forged) }
        let issuer = fixture.bed.idTokenIssuer()
        _ = try await issuer.verifyHint(idToken)
        var parts = idToken.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Array(#"{"iss":"https://gatehouse.test","sub":"mallory","aud":"x","exp":1,"iat":1}"#.utf8))
        await #expect(throws: IDToken.VerificationError.badSignature) { try await issuer.verifyHint(parts.joined(separator: ".")) }
    }

    // MARK: The authorization request

    @Test(
        "prompt=none redirects with login_required or consent_required, with state and iss, and never shows a page",
        .spec("oidc.authorization-request")
    )
    func promptNone() async throws {
        var fixture = try await Fixture()
        let none = fixture.query([("prompt", "none")])
        let noSession = await fixture.browser.get(none)
        #expect(noSession.parameter("error") == "login_required")
        #expect(noSession.parameter("state") == "st-123")
        #expect(noSession.parameter("iss") == TestBed.issuer)
        #expect(noSession.location?.hasPrefix("https://app.example/cb?") == true)

        // Signed in, but no consent remembered: consent_required.
        let csrf = try #require(await fixture.browser.get(fixture.query()).csrfToken)
        _ = await fixture.browser.post(
            fixture.query(), form: ["username": fixture.user.username, "password": "correct horse", "csrf_token": csrf]
        )
        let noConsent = await fixture.browser.get(none)
        #expect(noConsent.parameter("error") == "consent_required")
        #expect(noConsent.parameter("state") == "st-123")

        // Consent remembered: a code without any page.
        try await fixture.bed.store.recordConsent(
            clientID: fixture.client.id, userID: fixture.user.id, scope: ["openid", "profile"], at: fixture.bed.clock.now()
        )
        #expect(await fixture.browser.get(none).parameter("code") != nil)

        // Past max_age the session does not count: login_required again.
        fixture.bed.clock.advance(by: 120)
        let stale = await fixture.browser.get(fixture.query([("prompt", "none"), ("max_age", "60")]))
        #expect(stale.parameter("error") == "login_required")
    }

    @Test("prompt=login and an exceeded max_age show the login form to a signed-in browser", .spec("oidc.authorization-request"))
    func freshSignIn() async throws {
        var fixture = try await Fixture()
        let done = try await fixture.signInAndAllow(fixture.query())
        #expect(done.parameter("code") != nil)
        let firstSession = try #require(fixture.browser.cookies[.session])

        // The session and the consent suffice: a code at once.
        #expect(await fixture.browser.get(fixture.query()).parameter("code") != nil)
        // prompt=login: the form again; signing in makes a new session and a later auth_time.
        fixture.bed.clock.advance(by: 30)
        let login = fixture.query([("prompt", "login")])
        let page = await fixture.browser.get(login)
        guard case .loginPage = page.kind else { Issue.record("expected the login page, got \(page.kind)"); return }
        let afterSignIn = await fixture.browser.post(
            login, form: ["username": fixture.user.username, "password": "correct horse", "csrf_token": try #require(page.csrfToken)]
        )
        let code = try #require(afterSignIn.parameter("code"))
        #expect(fixture.browser.cookies[.session] != firstSession)
        let claims = try await fixture.verify(try #require(try await fixture.redeem(code).idToken))
        #expect(claims.authTime == Int(fixture.bed.clock.now().timeIntervalSince1970))

        // max_age: within it, no page; past it, the login form.
        fixture.bed.clock.advance(by: 100)
        #expect(await fixture.browser.get(fixture.query([("max_age", "3600")])).parameter("code") != nil)
        let stale = await fixture.browser.get(fixture.query([("max_age", "60")]))
        guard case .loginPage = stale.kind else { Issue.record("expected the login page, got \(stale.kind)"); return }
    }

    @Test("prompt=consent asks again although the consent is remembered", .spec("oidc.authorization-request"))
    func promptConsent() async throws {
        var fixture = try await Fixture()
        _ = try await fixture.signInAndAllow(fixture.query())
        let step = await fixture.browser.get(fixture.query([("prompt", "consent")]))
        guard case .consentPage = step.kind else { Issue.record("expected the consent page, got \(step.kind)"); return }
    }

    @Test("login_hint fills in the username of the login form and reaches the delegated login request", .spec("oidc.authorization-request"))
    func loginHint() async throws {
        var fixture = try await Fixture()
        let page = await fixture.browser.get(fixture.query([("login_hint", "alice@example.com")]))
        guard case .loginPage(let form) = page.kind else { Issue.record("expected the login page, got \(page.kind)"); return }
        #expect(form.username == "alice@example.com")

        let bed = AuthorizationInteractionTests.delegatingBed()
        let client = try await bed.registerClient(scopes: Self.scopes)
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(
            decoding: AuthorizationQuery(clientID: client.id, scope: "openid", extra: [("login_hint", "pat")]).bytes, as: UTF8.self
        )
        let challenge = try #require(await browser.get(query).parameter("login_challenge"))
        #expect(try await interaction.loginRequest(challenge: challenge).loginHint == "pat")
    }

    @Test("delegated login: prompt=login and max_age send a login request that may not be skipped", .spec("oidc.authorization-request"))
    func delegatedFreshSignIn() async throws {
        let bed = AuthorizationInteractionTests.delegatingBed(consent: false)
        let client = try await bed.registerClient(scopes: Self.scopes, skipConsent: true)
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        func query(_ extra: [(String, String)] = []) -> String {
            String(decoding: AuthorizationQuery(clientID: client.id, scope: "openid", extra: extra).bytes, as: UTF8.self)
        }
        // prompt=none without a session: login_required, no trip to the login app.
        #expect(await browser.get(query([("prompt", "none")])).parameter("error") == "login_required")

        let challenge = try #require(await browser.get(query([("nonce", "n1")])).parameter("login_challenge"))
        bed.clock.advance(by: 3)
        let acceptedAt = bed.clock.now()
        let done = try await browser.follow(try await interaction.acceptLogin(challenge: challenge, subject: "ext-9", username: nil, remember: true))
        let code = try #require(done.parameter("code"))
        let record = try #require(try await bed.store.authorizationCode(hash: SecretHasher.hash(code)))
        #expect(record.openID?.authTime == acceptedAt)
        #expect(record.openID?.nonce == "n1")
        #expect(record.openID?.sessionID != nil)

        // The remembered session: skip, and prompt=none completes without the app.
        let skip = try #require(await browser.get(query()).parameter("login_challenge"))
        #expect(try await interaction.loginRequest(challenge: skip).skip)
        #expect(await browser.get(query([("prompt", "none")])).parameter("code") != nil)
        // prompt=login or a stale max_age: the app must sign the user in again.
        for extra in [[("prompt", "login")], [("max_age", "1")]] {
            bed.clock.advance(by: 2)
            let fresh = try #require(await browser.get(query(extra)).parameter("login_challenge"))
            let request = try await interaction.loginRequest(challenge: fresh)
            #expect(!request.skip && request.subject == nil)
        }
    }

    @Test(
        "a malformed prompt or max_age is invalid_request at the redirect URI",
        .spec("oidc.authorization-request"),
        arguments: [
            [("prompt", "none login")], [("max_age", "-1")], [("max_age", "soon")], [("max_age", "1.5")],
        ]
    )
    func malformed(_ extra: [(String, String)]) async throws {
        var fixture = try await Fixture()
        let step = await fixture.browser.get(fixture.query(extra))
        #expect(step.parameter("error") == "invalid_request")
        #expect(step.parameter("state") == "st-123")
        #expect(step.parameter("iss") == TestBed.issuer)
    }

    // MARK: UserInfo and logout

    @Test("UserInfo claims follow the token's scope; a subject that is no user gets sub only", .spec("oidc.userinfo"))
    func userInfoClaims() async throws {
        let fixture = try await Fixture()
        let endpoint = UserInfoEndpoint(users: fixture.bed.store)
        func decoded(_ scope: ScopeSet, subject: String? = nil) async throws -> [String: Any] {
            let json = try await endpoint.claims(subject: subject ?? fixture.user.id, scope: scope)
            return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        }
        #expect(try await decoded(["openid"]).keys.sorted() == ["sub"])
        let profile = try await decoded(["openid", "profile"])
        #expect(profile["preferred_username"] as? String == fixture.user.username)
        #expect(profile["name"] as? String == "Alice Example")
        #expect(profile["email"] == nil)
        let email = try await decoded(["openid", "email"])
        #expect(email["email"] as? String == "alice@example.com")
        #expect(email["email_verified"] as? Bool == false)
        #expect(email["name"] == nil)
        #expect(try await decoded(["openid", "profile", "email"], subject: "ext-1").keys.sorted() == ["sub"])
    }

    @Test("logout ends the session and redirects only to a URI registered for the hint's client", .spec("oidc.logout"))
    func logout() async throws {
        let bed = TestBed()
        let registered = try await bed.registerClient(scopes: Self.scopes)
        let client = try await bed.store.client(id: registered.id)
        var withLogout = try #require(client)
        withLogout.postLogoutRedirectURIs = ["https://app.example/bye"]
        _ = try await bed.store.replaceClientMetadata(withLogout)
        let issuer = bed.idTokenIssuer()
        let hint = try #require(
            try await issuer.make(
                clientID: registered.id, subject: "u1", scope: ["openid"],
                authentication: OpenIDAuthentication(nonce: nil, authTime: bed.clock.now(), sessionID: nil), nonce: nil, accessToken: "at",
                now: bed.clock.now()
            )
        )
        let endpoint = LogoutEndpoint(clients: bed.store, sessions: bed.store, idTokens: issuer)
        func query(_ pairs: [(String, String)]) -> [UInt8] {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return Array(pairs.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $1)" }.joined(separator: "&").utf8)
        }

        try await bed.store.createSession(
            Session(idHash: SecretHasher.hash("cookie-1"), userID: "u1", csrfToken: "c", createdAt: bed.clock.now(), expiresAt: bed.clock.now() + 60)
        )
        // An expired hint is still a hint (RP-Initiated Logout 1.0 §2).
        bed.clock.advance(by: TimeInterval(bed.configuration.idTokenTTL + 10))
        let outcome = try await endpoint.logout(
            query: query([("id_token_hint", hint), ("post_logout_redirect_uri", "https://app.example/bye"), ("state", "s 1")]),
            sessionCookie: "cookie-1"
        )
        #expect(outcome == .redirect("https://app.example/bye?state=s%201"))
        #expect(try await bed.store.session(idHash: SecretHasher.hash("cookie-1")) == nil)

        let unregistered = try await endpoint.logout(
            query: query([("id_token_hint", hint), ("post_logout_redirect_uri", "https://evil.example/")]), sessionCookie: nil
        )
        #expect(unregistered == .signedOut)
        #expect(try await endpoint.logout(query: query([("post_logout_redirect_uri", "https://app.example/bye")]), sessionCookie: nil) == .signedOut)
        #expect(try await endpoint.logout(query: [], sessionCookie: nil) == .signedOut)

        try await bed.store.createSession(
            Session(idHash: SecretHasher.hash("cookie-2"), userID: "u1", csrfToken: "c", createdAt: bed.clock.now(), expiresAt: bed.clock.now() + 60)
        )
        let forged = String(hint.dropLast(4)) + "AAAA"
        await #expect(throws: OAuthError.self) {
            try await endpoint.logout(query: query([("id_token_hint", forged)]), sessionCookie: "cookie-2")
        }
        #expect(try await bed.store.session(idHash: SecretHasher.hash("cookie-2")) != nil)
    }

    // MARK: Error codes

    @Test("every code of SPEC §11's added list is in the catalog with its status", .spec("errors.added-codes"))
    func addedCodes() {
        let expected: [(String, HTTPResponse.Status)] = [
            ("invalid_target", .badRequest), ("invalid_client_metadata", .badRequest), ("invalid_redirect_uri", .badRequest),
            // Redirect errors (OpenID Connect Core §3.1.2.6); 400 in JSON, like access_denied.
            ("login_required", .badRequest), ("consent_required", .badRequest), ("interaction_required", .badRequest),
            ("authorization_pending", .badRequest), ("slow_down", .badRequest), ("expired_token", .badRequest),
            ("not_found", .notFound), ("conflict", .conflict),
        ]
        for (code, status) in expected {
            let entry = ErrorCatalog.entries.first { $0.code.rawValue == code }
            #expect(entry != nil, "\(code) missing from the catalog")
            #expect(entry?.status == status, "\(code)")
            for language in ErrorCatalog.languages {
                #expect(entry.map { !$0.message.text(in: language).isEmpty } ?? false, "\(code) has no \(language) text")
            }
            #expect(entry.map { !$0.meaning.isEmpty && !$0.advice.isEmpty } ?? false, "\(code) is undocumented")
        }
    }
}
