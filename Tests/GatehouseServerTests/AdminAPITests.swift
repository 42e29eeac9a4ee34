import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension LiveServer {
    /// A client_credentials token of scope `gatehouse:admin`, for a client registered as
    /// `gatehouse clients create --admin` registers it.
    func adminToken() async throws -> String {
        try await serviceToken(scopes: ["gatehouse:admin"]).token
    }

    /// Calls the admin API with `token` as the bearer credential.
    func admin(_ method: HTTPRequest.Method, _ path: String, token: String?, json body: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await send(method, path, headers: headers, body: body)
    }
}

/// Checks a successful admin answer: its status, JSON and that no cache keeps it.
func expectAdminJSON(_ response: TestResponse, status: HTTPResponse.Status = .ok, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
    #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
}

/// A call of the admin API that must be refused, and how (SPEC §10 and §5).
struct AdminErrorRow: Sendable, CustomTestStringConvertible {
    let situation: String
    let method: HTTPRequest.Method
    /// `{user}`, `{client}`, `{client_name}` and `{other_name}` in the path and body are replaced by
    /// a user's name, a confidential client's id and name, and another client's name.
    let path: String
    var body: String?
    let status: HTTPResponse.Status
    let error: OAuthErrorCode
    var allow: String?
    var testDescription: String { situation }

