import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

extension LiveServer {
    func revoke(_ form: String, authorization: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[.authorization] = authorization
        return try await send(.post, "/oauth2/token/revoke", headers: headers, body: form)
    }

    func introspect(_ token: String, authorization: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[.authorization] = authorization
        return try await send(.post, "/oauth2/introspect", headers: headers, body: "token=\(token)")
    }

    /// A client_credentials token for a fresh service client.
    func serviceToken(scopes: ScopeSet = ["read", "write"]) async throws -> (client: RegisteredClient, token: String) {
        let client = try await register(scopes: scopes)
        let response = try await token(form: "grant_type=client_credentials", authorization: client.basicAuthorization)
        guard let token = response.json["access_token"] as? String else { throw TestFailure("no token: \(response.text)") }
        return (client, token)
    }
}

/// A row of SPEC.md's revocation text, asked over HTTP.
///
/// Every situation is a socket-free row of `RevocationIntrospectionRowTests` (GatehouseCoreTests).
/// These prove the HTTP layer on both databases: an error of each kind with its headers and Basic
/// challenge, the empty 200, and whether the token is still active afterwards.
struct RevocationRow: Sendable, CustomTestStringConvertible {
    /// The SPEC.md row (`SpecRows` in GatehouseCoreTests) this situation belongs to, if it has one.
    var spec: String?
    let situation: String
    /// Builds the request from the owner of a fresh access token.
    let request: @Sendable (LiveServer, LiveServer.RegisteredClient, String) async throws -> TestResponse
    let status: HTTPResponse.Status
    /// `nil` for a 200 with an empty body.
    let error: OAuthErrorCode?
    var basicChallenge = false
    /// Whether the token must still be active afterwards.
    let tokenSurvives: Bool
    var testDescription: String { situation }

    static let all: [RevocationRow] = [
        RevocationRow(
            spec: "revoke.unsupported_token_type", situation: "token_type_hint unknown",
            request: { server, client, token in
                try await server.revoke("token=\(token)&token_type_hint=id_token", authorization: client.basicAuthorization)
            }, status: .badRequest, error: .unsupportedTokenType, tokenSurvives: true),
        RevocationRow(
            spec: "revoke.unauthorized_client", situation: "token issued to another client",
            request: { server, _, token in
                let other = try await server.register()
                return try await server.revoke("token=\(token)", authorization: other.basicAuthorization)
            }, status: .badRequest, error: .unauthorizedClient, tokenSurvives: true),
        RevocationRow(
            spec: "errors.status.401", situation: "wrong client secret",
            request: { server, client, token in
                try await server.revoke("token=\(token)", authorization: LiveServer.RegisteredClient(id: client.id, secret: "x").basicAuthorization)
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true, tokenSurvives: true),
        RevocationRow(
            situation: "the client's own token",
            request: { server, client, token in
                try await server.revoke("token=\(token)&token_type_hint=access_token", authorization: client.basicAuthorization)
            }, status: .ok, error: nil, tokenSurvives: false),
    ]
}

@Suite("Revocation and introspection")
struct RevocationIntrospectionTests {
    @Test("every revocation row", arguments: Backend.available, RevocationRow.all)
    func revocationRow(backend: Backend, row: RevocationRow) async throws {
        try await LiveServer.run(backend) { server in
            let (client, token) = try await server.serviceToken()
            let response = try await row.request(server, client, token)
            if let error = row.error {
                expectOAuthError(response, status: row.status, error: error)
            } else {
                #expect(response.status == .ok)
                #expect(response.text.isEmpty)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            #expect((response.headers[.wwwAuthenticate] != nil) == row.basicChallenge)
            let introspected = try await server.introspect(token, authorization: client.basicAuthorization)
            #expect(introspected.json["active"] as? Bool == row.tokenSurvives)
        }
    }

    @Test("revoking twice, or an expired token, answers 200", .spec("revoke.success"), arguments: Backend.available)
    func idempotent(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, token) = try await server.serviceToken()
            #expect(try await server.revoke("token=\(token)", authorization: client.basicAuthorization).status == .ok)
            #expect(try await server.revoke("token=\(token)", authorization: client.basicAuthorization).status == .ok)
            let (other, expired) = try await server.serviceToken()
            try await server.store.database.withSQL { sql in
                try await sql.raw("UPDATE access_tokens SET expires_at = 0 WHERE token_hash = \(bind: SecretHasher.hash(expired))").run()
            }
            #expect(try await server.revoke("token=\(expired)", authorization: other.basicAuthorization).status == .ok)
        }
    }

