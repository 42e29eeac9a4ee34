import Foundation
import GatehouseCore
import GatehouseResource
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// A row of SPEC.md's RFC 6750 table, asked of `GET /api/me`.
struct BearerRow: Sendable, CustomTestStringConvertible {
    /// The SPEC.md row (`SpecRows` in GatehouseCoreTests) this situation belongs to, if it has one.
    var spec: String?
    let situation: String
    /// The Authorization header, from a valid `profile` token and a valid `read`-only token.
    let authorization: @Sendable (_ profileToken: String, _ readToken: String) -> String?
    let status: HTTPResponse.Status
    let error: String?
    var testDescription: String { situation }

    static let all: [BearerRow] = [
        BearerRow(spec: "resource.no-header", situation: "no Authorization header", authorization: { _, _ in nil }, status: .unauthorized, error: nil),
        BearerRow(spec: "resource.other-scheme", situation: "another scheme", authorization: { _, _ in "Basic YTpi" }, status: .unauthorized, error: nil),
        BearerRow(
            spec: "resource.invalid_request", situation: "Bearer without a token", authorization: { _, _ in "Bearer" }, status: .badRequest,
            error: "invalid_request"),
        BearerRow(
            spec: "resource.invalid_request", situation: "Bearer with two tokens", authorization: { p, r in "Bearer \(p) \(r)" }, status: .badRequest,
            error: "invalid_request"),
        BearerRow(
            spec: "resource.invalid_request", situation: "characters outside b64token", authorization: { _, _ in "Bearer abc$def" }, status: .badRequest,
            error: "invalid_request"),
        BearerRow(
            spec: "resource.invalid_token", situation: "unknown token", authorization: { _, _ in "Bearer gtha_unknown" }, status: .unauthorized,
            error: "invalid_token"),
        BearerRow(
            spec: "resource.insufficient_scope", situation: "token lacking the scope", authorization: { _, r in "Bearer \(r)" }, status: .forbidden,
            error: "insufficient_scope"),
        BearerRow(situation: "lower-case scheme, valid token", authorization: { p, _ in "bearer \(p)" }, status: .ok, error: nil),
    ]
}

/// Checks a `WWW-Authenticate: Bearer` challenge and its parameters (RFC 6750 §3).
func expectBearerChallenge(_ response: TestResponse, status: HTTPResponse.Status, error: String?, scope: String? = nil, realm: String = "gatehouse") {
    #expect(response.status == status)
    guard status != .ok else { return }
    let challenge = response.headers[.wwwAuthenticate] ?? ""
    #expect(challenge.hasPrefix("Bearer realm=\"\(realm)\""), "\(challenge)")
    if let error {
        #expect(challenge.contains("error=\"\(error)\""), "\(challenge)")
        #expect(challenge.contains("error_description=\""), "\(challenge)")
        #expect(response.json["error"] as? String == error)
    } else {
        #expect(!challenge.contains("error="), "\(challenge)")
    }
    if let scope {
        #expect(challenge.contains("scope=\"\(scope)\""), "\(challenge)")
    }
}

@Suite("Protected resources (RFC 6750)")
struct ProtectedResourceTests {
    @Test("every row of the bearer table on GET /api/me", arguments: Backend.available, BearerRow.all)
    func bearerRow(backend: Backend, row: BearerRow) async throws {
        try await LiveServer.run(backend) { server in
            let (_, profileToken) = try await server.serviceToken(scopes: ["profile", "read"])
            let (_, readToken) = try await server.serviceToken(scopes: ["read"])
            var headers = HTTPFields()
            headers[.authorization] = row.authorization(profileToken, readToken)
            let response = try await server.send(.get, "/api/me", headers: headers)
            expectBearerChallenge(response, status: row.status, error: row.error, scope: row.error == "insufficient_scope" ? "profile" : nil)
        }
    }