    static let all: [AdminErrorRow] = [
        AdminErrorRow(
            situation: "a client with a taken name", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "{client_name}", "redirect_uris": ["https://app.example/cb"]}"#, status: .conflict, error: .conflict),
        AdminErrorRow(
            situation: "a client with an http redirect URI on a public host", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "x", "redirect_uris": ["http://app.example/cb"]}"#, status: .badRequest, error: .invalidRedirectURI),
        AdminErrorRow(
            situation: "an authorization_code client without redirect URIs", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "x", "grant_types": ["authorization_code"]}"#, status: .badRequest, error: .invalidRedirectURI),
        AdminErrorRow(
            situation: "grant_types and response_types that disagree", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "x", "grant_types": ["client_credentials"], "response_types": ["code"]}"#, status: .badRequest,
            error: .invalidClientMetadata),
        AdminErrorRow(
            situation: "an unknown token_endpoint_auth_method", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "x", "grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt"}"#,
            status: .badRequest, error: .invalidClientMetadata),
        AdminErrorRow(
            situation: "a reserved scope", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "x", "grant_types": ["client_credentials"], "scope": "gatehouse:admin"}"#, status: .badRequest,
            error: .invalidClientMetadata),
        AdminErrorRow(
            situation: "client metadata that is not JSON", method: .post, path: "/admin/v1/clients", body: "client_name=x",
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "redirect_uris of the wrong type", method: .post, path: "/admin/v1/clients",
            body: #"{"client_name": "x", "redirect_uris": "https://app.example/cb"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "replacing with an http redirect URI on a public host", method: .put, path: "/admin/v1/clients/{client}",
            body: #"{"client_name": "{client_name}", "redirect_uris": ["http://app.example/cb"]}"#, status: .badRequest,
            error: .invalidRedirectURI),
        AdminErrorRow(
            situation: "replacing with disagreeing grant and response types", method: .put, path: "/admin/v1/clients/{client}",
            body: #"{"client_name": "{client_name}", "grant_types": ["client_credentials"], "response_types": ["code"]}"#,
            status: .badRequest, error: .invalidClientMetadata),
        AdminErrorRow(
            situation: "replacing a confidential client by a public one", method: .put, path: "/admin/v1/clients/{client}",
            body: #"{"client_name": "{client_name}", "redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "none"}"#,
            status: .badRequest, error: .invalidClientMetadata),
        AdminErrorRow(
            situation: "replacing with another client's name", method: .put, path: "/admin/v1/clients/{client}",
            body: #"{"client_name": "{other_name}", "redirect_uris": ["https://app.example/cb"]}"#, status: .conflict, error: .conflict),
        AdminErrorRow(
            situation: "replacing with malformed JSON", method: .put, path: "/admin/v1/clients/{client}", body: "{",
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "replacing with skip_consent of the wrong type", method: .put, path: "/admin/v1/clients/{client}",
            body: #"{"client_name": "{client_name}", "redirect_uris": ["https://app.example/cb"], "skip_consent": "yes"}"#,
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "replacing under another client_id", method: .put, path: "/admin/v1/clients/{client}",
            body: #"{"client_id": "another", "client_name": "{client_name}", "redirect_uris": ["https://app.example/cb"]}"#,
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "replacing an unknown client", method: .put, path: "/admin/v1/clients/no-such-client",
            body: #"{"client_name": "x", "redirect_uris": ["https://app.example/cb"]}"#, status: .notFound, error: .notFound),
        AdminErrorRow(
            situation: "reading an unknown client", method: .get, path: "/admin/v1/clients/no-such-client", status: .notFound,
            error: .notFound),
        AdminErrorRow(
            situation: "deleting an unknown client", method: .delete, path: "/admin/v1/clients/no-such-client", status: .notFound,
            error: .notFound),
        AdminErrorRow(
            situation: "rotating the secret of an unknown client", method: .post, path: "/admin/v1/clients/no-such-client/secret",
            body: "{}", status: .notFound, error: .notFound),
        AdminErrorRow(
            situation: "a negative grace", method: .post, path: "/admin/v1/clients/{client}/secret", body: #"{"grace_seconds": -1}"#,
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a grace of the wrong type", method: .post, path: "/admin/v1/clients/{client}/secret",
            body: #"{"grace_seconds": "60"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a limit of zero", method: .get, path: "/admin/v1/clients?limit=0", status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a limit that is no number", method: .get, path: "/admin/v1/clients?limit=ten", status: .badRequest,
            error: .invalidRequest),
        AdminErrorRow(
            situation: "a cursor the server did not give out", method: .get, path: "/admin/v1/clients?cursor=bm90LWEtY3Vyc29y",
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "PATCH on a client", method: .patch, path: "/admin/v1/clients/{client}", body: "{}", status: .methodNotAllowed,
            error: .invalidRequest, allow: "GET, PUT, DELETE, HEAD"),
        AdminErrorRow(
            situation: "a user with a taken username", method: .post, path: "/admin/v1/users",
            body: #"{"username": "{user}", "password": "another"}"#, status: .conflict, error: .conflict),
        AdminErrorRow(
            situation: "malformed JSON", method: .post, path: "/admin/v1/users", body: #"{"username": "bob", "#,
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a JSON array instead of an object", method: .post, path: "/admin/v1/users", body: #"["bob", "pw"]"#,
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a password of the wrong type", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": 12345}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a user without a password", method: .post, path: "/admin/v1/users", body: #"{"username": "bob"}"#,
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a username with a space", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob smith", "password": "pw"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a user without a body", method: .post, path: "/admin/v1/users", status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "an email of the wrong type", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "email": ["bob@example.com"]}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "a name of the wrong type", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "name": 42}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "an email without @", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "email": "bob.example.com"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "an email with two @", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "email": "bob@x@example.com"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "an email with nothing after @", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "email": "bob@"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "an email with a control character", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "email": "bob@example.com\u0000"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "an empty name", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "pw", "name": ""}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "deleting an unknown user", method: .delete, path: "/admin/v1/users/nobody-\(UUID().uuidString)",
            status: .notFound, error: .notFound),
        AdminErrorRow(
            situation: "grants without subject or client_id", method: .get, path: "/admin/v1/grants", status: .badRequest,
            error: .invalidRequest),
        AdminErrorRow(
            situation: "grants with a repeated parameter", method: .get, path: "/admin/v1/grants?subject=a&subject=b",
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "deleting an unknown grant", method: .delete, path: "/admin/v1/grants/0123456789abcdef", status: .notFound,
            error: .notFound),
        AdminErrorRow(
            situation: "revoking without client_id or subject", method: .post, path: "/admin/v1/tokens/revoke", body: "{}",
            status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "revoking with both client_id and subject", method: .post, path: "/admin/v1/tokens/revoke",
            body: #"{"client_id": "a", "subject": "b"}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "revoking with a client_id of the wrong type", method: .post, path: "/admin/v1/tokens/revoke",
            body: #"{"client_id": ["a"]}"#, status: .badRequest, error: .invalidRequest),
        AdminErrorRow(
            situation: "revoking the tokens of an unknown client", method: .post, path: "/admin/v1/tokens/revoke",
            body: #"{"client_id": "no-such-client"}"#, status: .notFound, error: .notFound),
        AdminErrorRow(
            situation: "a method the path does not serve", method: .patch, path: "/admin/v1/users", status: .methodNotAllowed,
            error: .invalidRequest, allow: "GET, POST, HEAD"),
        AdminErrorRow(
            situation: "GET on the token revocation call", method: .get, path: "/admin/v1/tokens/revoke", status: .methodNotAllowed,
            error: .invalidRequest, allow: "POST"),
        AdminErrorRow(
            situation: "a body over max_body_bytes", method: .post, path: "/admin/v1/users",
            body: #"{"username": "bob", "password": "\#(String(repeating: "x", count: 20_000))"}"#, status: .contentTooLarge,
            error: .invalidRequest),
    ]
}

@Suite("Admin API (SPEC §10)")
struct AdminAPITests {
    @Test(
        "every admin route refuses a missing, unknown or unscoped token as RFC 6750 says", .spec("admin.bearer"), arguments: Backend.available
    )
    func guardOnEveryRoute(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (_, unscoped) = try await server.serviceToken(scopes: ["read"])
            for endpoint in EndpointPath.admin {
                let path = endpoint.path.replacingOccurrences(of: "{client_id}", with: "c1").replacingOccurrences(of: "{username}", with: "u1")
                    .replacingOccurrences(of: "{grant_id}", with: "g1")
                for method in endpoint.methods {
                    let body = method == .get || method == .delete ? nil : "{}"
                    let anonymous = try await server.admin(method, path, token: nil, json: body)
                    expectBearerChallenge(anonymous, status: .unauthorized, error: nil)
                    #expect(anonymous.headers[.cacheControl] == "no-store", "\(method) \(path)")

                    let unknown = try await server.admin(method, path, token: "gtha_unknown", json: body)
                    expectBearerChallenge(unknown, status: .unauthorized, error: "invalid_token")
                    expectOAuthError(unknown, status: .unauthorized, error: .invalidToken)

                    let lacking = try await server.admin(method, path, token: unscoped, json: body)
                    expectBearerChallenge(lacking, status: .forbidden, error: "insufficient_scope", scope: "gatehouse:admin")
                    expectOAuthError(lacking, status: .forbidden, error: .insufficientScope)
                }
            }
        }
    }

    /// Every row against one server per database: a server per row would hold a pool of
    /// connections each, more than the shared PostgreSQL allows when the whole suite runs.
    @Test(
        "refused admin calls answer status, error and the headers of SPEC §5, row by row", .spec("admin.errors"), arguments: Backend.available
    )
    func errorRows(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.maxBodyBytes = 16_384 }) { server in
            let token = try await server.adminToken()
            let user = try await server.createUser()
            let client = try await server.registerWebApp(redirectURIs: ["https://app.example/cb"])
            let other = try await server.registerWebApp()
            let fixtures = [
                "{user}": user.username, "{client}": client.id,
                "{client_name}": try #require(try await server.store.client(id: client.id)).name,
                "{other_name}": try #require(try await server.store.client(id: other.id)).name,
            ]
            func fill(_ text: String) -> String {
                fixtures.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
            }
            for row in AdminErrorRow.all {
                let response = try await server.admin(row.method, fill(row.path), token: token, json: row.body.map(fill))
                #expect(response.status == row.status && response.json["error"] as? String == row.error.rawValue, "\(row.situation)")
                expectOAuthError(response, status: row.status, error: row.error)
                #expect(response.headers[.allow] == row.allow, "\(row.situation)")
            }
        }
    }

    @Test(
        "users: created with a bcrypt hash that signs in, listed without secrets, deleted once", .spec("admin.users"), arguments: Backend.available
    )
    func users(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let username = uniqueName("carol")
            let created = try await server.admin(.post, "/admin/v1/users", token: token, json: #"{"username": "\#(username)", "password": "s3cret pw"}"#)
            expectAdminJSON(created, status: .created)
            #expect(created.json.count == 1 && created.json["username"] as? String == username)
            #expect(created.headers[.location] == "/admin/v1/users/\(username)")

            let stored = try #require(try await server.store.user(username: username))
            #expect(stored.passwordHash.hasPrefix("$2"))
            #expect(try await PasswordHasher.verify("s3cret pw", hash: stored.passwordHash))

            let listed = try await server.admin(.get, "/admin/v1/users", token: token)
            expectAdminJSON(listed)
            let head = try await server.admin(.head, "/admin/v1/users", token: token)
            #expect(head.status == .ok && head.body.readableBytes == 0, "HEAD is answered wherever GET is (SPEC §9)")
            let users = try #require(listed.json["users"] as? [[String: Any]])
            let entry = try #require(users.first { $0["username"] as? String == username })
            #expect(Set(entry.keys) == ["username"])

            let deleted = try await server.admin(.delete, "/admin/v1/users/\(username)", token: token)
            #expect(deleted.status == .noContent)
            #expect(deleted.body.readableBytes == 0)
            #expect(try await server.store.user(username: username) == nil)
            expectOAuthError(try await server.admin(.delete, "/admin/v1/users/\(username)", token: token), status: .notFound, error: .notFound)
        }
    }

    @Test("users: email and name are accepted when created and listed when set", .spec("admin.users"), arguments: Backend.available)
    func userProfiles(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let grace = uniqueName("grace")
            let ada = uniqueName("ada")
            let alan = uniqueName("alan")
            let created = try await server.admin(
                .post, "/admin/v1/users", token: token,
                json: #"{"username": "\#(grace)", "password": "pw", "email": "grace@example.com", "name": "Grace Hopper"}"#
            )
            expectAdminJSON(created, status: .created)
            #expect(created.json["email"] as? String == "grace@example.com" && created.json["name"] as? String == "Grace Hopper")
            let emailOnly = try await server.admin(
                .post, "/admin/v1/users", token: token, json: #"{"username": "\#(ada)", "password": "pw", "email": "ada@example.org", "name": null}"#
            )
            expectAdminJSON(emailOnly, status: .created)
            let bare = try await server.admin(.post, "/admin/v1/users", token: token, json: #"{"username": "\#(alan)", "password": "pw"}"#)
            expectAdminJSON(bare, status: .created)
            #expect(Set(bare.json.keys) == ["username"])

            let stored = try #require(try await server.store.user(username: grace))
            #expect(stored.email == "grace@example.com" && stored.name == "Grace Hopper")

            let listed = try await server.admin(.get, "/admin/v1/users", token: token)
            expectAdminJSON(listed)
            let users = try #require(listed.json["users"] as? [[String: Any]])
            func entry(_ username: String) -> [String: String]? {
                users.first { $0["username"] as? String == username } as? [String: String]
            }
            #expect(entry(grace) == ["username": grace, "email": "grace@example.com", "name": "Grace Hopper"])
            #expect(entry(ada) == ["username": ada, "email": "ada@example.org"])
            #expect(entry(alan) == ["username": alan])

            let refusedName = uniqueName("bad")
            let refused = try await server.admin(
                .post, "/admin/v1/users", token: token, json: #"{"username": "\#(refusedName)", "password": "pw", "email": "nobody"}"#
            )
            expectOAuthError(refused, status: .badRequest, error: .invalidRequest)
            #expect(try await server.store.user(username: refusedName) == nil, "a refused user writes nothing")
        }
    }

    @Test(
        "grants: listed by subject and by client, deleted: tokens inactive and consent asked again", .spec("admin.grants.list"),
        .spec("admin.grants.delete"), arguments: Backend.available
    )
    func grants(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let access = try #require(tokens.json["access_token"] as? String)
            let refresh = try #require(tokens.json["refresh_token"] as? String)

            for query in ["subject=\(user.id)", "subject=\(user.username)", "client_id=\(client.id)", "subject=\(user.id)&client_id=\(client.id)"] {
                let listed = try await server.admin(.get, "/admin/v1/grants?\(query)", token: token)
                expectAdminJSON(listed)
                let grants = try #require(listed.json["grants"] as? [[String: Any]], "\(query)")
                #expect(grants.count == 1, "\(query)")
                let grant = try #require(grants.first)
                #expect(grant["client_id"] as? String == client.id)
                #expect(grant["client_name"] as? String == (try await server.store.client(id: client.id))?.name)
                #expect(grant["subject"] as? String == user.id)
                #expect(grant["scope"] as? String == "profile")
                let createdAt = try #require(grant["created_at"] as? Int)
                #expect(abs(Double(createdAt) - Date().timeIntervalSince1970) < 60)
            }
            let other = try await server.admin(.get, "/admin/v1/grants?subject=nobody", token: token)
            #expect((other.json["grants"] as? [[String: Any]])?.isEmpty == true)

            // Before: a second authorization needs no consent, the remembered one covers it.
            var before = BrowserFlow(server: server)
            var query = AuthorizationQuery()
            query.clientID = client.id
            let login = try await before.open(query.string)
            let remembered = try await before.submit(query.string, page: login, fields: ["username": user.username, "password": "correct horse"])
            #expect(remembered.status == .seeOther, "a remembered consent redirects at once")

            let listed = try await server.admin(.get, "/admin/v1/grants?subject=\(user.id)", token: token)
            let grantIDs = (listed.json["grants"] as? [[String: Any]] ?? []).compactMap { $0["grant_id"] as? String }
            #expect(grantIDs.count == 2, "the second authorization is a grant of its own")
            for id in grantIDs {
                let deleted = try await server.admin(.delete, "/admin/v1/grants/\(id)", token: token)
                #expect(deleted.status == .noContent)
                expectOAuthError(try await server.admin(.delete, "/admin/v1/grants/\(id)", token: token), status: .notFound, error: .notFound)
            }
            let after = try await server.admin(.get, "/admin/v1/grants?subject=\(user.id)", token: token)
            #expect((after.json["grants"] as? [[String: Any]])?.isEmpty == true)

            #expect(try await server.introspect(access, authorization: client.basicAuthorization).json["active"] as? Bool == false)
            expectOAuthError(try await server.refresh(refresh, client: client), status: .badRequest, error: .invalidGrant)
            #expect(server.events.count(.tokenRevoked, reason: "admin") == 2)

            // After: the consent is forgotten, so the page asks again.
            var again = BrowserFlow(server: server)
            let secondLogin = try await again.open(query.string)
            let consent = try await again.submit(query.string, page: secondLogin, fields: ["username": user.username, "password": "correct horse"])
            #expect(consent.status == .ok)
            #expect(consent.text.contains(#"name="decision""#))
        }
    }

    @Test("tokens/revoke: every token of a client, or of a subject", .spec("admin.tokens.revoke"), arguments: Backend.available)
    func revokeTokens(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let (service, serviceToken) = try await server.serviceToken()
            _ = try await server.token(form: "grant_type=client_credentials", authorization: service.basicAuthorization)
            let byClient = try await server.admin(.post, "/admin/v1/tokens/revoke", token: token, json: #"{"client_id": "\#(service.id)"}"#)
            expectAdminJSON(byClient)
            #expect(byClient.json["revoked"] as? Int == 2)
            #expect(try await server.introspect(serviceToken, authorization: service.basicAuthorization).json["active"] as? Bool == false)

            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let access = try #require(tokens.json["access_token"] as? String)
            let bySubject = try await server.admin(.post, "/admin/v1/tokens/revoke", token: token, json: #"{"subject": "\#(user.id)"}"#)
            expectAdminJSON(bySubject)
            #expect(bySubject.json["revoked"] as? Int == 2)
            #expect(try await server.introspect(access, authorization: client.basicAuthorization).json["active"] as? Bool == false)
            let again = try await server.admin(.post, "/admin/v1/tokens/revoke", token: token, json: #"{"subject": "\#(user.username)"}"#)
            #expect(again.json["revoked"] as? Int == 0)
            #expect(server.events.count(.tokenRevoked, reason: "admin") == 3)
        }
    }
}

@Suite("Admin API: clients (SPEC §10)")
struct AdminClientTests {
    /// A client that may introspect any token, to see another client's tokens die.
    static func introspector(_ server: LiveServer) async throws -> LiveServer.RegisteredClient {
        let secret = SecretGenerator().make(.clientSecret)
        let client = Client(
            id: SecretGenerator().makeIdentifier(), name: uniqueName("introspector"), secretHash: SecretHasher.hash(secret),
            grantTypes: [.clientCredentials], canIntrospect: true, createdAt: Date()
        )
        try await server.store.createClient(client)
        return LiveServer.RegisteredClient(id: client.id, secret: secret)
    }

    @Test(
        "a client is created with Location and its secret once, read without it, replaced, and deleted with its tokens",
        .spec("admin.clients.create"), .spec("admin.clients.read"), .spec("admin.clients.replace"), .spec("admin.clients.delete"),
        arguments: Backend.available
    )
    func lifecycle(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let name = uniqueName("billing")
            let created = try await server.admin(
                .post, "/admin/v1/clients", token: token,
                json: """
                    {"client_name": "\(name)", "redirect_uris": ["https://billing.example/cb"],
                     "grant_types": ["authorization_code", "refresh_token", "client_credentials"], "scope": "read write",
                     "client_uri": "https://billing.example", "logo_uri": "https://billing.example/logo.png",
                     "contacts": ["ops@billing.example"], "post_logout_redirect_uris": ["https://billing.example/bye"],
                     "skip_consent": true, "token_format": "jwt", "unknown_member": 1}
                    """
            )
            expectAdminJSON(created, status: .created)
            let body = created.json
            let id = try #require(body["client_id"] as? String)
            let secret = try #require(body["client_secret"] as? String)
            #expect(created.headers[.location] == "/admin/v1/clients/\(id)")
            #expect(body["client_name"] as? String == name)
            #expect(body["redirect_uris"] as? [String] == ["https://billing.example/cb"])
            #expect(Set(body["grant_types"] as? [String] ?? []) == ["authorization_code", "refresh_token", "client_credentials"])
            #expect(body["response_types"] as? [String] == ["code"])
            #expect(body["token_endpoint_auth_method"] as? String == "client_secret_basic")
            #expect(body["scope"] as? String == "read write")
            #expect(body["client_uri"] as? String == "https://billing.example")
            #expect(body["logo_uri"] as? String == "https://billing.example/logo.png")
            #expect(body["contacts"] as? [String] == ["ops@billing.example"])
            #expect(body["post_logout_redirect_uris"] as? [String] == ["https://billing.example/bye"])
            #expect(body["token_format"] as? String == "jwt")
            #expect(body["skip_consent"] as? Bool == true)
            #expect(body["can_introspect"] as? Bool == false)
            let issuedAt = try #require(body["client_id_issued_at"] as? Int)
            #expect(abs(Double(issuedAt) - Date().timeIntervalSince1970) < 60)
            #expect(try await server.store.client(id: id)?.secretHash == SecretHasher.hash(secret), "only the hash is stored")

            let credentials = LiveServer.RegisteredClient(id: id, secret: secret)
            let issued = try await server.token(form: "grant_type=client_credentials", authorization: credentials.basicAuthorization)
            #expect(issued.status == .ok, "the secret works: \(issued.text)")
            let access = try #require(issued.json["access_token"] as? String)

            let shown = try await server.admin(.get, "/admin/v1/clients/\(id)", token: token)
            expectAdminJSON(shown)
            #expect(shown.json["client_secret"] == nil)
            #expect(shown.json["client_name"] as? String == name)
            #expect(shown.json["client_id_issued_at"] as? Int == issuedAt)

            let replaced = try await server.admin(
                .put, "/admin/v1/clients/\(id)", token: token,
                json: #"{"client_name": "\#(name)-v2", "grant_types": ["client_credentials"], "scope": "read"}"#
            )
            expectAdminJSON(replaced)
            #expect(replaced.json["client_id"] as? String == id)
            #expect(replaced.json["client_name"] as? String == "\(name)-v2")
            #expect(replaced.json["grant_types"] as? [String] == ["client_credentials"])
            #expect((replaced.json["redirect_uris"] as? [String])?.isEmpty == true)
            #expect(replaced.json["skip_consent"] as? Bool == false, "a replacement, not a merge")
            #expect(replaced.json["client_secret"] == nil)
            #expect(replaced.json["client_id_issued_at"] as? Int == issuedAt)
            let reread = try await server.admin(.get, "/admin/v1/clients/\(id)", token: token)
            #expect(reread.json["scope"] as? String == "read")
            let narrowed = try await server.token(form: "grant_type=client_credentials", authorization: credentials.basicAuthorization)
            #expect(narrowed.status == .ok, "the secret is unchanged: \(narrowed.text)")
            #expect(narrowed.json["scope"] as? String == "read", "the new metadata applies at once")

            let introspector = try await Self.introspector(server)
            #expect(try await server.introspect(access, authorization: introspector.basicAuthorization).json["active"] as? Bool == true)
            let deleted = try await server.admin(.delete, "/admin/v1/clients/\(id)", token: token)
            #expect(deleted.status == .noContent)
            #expect(deleted.body.readableBytes == 0)
            expectOAuthError(try await server.admin(.get, "/admin/v1/clients/\(id)", token: token), status: .notFound, error: .notFound)
            #expect(try await server.introspect(access, authorization: introspector.basicAuthorization).json["active"] as? Bool == false)
            expectOAuthError(
                try await server.token(form: "grant_type=client_credentials", authorization: credentials.basicAuthorization),
                status: .unauthorized, error: .invalidClient
            )
            for kind in [SecurityEvent.Kind.clientCreated, .clientUpdated, .clientDeleted] {
                #expect(server.events.all.filter { $0.kind == kind && $0.clientID == id }.count == 1, "\(kind)")
            }
        }
    }

    @Test("a public client gets no secret, and none can be rotated in", .spec("admin.clients.create"), arguments: Backend.available)
    func publicClient(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let created = try await server.admin(
                .post, "/admin/v1/clients", token: token,
                json: #"{"client_name": "\#(uniqueName("spa"))", "redirect_uris": ["com.example.app:/cb"], "token_endpoint_auth_method": "none"}"#
            )
            expectAdminJSON(created, status: .created)
            #expect(created.json["client_secret"] == nil)
            #expect(created.json["token_endpoint_auth_method"] as? String == "none")
            let id = try #require(created.json["client_id"] as? String)
            #expect(try await server.store.client(id: id)?.isPublic == true)
            let rotated = try await server.admin(.post, "/admin/v1/clients/\(id)/secret", token: token)
            expectOAuthError(rotated, status: .badRequest, error: .invalidRequest)
        }
    }

    @Test("clients are listed oldest first, page by page, until next_cursor is null", .spec("admin.clients.list"), arguments: Backend.available)
    func pagination(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            var mine: [String] = []
            for index in 0..<3 {
                let created = try await server.admin(
                    .post, "/admin/v1/clients", token: token,
                    json: #"{"client_name": "\#(uniqueName("paged-" + String(index)))", "grant_types": ["client_credentials"]}"#
                )
                mine.append(try #require(created.json["client_id"] as? String))
                // A second apart, so that "oldest first" is an order of creation times.
                server.clock.advance(by: 1)
            }

            let first = try await server.admin(.get, "/admin/v1/clients?limit=2", token: token)
            expectAdminJSON(first)
            let firstPage = try #require(first.json["clients"] as? [[String: Any]])
            #expect(firstPage.count == 2)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await server.admin(.get, "/admin/v1/clients?limit=2&cursor=\(cursor)", token: token)
            expectAdminJSON(second)
            let secondPage = try #require(second.json["clients"] as? [[String: Any]])
            #expect(!secondPage.isEmpty)
            let firstIDs = Set(firstPage.compactMap { $0["client_id"] as? String })
            #expect(secondPage.allSatisfy { !firstIDs.contains($0["client_id"] as? String ?? "") }, "pages do not overlap")

            // Walk the whole list: each client once, oldest first, the last page without a cursor.
            // The shared PostgreSQL holds every test's clients, so the pages there are larger.
            let limit = backend == .sqlite ? 2 : 500
            var seen: [[String: Any]] = []
            var next: String? = nil
            repeat {
                let page = try await server.admin(
                    .get, "/admin/v1/clients?limit=\(limit)" + (next.map { "&cursor=\($0)" } ?? ""), token: token
                )
                #expect(page.status == .ok)
                let clients = page.json["clients"] as? [[String: Any]] ?? []
                #expect(clients.count <= limit)
                seen += clients
                next = page.json["next_cursor"] as? String
                if next == nil { #expect(page.json.keys.contains("next_cursor"), "next_cursor is present, as null") }
            } while next != nil
            let ids = seen.compactMap { $0["client_id"] as? String }
            #expect(Set(ids).count == ids.count, "no client twice")
            #expect(ids.filter(mine.contains) == mine, "mine, in the order they were created")
            let times = seen.compactMap { $0["client_id_issued_at"] as? Int }
            #expect(times == times.sorted(), "oldest first")
            #expect(seen.allSatisfy { $0["client_secret"] == nil })
        }
    }

    @Test(
        "a rotated-away secret works for grace_seconds by the server's clock, and not after", .spec("admin.clients.secret"),
        arguments: Backend.available
    )
    func secretRotation(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let token = try await server.adminToken()
            let old = try await server.register()
            let start = server.clock.now()
            let rotated = try await server.admin(.post, "/admin/v1/clients/\(old.id)/secret", token: token, json: #"{"grace_seconds": 60}"#)
            expectAdminJSON(rotated)
            let secret = try #require(rotated.json["client_secret"] as? String)
            let expiresAt = try #require(rotated.json["previous_secret_expires_at"] as? Int)
            #expect(abs(Double(expiresAt) - start.timeIntervalSince1970 - 60) < 5)
            #expect(Set(rotated.json.keys) == ["client_secret", "previous_secret_expires_at"])
            let new = LiveServer.RegisteredClient(id: old.id, secret: secret)

            for client in [old, new] {
                let response = try await server.token(form: "grant_type=client_credentials", authorization: client.basicAuthorization)
                #expect(response.status == .ok, "within the grace both secrets work: \(response.text)")
            }
            server.clock.advance(by: 61)
            expectOAuthError(
                try await server.token(form: "grant_type=client_credentials", authorization: old.basicAuthorization),
                status: .unauthorized, error: .invalidClient
            )
            #expect(try await server.token(form: "grant_type=client_credentials", authorization: new.basicAuthorization).status == .ok)

            // Without a body the grace is 0: the replaced secret stops at once.
            let again = try await server.admin(.post, "/admin/v1/clients/\(old.id)/secret", token: token)
            expectAdminJSON(again)
            let newest = LiveServer.RegisteredClient(id: old.id, secret: try #require(again.json["client_secret"] as? String))
            expectOAuthError(
                try await server.token(form: "grant_type=client_credentials", authorization: new.basicAuthorization),
                status: .unauthorized, error: .invalidClient
            )
            #expect(try await server.token(form: "grant_type=client_credentials", authorization: newest.basicAuthorization).status == .ok)
            #expect(server.events.count(.clientSecretRotated) == 2)
        }
    }
}
