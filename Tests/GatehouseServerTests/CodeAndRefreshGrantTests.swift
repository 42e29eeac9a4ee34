import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

/// A row of SPEC.md's token table for the authorization_code grant, redeemed over HTTP.
///
/// Every code-grant situation of the table is a socket-free row of `TokenEndpointRowTests`
/// (GatehouseCoreTests), expiry and all: the grant decides on the record the store returns. These
/// two prove the HTTP path of a redemption, one row per code, on both databases.
struct CodeGrantRow: Sendable, CustomTestStringConvertible {
    /// The SPEC.md row (`SpecRows` in GatehouseCoreTests) this situation belongs to.
    let spec: String
    let situation: String
    /// Redeems the (fresh, valid) code some wrong way.
    let redeem: @Sendable (LiveServer, String, LiveServer.RegisteredClient) async throws -> TestResponse
    let error: OAuthErrorCode
    var testDescription: String { situation }

    static let all: [CodeGrantRow] = [
        CodeGrantRow(
            spec: "token.invalid_grant.redirect_uri", situation: "redirect_uri different",
            redeem: { server, code, client in
                try await server.redeem(code, client: client, redirectURI: "http://127.0.0.1:9000/other")
            }, error: .invalidGrant),
        CodeGrantRow(
            spec: "token.invalid_grant.pkce", situation: "code_verifier malformed",
            redeem: { server, code, client in
                try await server.redeem(code, client: client, verifier: "short")
            }, error: .invalidRequest),
    ]
}

