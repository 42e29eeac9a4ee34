import Foundation
import GatehouseCore
import GatehouseTestSupport
import Testing

/// The admin API's view of grants (SPEC §10), the same on every backend.
@Suite("Grant administration in the store")
struct AdminGrantStoreTests {
    @Test("a grant is active while a code waits or a token lives, listed by subject, client or both, oldest first", arguments: StoreBackend.all)
    func activeGrants(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let start = TokenFamily.start
            let expected = GrantSummary(
                id: family.grant.id, clientID: family.client.id, clientName: family.client.name, subject: family.user.id, scope: ["read"],
                createdAt: start
            )
            #expect(try await db.store.activeGrants(subject: family.user.id, clientID: nil, at: start) == [expected], "a code waits")
            #expect(try await db.store.activeGrants(subject: family.user.id, clientID: nil, at: start.addingTimeInterval(61)).isEmpty)

            _ = try await family.redeem(db.store)
            for (seconds, active) in [(61, true), (4_000, true), (90_000, false)] {
                let listed = try await db.store.activeGrants(subject: nil, clientID: family.client.id, at: start.addingTimeInterval(TimeInterval(seconds)))
                #expect(listed == (active ? [expected] : []), "\(seconds) s: the access token lives an hour, the refresh token a day")
            }
            #expect(try await db.store.activeGrants(subject: family.user.id, clientID: family.client.id, at: start) == [expected])
            #expect(try await db.store.activeGrants(subject: "someone-else", clientID: family.client.id, at: start).isEmpty)

            let later = Grant(
                id: SecretGenerator().makeIdentifier(), clientID: family.client.id, userID: family.user.id, scope: ["write"],
                createdAt: start.addingTimeInterval(10)
            )
            try await db.store.createGrant(later)
            var code = family.code
            code.codeHash = SecretHasher.hash(SecretGenerator().make(.authorizationCode))
            code.grantID = later.id
            code.expiresAt = start.addingTimeInterval(600)
            try await db.store.insertAuthorizationCode(code)
            let both = try await db.store.activeGrants(subject: family.user.id, clientID: nil, at: start.addingTimeInterval(20))
            #expect(both.map(\.id) == [family.grant.id, later.id])

            _ = try await db.store.revokeGrant(id: family.grant.id, at: start.addingTimeInterval(30))
            #expect(try await db.store.activeGrants(subject: family.user.id, clientID: nil, at: start.addingTimeInterval(40)).map(\.id) == [later.id])
        }
    }

    @Test("withdrawing a grant revokes its tokens, drops its waiting codes and forgets the consent, as one unit, once", arguments: StoreBackend.all)
    func withdraw(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let start = TokenFamily.start
            let tokens = family.pair()
            #expect(try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: tokens, at: start))
            try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: ["read"], at: start)
            let other = Client(id: SecretGenerator().makeIdentifier(), name: uniqueName("other"), secretHash: nil, createdAt: start)
            try await db.store.createClient(other)
            try await db.store.recordConsent(clientID: other.id, userID: family.user.id, scope: ["read"], at: start)

            let pending = Grant(
                id: SecretGenerator().makeIdentifier(), clientID: family.client.id, userID: family.user.id, scope: ["read"], createdAt: start
            )
            try await db.store.createGrant(pending)
            var code = family.code
            code.codeHash = SecretHasher.hash(SecretGenerator().make(.authorizationCode))
            code.grantID = pending.id
            try await db.store.insertAuthorizationCode(code)

            let date = start.addingTimeInterval(5)
            #expect(try await db.store.withdrawGrant(id: family.grant.id, at: date) == 2)
            #expect(try await db.store.grant(id: family.grant.id)?.revokedAt == date)
            #expect(try await db.store.accessToken(hash: tokens.accessToken.tokenHash)?.revokedAt == date)
            #expect(try await db.store.refreshToken(hash: try #require(tokens.refreshToken).tokenHash)?.revokedAt == date)
            #expect(try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id).isEmpty)
            #expect(try await db.store.consentedScope(clientID: other.id, userID: family.user.id) == ["read"], "another client's consent stays")
            #expect(try await db.store.withdrawGrant(id: family.grant.id, at: date) == nil, "once")
            #expect(try await db.store.withdrawGrant(id: "no-such-grant", at: date) == nil)

            #expect(try await db.store.withdrawGrant(id: pending.id, at: date) == 0)
            #expect(try await db.store.authorizationCode(hash: code.codeHash) == nil, "a waiting code can no longer be redeemed")
            #expect(try await db.store.activeGrants(subject: family.user.id, clientID: nil, at: date).isEmpty)
        }
    }
}