    @Test("revoking a refresh token revokes the access tokens of its grant", arguments: Backend.available)
    func revokeRefreshToken(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let access = try #require(tokens.json["access_token"] as? String)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            #expect(try await server.introspect(access, authorization: client.basicAuthorization).json["active"] as? Bool == true)
            let revoked = try await server.revoke("token=\(refresh)&token_type_hint=refresh_token", authorization: client.basicAuthorization)
            #expect(revoked.status == .ok)
            #expect(try await server.introspect(access, authorization: client.basicAuthorization).json["active"] as? Bool == false)
            #expect(try await server.introspect(refresh, authorization: client.basicAuthorization).json["active"] as? Bool == false)
            expectOAuthError(try await server.refresh(refresh, client: client), status: .badRequest, error: .invalidGrant)
        }
    }

    @Test("an active user token: every field of SPEC §6", arguments: Backend.available)
    func activeUserToken(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let access = try #require(tokens.json["access_token"] as? String)
            let response = try await server.introspect(access, authorization: client.basicAuthorization)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let body = response.json
            #expect(body["active"] as? Bool == true)
            #expect(body["scope"] as? String == "profile")
            #expect(body["client_id"] as? String == client.id)
            #expect(body["sub"] as? String == user.id)
            #expect(body["username"] as? String == user.username)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["iss"] as? String == LiveServer.issuer)
            #expect((body["jti"] as? String)?.isEmpty == false)
            let exp = try #require(body["exp"] as? Int)
            let iat = try #require(body["iat"] as? Int)
            #expect(exp - iat == 3600)

            let refresh = try #require(tokens.json["refresh_token"] as? String)
            let refreshAnswer = try await server.introspect(refresh, authorization: client.basicAuthorization).json
            #expect(refreshAnswer["active"] as? Bool == true)
            #expect(refreshAnswer["token_type"] as? String == "refresh_token")
        }
    }

    @Test("a client_credentials token's sub is the client, with no username", arguments: Backend.available)
    func clientToken(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, token) = try await server.serviceToken()
            let body = try await server.introspect(token, authorization: client.basicAuthorization).json
            #expect(body["active"] as? Bool == true)
            #expect(body["sub"] as? String == client.id)
            #expect(body["username"] == nil)
            #expect(body["scope"] as? String == "read write")
        }
    }

    @Test("only --can-introspect clients see other clients' tokens", arguments: Backend.available)
    func visibility(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (_, token) = try await server.serviceToken()
            let stranger = try await server.register()
            let strangerView = try await server.introspect(token, authorization: stranger.basicAuthorization)
            #expect(strangerView.status == .ok)
            #expect(strangerView.text == #"{"active":false}"#)

            let secret = SecretGenerator().make(.clientSecret)
            let resourceServer = Client(
                id: SecretGenerator().makeIdentifier(), name: uniqueName("api"), secretHash: SecretHasher.hash(secret),
                grantTypes: [.clientCredentials], canIntrospect: true, createdAt: Date()
            )
            try await server.store.createClient(resourceServer)
            let privileged = LiveServer.RegisteredClient(id: resourceServer.id, secret: secret)
            #expect(try await server.introspect(token, authorization: privileged.basicAuthorization).json["active"] as? Bool == true)
        }
    }

    /// The other error rows of introspection (no token, no credentials) are socket-free rows of
    /// `RevocationIntrospectionRowTests`.
    @Test(
        "introspection errors: a wrong secret by Basic, a public client in the body", .spec("introspect.invalid_client"),
        arguments: Backend.available, ["wrong secret", "public client"])
    func introspectionErrors(backend: Backend, situation: String) async throws {
        try await LiveServer.run(backend) { server in
            let (client, token) = try await server.serviceToken()
            switch situation {
            case "wrong secret":
                let response = try await server.introspect(
                    token, authorization: LiveServer.RegisteredClient(id: client.id, secret: "x").basicAuthorization
                )
                expectOAuthError(response, status: .unauthorized, error: .invalidClient)
                #expect(response.headers[.wwwAuthenticate] != nil)
            default:
                let publicClient = try await server.registerWebApp(isPublic: true)
                let response = try await server.send(
                    .post, "/oauth2/introspect", headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: "token=\(token)&client_id=\(publicClient.id)"
                )
                expectOAuthError(response, status: .unauthorized, error: .invalidClient)
                #expect(response.headers[.wwwAuthenticate] == nil)
            }
        }
    }

    @Test("unknown, expired and rotated-away tokens are inactive", arguments: Backend.available)
    func inactive(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let (client, token) = try await server.serviceToken()
            #expect(try await server.introspect("gtha_unknown", authorization: client.basicAuthorization).text == #"{"active":false}"#)
            try await server.store.database.withSQL { sql in
                try await sql.raw("UPDATE access_tokens SET expires_at = 0 WHERE token_hash = \(bind: SecretHasher.hash(token))").run()
            }
            #expect(try await server.introspect(token, authorization: client.basicAuthorization).json["active"] as? Bool == false)

            let web = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: web, user: user), client: web)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            #expect(try await server.refresh(refresh, client: web).status == .ok)
            #expect(try await server.introspect(refresh, authorization: web.basicAuthorization).json["active"] as? Bool == false)
        }
    }

    @Test(
        "revoke and introspect refuse GET with 405", .spec("errors.status.405"), arguments: Backend.available,
        ["/oauth2/token/revoke", "/oauth2/introspect"])
    func methods(backend: Backend, path: String) async throws {
        try await LiveServer.run(backend) { server in
            let response = try await server.send(.get, path)
            expectOAuthError(response, status: .methodNotAllowed, error: .invalidRequest)
            #expect(response.headers[.allow] == "POST")
        }
    }
}
