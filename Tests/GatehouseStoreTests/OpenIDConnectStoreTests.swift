import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

/// Migration 10 on every backend: the sign-in of an `openid` grant (nonce, auth_time, sid) is
/// kept with the grant and read back with its code and with its refresh tokens.
@Suite("Store conformance: OpenID Connect sign-in of a grant")
struct OpenIDConnectStoreTests {
    @Test("an openid grant's nonce, auth_time and sid come back with the grant, its code and its refresh token", arguments: StoreBackend.all)
    func signInRoundTrip(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let client = Client(
                id: SecretGenerator().makeIdentifier(), name: uniqueName("rp"), secretHash: SecretHasher.hash("s"),
                redirectURIs: ["https://app.example/cb"], grantTypes: [.authorizationCode, .refreshToken], scopes: ["openid"], createdAt: now
            )
            try await db.store.createClient(client)
            let signIn = OpenIDAuthentication(nonce: "n-1", authTime: now.addingTimeInterval(-30), sessionID: "0123456789abcdef0123456789abcdef")
            for openID in [signIn, nil] {
                let grant = Grant(
                    id: SecretGenerator().makeIdentifier(), clientID: client.id, userID: "u-1", scope: ["openid"], createdAt: now, openID: openID
                )
                try await db.store.createGrant(grant)
                #expect(try await db.store.grant(id: grant.id)?.openID == openID)

                let code = SecretGenerator().make(.authorizationCode)
                try await db.store.insertAuthorizationCode(
                    AuthorizationCode(
                        codeHash: SecretHasher.hash(code), grantID: grant.id, clientID: client.id, userID: "u-1", redirectURI: nil, scope: ["openid"],
                        codeChallenge: nil, state: nil, createdAt: now, expiresAt: now.addingTimeInterval(60), openID: openID
                    )
                )
                #expect(try await db.store.authorizationCode(hash: SecretHasher.hash(code))?.openID == openID)

                let refresh = RefreshTokenRecord(
                    id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.refreshToken)), grantID: grant.id,
                    clientID: client.id, userID: "u-1", scope: ["openid"], issuedAt: now, expiresAt: now.addingTimeInterval(3600)
                )
                let access = AccessTokenRecord(
                    id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.accessToken)), clientID: client.id,
                    userID: "u-1", scope: ["openid"], issuedAt: now, expiresAt: now.addingTimeInterval(3600), grantID: grant.id
                )
                let redeemed = try await db.store.redeemAuthorizationCode(
                    hash: SecretHasher.hash(code), issuing: IssuedTokens(accessToken: access, refreshToken: refresh), at: now
                )
                #expect(redeemed)
                #expect(try await db.store.refreshTokenWithGrant(hash: refresh.tokenHash)?.grant.openID == openID)
            }
        }
    }
}
