import Foundation
import GatehouseCore
import GatehouseTestSupport
import Testing

/// The store's part of resource indicators (RFC 8707): what a grant, its code and its access tokens
/// were for reads back on every backend, and nothing reads back as "none".
@Suite("Store conformance: resource indicators")
struct ResourceStoreTests {
    static let resources = ["https://api.example/notes", "urn:example:calendar?tenant=1"]

    @Test("a grant, its code and an access token keep their resources in order; without any they read back empty", arguments: StoreBackend.all)
    func resourcesRoundTrip(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            #expect(try await db.store.grant(id: family.grant.id)?.resources == [])
            #expect(try await db.store.authorizationCode(hash: family.code.codeHash)?.resources == [])

            let grant = Grant(
                id: SecretGenerator().makeIdentifier(), clientID: family.client.id, userID: family.user.id, scope: ["read"],
                resources: Self.resources, createdAt: TokenFamily.start
            )
            try await db.store.createGrant(grant)
            #expect(try await db.store.grant(id: grant.id) == grant)
            let code = AuthorizationCode(
                codeHash: SecretHasher.hash(SecretGenerator().make(.authorizationCode)), grantID: grant.id, clientID: family.client.id,
                userID: family.user.id, redirectURI: nil, scope: ["read"], resources: Self.resources, codeChallenge: nil, state: nil,
                createdAt: TokenFamily.start, expiresAt: TokenFamily.start.addingTimeInterval(60)
            )
            try await db.store.insertAuthorizationCode(code)
            #expect(try await db.store.authorizationCode(hash: code.codeHash) == code)

            var tokens = family.pair()
            tokens.accessToken.grantID = grant.id
            tokens.accessToken.audience = [Self.resources[1]]
            tokens.refreshToken?.grantID = grant.id
            #expect(try await db.store.redeemAuthorizationCode(hash: code.codeHash, issuing: tokens, at: TokenFamily.start))
            #expect(try await db.store.accessToken(hash: tokens.accessToken.tokenHash)?.audience == [Self.resources[1]])
            let refresh = try #require(tokens.refreshToken)
            #expect(try await db.store.refreshTokenWithGrant(hash: refresh.tokenHash)?.grant.resources == Self.resources)

            let plain = family.pair().accessToken
            try await db.store.insertAccessToken(plain)
            #expect(try await db.store.accessToken(hash: plain.tokenHash)?.audience == [])
        }
    }
}
