import Foundation
import GatehouseCore
import GatehouseResource
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `GatehouseResource` given its resource identifier (RFC 8707, RFC 9728): it checks `aud`, names its
/// metadata in 401 challenges and serves the metadata, whatever the verifier.
@Suite("GatehouseResource with a resource identifier")
struct ProtectedResourceMiddlewareTests {
    static let issuer = "https://auth.example.test"
    static let notes = ProtectedResource(
        identifier: "https://api.example.test/notes", authorizationServers: [issuer], scopesSupported: ["read"]
    )
    static let metadataURL = "https://api.example.test/.well-known/oauth-protected-resource/notes"

    struct Context: RequestContext, BearerTokenRequestContext {
        var coreContext: CoreRequestContextStorage
        var accessToken: AccessTokenClaims?
        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            accessToken = nil
        }
    }

    /// The API `notes` behind the middleware, and its metadata, on a free port.
    static func runAPI(verifier: any AccessTokenVerifier, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: Context.self)
        router.addProtectedResourceMetadata(notes)
        router.group("/notes")
            .add(middleware: BearerTokenMiddleware<Context>(verifier: verifier, realm: "notes", scope: ["read"], resource: notes))
            .get { _, context in "notes of \(context.accessToken?.subject ?? "nobody")" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client) }
    }

    func jwt(_ key: SigningKey, audience: [String], scope: ScopeSet = ["read"]) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        let claims = JWTAccessToken.Claims(
            issuer: Self.issuer, subject: "alice", audience: audience, expiresAt: now + 3600, issuedAt: now, tokenID: UUID().uuidString,
            clientID: "notes-app", scope: scope
        )
        return try JWTAccessToken.sign(claims, with: key)
    }

    @Test(
        "the metadata URL is the identifier's with the well-known path inserted after the host (RFC 9728 §3.1)",
        arguments: [
            ("https://api.example.com", "https://api.example.com/.well-known/oauth-protected-resource"),
            ("https://api.example.com/", "https://api.example.com/.well-known/oauth-protected-resource"),
            ("https://api.example.com/notes", "https://api.example.com/.well-known/oauth-protected-resource/notes"),
            ("https://api.example.com/notes/", "https://api.example.com/.well-known/oauth-protected-resource/notes"),
            (
                "https://api.example.com:8443/v1/notes?tenant=a",
                "https://api.example.com:8443/.well-known/oauth-protected-resource/v1/notes?tenant=a"
            ),
        ]
    )
    func metadataURL(identifier: String, expected: String) {
        let resource = ProtectedResource(identifier: identifier, authorizationServers: [Self.issuer])
        #expect(resource.metadataURL == expected)
    }

    @Test("JWT: aud naming the resource passes (string or array), another aud is 401 with resource_metadata", .spec("indicators.resource-identifier"))
    func jwtAudience() async throws {
        let server = FakeAuthorizationServer()
        let key = SigningKey.generate(now: Date())
        server.serve(keys: [key])
        try await server.run { baseURL in
            let verifier = JWKSVerifier(jwksURL: "\(baseURL)/jwks", issuer: Self.issuer, audience: nil)
            let forNotes = try jwt(key, audience: [Self.notes.identifier])
            let forBoth = try jwt(key, audience: ["https://api.example.test/calendar", Self.notes.identifier])
            let forCalendar = try jwt(key, audience: ["https://api.example.test/calendar"])
            let noScope = try jwt(key, audience: [Self.notes.identifier], scope: ["write"])
            try await Self.runAPI(verifier: verifier) { api in
                for token in [forNotes, forBoth] {
                    let ok = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                    #expect(ok.status == .ok)
                    #expect(String(buffer: ok.body) == "notes of alice")
                }
                let refused = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(forCalendar)"])
                #expect(refused.status == .unauthorized)
                #expect(refused.json["error"] as? String == "invalid_token")
                #expect(refused.headers[.contentType] == "application/json; charset=utf-8")
                #expect(refused.headers[.contentLanguage] == "en")
                #expect(refused.headers[.cacheControl] == "no-store")
                #expect(refused.headers[.pragma] == "no-cache")
                #expect(refused.headers[.vary] == "Accept-Language")
                let description = ErrorCatalog.entry(for: .invalidToken).message.english
                #expect(
                    refused.headers[.wwwAuthenticate]
                        == #"Bearer realm="notes", error="invalid_token", error_description="\#(description)", resource_metadata="\#(Self.metadataURL)""#
                )
                let anonymous = try await api.execute(uri: "/notes", method: .get)
                #expect(anonymous.status == .unauthorized)
                #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="notes", resource_metadata="\#(Self.metadataURL)""#)
                let forbidden = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(noScope)"])
                #expect(forbidden.status == .forbidden)
                let scopeChallenge = #"Bearer realm="notes", error="insufficient_scope", error_description=""#
                #expect(forbidden.headers[.wwwAuthenticate]?.hasPrefix(scopeChallenge) == true)
                #expect(forbidden.headers[.wwwAuthenticate]?.contains("resource_metadata") == false)
            }
        }
    }

    @Test("without a resource the verifier's audience decides, as before")
    func verifierAudience() async throws {
        let server = FakeAuthorizationServer()
        let key = SigningKey.generate(now: Date())
        server.serve(keys: [key])
        try await server.run { baseURL in
            let verifier = JWKSVerifier(jwksURL: "\(baseURL)/jwks", issuer: Self.issuer, audience: Self.notes.identifier)
            let forNotes = try jwt(key, audience: [Self.notes.identifier])
            let forCalendar = try jwt(key, audience: ["https://api.example.test/calendar"])
            let verified = try await verifier.verify(forNotes)
            #expect(verified?.audience == [Self.notes.identifier])
            let refused = try await verifier.verify(forCalendar)
            #expect(refused == nil)
        }
    }

    @Test("introspection: aud as a string or an array is read; an answer without aud is refused", .spec("indicators.resource-identifier"))
    func introspectionAudience() async throws {
        let router = Router()
        router.post("/introspect") { request, _ -> Response in
            let form = String(buffer: try await request.body.collect(upTo: 1 << 16))
            let aud =
                switch form.split(separator: "&").first(where: { $0.hasPrefix("token=") }).map(String.init) ?? "" {
                case "token=one": #","aud":"https://api.example.test/notes""#
                case "token=many": #","aud":["https://api.example.test/calendar","https://api.example.test/notes"]"#
                case "token=other": #","aud":"https://api.example.test/calendar""#
                default: ""
                }
            let json = #"{"active":true,"client_id":"notes-app","scope":"read","token_type":"Bearer","sub":"alice""# + aud + "}"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let authorizationServer = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await authorizationServer.test(.live) { client in
            let port = try #require(client.port)
            let verifier = IntrospectionVerifier(
                introspectionURL: "http://127.0.0.1:\(port)/introspect", clientID: "api", clientSecret: "secret", cacheLifetime: 0
            )
            #expect(try await verifier.verify("many")?.audience == ["https://api.example.test/calendar", Self.notes.identifier])
            try await Self.runAPI(verifier: verifier) { api in
                for (token, status) in [("one", HTTPResponse.Status.ok), ("many", .ok), ("other", .unauthorized), ("none", .unauthorized)] {
                    let response = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(token)"])
                    #expect(response.status == status, "\(token)")
                }
            }
        }
    }

    @Test(
        "the metadata document: resource, authorization_servers, scopes_supported, bearer_methods_supported",
        .spec("indicators.resource-identifier")
    )
    func metadataDocument() async throws {
        try await Self.runAPI(verifier: StaticVerifier()) { api in
            let response = try await api.execute(uri: "/.well-known/oauth-protected-resource/notes", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(
                String(buffer: response.body)
                    == #"{"resource":"https://api.example.test/notes","authorization_servers":["https://auth.example.test"],"scopes_supported":["read"],"bearer_methods_supported":["header"]}"#
            )
        }
    }

    /// Never asked: the metadata needs no token.
    struct StaticVerifier: AccessTokenVerifier {
        func verify(_ token: String) async throws -> AccessTokenClaims? { nil }
    }
}
