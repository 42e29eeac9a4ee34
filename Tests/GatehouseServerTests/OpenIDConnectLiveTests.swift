import Crypto
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdBcrypt
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

/// SPEC §11 "OpenID Connect Core" over HTTP, on SQLite and PostgreSQL: discovery, the code flow
/// with its `id_token` checked the way a relying party does (discovery and JWKS only), UserInfo
/// with the RFC 6750 table, logout and `prompt=none`.
@Suite("OpenID Connect over HTTP")
struct OpenIDConnectLiveTests {
    static let redirectURI = "http://127.0.0.1:9000/cb"
    static let logoutURI = "http://127.0.0.1:9000/signed-out"

    /// A web app allowed the OpenID scopes, with a post-logout redirect URI, and a user with a
    /// profile.
    static func fixture(_ server: LiveServer) async throws -> (LiveServer.RegisteredClient, User) {
        let secret = SecretGenerator().make(.clientSecret)
        let client = Client(
            id: SecretGenerator().makeIdentifier(), name: uniqueName("rp"), secretHash: SecretHasher.hash(secret),
            redirectURIs: [redirectURI], grantTypes: [.authorizationCode, .refreshToken], scopes: ["openid", "profile", "email", "read"],
            createdAt: Date(), postLogoutRedirectURIs: [logoutURI]
        )
        try await server.store.createClient(client)
        let user = User(
            id: SecretGenerator().makeIdentifier(), username: uniqueName("alice"), passwordHash: Bcrypt.hash("correct horse", cost: 4),
            createdAt: Date(), email: "alice@example.com", name: "Alice Example"
        )
        try await server.store.createUser(user)
        return (LiveServer.RegisteredClient(id: client.id, secret: secret), user)
    }

    static func query(_ client: LiveServer.RegisteredClient, scope: String = "openid profile email", _ extra: [(String, String)] = []) -> String {
        AuthorizationQuery(clientID: client.id, scope: scope, extra: extra).string
    }

    @Test(
        "openid-configuration has exactly SPEC §11's fields; registration_endpoint only when registration is on", .spec("oidc.discovery"),
        arguments: Backend.available, [ServerConfiguration.RegistrationMode.off, .open]
    )
    func discovery(backend: Backend, registration: ServerConfiguration.RegistrationMode) async throws {
        try await LiveServer.run(backend, configure: { $0.registration = registration }) { server in
            _ = try await Self.fixture(server)
            let response = try await server.send(.get, "/.well-known/openid-configuration")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let json = response.json
            var expected: Set<String> = [
                "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint", "scopes_supported",
                "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported", "claims_supported",
                "grant_types_supported", "token_endpoint_auth_methods_supported", "code_challenge_methods_supported",
            ]
            if registration != .off { expected.insert("registration_endpoint") }
            #expect(Set(json.keys) == expected)
            let issuer = LiveServer.issuer
            #expect(json["issuer"] as? String == issuer)
            #expect(json["authorization_endpoint"] as? String == issuer + "/oauth2/authorize")
            #expect(json["token_endpoint"] as? String == issuer + "/oauth2/token")
            #expect(json["userinfo_endpoint"] as? String == issuer + "/oauth2/userinfo")
            #expect(json["jwks_uri"] as? String == issuer + "/oauth2/jwks")
            #expect(json["end_session_endpoint"] as? String == issuer + "/oauth2/logout")
            let scopes = Set(json["scopes_supported"] as? [String] ?? [])
            #expect(scopes.isSuperset(of: ["openid", "profile", "email"]))
            #expect(json["response_types_supported"] as? [String] == ["code"])
            #expect(json["subject_types_supported"] as? [String] == ["public"])
            #expect(json["id_token_signing_alg_values_supported"] as? [String] == ["ES256"])
            #expect(json["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(Set(json["claims_supported"] as? [String] ?? []).isSuperset(of: ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce"]))
            #expect((json["grant_types_supported"] as? [String])?.contains("authorization_code") == true)
            if registration != .off { #expect(json["registration_endpoint"] as? String == issuer + "/oauth2/register") }
            let wrongMethod = try await server.send(.post, "/.well-known/openid-configuration")
            expectOAuthError(wrongMethod, status: .methodNotAllowed, error: .invalidRequest)
            #expect(wrongMethod.headers[.allow] == "GET, HEAD")
        }
    }

    @Test(
        "the code flow with openid: an id_token a relying party verifies with discovery and the JWKS alone; a refresh keeps sub",
        .spec("oidc.id_token"), .spec("oidc.third-party"), arguments: Backend.available
    )
    func codeFlow(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, user) = try await Self.fixture(server)
            let query = AuthorizationQuery(clientID: client.id, scope: "openid profile", extra: [("nonce", "n-0S6_WzA2Mj")])
            let code = try await server.obtainCode(for: client, user: user, query: query)
            let tokens = try await server.redeem(code, client: client)
            #expect(tokens.status == .ok)
            #expect(tokens.headers[.cacheControl] == "no-store")
            let accessToken = try #require(tokens.json["access_token"] as? String)
            let idToken = try #require(tokens.json["id_token"] as? String)

            let claims = try await RelyingParty.verify(idToken, server: server, clientID: client.id, accessToken: accessToken)
            #expect(claims["sub"] as? String == user.id)
            #expect(claims["nonce"] as? String == "n-0S6_WzA2Mj")
            let iat = try #require(claims["iat"] as? Int)
            #expect(claims["exp"] as? Int == iat + server.configuration.idTokenTTL)
            let authTime = try #require(claims["auth_time"] as? Int)
            #expect(authTime <= iat && iat - authTime < 60)
            #expect((claims["sid"] as? String)?.isEmpty == false)

            let refreshed = try await server.refresh(try #require(tokens.json["refresh_token"] as? String), client: client)
            #expect(refreshed.status == .ok)
            let newAccess = try #require(refreshed.json["access_token"] as? String)
            let again = try await RelyingParty.verify(
                try #require(refreshed.json["id_token"] as? String), server: server, clientID: client.id, accessToken: newAccess
            )
            #expect(again["sub"] as? String == user.id)
            #expect(again["auth_time"] as? Int == authTime)
            #expect(again["sid"] as? String == claims["sid"] as? String)
            #expect(again["nonce"] == nil)

            // Without openid: no id_token.
            let plain = try await server.redeem(
                try await server.obtainCode(for: client, user: user, query: AuthorizationQuery(clientID: client.id, scope: "read")), client: client
            )
            #expect(plain.status == .ok && plain.json["id_token"] == nil)
        }
    }

