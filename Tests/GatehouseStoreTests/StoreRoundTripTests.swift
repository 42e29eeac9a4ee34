import Foundation
import GatehouseCore
import GatehouseTestSupport
import Testing

/// The rest of the store contract: what every backend reads back, cascades and counts, so that the
/// in-memory store the core tests use cannot drift from the databases.
@Suite("Store round trips")
struct StoreRoundTripTests {
    @Test("grants, codes and refresh tokens read back as written, times to the second", arguments: StoreBackend.all)
    func grantFamily(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            #expect(try await db.store.grant(id: family.grant.id) == family.grant)
            #expect(try await db.store.authorizationCode(hash: family.code.codeHash) == family.code)
            var tokens = family.pair()
            tokens.accessToken.expiresAt = TokenFamily.start.addingTimeInterval(3600.7)
            #expect(try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: tokens, at: TokenFamily.start))
            #expect(try await db.store.accessToken(hash: tokens.accessToken.tokenHash)?.expiresAt == TokenFamily.start.addingTimeInterval(3600))
            let refresh = try #require(tokens.refreshToken)
            let joined = try #require(try await db.store.refreshTokenWithGrant(hash: refresh.tokenHash))
            #expect(joined.token == refresh)
            #expect(joined.grant == family.grant)
            #expect(try await db.store.refreshTokenWithGrant(hash: "unknown") == nil)
            #expect(try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: family.pair(), at: TokenFamily.start) == false)
        }
    }

    @Test("a grant or code naming a missing client or grant is refused; a subject need not be a user", arguments: StoreBackend.all)
    func missingReferences(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let orphan = Grant(id: SecretGenerator().makeIdentifier(), clientID: "no-such-client", userID: nil, scope: [], createdAt: TokenFamily.start)
            await #expect(throws: StoreError.self) { try await db.store.createGrant(orphan) }
            #expect(try await db.store.grant(id: orphan.id) == nil)
            await #expect(throws: StoreError.duplicate("a grant with this id")) { try await db.store.createGrant(family.grant) }
            var code = family.code
            code.codeHash = SecretHasher.hash("another")
            code.grantID = "no-such-grant"
            await #expect(throws: StoreError.self) { try await db.store.insertAuthorizationCode(code) }
            // SPEC §10: the provider's login app names subjects the built-in user store does not know.
            let session = Session(
                idHash: SecretHasher.hash(SecretGenerator().makeIdentifier()), userID: "provider-subject", csrfToken: "c",
                createdAt: TokenFamily.start, expiresAt: TokenFamily.start, delegation: Grant.Delegation(username: nil), remembered: false
            )
            try await db.store.createSession(session)
            #expect(try await db.store.session(idHash: session.idHash) == session)
            let delegated = Grant(
                id: SecretGenerator().makeIdentifier(), clientID: family.client.id, userID: "provider-subject", scope: ["read"],
                createdAt: TokenFamily.start, delegation: Grant.Delegation(username: "pat")
            )
            try await db.store.createGrant(delegated)
            #expect(try await db.store.grant(id: delegated.id) == delegated)
        }
    }

    @Test("deleting a user deletes its grants, tokens, sessions and consents", arguments: StoreBackend.all)
    func deleteUserCascades(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let refresh = try await family.redeem(db.store)
            let session = Session(
                idHash: SecretHasher.hash(SecretGenerator().makeIdentifier()), userID: family.user.id, csrfToken: "c",
                createdAt: TokenFamily.start, expiresAt: TokenFamily.start.addingTimeInterval(60)
            )
            try await db.store.createSession(session)
            try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: ["read"], at: TokenFamily.start)
            #expect(try await db.store.deleteUser(username: family.user.username))
            #expect(try await db.store.grant(id: family.grant.id) == nil)
            #expect(try await db.store.refreshToken(hash: refresh.tokenHash) == nil)
            #expect(try await db.store.session(idHash: session.idHash) == nil)
            #expect(try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id).isEmpty)
            #expect(try await db.store.client(id: family.client.id) != nil)
        }
    }

    @Test("revoking a client's tokens revokes its grants and counts each token once", arguments: StoreBackend.all)
    func revokeClient(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let refresh = try await family.redeem(db.store)
            #expect(try await db.store.revokeAllTokens(clientID: family.client.id, at: TokenFamily.start) == 2)
            #expect(try await db.store.revokeAllTokens(clientID: family.client.id, at: TokenFamily.start) == 0)
            #expect(try await db.store.grant(id: family.grant.id)?.revokedAt == TokenFamily.start)
            #expect(try await db.store.refreshToken(hash: refresh.tokenHash)?.revokedAt == TokenFamily.start)
        }
    }

    @Test("a revoked access token keeps its first revocation time", arguments: StoreBackend.all)
    func revokeAccessTokenOnce(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let record = family.pair().accessToken
            try await db.store.insertAccessToken(record)
            try await db.store.revokeAccessToken(hash: record.tokenHash, at: TokenFamily.start)
            try await db.store.revokeAccessToken(hash: record.tokenHash, at: TokenFamily.start.addingTimeInterval(10))
            #expect(try await db.store.accessToken(hash: record.tokenHash)?.revokedAt == TokenFamily.start)
        }
    }

    @Test("sessions: create, read, refuse duplicates, delete", arguments: StoreBackend.all)
    func sessions(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let session = Session(
                idHash: SecretHasher.hash(SecretGenerator().makeIdentifier()), userID: family.user.id, csrfToken: "csrf",
                createdAt: TokenFamily.start, expiresAt: TokenFamily.start.addingTimeInterval(3600)
            )
            try await db.store.createSession(session)
            #expect(try await db.store.session(idHash: session.idHash) == session)
            await #expect(throws: StoreError.duplicate("a session with this id")) { try await db.store.createSession(session) }
            try await db.store.deleteSession(idHash: session.idHash)
            #expect(try await db.store.session(idHash: session.idHash) == nil)
        }
    }

    @Test("consents: unknown is empty, later scopes are added to earlier ones", arguments: StoreBackend.all)
    func consents(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            #expect(try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id).isEmpty)
            try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: ["read"], at: TokenFamily.start)
            try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: ["write", "read"], at: TokenFamily.start)
            #expect(try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id) == ["read", "write"])
        }
    }

    @Test("sign-in failures count per key until cleared", arguments: StoreBackend.all)
    func loginFailures(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let key = uniqueName("login")
            #expect(try await db.store.loginFailures(key: key) == nil)
            #expect(try await db.store.recordLoginFailure(key: key, at: TokenFamily.start) == 1)
            #expect(try await db.store.recordLoginFailure(key: key, at: TokenFamily.start.addingTimeInterval(5)) == 2)
            let failures = try #require(try await db.store.loginFailures(key: key))
            #expect(failures.count == 2 && failures.lastFailureAt == TokenFamily.start.addingTimeInterval(5))
            try await db.store.clearLoginFailures(key: key)
            #expect(try await db.store.loginFailures(key: key) == nil)
        }
    }

    @Test("signing keys: oldest first to the millisecond, duplicates refused, resealed in place", arguments: StoreBackend.isolated)
    func signingKeys(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let older = StoredSigningKey(kid: uniqueName("kid"), algorithm: "ES256", sealedPrivateKey: "plain:a", createdAt: Date(timeIntervalSince1970: 1.5))
            let newer = StoredSigningKey(kid: uniqueName("kid"), algorithm: "ES256", sealedPrivateKey: "plain:b", createdAt: Date(timeIntervalSince1970: 1.75))
            try await db.store.insertSigningKey(newer)
            try await db.store.insertSigningKey(older)
            await #expect(throws: StoreError.duplicate("a signing key with this kid")) { try await db.store.insertSigningKey(older) }
            try await db.store.replaceSealedPrivateKey(kid: older.kid, sealedPrivateKey: "plain:c")
            let keys = try await db.store.signingKeys().filter { $0.kid == older.kid || $0.kid == newer.kid }
            #expect(keys.map(\.kid) == [older.kid, newer.kid])
            #expect(keys.first?.sealedPrivateKey == "plain:c")
            #expect(keys.last == newer)
        }
    }
}
