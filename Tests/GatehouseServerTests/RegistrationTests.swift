import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// Dynamic client registration (RFC 7591) and its configuration endpoint (RFC 7592) over real
/// HTTP, in each mode of SPEC §10, on both databases.
@Suite("Dynamic client registration")
struct RegistrationTests {
    /// The registration of docs/guide.md "Developer portal: dynamic registration" (the same JSON object).
    static let guideRequest = """
        {"client_name": "Photo Printer", "redirect_uris": ["https://printer.example.com/callback"],
         "token_endpoint_auth_method": "client_secret_basic", "scope": "profile", "client_uri": "https://printer.example.com",
         "contacts": ["dev@printer.example.com"]}
        """

    static func open(_ configuration: inout ServerConfiguration) { configuration.registration = .open }
    static func token(_ configuration: inout ServerConfiguration) { configuration.registration = .token }

    static var json: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return headers
    }

    static func bearer(_ token: String) -> HTTPFields {
        var headers = json
        headers[.authorization] = "Bearer \(token)"
        return headers
    }

    // MARK: - Modes

    @Test(
        "off: 404 not_found in the format of SPEC §5, and no registration_endpoint in the metadata", .spec("registration.off"),
        arguments: Backend.available
    )
    func off(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            expectOAuthError(try await server.send(.post, "/oauth2/register", headers: Self.json, body: Self.guideRequest), status: .notFound, error: .notFound)
            let client = try await server.register()
            expectOAuthError(try await server.send(.get, "/oauth2/register/\(client.id)", headers: Self.bearer("gthg_x")), status: .notFound, error: .notFound)
            let metadata = try await server.send(.get, "/.well-known/oauth-authorization-server")
            #expect(metadata.status == .ok)
            #expect(metadata.json["registration_endpoint"] == nil)
        }
    }

    @Test("open: the guide's request registers a client, which completes the code flow", .spec("registration.open"), arguments: Backend.available)
    func openRegistration(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.open) { server in
            let metadata = try await server.send(.get, "/.well-known/oauth-authorization-server")
            #expect(metadata.json["registration_endpoint"] as? String == "\(LiveServer.issuer)/oauth2/register")

            let response = try await server.send(.post, "/oauth2/register", headers: Self.json, body: Self.guideRequest)
            #expect(response.status == .created, "\(response.text)")
            #expect(response.headers[.cacheControl] == "no-store" && response.headers[.pragma] == "no-cache")
            let body = response.json
            let clientID = try #require(body["client_id"] as? String)
            let secret = try #require(body["client_secret"] as? String)
            #expect(body["client_secret_expires_at"] as? Int == 0)
            // On the shared PostgreSQL an earlier run may hold the name: then the id is appended.
            #expect((body["client_name"] as? String)?.hasPrefix("Photo Printer") == true)
            #expect(body["redirect_uris"] as? [String] == ["https://printer.example.com/callback"])
            #expect(body["grant_types"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(body["response_types"] as? [String] == ["code"])
            #expect(body["token_endpoint_auth_method"] as? String == "client_secret_basic")
            #expect(body["scope"] as? String == "profile")
            #expect(body["client_uri"] as? String == "https://printer.example.com")
            #expect(body["contacts"] as? [String] == ["dev@printer.example.com"])
            #expect((body["client_id_issued_at"] as? Int).map { abs($0 - Int(Date().timeIntervalSince1970)) < 60 } == true)
            #expect((body["registration_access_token"] as? String)?.hasPrefix("gthg_") == true)
            #expect(body["registration_client_uri"] as? String == "\(LiveServer.issuer)/oauth2/register/\(clientID)")
            // Only hashes are stored.
            let stored = try #require(try await server.store.client(id: clientID))
            #expect(stored.secretHash == SecretHasher.hash(secret))
            #expect(stored.registrationAccessTokenHash == SecretHasher.hash(body["registration_access_token"] as? String ?? ""))

            // The same request again: RFC 7591 names need not be unique, so it registers too.
            let again = try await server.send(.post, "/oauth2/register", headers: Self.json, body: Self.guideRequest)
            #expect(again.status == .created)
            #expect((again.json["client_name"] as? String)?.hasPrefix("Photo Printer") == true)
            #expect(again.json["client_id"] as? String != clientID)

            let user = try await server.createUser()
            let client = LiveServer.RegisteredClient(id: clientID, secret: secret)
            let redirect = "https://printer.example.com/callback"
            let code = try await server.obtainCode(for: client, user: user, query: AuthorizationQuery(redirectURI: redirect))
            let tokens = try await server.redeem(code, client: client, redirectURI: redirect)
            #expect(tokens.status == .ok, "\(tokens.text)")
            #expect(tokens.json["scope"] as? String == "profile")
        }
    }

    @Test("open: a public native client with a private-use scheme completes the code flow with PKCE", arguments: Backend.available)
    func openPublicClient(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.open) { server in
            let response = try await server.send(
                .post, "/oauth2/register", headers: Self.json,
                body:
                    #"{"client_name":"Desktop","redirect_uris":["com.example.desktop:/cb","http://127.0.0.1/cb"],"token_endpoint_auth_method":"none","scope":"profile","software_id":"ignored"}"#
            )
            #expect(response.status == .created, "\(response.text)")
            #expect(response.json["client_secret"] == nil && response.json["client_secret_expires_at"] == nil)
            let client = LiveServer.RegisteredClient(id: try #require(response.json["client_id"] as? String), secret: nil)
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user, query: AuthorizationQuery(redirectURI: "com.example.desktop:/cb"))
            let tokens = try await server.redeem(code, client: client, redirectURI: "com.example.desktop:/cb")
            #expect(tokens.status == .ok, "\(tokens.text)")
        }
    }

    @Test(
        "open: past client_auth_failure_limit registrations from one address, 429 with Retry-After", .spec("registration.open"),
        arguments: Backend.available
    )
    func openLimit(backend: Backend) async throws {
        try await LiveServer.run(
            backend,
            configure: {
                $0.registration = .open; $0.clientAuthFailureLimit = 2
            }
        ) { server in
            let body = #"{"redirect_uris":["https://app.example/cb"]}"#
            for _ in 0..<2 {
                #expect(try await server.send(.post, "/oauth2/register", headers: Self.json, body: body).status == .created)
            }
            // A refused registration does not count toward the limit.
            expectOAuthError(
                try await server.send(.post, "/oauth2/register", headers: Self.json, body: "{}"), status: .badRequest, error: .invalidRedirectURI
            )
            let refused = try await server.send(.post, "/oauth2/register", headers: Self.json, body: body)
            expectOAuthError(refused, status: .tooManyRequests, error: .temporarilyUnavailable)
            let retryAfter = Int(refused.headers[.retryAfter] ?? "") ?? 0
            #expect(retryAfter > 0 && retryAfter <= 900)
            // Another address is not affected.
            var elsewhere = Self.json
            elsewhere[.xForwardedFor] = uniqueAddress()
            #expect(try await server.send(.post, "/oauth2/register", headers: elsewhere, body: body).status == .created)
            // The window slides: after rate_limit_window the address may register again.
            server.clock.advance(by: 901)
            #expect(try await server.send(.post, "/oauth2/register", headers: Self.json, body: body).status == .created)
        }
    }

    @Test(
        "token: a gatehouse:register access token registers a client_credentials client, which gets a token", .spec("registration.token"),
        arguments: Backend.available
    )
    func tokenMode(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.token) { server in
            let portal = try await server.register(grantTypes: [.clientCredentials], scopes: ["gatehouse:register"])
            let issued = try await server.token(form: "grant_type=client_credentials", authorization: portal.basicAuthorization)
            #expect(issued.json["scope"] as? String == "gatehouse:register", "\(issued.text)")
            let token = try #require(issued.json["access_token"] as? String)

            let response = try await server.send(
                .post, "/oauth2/register", headers: Self.bearer(token),
                body: #"{"client_name":"Reports","grant_types":["client_credentials"],"scope":"read","token_endpoint_auth_method":"client_secret_post"}"#
            )
            #expect(response.status == .created, "\(response.text)")
            #expect(response.json["response_types"] as? [String] == [])
            let id = try #require(response.json["client_id"] as? String)
            let secret = try #require(response.json["client_secret"] as? String)
            let registered = try await server.token(form: "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)")
            #expect(registered.status == .ok, "\(registered.text)")
            #expect(registered.json["scope"] as? String == "read")
        }
    }

    @Test(
        "token: no token, a bad one, or one without gatehouse:register is 401 invalid_token",
        .spec("registration.token"), arguments: Backend.available
    )
    func tokenModeRefusals(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.token) { server in
            let body = #"{"redirect_uris":["https://app.example/cb"]}"#
            // SPEC §10 "(401 invalid_token otherwise)": unlike a protected resource's bare challenge.
            let bare = try await server.send(.post, "/oauth2/register", headers: Self.json, body: body)
            expectOAuthError(bare, status: .unauthorized, error: .invalidToken)
            #expect(bare.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)

            let forged = try await server.send(.post, "/oauth2/register", headers: Self.bearer("gtha_forged"), body: body)
            expectOAuthError(forged, status: .unauthorized, error: .invalidToken)
            #expect(forged.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)

            let reader = try await server.register(scopes: ["read"])
            let issued = try await server.token(form: "grant_type=client_credentials", authorization: reader.basicAuthorization)
            let token = try #require(issued.json["access_token"] as? String)
            // SPEC §10: an access token without gatehouse:register is no initial access token at all.
            let narrow = try await server.send(.post, "/oauth2/register", headers: Self.bearer(token), body: body)
            expectOAuthError(narrow, status: .unauthorized, error: .invalidToken)
            #expect(narrow.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
            let (_, admin) = try await server.serviceToken(scopes: ["gatehouse:admin"])
            expectOAuthError(
                try await server.send(.post, "/oauth2/register", headers: Self.bearer(admin), body: body), status: .unauthorized, error: .invalidToken
            )
        }
    }

    // MARK: - Refused metadata

    struct Row: Sendable {
        let situation: String
        let body: String
        let status: HTTPResponse.Status
        let error: OAuthErrorCode
    }

    static let refusals: [Row] = [
        Row(situation: "not JSON", body: "client_name=x", status: .badRequest, error: .invalidRequest),
        Row(situation: "a JSON array", body: "[]", status: .badRequest, error: .invalidRequest),
        Row(situation: "redirect_uris is a string", body: #"{"redirect_uris":"https://a.example/cb"}"#, status: .badRequest, error: .invalidRequest),
        Row(
            situation: "skip_consent is a string", body: #"{"redirect_uris":["https://a.example/cb"],"skip_consent":"no"}"#, status: .badRequest,
            error: .invalidRequest),
        Row(situation: "redirect_uris missing for authorization_code", body: "{}", status: .badRequest, error: .invalidRedirectURI),
        Row(situation: "relative redirect URI", body: #"{"redirect_uris":["/cb"]}"#, status: .badRequest, error: .invalidRedirectURI),
        Row(situation: "redirect URI with a fragment", body: #"{"redirect_uris":["https://a.example/cb#x"]}"#, status: .badRequest, error: .invalidRedirectURI),
        Row(
            situation: "http on a host that is not loopback", body: #"{"redirect_uris":["http://a.example/cb"]}"#, status: .badRequest,
            error: .invalidRedirectURI),
        Row(situation: "javascript: redirect URI", body: #"{"redirect_uris":["javascript:alert(1)"]}"#, status: .badRequest, error: .invalidRedirectURI),
        Row(
            situation: "private-use scheme for a confidential client", body: #"{"redirect_uris":["com.example.app:/cb"]}"#, status: .badRequest,
            error: .invalidRedirectURI),
        Row(
            situation: "post-logout redirect URI on http",
            body: #"{"redirect_uris":["https://a.example/cb"],"post_logout_redirect_uris":["http://a.example/bye"]}"#,
            status: .badRequest, error: .invalidRedirectURI),
        Row(
            situation: "grant type not supported", body: #"{"redirect_uris":["https://a.example/cb"],"grant_types":["password"]}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "grant_types and response_types disagree",
            body: #"{"redirect_uris":["https://a.example/cb"],"grant_types":["authorization_code"],"response_types":[]}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "response type token", body: #"{"redirect_uris":["https://a.example/cb"],"response_types":["token"]}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "unknown token_endpoint_auth_method",
            body: #"{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}"#,
            status: .badRequest, error: .invalidClientMetadata),
        Row(
            situation: "client_credentials for a public client", body: #"{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}"#,
            status: .badRequest, error: .invalidClientMetadata),
        Row(situation: "client_credentials in open mode", body: #"{"grant_types":["client_credentials"]}"#, status: .badRequest, error: .invalidClientMetadata),
        Row(
            situation: "reserved scope gatehouse:admin", body: #"{"redirect_uris":["https://a.example/cb"],"scope":"gatehouse:admin"}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "reserved scope gatehouse:register", body: #"{"redirect_uris":["https://a.example/cb"],"scope":"profile gatehouse:register"}"#,
            status: .badRequest, error: .invalidClientMetadata),
        Row(
            situation: "scope outside registration_scopes", body: #"{"redirect_uris":["https://a.example/cb"],"scope":"profile admin"}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "skip_consent in open mode", body: #"{"redirect_uris":["https://a.example/cb"],"skip_consent":true}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "can_introspect in open mode", body: #"{"redirect_uris":["https://a.example/cb"],"can_introspect":true}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "token_format unknown", body: #"{"redirect_uris":["https://a.example/cb"],"token_format":"saml"}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "logo_uri not a URL", body: #"{"redirect_uris":["https://a.example/cb"],"logo_uri":"logo.png"}"#, status: .badRequest,
            error: .invalidClientMetadata),
        Row(
            situation: "a body over max_body_bytes", body: #"{"client_name":"\#(String(repeating: "x", count: 2048))"}"#, status: .contentTooLarge,
            error: .invalidRequest),
    ]

    /// One server per database for the whole table: a server per row would hold a connection pool
    /// per row on the PostgreSQL that every test shares.
    @Test(
        "refused metadata: status, error and the headers of SPEC §5, and nothing registered", .spec("registration.invalid_client_metadata"),
        .spec("registration.invalid_redirect_uri"), arguments: Backend.available
    )
    func refused(backend: Backend) async throws {
        try await LiveServer.run(
            backend,
            configure: {
                $0.registration = .open
                $0.registrationScopes = ["profile", "read"]
                $0.maxBodyBytes = 1024
            }
        ) { server in
            for row in Self.refusals {
                let response = try await server.send(.post, "/oauth2/register", headers: Self.json, body: row.body)
                #expect(response.json["error"] as? String == row.error.rawValue, "\(row.situation): \(response.text)")
                expectOAuthError(response, status: row.status, error: row.error)
            }
            // Other tests register clients on the shared PostgreSQL; a fresh SQLite file has none.
            if backend == .sqlite {
                #expect(try await server.store.clients().isEmpty)
            }
        }
    }

    @Test("other methods: 405 with Allow", arguments: Backend.available)
    func methods(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.open) { server in
            let list = try await server.send(.get, "/oauth2/register")
            expectOAuthError(list, status: .methodNotAllowed, error: .invalidRequest)
            #expect(list.headers[.allow] == "POST")
            let patch = try await server.send(.patch, "/oauth2/register/abc", headers: Self.json, body: "{}")
            expectOAuthError(patch, status: .methodNotAllowed, error: .invalidRequest)
            #expect(patch.headers[.allow] == "GET, PUT, DELETE, HEAD")
        }
    }

    // MARK: - RFC 7592

    @Test(
        "RFC 7592: read, replace and delete with the registration access token; any other token is 401", .spec("registration.management"),
        arguments: Backend.available
    )
    func management(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: Self.open) { server in
            let created = try await server.send(.post, "/oauth2/register", headers: Self.json, body: Self.guideRequest)
            let id = try #require(created.json["client_id"] as? String)
            let secret = try #require(created.json["client_secret"] as? String)
            let token = try #require(created.json["registration_access_token"] as? String)
            let other = try await server.send(.post, "/oauth2/register", headers: Self.json, body: #"{"redirect_uris":["https://other.example/cb"]}"#)
            let otherToken = try #require(other.json["registration_access_token"] as? String)
            let path = "/oauth2/register/\(id)"

            let read = try await server.send(.get, path, headers: Self.bearer(token))
            #expect(read.status == .ok, "\(read.text)")
            #expect(read.headers[.cacheControl] == "no-store")
            #expect(read.json["client_id"] as? String == id && read.json["client_name"] as? String == created.json["client_name"] as? String)
            #expect(read.json["registration_client_uri"] as? String == "\(LiveServer.issuer)\(path)")
            #expect(read.json["client_secret"] == nil && read.json["registration_access_token"] == nil)

            for (method, body) in [(HTTPRequest.Method.get, nil), (.put, Self.guideRequest), (.delete, nil)] as [(HTTPRequest.Method, String?)] {
                for headers in [Self.json, Self.bearer(otherToken), Self.bearer("gthg_forged"), Self.bearer(secret)] {
                    let refused = try await server.send(method, path, headers: headers, body: body)
                    expectOAuthError(refused, status: .unauthorized, error: .invalidToken)
                    #expect(refused.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"gatehouse\", error=\"invalid_token\"") == true)
                }
            }
            expectOAuthError(
                try await server.send(.get, "/oauth2/register/no-such-client", headers: Self.bearer(token)), status: .unauthorized, error: .invalidToken
            )

            let replaced = try await server.send(
                .put, path, headers: Self.bearer(token),
                body:
                    #"{"client_id":"\#(id)","client_name":"Photo Printer 2","redirect_uris":["https://printer.example.com/v2/callback"],"scope":"profile read"}"#
            )
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect(replaced.json["redirect_uris"] as? [String] == ["https://printer.example.com/v2/callback"])
            #expect(replaced.json["scope"] as? String == "profile read")
            #expect(replaced.json["contacts"] as? [String] == [])
            let stored = try #require(try await server.store.client(id: id))
            #expect(stored.name.hasPrefix("Photo Printer 2") && stored.secretHash == SecretHasher.hash(secret))

            expectOAuthError(
                try await server.send(.put, path, headers: Self.bearer(token), body: #"{"client_id":"someone-else","redirect_uris":["https://a.example/cb"]}"#),
                status: .badRequest, error: .invalidRequest
            )
            expectOAuthError(
                try await server.send(.put, path, headers: Self.bearer(token), body: #"{"redirect_uris":["http://a.example/cb"]}"#),
                status: .badRequest, error: .invalidRedirectURI
            )
            expectOAuthError(
                try await server.send(
                    .put, path, headers: Self.bearer(token), body: #"{"redirect_uris":["com.a.app:/cb"],"token_endpoint_auth_method":"none"}"#),
                status: .badRequest, error: .invalidClientMetadata
            )

            let deleted = try await server.send(.delete, path, headers: Self.bearer(token))
            #expect(deleted.status == .noContent)
            #expect(try await server.store.client(id: id) == nil)
            expectOAuthError(try await server.send(.get, path, headers: Self.bearer(token)), status: .unauthorized, error: .invalidToken)
        }
    }

    // MARK: - Reserved scopes

    @Test(
        "an authorization request never obtains a reserved scope, even for a client that has it", .spec("reserved-scopes"),
        arguments: Backend.available
    )
    func reservedScopesByAuthorization(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp(
                grantTypes: [.authorizationCode, .clientCredentials], scopes: ["profile", "gatehouse:admin", "gatehouse:register"]
            )
            var flow = BrowserFlow(server: server)
            var query = AuthorizationQuery(scope: "profile gatehouse:admin")
            query.clientID = client.id
            let refused = try await flow.open(query.string)
            #expect(refused.status == .found)
            #expect(redirectParameters(refused)["error"] == "invalid_scope")

            // Without a scope, the default leaves the reserved ones out.
            let user = try await server.createUser()
            query.scope = nil
            let code = try await server.obtainCode(for: client, user: user, query: query)
            let tokens = try await server.redeem(code, client: client)
            #expect(tokens.json["scope"] as? String == "profile", "\(tokens.text)")

            // client_credentials is the one grant that hands them out.
            let admin = try await server.token(form: "grant_type=client_credentials&scope=gatehouse:admin", authorization: client.basicAuthorization)
            #expect(admin.json["scope"] as? String == "gatehouse:admin", "\(admin.text)")
        }
    }
}
