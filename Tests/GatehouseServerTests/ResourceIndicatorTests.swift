import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// SPEC §10 "Resource indicators (RFC 8707) and protected resource metadata (RFC 9728)" over HTTP,
/// on both databases. The invalid_target rows themselves are `ResourceIndicatorRowTests` (core).
@Suite("Resource indicators and protected resource metadata")
struct ResourceIndicatorTests {
    static let notes = "https://api.example/notes"
    static let calendar = "https://api.example/calendar"
    static let apiResource = "\(LiveServer.issuer)/api"
    static let metadataURL = "\(LiveServer.issuer)/.well-known/oauth-protected-resource/api"

    static func configure(_ configuration: inout ServerConfiguration) {
        configuration.resources = [notes, calendar]
    }

    static func resourceParameters(_ resources: [String]) -> String {
        resources.map { "&resource=\(LiveServer.RegisteredClient.formEncode($0))" }.joined()
    }

    /// The `aud` claim of a JWT, read without verifying it (the JWT tests verify the signature).
    static func audClaim(of jwt: String) -> Any? {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        guard let data = Data(base64Encoded: payload), let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return claims["aud"]
    }

    @Test(
        "aud of JWT and introspection: access_token_audience without resource, the resource alone as a string, several as an array",
        .spec("indicators.invalid_target"), arguments: Backend.available
    )
    func audience(backend: Backend) async throws {
        let configure: @Sendable (inout ServerConfiguration) -> Void = { configuration in
            Self.configure(&configuration)
            configuration.accessTokenFormat = .jwt
        }
        try await LiveServer.run(backend, configure: configure) { server in
            let client = try await server.register(scopes: ["read"])
            let cases: [(resources: [String], aud: Any)] = [
                ([], LiveServer.issuer), ([Self.notes], Self.notes), ([Self.notes, Self.calendar], [Self.notes, Self.calendar]),
            ]
            for (resources, expected) in cases {
                let response = try await server.token(
                    form: "grant_type=client_credentials" + Self.resourceParameters(resources), authorization: client.basicAuthorization
                )
                #expect(response.status == .ok, "\(response.text)")
                let token = try #require(response.json["access_token"] as? String)
                let introspected = try await server.introspect(token, authorization: client.basicAuthorization).json
                #expect(introspected["active"] as? Bool == true)
                if let expected = expected as? String {
                    #expect(Self.audClaim(of: token) as? String == expected)
                    #expect(introspected["aud"] as? String == expected)
                } else {
                    #expect(Self.audClaim(of: token) as? [String] == expected as? [String])
                    #expect(introspected["aud"] as? [String] == expected as? [String])
                }
            }
        }
    }

    @Test(
        "the code flow remembers the resources of the authorization request; exchange and refresh narrow them, never widen",
        .spec("indicators.narrowing"), arguments: Backend.available
    )
    func narrowing(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.configure) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var query = AuthorizationQuery()
            query.extra = [("resource", Self.notes), ("resource", Self.calendar)]
            let code = try await server.obtainCode(for: client, user: user, query: query)
            let exchanged = try await server.redeem(code, client: client, extra: Self.resourceParameters([Self.calendar]))
            #expect(exchanged.status == .ok, "\(exchanged.text)")
            let access = try #require(exchanged.json["access_token"] as? String)
            let refresh = try #require(exchanged.json["refresh_token"] as? String)
            #expect(try await server.introspect(access, authorization: client.basicAuthorization).json["aud"] as? String == Self.calendar)

