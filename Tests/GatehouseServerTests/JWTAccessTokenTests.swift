import Crypto
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("JWT access tokens over HTTP")
struct JWTAccessTokenTests {
    /// The public keys of `GET /oauth2/jwks`, by kid.
    private func jwks(_ server: LiveServer) async throws -> [String: P256.Signing.PublicKey] {
        let response = try await server.send(.get, "/oauth2/jwks")
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        let keys = response.json["keys"] as? [[String: String]] ?? []
        var found: [String: P256.Signing.PublicKey] = [:]
        for key in keys {
            #expect(key["kty"] == "EC" && key["crv"] == "P-256" && key["alg"] == "ES256" && key["use"] == "sig")
            if let kid = key["kid"], let publicKey = JWK.publicKey(x: key["x"] ?? "", y: key["y"] ?? "") { found[kid] = publicKey }
        }
        return found
    }

    private func verify(_ token: String, server: LiveServer) async throws -> JWTAccessToken.Claims {
        let keys = try await jwks(server)
        return try await JWTAccessToken.verify(token, issuer: LiveServer.issuer, audience: LiveServer.issuer, now: Date()) { keys[$0] }
    }

    private func kid(of token: String) -> String? {
        guard let header = token.split(separator: ".").first, let bytes = Base64URL.decode(header) else { return nil }
        return ((try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any])?["kid"] as? String
    }

    @Test("a jwt client gets an RFC 9068 token that verifies against the JWKS", arguments: Backend.available)
    func clientFormat(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let secret = SecretGenerator().make(.clientSecret)
            let client = Client(
                id: SecretGenerator().makeIdentifier(), name: uniqueName("jwt"), secretHash: SecretHasher.hash(secret),
                grantTypes: [.clientCredentials], scopes: ["read"], tokenFormat: .jwt, createdAt: Date()
            )
            try await server.store.createClient(client)
            let registered = LiveServer.RegisteredClient(id: client.id, secret: secret)
            let response = try await server.token(form: "grant_type=client_credentials", authorization: registered.basicAuthorization)
            #expect(response.status == .ok)
            let token = try #require(response.json["access_token"] as? String)
            let claims = try await verify(token, server: server)
            #expect(claims.subject == client.id)
            #expect(claims.clientID == client.id)
            #expect(claims.scope == ["read"])
            #expect(claims.expiresAt - claims.issuedAt == 3600)

            let introspected = try await server.introspect(token, authorization: registered.basicAuthorization).json
            #expect(introspected["active"] as? Bool == true)
            #expect(introspected["jti"] as? String == claims.tokenID)

            #expect(try await server.revoke("token=\(token)", authorization: registered.basicAuthorization).status == .ok)
            #expect(try await server.introspect(token, authorization: registered.basicAuthorization).json["active"] as? Bool == false)
        }
    }

    @Test("access_token_format jwt applies to clients without their own format; user tokens carry the user", arguments: Backend.available)
    func serverFormat(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.accessTokenFormat = .jwt }) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let tokens = try await server.redeem(try await server.obtainCode(for: client, user: user), client: client)
            let token = try #require(tokens.json["access_token"] as? String)
            let claims = try await verify(token, server: server)
            #expect(claims.subject == user.id)
            #expect(claims.scope == ["profile"])
            #expect((tokens.json["refresh_token"] as? String)?.hasPrefix("gthr_") == true)
        }
    }

    @Test("a rotation is picked up without a restart, and the old key stays published", arguments: Backend.available)
    func rotation(backend: Backend) async throws {
        // A refresh interval of zero makes the server reread the keys on every use.
        try await LiveServer.run(
            backend,
            configure: {
                $0.accessTokenFormat = .jwt; $0.keyRefreshInterval = 0
            }
        ) { server in
            let (client, before) = try await server.serviceToken()
            let oldKid = try #require(kid(of: before))
            let ring = KeyRing(store: server.store, encryption: KeyEncryption(secret: nil), refreshInterval: 0, accessTokenLifetime: 3600)
            let newKey = try await ring.rotate()
            let after = try await server.token(form: "grant_type=client_credentials", authorization: client.basicAuthorization)
            let token = try #require(after.json["access_token"] as? String)
            #expect(kid(of: token) == newKey.kid)
            let published = try await jwks(server)
            #expect(published[oldKid] != nil && published[newKey.kid] != nil)
            _ = try await verify(before, server: server)
            _ = try await verify(token, server: server)
        }
    }

    @Test("metadata names the JWKS", arguments: Backend.available)
    func metadata(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let body = try await server.send(.get, "/.well-known/oauth-authorization-server").json
            #expect(body["jwks_uri"] as? String == "\(LiveServer.issuer)/oauth2/jwks")
        }
    }
}
