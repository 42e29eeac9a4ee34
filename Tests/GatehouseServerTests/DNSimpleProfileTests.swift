import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// SPEC §7: the `dnsimple` error profile reproduces DNSimple's token endpoint.
@Suite("dnsimple error profile")
struct DNSimpleProfileTests {
    static let path = "/v2/oauth/access_token"

    @Test("DNSimple's path exists only in its profile", arguments: Backend.available)
    func pathOnlyInProfile(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let response = try await server.send(.post, Self.path, headers: [.contentType: "application/x-www-form-urlencoded"], body: "grant_type=x")
            #expect(response.status == .notFound)
        }
    }

    @Test("the flow succeeds on both paths with a matching state", arguments: Backend.available, ["/oauth2/token", path])
    func success(backend: Backend, path: String) async throws {
        try await LiveServer.run(backend, configure: { $0.errorProfile = .dnsimple }) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user)
            let response = try await server.redeem(code, client: client, path: path, extra: "&state=st-123")
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        /// The SPEC.md row (`SpecRows` in GatehouseCoreTests) this situation belongs to.
        let spec: String
        let situation: String
        let redeem: @Sendable (LiveServer, String, LiveServer.RegisteredClient) async throws -> TestResponse
        let status: HTTPResponse.Status
        let error: OAuthErrorCode
        var testDescription: String { situation }
    }

    /// One row of each code, on DNSimple's path. Every situation of §7 is a socket-free row of
    /// `TokenEndpointRowTests` (GatehouseCoreTests) in this profile.
    static let rows: [Row] = [
        Row(
            spec: "dnsimple.invalid_grant", situation: "unknown code",
            redeem: { server, _, client in
                try await server.redeem("gthc_nope", client: client, path: path)
            }, status: .badRequest, error: .invalidGrant),
        Row(
            spec: "dnsimple.invalid_client", situation: "failed client authentication",
            redeem: { server, code, client in
                try await server.redeem(code, client: LiveServer.RegisteredClient(id: client.id, secret: "wrong"), path: path)
            }, status: .unauthorized, error: .invalidClient),
        Row(
            spec: "dnsimple.invalid_request", situation: "state different",
            redeem: { server, code, client in
                try await server.redeem(code, client: client, path: path, extra: "&state=other")
            }, status: .badRequest, error: .invalidRequest),
    ]

    @Test("DNSimple's codes where they differ from RFC 6749", arguments: Backend.available, rows)
    func errorRow(backend: Backend, row: Row) async throws {
        try await LiveServer.run(backend, configure: { $0.errorProfile = .dnsimple }) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let code = try await server.obtainCode(for: client, user: user)
            expectOAuthError(try await row.redeem(server, code, client), status: row.status, error: row.error)
        }
    }
}
