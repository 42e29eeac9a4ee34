import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport

/// A client, a user and one authorization of theirs with an unused code: what the units of work
/// start from.
struct TokenFamily {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    let client: Client
    let user: User
    let grant: Grant
    let code: AuthorizationCode

    static func seed(_ store: any ConformingStore) async throws -> TokenFamily {
        let client = Client(
            id: SecretGenerator().makeIdentifier(), name: uniqueName("app"), secretHash: SecretHasher.hash("s"),
            redirectURIs: ["https://app.example/cb"], grantTypes: [.authorizationCode, .refreshToken, .clientCredentials],
            scopes: ["read", "write"], createdAt: start
        )
        try await store.createClient(client)
        let user = User(id: SecretGenerator().makeIdentifier(), username: uniqueName("user"), passwordHash: "$2b$12$x", createdAt: start)
        try await store.createUser(user)
        let grant = Grant(id: SecretGenerator().makeIdentifier(), clientID: client.id, userID: user.id, scope: ["read"], createdAt: start)
        try await store.createGrant(grant)
        let code = AuthorizationCode(
            codeHash: SecretHasher.hash(SecretGenerator().make(.authorizationCode)), grantID: grant.id, clientID: client.id,
            userID: user.id, redirectURI: nil, scope: ["read"], codeChallenge: nil, state: nil, createdAt: start,
            expiresAt: start.addingTimeInterval(60)
        )
        try await store.insertAuthorizationCode(code)
        return TokenFamily(client: client, user: user, grant: grant, code: code)
    }

    /// A fresh pair for this family, issued by rotating `parent` (or by the code, when `nil`).
    func pair(parent: String? = nil, at date: Date = start) -> IssuedTokens {
        let access = AccessTokenRecord(
            id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.accessToken)),
            clientID: client.id, userID: user.id, scope: ["read"], issuedAt: date, expiresAt: date.addingTimeInterval(3600),
            grantID: grant.id, parentTokenHash: parent
        )
        let refresh = RefreshTokenRecord(
            id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.refreshToken)),
            grantID: grant.id, clientID: client.id, userID: user.id, scope: ["read"], issuedAt: date,
            expiresAt: date.addingTimeInterval(86_400), parentTokenHash: parent
        )
        return IssuedTokens(accessToken: access, refreshToken: refresh)
    }

    /// Redeems the code; returns the refresh token record it stored.
    func redeem(_ store: any ConformingStore) async throws -> RefreshTokenRecord {
        let tokens = pair()
        guard try await store.redeemAuthorizationCode(hash: code.codeHash, issuing: tokens, at: Self.start),
            let refresh = tokens.refreshToken
        else { throw FamilyError.codeNotRedeemed }
        return refresh
    }

    enum FamilyError: Error {
        case codeNotRedeemed
    }
}
