import Foundation
import GatehouseCore
import GatehouseResource
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §11 "Token exchange (RFC 8693)" over HTTP, on both databases. The error rows themselves are
/// `TokenExchangeTests` (core, no socket); here a few of each code with the §5 headers, the service-
/// to-service flow end to end, and `GatehouseResource` accepting an exchanged token.
@Suite("Token exchange over HTTP")
struct TokenExchangeLiveTests {
    static let notes = "https://api.example/notes"
    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    /// A user's access and refresh token at a web app (scope `profile read`), and a service
    /// registered for token exchange that may use `read profile`.
    struct Setup: Sendable {
        let user: User
        let webApp: LiveServer.RegisteredClient
        let service: LiveServer.RegisteredClient
        let accessToken: String
        let refreshToken: String

        static func make(_ server: LiveServer) async throws -> Setup {
            let webApp = try await server.registerWebApp()
            let user = try await server.createUser()
            var query = AuthorizationQuery()
            query.scope = "profile read"
            let tokens = try await server.redeem(try await server.obtainCode(for: webApp, user: user, query: query), client: webApp).json
            let service = try await server.register(grantTypes: [.tokenExchange, .clientCredentials], scopes: ["read", "profile"])
            return Setup(
                user: user, webApp: webApp, service: service, accessToken: try #require(tokens["access_token"] as? String),
                refreshToken: try #require(tokens["refresh_token"] as? String)
            )
        }

        /// The exchange form for the user's access token, with `extra` parameters.
        func form(_ extra: String = "", subject: String? = nil) -> String {
            "grant_type=\(LiveServer.RegisteredClient.formEncode(TokenExchangeLiveTests.grantType))"
                + "&subject_token=\(subject ?? accessToken)&subject_token_type=\(LiveServer.RegisteredClient.formEncode(TokenExchangeLiveTests.accessTokenType))"
                + extra
        }
    }

    /// The claims of a JWT, read without verifying it (the resource test verifies it).
    static func claims(of jwt: String) -> [String: Any] {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3 else { return [:] }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        guard let data = Data(base64Encoded: payload) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    @Test(
        "a service exchanges a user's token for a narrower one with act; revoking the user's refresh token ends it",
        .spec("exchange.invalid_request"), arguments: Backend.available
    )
    func serviceToService(backend: Backend) async throws {
        let configure: @Sendable (inout ServerConfiguration) -> Void = {
            $0.resources = [Self.notes]
            $0.accessTokenFormat = .jwt
        }
        try await LiveServer.run(backend, configure: configure) { server in
            let setup = try await Setup.make(server)
            let actor = try #require(
                try await server.token(form: "grant_type=client_credentials&scope=read", authorization: setup.service.basicAuthorization)
                    .json["access_token"] as? String
            )
            let response = try await server.token(
                form: setup.form(
                    "&scope=read&resource=\(LiveServer.RegisteredClient.formEncode(Self.notes))&actor_token=\(actor)"
                        + "&actor_token_type=\(LiveServer.RegisteredClient.formEncode(Self.accessTokenType))"
                ),
                authorization: setup.service.basicAuthorization
            )
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.pragma] == "no-cache")
            let body = response.json
            #expect(body["issued_token_type"] as? String == Self.accessTokenType)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["scope"] as? String == "read")
            #expect(body["refresh_token"] == nil)
            let expiresIn = try #require(body["expires_in"] as? Int)
            #expect(expiresIn > 3500 && expiresIn <= 3600)
            let token = try #require(body["access_token"] as? String)
            let claims = Self.claims(of: token)
            #expect(claims["sub"] as? String == setup.user.id)
            #expect(claims["client_id"] as? String == setup.service.id)
            #expect(claims["aud"] as? String == Self.notes)
            #expect((claims["act"] as? [String: Any])?["sub"] as? String == setup.service.id)

            let introspected = try await server.introspect(token, authorization: setup.service.basicAuthorization).json
            #expect(introspected["active"] as? Bool == true)
            #expect(introspected["sub"] as? String == setup.user.id)
            #expect(introspected["username"] as? String == setup.user.username)
            #expect((introspected["act"] as? [String: Any])?["sub"] as? String == setup.service.id)