@Suite("authorization_code and refresh_token grants")
struct CodeAndRefreshGrantTests {
    @Test("every authorization_code error row", arguments: Backend.available, CodeGrantRow.all)
    func codeErrorRow(backend: Backend, row: CodeGrantRow) async throws {
        // German descriptions of these codes are covered by TokenEndpointErrorTests, which
        // shares the one error writer.
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user)
            let response = try await row.redeem(server, code, client)
            expectOAuthError(response, status: .badRequest, error: row.error)
            #expect(response.headers[.wwwAuthenticate] == nil)
        }
    }

    @Test("a second use of a code fails and revokes every token issued from it", .spec("token.code-reuse"), arguments: Backend.available)
    func codeReplay(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user)
            let first = try await server.redeem(code, client: client)
            #expect(first.status == .ok)
            let accessToken = try #require(first.json["access_token"] as? String)
            let refreshToken = try #require(first.json["refresh_token"] as? String)

            expectOAuthError(try await server.redeem(code, client: client), status: .badRequest, error: .invalidGrant)
            let access = try await server.store.accessToken(hash: SecretHasher.hash(accessToken))
            #expect(access?.revokedAt != nil)
            expectOAuthError(try await server.refresh(refreshToken, client: client), status: .badRequest, error: .invalidGrant)
        }
    }

    @Test("refresh rotates: each use returns a new token; narrower scope allowed, wider refused", arguments: Backend.available)
    func rotation(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            var query = AuthorizationQuery()
            query.scope = "profile read"
            let code = try await server.obtainCode(for: client, user: user, query: query)
            let first = try await server.redeem(code, client: client)
            let refresh1 = try #require(first.json["refresh_token"] as? String)

            let narrower = try await server.refresh(refresh1, client: client, scope: "read")
            #expect(narrower.status == .ok)
            #expect(narrower.headers[.cacheControl] == "no-store")
            #expect(narrower.json["scope"] as? String == "read")
            let refresh2 = try #require(narrower.json["refresh_token"] as? String)
            #expect(refresh2 != refresh1)

            // The rotated token keeps the grant's scope, so the full scope is still available.
            let full = try await server.refresh(refresh2, client: client)
            #expect(full.json["scope"] as? String == "profile read")
            let refresh3 = try #require(full.json["refresh_token"] as? String)

            expectOAuthError(try await server.refresh(refresh3, client: client, scope: "profile read write"), status: .badRequest, error: .invalidScope)
            expectOAuthError(try await server.refresh(refresh3, client: client, scope: "admin"), status: .badRequest, error: .invalidScope)
            // A refused scope does not burn the token.
            #expect(try await server.refresh(refresh3, client: client).status == .ok)
        }
    }

    @Test(
        "within refresh_token_reuse_interval a retry gets a new pair and revokes the earlier one; after it, reuse revokes the grant",
        .spec("ops.atomic-units"), arguments: Backend.available
    )
    func reuseInterval(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.refreshTokenReuseInterval = 30 }) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let first = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let refresh1 = try #require(first.json["refresh_token"] as? String)
            let second = try await server.refresh(refresh1, client: client)
            #expect(second.status == .ok)
            let access2 = try #require(second.json["access_token"] as? String)

            // The answer to `second` was lost; the client retries with the same token.
            let retry = try await server.refresh(refresh1, client: client)
            #expect(retry.status == .ok)
            let access3 = try #require(retry.json["access_token"] as? String)
            #expect(try await server.store.accessToken(hash: SecretHasher.hash(access2))?.revokedAt != nil)
            #expect(try await server.store.accessToken(hash: SecretHasher.hash(access3))?.revokedAt == nil)
            #expect(server.events.count(.refreshReuseDetected) == 0)

            server.clock.advance(by: 31)
            expectOAuthError(try await server.refresh(refresh1, client: client), status: .badRequest, error: .invalidGrant)
            #expect(try await server.store.accessToken(hash: SecretHasher.hash(access3))?.revokedAt != nil)
            #expect(server.events.count(.refreshReuseDetected) == 1)
        }
    }

    @Test("a rotated-away refresh token fails and revokes the whole grant", .spec("token.refresh-reuse"), arguments: Backend.available)
    func reuse(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let first = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let refresh1 = try #require(first.json["refresh_token"] as? String)
            let second = try await server.refresh(refresh1, client: client)
            let refresh2 = try #require(second.json["refresh_token"] as? String)
            let access2 = try #require(second.json["access_token"] as? String)

            expectOAuthError(try await server.refresh(refresh1, client: client), status: .badRequest, error: .invalidGrant)
            expectOAuthError(try await server.refresh(refresh2, client: client), status: .badRequest, error: .invalidGrant)
            #expect(try await server.store.accessToken(hash: SecretHasher.hash(access2))?.revokedAt != nil)
        }
    }

    /// The other refresh rows (missing, unknown, expired, revoked) are socket-free rows of
    /// `TokenEndpointRowTests`; this one also shows that a refusal does not use the token up.
    @Test(
        "a refresh token presented by another client is refused and stays usable by its own", .spec("token.invalid_grant.refresh"),
        arguments: Backend.available)
    func refreshByAnotherClient(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            let response = try await server.refresh(refresh, client: try await server.registerWebApp())
            expectOAuthError(response, status: .badRequest, error: .invalidGrant)
            #expect(try await server.refresh(refresh, client: client).status == .ok)
        }
    }

    @Test("of 20 concurrent redemptions of one code exactly one succeeds", arguments: Backend.available)
    func concurrentCodeRedemption(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user)
            let form =
                "grant_type=authorization_code&code=\(code)&redirect_uri=\(LiveServer.RegisteredClient.formEncode("http://127.0.0.1:9000/cb"))&code_verifier=\(PKCEPair.verifier)"
            let statuses = try await concurrently(20, server: server, form: form, authorization: client.basicAuthorization)
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 400 }.count == 19)
        }
    }

    @Test("of 20 concurrent uses of one refresh token exactly one succeeds", arguments: Backend.available)
    func concurrentRefresh(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            let statuses = try await concurrently(
                20, server: server, form: "grant_type=refresh_token&refresh_token=\(refresh)", authorization: client.basicAuthorization
            )
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 400 }.count == 19)
        }
    }

    /// Sends the same token request `count` times at once, each on its own connection.
    private func concurrently(_ count: Int, server: LiveServer, form: String, authorization: String) async throws -> [Int] {
        let port = try #require(server.client.port)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count {
                group.addTask {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/oauth2/token")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                    request.headers.add(name: "Authorization", value: authorization)
                    request.body = .bytes(ByteBuffer(string: form))
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    return Int(response.status.code)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