            // A refresh without resource gets the grant's resources back; with one, that one.
            let whole = try await server.token(form: "grant_type=refresh_token&refresh_token=\(refresh)", authorization: client.basicAuthorization)
            let wholeAccess = try #require(whole.json["access_token"] as? String)
            #expect(
                try await server.introspect(wholeAccess, authorization: client.basicAuthorization).json["aud"] as? [String]
                    == [Self.notes, Self.calendar])
            let next = try #require(whole.json["refresh_token"] as? String)
            let widened = try await server.token(
                form: "grant_type=refresh_token&refresh_token=\(next)" + Self.resourceParameters([Self.notes, Self.apiResource]),
                authorization: client.basicAuthorization
            )
            expectOAuthError(widened, status: .badRequest, error: .invalidTarget)
            // The refused refresh wrote nothing: the token still works, narrowed.
            let narrowed = try await server.token(
                form: "grant_type=refresh_token&refresh_token=\(next)" + Self.resourceParameters([Self.notes]),
                authorization: client.basicAuthorization
            )
            let narrowedAccess = try #require(narrowed.json["access_token"] as? String)
            #expect(try await server.introspect(narrowedAccess, authorization: client.basicAuthorization).json["aud"] as? String == Self.notes)
        }
    }

    @Test(
        "a bad resource on the authorization request goes back to the client as error=invalid_target", .spec("indicators.invalid_target"),
        arguments: Backend.available
    )
    func authorizationRedirect(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.configure) { server in
            let client = try await server.registerWebApp()
            var query = AuthorizationQuery(clientID: client.id)
            query.extra = [("resource", "https://api.example/mail")]
            var flow = BrowserFlow(server: server)
            let response = try await flow.open(query.string)
            #expect(response.status == .found)
            let parameters = redirectParameters(response)
            #expect(response.headers[.location]?.hasPrefix("http://127.0.0.1:9000/cb?") == true)
            #expect(parameters["error"] == "invalid_target")
            #expect(parameters["error_uri"] == "\(LiveServer.issuer)/docs/errors#invalid_target")
            #expect(parameters["state"] == "st-123")
            #expect(parameters["iss"] == LiveServer.issuer)
        }
    }

    @Test(
        "a resource not listed at the token endpoint: 400 invalid_target with the headers of SPEC §5", .spec("indicators.invalid_target"),
        arguments: Backend.available
    )
    func tokenEndpointRefusal(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.configure) { server in
            let client = try await server.register()
            for resource in ["https://api.example/mail", "https://api.example/notes#x", "notes"] {
                let response = try await server.token(
                    form: "grant_type=client_credentials" + Self.resourceParameters([resource]), authorization: client.basicAuthorization
                )
                expectOAuthError(response, status: .badRequest, error: .invalidTarget)
                #expect(response.headers[.wwwAuthenticate] == nil)
            }
        }
    }

    @Test(
        "/api/me takes tokens for {issuer}/api and tokens without resource, refuses tokens only for other resources",
        .spec("indicators.resource-identifier"), arguments: Backend.available
    )
    func apiAudience(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.configure) { server in
            let client = try await server.register(scopes: ["profile"])
            func call(_ resources: [String]) async throws -> TestResponse {
                let issued = try await server.token(
                    form: "grant_type=client_credentials" + Self.resourceParameters(resources), authorization: client.basicAuthorization
                )
                let token = try #require(issued.json["access_token"] as? String, "\(issued.text)")
                return try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(token)"])
            }
            #expect(try await call([]).status == .ok)
            #expect(try await call([Self.apiResource]).status == .ok)
            #expect(try await call([Self.notes, Self.apiResource]).status == .ok)

            let refused = try await call([Self.notes])
            expectOAuthError(refused, status: .unauthorized, error: .invalidToken)
            let description = ErrorCatalog.entry(for: .invalidToken).message.english
            #expect(
                refused.headers[.wwwAuthenticate]
                    == #"Bearer realm="gatehouse", error="invalid_token", error_description="\#(description)", resource_metadata="\#(Self.metadataURL)""#
            )

            let anonymous = try await server.send(.get, "/api/me")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="gatehouse", resource_metadata="\#(Self.metadataURL)""#)

            // 403 is not a 401: no resource_metadata there (RFC 9728 §5.1 names the 401 challenge).
            let (_, readOnly) = try await server.serviceToken(scopes: ["read"])
            let forbidden = try await server.send(.get, "/api/me", headers: [.authorization: "Bearer \(readOnly)"])
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.headers[.wwwAuthenticate]?.contains("resource_metadata") == false)
        }
    }

    @Test(
        "GET /.well-known/oauth-protected-resource/api is the RFC 9728 document of {issuer}/api", .spec("indicators.resource-identifier"),
        arguments: Backend.available
    )
    func metadataDocument(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let response = try await server.send(.get, "/.well-known/oauth-protected-resource/api")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let document = response.json
            #expect(document["resource"] as? String == Self.apiResource)
            #expect(document["authorization_servers"] as? [String] == [LiveServer.issuer])
            #expect(document["scopes_supported"] as? [String] == ["profile"])
            #expect(document["bearer_methods_supported"] as? [String] == ["header"])
            #expect(try await server.send(.head, "/.well-known/oauth-protected-resource/api").status == .ok)
            let post = try await server.send(.post, "/.well-known/oauth-protected-resource/api")
            expectOAuthError(post, status: .methodNotAllowed, error: .invalidRequest)
            #expect(post.headers[.allow] == "GET, HEAD")
        }
    }
}