    @Test("GET /api/me answers sub, username, client_id and scope for a user's token", arguments: Backend.available)
    func me(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let token = try #require(tokens.json["access_token"] as? String)
            let response = try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
            #expect(response.json["sub"] as? String == user.id)
            #expect(response.json["username"] as? String == user.username)
            #expect(response.json["client_id"] as? String == client.id)
            #expect(response.json["scope"] as? String == "profile")
        }
    }

    @Test("revoked and expired tokens are refused with invalid_token at once (store mode)", .spec("resource.invalid_token"), arguments: Backend.available)
    func revokedAndExpired(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, token) = try await server.serviceToken(scopes: ["profile"])
            #expect(try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(token)"]).status == .ok)
            #expect(try await server.revoke("token=\(token)", authorization: client.basicAuthorization).status == .ok)
            let revoked = try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(token)"])
            expectBearerChallenge(revoked, status: .unauthorized, error: "invalid_token")

            let (_, other) = try await server.serviceToken(scopes: ["profile"])
            try await server.store.database.withSQL { sql in
                try await sql.raw("UPDATE access_tokens SET expires_at = 0 WHERE token_hash = \(bind: SecretHasher.hash(other))").run()
            }
            expectBearerChallenge(
                try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(other)"]), status: .unauthorized, error: "invalid_token"
            )
        }
    }

    @Test("revoking a refresh token locks its access tokens out of /api/me at once", arguments: Backend.available)
    func refreshRevocationReachesTheMiddleware(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let access = try #require(tokens.json["access_token"] as? String)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            #expect(try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(access)"]).status == .ok)
            #expect(try await server.revoke("token=\(refresh)", authorization: client.basicAuthorization).status == .ok)
            expectBearerChallenge(
                try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(access)"]), status: .unauthorized, error: "invalid_token"
            )
        }
    }

    @Test("a refresh token is not a bearer credential", arguments: Backend.available)
    func refreshTokenRefused(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            expectBearerChallenge(
                try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(refresh)"]), status: .unauthorized, error: "invalid_token"
            )
        }
    }
}

/// An API that is not Gatehouse, protected by `GatehouseResource` against a running Gatehouse.
struct RemoteResourceServer {
    struct Context: RequestContext, BearerTokenRequestContext {
        var coreContext: CoreRequestContextStorage
        var accessToken: AccessTokenClaims?
        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            accessToken = nil
        }
    }

    static func run(verifier: any AccessTokenVerifier, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: Context.self)
        router.group("/notes")
            .add(middleware: BearerTokenMiddleware<Context>(verifier: verifier, realm: "notes", scope: ["read"]))
            .get { _, context in "notes of \(context.accessToken?.subject ?? "nobody")" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client) }
    }
}

@Suite("GatehouseResource against a running Gatehouse")
struct RemoteResourceTests {
    @Test("JWT mode: a valid token passes, a missing scope is 403, a forged one 401", arguments: Backend.available)
    func jwtMode(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.accessTokenFormat = .jwt }) { server in
            let port = try #require(server.client.port)
            let verifier = JWKSVerifier(
                jwksURL: "http://127.0.0.1:\(port)/oauth2/jwks", issuer: LiveServer.issuer, audience: LiveServer.issuer
            )
            let (_, token) = try await server.serviceToken(scopes: ["read"])
            let (_, profileOnly) = try await server.serviceToken(scopes: ["profile"])
            try await RemoteResourceServer.run(verifier: verifier) { api in
                let ok = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(ok.status == .ok)
                let missingScope = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(profileOnly)"])
                expectBearerChallenge(missingScope, status: .forbidden, error: "insufficient_scope", scope: "read", realm: "notes")
                let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
                let refused = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(forged)"])
                expectBearerChallenge(refused, status: .unauthorized, error: "invalid_token", realm: "notes")
            }
        }
    }

    @Test("introspection mode: a revoked token is refused once the cache entry expires", arguments: Backend.available)
    func introspectionMode(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let port = try #require(server.client.port)
            let secret = SecretGenerator().make(.clientSecret)
            let api = Client(
                id: SecretGenerator().makeIdentifier(), name: uniqueName("notes-api"), secretHash: SecretHasher.hash(secret),
                grantTypes: [.clientCredentials], canIntrospect: true, createdAt: Date()
            )
            try await server.store.createClient(api)
            // A zero cache lifetime makes every request ask Gatehouse, so the test needs no waiting.
            let verifier = IntrospectionVerifier(
                introspectionURL: "http://127.0.0.1:\(port)/oauth2/introspect", clientID: api.id, clientSecret: secret, cacheLifetime: 0
            )
            let (owner, token) = try await server.serviceToken(scopes: ["read"])
            try await RemoteResourceServer.run(verifier: verifier) { resource in
                let ok = try await resource.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(ok.status == .ok)
                #expect(String(buffer: ok.body) == "notes of \(owner.id)")
                #expect(try await server.revoke("token=\(token)", authorization: owner.basicAuthorization).status == .ok)
                let refused = try await resource.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                expectBearerChallenge(refused, status: .unauthorized, error: "invalid_token", realm: "notes")
            }
        }
    }
}
