import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

/// The bulk import that seeds the benchmark's data sets: what it stores reads back as the units
/// of work would have left it.
@Suite("Bulk import")
struct BulkImportTests {
    @Test("imported code flows read back as redeemed codes with live, rotatable refresh tokens", arguments: Backend.available)
    func finishedCodeFlows(backend: Backend) async throws {
        try await TestDatabase.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            // More than one chunk of 500, so that several transactions run.
            let flows = (0..<510).map { _ in
                let grant = Grant(
                    id: SecretGenerator().makeIdentifier(), clientID: family.client.id, userID: family.user.id, scope: ["read"],
                    createdAt: TokenFamily.start
                )
                let code = AuthorizationCode(
                    codeHash: SecretHasher.hash(SecretGenerator().make(.authorizationCode)), grantID: grant.id,
                    clientID: family.client.id, userID: family.user.id, redirectURI: nil, scope: ["read"], codeChallenge: nil,
                    state: nil, createdAt: TokenFamily.start, expiresAt: TokenFamily.start.addingTimeInterval(60)
                )
                var tokens = family.pair()
                tokens.accessToken.grantID = grant.id
                tokens.refreshToken?.grantID = grant.id
                return FinishedCodeFlow(grant: grant, code: code, tokens: tokens)
            }
            try await db.store.importFinishedCodeFlows(flows)
            for flow in [flows[0], flows[flows.count - 1]] {
                #expect(try await db.store.grant(id: flow.grant.id) == flow.grant)
                #expect(try await db.store.authorizationCode(hash: flow.code.codeHash)?.consumedAt == TokenFamily.start)
                #expect(try await db.store.accessToken(hash: flow.tokens.accessToken.tokenHash) == flow.tokens.accessToken)
                let refresh = try #require(flow.tokens.refreshToken)
                #expect(try await db.store.refreshTokenWithGrant(hash: refresh.tokenHash)?.grant.id == flow.grant.id)
                var next = family.pair(parent: refresh.tokenHash)
                next.accessToken.grantID = flow.grant.id
                next.refreshToken?.grantID = flow.grant.id
                let outcome = try await db.store.rotateRefreshToken(
                    hash: refresh.tokenHash, clientID: family.client.id, issuing: next, reuseInterval: 0, at: TokenFamily.start
                )
                #expect(outcome == .rotated)
            }
        }
    }

    @Test("imported access tokens read back; a duplicate fails its chunk whole", arguments: Backend.available)
    func accessTokens(backend: Backend) async throws {
        try await TestDatabase.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let records = (0..<3).map { _ in family.pair().accessToken }
            try await db.store.importAccessTokens(records)
            for record in records {
                #expect(try await db.store.accessToken(hash: record.tokenHash) == record)
            }
            let fresh = family.pair().accessToken
            await #expect(throws: StoreError.duplicate("an access token with this hash")) {
                try await db.store.importAccessTokens([fresh, records[0]])
            }
            #expect(try await db.store.accessToken(hash: fresh.tokenHash) == nil)
        }
    }
}