    @Test(
        "jwt-kit, knowing only the issuer, verifies the id_token through discovery and the JWKS", .spec("oidc.third-party"),
        arguments: Backend.available
    )
    func jwtKitVerifies(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, user) = try await Self.fixture(server)
            let nonce = "jwt-kit-\(UUID().uuidString)"
            let query = AuthorizationQuery(clientID: client.id, scope: "openid", extra: [("nonce", nonce)])
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user, query: query), client: client)
            let idToken = try #require(tokens.json["id_token"] as? String)

            let discovery = try await server.send(.get, "/.well-known/openid-configuration").json
            let issuer = try #require(discovery["issuer"] as? String)
            let jwksURI = try #require(discovery["jwks_uri"] as? String)
            let jwks = try await server.send(.get, String(jwksURI.dropFirst(issuer.count))).text
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks)
            let payload = try await keys.verify(idToken, as: RelyingPartyIDToken.self)
            #expect(payload.iss.value == issuer)
            try payload.aud.verifyIntendedAudience(includes: client.id)
            #expect(payload.sub.value == user.id)
            #expect(payload.nonce == nonce)

            // A token signed by another key is refused by the same keys.
            let stranger = JWTKeyCollection()
            await stranger.add(ecdsa: ES256PrivateKey(), kid: "stranger")
            let forged = try await stranger.sign(payload, kid: "stranger")
            await #expect(throws: (any Error).self) { try await keys.verify(forged, as: RelyingPartyIDToken.self) }
        }
    }

    @Test("prompt=none without a session redirects with login_required, state and iss", .spec("oidc.authorization-request"), arguments: Backend.available)
    func promptNone(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, user) = try await Self.fixture(server)
            var browser = BrowserFlow(server: server)
            let none = Self.query(client, [("prompt", "none")])
            let refused = try await browser.open(none)
            #expect(refused.status == .found)
            let parameters = redirectParameters(refused)
            #expect(refused.headers[.location]?.hasPrefix(Self.redirectURI + "?") == true)
            #expect(parameters["error"] == "login_required")
            #expect(parameters["state"] == "st-123")
            #expect(parameters["iss"] == LiveServer.issuer)
            #expect(parameters["error_uri"] == LiveServer.issuer + "/docs/errors#login_required")

            // login_hint fills the form; after signing in without consent, prompt=none is consent_required.
            let page = try await browser.open(Self.query(client, [("login_hint", user.username)]))
            #expect(page.text.contains("value=\"\(user.username)\""))
            let consent = try await browser.submit(
                Self.query(client), page: page, fields: ["username": user.username, "password": "correct horse"]
            )
            #expect(consent.status == .ok)
            #expect(redirectParameters(try await browser.open(none))["error"] == "consent_required")
            let done = try await browser.submit(Self.query(client), page: consent, fields: ["decision": "allow"])
            #expect(redirectParameters(done)["code"] != nil)
            #expect(redirectParameters(try await browser.open(none))["code"] != nil)
            // prompt=login shows the form again.
            let again = try await browser.open(Self.query(client, [("prompt", "login")]))
            #expect(again.status == .ok && again.text.contains("name=\"password\""))
        }
    }

    @Test("UserInfo by GET and POST: claims by scope, and the RFC 6750 rows", .spec("oidc.userinfo"), arguments: Backend.available)
    func userInfo(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, user) = try await Self.fixture(server)
            let code = try await server.obtainCode(for: client, user: user, query: AuthorizationQuery(clientID: client.id, scope: "openid profile email"))
            let token = try #require(try await server.redeem(code, client: client).json["access_token"] as? String)
            for method in [HTTPRequest.Method.get, .post] {
                let response = try await server.send(method, "/oauth2/userinfo", headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.json["sub"] as? String == user.id)
                #expect(response.json["preferred_username"] as? String == user.username)
                #expect(response.json["name"] as? String == "Alice Example")
                #expect(response.json["email"] as? String == "alice@example.com")
                #expect(response.json["email_verified"] as? Bool == false)
            }
            let profileOnly = try await server.obtainCode(for: client, user: user, query: AuthorizationQuery(clientID: client.id, scope: "openid profile"))
            let profileToken = try #require(try await server.redeem(profileOnly, client: client).json["access_token"] as? String)
            let limited = try await server.send(.get, "/oauth2/userinfo", headers: [.authorization: "Bearer \(profileToken)"])
            #expect(limited.json["email"] == nil && limited.json["preferred_username"] as? String == user.username)

            // RFC 6750: no token, an unknown one, one without openid.
            expectBearerChallenge(try await server.send(.get, "/oauth2/userinfo"), status: .unauthorized, error: nil)
            let unknown = try await server.send(.get, "/oauth2/userinfo", headers: [.authorization: "Bearer gtha_unknown"])
            expectBearerChallenge(unknown, status: .unauthorized, error: "invalid_token")
            expectOAuthError(unknown, status: .unauthorized, error: .invalidToken)
            let readOnly = try await server.obtainCode(for: client, user: user, query: AuthorizationQuery(clientID: client.id, scope: "read"))
            let readToken = try #require(try await server.redeem(readOnly, client: client).json["access_token"] as? String)
            let insufficient = try await server.send(.post, "/oauth2/userinfo", headers: [.authorization: "Bearer \(readToken)"])
            expectBearerChallenge(insufficient, status: .forbidden, error: "insufficient_scope", scope: "openid")
            let wrongMethod = try await server.send(.delete, "/oauth2/userinfo", headers: [.authorization: "Bearer \(token)"])
            #expect(wrongMethod.status == .methodNotAllowed)
        }
    }

    @Test(
        "logout ends the session: to a registered post_logout_redirect_uri with state, else the signed-out page", .spec("oidc.logout"),
        arguments: Backend.available
    )
    func logout(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, user) = try await Self.fixture(server)
            var browser = BrowserFlow(server: server)
            let done = try await browser.signInAndAllow(Self.query(client), username: user.username, password: "correct horse")
            let code = try #require(redirectParameters(done)["code"])
            let idToken = try #require(try await server.redeem(code, client: client).json["id_token"] as? String)
            let cookie = try #require(browser.sessionCookie)

            let target = LiveServer.RegisteredClient.formEncode(Self.logoutURI)
            let redirected = try await server.send(
                .get, "/oauth2/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(target)&state=bye-1",
                headers: [.cookie: "gatehouse_session=\(cookie)"]
            )
            #expect(redirected.status == .found)
            #expect(redirected.headers[.location] == Self.logoutURI + "?state=bye-1")
            let cleared = redirected.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_session=") } ?? ""
            #expect(cleared.contains("Max-Age=0"), "\(cleared)")
            #expect(try await server.store.session(idHash: SecretHasher.hash(cookie)) == nil)
            // The browser is signed out: the next request shows the login form.
            let next = try await browser.open(Self.query(client))
            #expect(next.status == .ok && next.text.contains("name=\"password\""))

            // A URI the client did not register, or no hint: the signed-out page, in the asked language.
            let elsewhere = LiveServer.RegisteredClient.formEncode("https://evil.example/")
            for path in [
                "/oauth2/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(elsewhere)", "/oauth2/logout?ui_locales=de",
            ] {
                let page = try await server.send(.get, path)
                #expect(page.status == .ok)
                #expect(page.headers[.location] == nil)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(page.headers[.xFrameOptions] == "DENY")
                #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
            let german = try await server.send(.get, "/oauth2/logout?ui_locales=de")
            #expect(german.text.contains("Sie sind abgemeldet") && german.headers[.contentLanguage] == "de")

            // A hint that is not our id_token: 400, nothing followed.
            let forged = try await server.send(
                .get, "/oauth2/logout?id_token_hint=\(idToken.dropLast(6))AAAAAA&post_logout_redirect_uri=\(target)",
                headers: [.accept: "application/json"]
            )
            expectOAuthError(forged, status: .badRequest, error: .invalidRequest)
            #expect(forged.headers[.location] == nil)
            expectOAuthError(try await server.send(.post, "/oauth2/logout"), status: .methodNotAllowed, error: .invalidRequest)
        }
    }
}

