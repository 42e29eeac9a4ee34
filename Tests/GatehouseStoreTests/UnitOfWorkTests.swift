import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Testing

/// SPEC §9 "Atomic units of work": each unit commits whole or not at all, on both databases.
@Suite("Units of work", .spec("ops.atomic-units"))
struct UnitOfWorkTests {
    @Test("a redemption whose token insert fails writes nothing and leaves the code usable", arguments: StoreBackend.all)
    func redemptionFailureKeepsCode(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let other = try await TokenFamily.seed(db.store)
            let taken = try await other.redeem(db.store)
            let family = try await TokenFamily.seed(db.store)
            // The refresh insert comes last: the code is consumed and the access token stored by then.
            var failing = family.pair()
            failing.refreshToken?.tokenHash = taken.tokenHash
            await #expect(throws: StoreError.duplicate("a refresh token with this hash")) {
                try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: failing, at: TokenFamily.start)
            }
            #expect(try await db.store.authorizationCode(hash: family.code.codeHash)?.consumedAt == nil)
            #expect(try await db.store.accessToken(hash: failing.accessToken.tokenHash) == nil)

            let retry = family.pair()
            #expect(try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: retry, at: TokenFamily.start))
            #expect(try await db.store.accessToken(hash: retry.accessToken.tokenHash) == retry.accessToken)
            #expect(try await db.store.authorizationCode(hash: family.code.codeHash)?.consumedAt != nil)
        }
    }

    @Test("a rotation that fails after retiring the old token leaves it usable", arguments: StoreBackend.all)
    func rotationFailureKeepsToken(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let current = try await family.redeem(db.store)
            var failing = family.pair(parent: current.tokenHash)
            failing.refreshToken?.tokenHash = current.tokenHash
            await #expect(throws: StoreError.self) {
                try await db.store.rotateRefreshToken(
                    hash: current.tokenHash, clientID: family.client.id, issuing: failing, reuseInterval: 0, at: TokenFamily.start
                )
            }
            let after = try #require(try await db.store.refreshToken(hash: current.tokenHash))
            #expect(after.rotatedAt == nil && after.revokedAt == nil)
            #expect(try await db.store.accessToken(hash: failing.accessToken.tokenHash) == nil)

            let retry = family.pair(parent: current.tokenHash)
            let outcome = try await db.store.rotateRefreshToken(
                hash: current.tokenHash, clientID: family.client.id, issuing: retry, reuseInterval: 0, at: TokenFamily.start
            )
            #expect(outcome == .rotated)
            #expect(try await db.store.refreshToken(hash: retry.refreshToken?.tokenHash ?? "") == retry.refreshToken)
        }
    }

    @Test(
        "a code whose grant was revoked before it was redeemed is neither found nor redeemed (by grant, client or user)",
        arguments: StoreBackend.all
    )
    func revokedGrantStopsItsCode(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let revocations: [@Sendable (TokenFamily) async throws -> Int] = [
                { try await db.store.revokeGrant(id: $0.code.grantID, at: TokenFamily.start) },
                { try await db.store.revokeAllTokens(clientID: $0.client.id, at: TokenFamily.start) },
                { try await db.store.revokeAllTokens(userID: $0.code.userID, at: TokenFamily.start) },
            ]
            for revoke in revocations {
                let family = try await TokenFamily.seed(db.store)
                _ = try await revoke(family)
                #expect(try await db.store.authorizationCode(hash: family.code.codeHash) == nil)
                let pair = family.pair()
                #expect(try await !db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: pair, at: TokenFamily.start))
                #expect(try await db.store.accessToken(hash: pair.accessToken.tokenHash) == nil)
            }
        }
    }

    @Test("of 20 concurrent redemptions of one code exactly one succeeds", arguments: StoreBackend.all)
    func concurrentRedemptions(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: family.pair(), at: TokenFamily.start)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test("of 20 concurrent rotations of one refresh token exactly one succeeds", arguments: StoreBackend.all)
    func concurrentRotations(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let current = try await family.redeem(db.store)
            let outcomes = try await withThrowingTaskGroup(of: RefreshRotation.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await db.store.rotateRefreshToken(
                            hash: current.tokenHash, clientID: family.client.id, issuing: family.pair(parent: current.tokenHash),
                            reuseInterval: 0, at: TokenFamily.start
                        )
                    }
                }
                return try await group.reduce(into: [RefreshRotation]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .rotated }.count == 1)
            #expect(outcomes.filter { $0 == .reuse }.count == 19)
        }
    }

    @Test("a retry within the reuse interval gets a new pair and revokes the earlier one", arguments: StoreBackend.all)
    func retryWithinInterval(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let current = try await family.redeem(db.store)
            let first = family.pair(parent: current.tokenHash)
            let rotate = { (tokens: IssuedTokens, seconds: TimeInterval, client: String) in
                try await db.store.rotateRefreshToken(
                    hash: current.tokenHash, clientID: client, issuing: tokens, reuseInterval: 30,
                    at: TokenFamily.start.addingTimeInterval(seconds)
                )
            }
            #expect(try await rotate(first, 0, family.client.id) == .rotated)
            let second = family.pair(parent: current.tokenHash)
            #expect(try await rotate(second, 10, family.client.id) == .replacedEarlierPair)
            #expect(try await db.store.accessToken(hash: first.accessToken.tokenHash)?.revokedAt != nil)
            #expect(try await db.store.refreshToken(hash: first.refreshToken?.tokenHash ?? "")?.revokedAt != nil)
            #expect(try await db.store.accessToken(hash: second.accessToken.tokenHash)?.revokedAt == nil)
            // Another client, or the interval over: reuse, and nothing written.
            let third = family.pair(parent: current.tokenHash)
            #expect(try await rotate(third, 11, "another-client") == .reuse)
            #expect(try await rotate(third, 30, family.client.id) == .reuse)
            #expect(try await db.store.accessToken(hash: third.accessToken.tokenHash) == nil)
            #expect(try await db.store.accessToken(hash: second.accessToken.tokenHash)?.revokedAt == nil)
        }
    }

    @Test("a retry after the earlier pair's refresh token was used is reuse", arguments: StoreBackend.all)
    func retryAfterChildUsed(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let current = try await family.redeem(db.store)
            let first = family.pair(parent: current.tokenHash)
            let child = try #require(first.refreshToken)
            let rotate = { (hash: String, tokens: IssuedTokens) in
                try await db.store.rotateRefreshToken(
                    hash: hash, clientID: family.client.id, issuing: tokens, reuseInterval: 30, at: TokenFamily.start
                )
            }
            #expect(try await rotate(current.tokenHash, first) == .rotated)
            #expect(try await rotate(child.tokenHash, family.pair(parent: child.tokenHash)) == .rotated)
            #expect(try await rotate(current.tokenHash, family.pair(parent: current.tokenHash)) == .reuse)
        }
    }

    @Test("the refresh grant: a retry within the interval succeeds, after it the grant is revoked", arguments: StoreBackend.all)
    func refreshGrantReuseInterval(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let handler = RefreshTokenGrant(
                store: db.store, accessTokens: AccessTokenIssuer(lifetime: 3600), refreshTokens: RefreshTokenIssuer(lifetime: 86_400),
                reuseInterval: 30
            )
            let codeTokens = family.pair()
            let refreshToken = SecretGenerator().make(.refreshToken)
            var issued = codeTokens
            issued.refreshToken?.tokenHash = SecretHasher.hash(refreshToken)
            #expect(try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: issued, at: TokenFamily.start))
            let request = { (seconds: TimeInterval) in
                GrantRequest(
                    parameters: RequestParameters(["grant_type": "refresh_token", "refresh_token": refreshToken]),
                    client: family.client, now: TokenFamily.start.addingTimeInterval(seconds)
                )
            }
            let first = try await handler.handle(request(1))
            let retry = try await handler.handle(request(5))
            #expect(first.accessToken != retry.accessToken)
            #expect(try await db.store.accessToken(hash: SecretHasher.hash(first.accessToken))?.revokedAt != nil)
            #expect(try await db.store.accessToken(hash: SecretHasher.hash(retry.accessToken))?.revokedAt == nil)

            await #expect(throws: OAuthError.self) { try await handler.handle(request(40)) }
            #expect(try await db.store.grant(id: family.grant.id)?.revokedAt != nil)
            #expect(try await db.store.accessToken(hash: SecretHasher.hash(retry.accessToken))?.revokedAt != nil)
        }
    }

    @Test("a token for a client deleted meanwhile is invalid_client, not a server error", .spec("ops.deleted-client"), arguments: StoreBackend.all)
    func deletedClient(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            #expect(try await db.store.deleteClient(id: family.client.id))
            let handler = ClientCredentialsGrant(issuer: AccessTokenIssuer(lifetime: 3600), tokens: db.store)
            let request = GrantRequest(
                parameters: RequestParameters(["grant_type": "client_credentials"]), client: family.client, now: TokenFamily.start,
                usedBasic: true, realm: "test"
            )
            let error = await #expect(throws: OAuthError.self) { try await handler.handle(request) }
            #expect(error?.code == .invalidClient)
            #expect(error?.status == .unauthorized)
            #expect(error?.headerFields[.wwwAuthenticate] == "Basic realm=\"test\", charset=\"UTF-8\"")
        }
    }

    @Test("concurrent consents to different scopes are all kept", arguments: StoreBackend.all)
    func concurrentConsents(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let scopes = (0..<12).map { "scope\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for scope in scopes {
                    group.addTask {
                        try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: [scope], at: TokenFamily.start)
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id)
            #expect(Set(stored.tokens) == Set(scopes))
        }
    }

    @Test("revoking a user's tokens also ends the user's sessions and forgets consents", arguments: StoreBackend.all)
    func revokeUser(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let refresh = try await family.redeem(db.store)
            let session = Session(
                idHash: SecretHasher.hash(SecretGenerator().makeIdentifier()), userID: family.user.id, csrfToken: "csrf",
                createdAt: TokenFamily.start, expiresAt: TokenFamily.start.addingTimeInterval(3600)
            )
            try await db.store.createSession(session)
            try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: ["read"], at: TokenFamily.start)

            #expect(try await db.store.revokeAllTokens(userID: family.user.id, at: TokenFamily.start) == 2)
            #expect(try await db.store.refreshToken(hash: refresh.tokenHash)?.revokedAt != nil)
            #expect(try await db.store.grant(id: family.grant.id)?.revokedAt != nil)
            #expect(try await db.store.session(idHash: session.idHash) == nil)
            #expect(try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id).isEmpty)
        }
    }

    @Test("revoking a grant revokes every token under it in one unit", arguments: StoreBackend.all)
    func revokeGrant(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let refresh = try await family.redeem(db.store)
            #expect(try await db.store.revokeGrant(id: family.grant.id, at: TokenFamily.start) == 2)
            #expect(try await db.store.revokeGrant(id: family.grant.id, at: TokenFamily.start) == 0)
            #expect(try await db.store.refreshToken(hash: refresh.tokenHash)?.revokedAt != nil)
        }
    }
}
