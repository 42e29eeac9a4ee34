import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@Suite("client_credentials grant")
struct ClientCredentialsTests {
    private func expectTokenResponse(_ response: TestResponse, scope: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == .ok, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        #expect(response.headers[.pragma] == "no-cache", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
        let body = response.json
        #expect((body["access_token"] as? String)?.hasPrefix("gtha_") == true, sourceLocation: sourceLocation)
        #expect(body["token_type"] as? String == "Bearer", sourceLocation: sourceLocation)
        #expect(body["expires_in"] as? Int == 3600, sourceLocation: sourceLocation)
        #expect(body["scope"] as? String == scope, sourceLocation: sourceLocation)
        // RFC 6749 §4.4.3: no refresh token for client_credentials.
        #expect(body["refresh_token"] == nil, sourceLocation: sourceLocation)
    }

    @Test("HTTP Basic issues a token with the client's scopes by default", arguments: Backend.available)
    func basic(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register(scopes: ["read", "write"])
            let response = try await server.token(form: "grant_type=client_credentials", authorization: caller.basicAuthorization)
            expectTokenResponse(response, scope: "read write")
        }
    }

    @Test("client_secret_post and a narrower scope", arguments: Backend.available)
    func post(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register(scopes: ["read", "write"])
            let response = try await server.token(
                form: "grant_type=client_credentials&scope=write&client_id=\(caller.id)&client_secret=\(caller.secret ?? "")"
            )
            expectTokenResponse(response, scope: "write")
        }
    }

    @Test("Basic credentials are form-urlencoded before base64: fully escaped ones work too", arguments: Backend.available)
    func basicFormDecoding(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register()
            let escape = { (s: String) in s.utf8.map { String(format: "%%%02X", $0) }.joined() }
            let raw = "\(escape(caller.id)):\(escape(caller.secret ?? ""))"
            let response = try await server.token(
                form: "grant_type=client_credentials&client_id=\(caller.id)",
                authorization: "Basic " + Data(raw.utf8).base64EncodedString()
            )
            expectTokenResponse(response, scope: "read write")
        }
    }

    @Test("the token is stored only as its SHA-256 hash", arguments: Backend.available)
    func storedHashed(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register()
            let response = try await server.token(form: "grant_type=client_credentials", authorization: caller.basicAuthorization)
            let token = try #require(response.json["access_token"] as? String)
            let record = try #require(try await server.store.accessToken(hash: SecretHasher.hash(token)))
            #expect(record.clientID == caller.id)
            #expect(record.userID == nil)
            #expect(record.scope == ["read", "write"])
            let rows = try await server.store.database.withSQL { sql in
                try await sql.raw("SELECT id FROM access_tokens WHERE token_hash = \(bind: token) OR id = \(bind: token)").all()
            }
            #expect(rows.isEmpty)
            let client = try #require(try await server.store.client(id: caller.id))
            #expect(client.secretHash == SecretHasher.hash(caller.secret ?? ""))
        }
    }

    @Test(
        "a deleted client is refused with 401 invalid_client once client_cache_ttl has passed, never a 5xx", .spec("ops.deleted-client"),
        arguments: Backend.available)
    func deletedClient(backend: Backend) async throws {
        // client_cache_ttl 0: the passing of the TTL without waiting for it.
        try await LiveServer.run(backend, configure: { $0.clientCacheTTL = 0 }) { server in
            let caller = try await server.register()
            expectTokenResponse(
                try await server.token(form: "grant_type=client_credentials", authorization: caller.basicAuthorization), scope: "read write")
            #expect(try await server.store.deleteClient(id: caller.id))
            let response = try await server.token(form: "grant_type=client_credentials", authorization: caller.basicAuthorization)
            expectOAuthError(response, status: .unauthorized, error: .invalidClient)
            #expect(response.headers[.wwwAuthenticate] == #"Basic realm="gatehouse", charset="UTF-8""#)
        }
    }

    @Test("a request accepts a charset on the form content type", arguments: Backend.available)
    func contentTypeWithCharset(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register()
            let response = try await server.token(
                form: "grant_type=client_credentials",
                authorization: caller.basicAuthorization,
                headers: [.contentType: "application/x-www-form-urlencoded; charset=UTF-8"]
            )
            expectTokenResponse(response, scope: "read write")
        }
    }
}