/// The claims a relying party reads from an `id_token`, as jwt-kit decodes them; `verify` checks
/// `exp` (OpenID Connect Core §3.1.3.7).
struct RelyingPartyIDToken: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nonce: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// What a relying party does with an `id_token`, written here from the specifications alone
/// (OpenID Connect Core §3.1.3.7, Discovery §4, RFC 7517/7518) rather than with Gatehouse's own
/// verifier: find the keys through discovery, check the ES256 signature with the JWK of the
/// header's `kid`, then `iss`, `aud`, `exp` and `at_hash`.
enum RelyingParty {
    static func verify(_ idToken: String, server: LiveServer, clientID: String, accessToken: String) async throws -> [String: Any] {
        let discovery = try await server.send(.get, "/.well-known/openid-configuration").json
        let issuer = try #require(discovery["issuer"] as? String)
        let jwksURI = try #require(discovery["jwks_uri"] as? String)
        #expect(jwksURI.hasPrefix(issuer))
        let jwks = try await server.send(.get, String(jwksURI.dropFirst(issuer.count))).json
        let keys = try #require(jwks["keys"] as? [[String: Any]])

        let parts = idToken.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)
        let header = try #require(try JSONSerialization.jsonObject(with: try decode(parts[0])) as? [String: Any])
        #expect(header["alg"] as? String == "ES256")
        let kid = try #require(header["kid"] as? String)
        let jwk = try #require(keys.first { $0["kid"] as? String == kid })
        #expect(jwk["kty"] as? String == "EC" && jwk["crv"] as? String == "P-256")
        let x = try decode(try #require(jwk["x"] as? String))
        let y = try decode(try #require(jwk["y"] as? String))
        let publicKey = try P256.Signing.PublicKey(x963Representation: Data([0x04]) + x + y)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: try decode(parts[2]))
        #expect(publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)), "signature")

        let claims = try #require(try JSONSerialization.jsonObject(with: try decode(parts[1])) as? [String: Any])
        #expect(claims["iss"] as? String == issuer)
        #expect(claims["aud"] as? String == clientID)
        let exp = try #require(claims["exp"] as? Int)
        #expect(Double(exp) > Date().timeIntervalSince1970)
        let digest = Data(SHA256.hash(data: Data(accessToken.utf8))).prefix(16)
        #expect(claims["at_hash"] as? String == base64URL(digest))
        return claims
    }

    static func decode(_ text: String) throws -> Data {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return try #require(Data(base64Encoded: standard))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