            #expect(try await server.revoke("token=\(setup.refreshToken)", authorization: setup.webApp.basicAuthorization).status == .ok)
            #expect(try await server.introspect(token, authorization: setup.service.basicAuthorization).json["active"] as? Bool == false)
            let again = try await server.token(form: setup.form(), authorization: setup.service.basicAuthorization)
            expectOAuthError(again, status: .badRequest, error: .invalidRequest)
        }
    }

    /// One error of the exchange, asked over HTTP.
    struct ErrorRow: Sendable, CustomTestStringConvertible {
        let spec: String?
        let situation: String
        let form: @Sendable (Setup) -> String
        var byWebApp = false
        let error: OAuthErrorCode
        var testDescription: String { "\(error.rawValue): \(situation)" }

        static let all: [ErrorRow] = [
            ErrorRow(
                spec: "exchange.invalid_request", situation: "subject_token missing",
                form: {
                    $0.form().replacingOccurrences(of: "&subject_token=\($0.accessToken)", with: "")
                }, error: .invalidRequest),
            ErrorRow(
                spec: "exchange.invalid_request", situation: "an unknown subject token", form: { $0.form(subject: "gtha_unknown") }, error: .invalidRequest),
            ErrorRow(
                spec: "exchange.invalid_request", situation: "requested_token_type an ID token",
                form: {
                    $0.form("&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token")
                }, error: .invalidRequest),
            ErrorRow(spec: "exchange.invalid_scope", situation: "a scope beyond the subject token's", form: { $0.form("&scope=write") }, error: .invalidScope),
            ErrorRow(spec: "exchange.invalid_target", situation: "an unknown audience", form: { $0.form("&audience=mail") }, error: .invalidTarget),
            ErrorRow(
                spec: "exchange.invalid_target", situation: "an unknown resource",
                form: {
                    $0.form("&resource=https%3A%2F%2Fapi.example%2Fmail")
                }, error: .invalidTarget),
            ErrorRow(spec: nil, situation: "a client not registered for token exchange", form: { $0.form() }, byWebApp: true, error: .unauthorizedClient),
        ]
    }

    @Test("SPEC §11 errors over HTTP: status, error and the §5 headers", arguments: Backend.available, ErrorRow.all)
    func errors(backend: Backend, row: ErrorRow) async throws {
        try await LiveServer.run(backend, configure: { $0.resources = [Self.notes] }) { server in
            let setup = try await Setup.make(server)
            let client = row.byWebApp ? setup.webApp : setup.service
            let response = try await server.token(form: row.form(setup), authorization: client.basicAuthorization)
            expectOAuthError(response, status: .badRequest, error: row.error)
            #expect(response.headers[.wwwAuthenticate] == nil)
        }
    }

    /// An API that is not Gatehouse, answering whose notes and who acts, from `GatehouseResource`'s claims.
    static func runActorAwareAPI(verifier: any AccessTokenVerifier, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: RemoteResourceServer.Context.self)
        router.group("/notes")
            .add(middleware: BearerTokenMiddleware<RemoteResourceServer.Context>(verifier: verifier, realm: "notes", scope: ["read"]))
            .get { _, context in
                "notes of \(context.accessToken?.subject ?? "nobody") by \(context.accessToken?.actor?.subjects.joined(separator: ",") ?? "nobody")"
            }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client) }
    }

    @Test(
        "GatehouseResource accepts an exchanged token with its act: store mode, JWKS mode and introspection mode", arguments: Backend.available
    )
    func resourceAccepts(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.accessTokenFormat = .jwt }) { server in
            let setup = try await Setup.make(server)
            let actor = try #require(
                try await server.token(form: "grant_type=client_credentials", authorization: setup.service.basicAuthorization)
                    .json["access_token"] as? String
            )
            let response = try await server.token(
                form: setup.form("&actor_token=\(actor)&actor_token_type=\(LiveServer.RegisteredClient.formEncode(Self.accessTokenType))"),
                authorization: setup.service.basicAuthorization
            )
            let token = try #require(response.json["access_token"] as? String, "\(response.text)")
            let expected = "notes of \(setup.user.id) by \(setup.service.id)"
            // Store mode: Gatehouse's own /api/me, which needs `profile`.
            let me = try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(token)"])
            #expect(me.status == .ok, "\(me.text)")
            #expect(me.json["sub"] as? String == setup.user.id)

            let port = try #require(server.client.port)
            let jwks = JWKSVerifier(jwksURL: "http://127.0.0.1:\(port)/oauth2/jwks", issuer: LiveServer.issuer, audience: LiveServer.issuer)
            try await Self.runActorAwareAPI(verifier: jwks) { api in
                let ok = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(ok.status == .ok)
                #expect(String(buffer: ok.body) == expected)
            }

            let secret = SecretGenerator().make(.clientSecret)
            let api = Client(
                id: SecretGenerator().makeIdentifier(), name: uniqueName("notes-api"), secretHash: SecretHasher.hash(secret),
                grantTypes: [.clientCredentials], canIntrospect: true, createdAt: Date()
            )
            try await server.store.createClient(api)
            let introspection = IntrospectionVerifier(
                introspectionURL: "http://127.0.0.1:\(port)/oauth2/introspect", clientID: api.id, clientSecret: secret, cacheLifetime: 0
            )
            try await Self.runActorAwareAPI(verifier: introspection) { resource in
                let ok = try await resource.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(ok.status == .ok)
                #expect(String(buffer: ok.body) == expected)
                // Revoking the subject token ends the exchanged one at the resource too.
                #expect(try await server.revoke("token=\(setup.accessToken)", authorization: setup.webApp.basicAuthorization).status == .ok)
                let refused = try await resource.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                expectBearerChallenge(refused, status: .unauthorized, error: "invalid_token", realm: "notes")
                // And the revoked subject token cannot be exchanged again.
                let again = try await server.token(form: setup.form(), authorization: setup.service.basicAuthorization)
                expectOAuthError(again, status: .badRequest, error: .invalidRequest)
            }
        }
    }
}
