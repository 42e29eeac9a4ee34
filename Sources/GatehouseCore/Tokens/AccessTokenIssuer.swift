public import Foundation

/// Makes access tokens and records them in the store before they are handed out.
public struct AccessTokenIssuer: Sendable {
    private let store: any AccessTokenStore
    private let generator: SecretGenerator
    /// Lifetime in seconds.
    public let lifetime: Int

    public init(store: any AccessTokenStore, lifetime: Int, generator: SecretGenerator = SecretGenerator()) {
        self.store = store
        self.lifetime = lifetime
        self.generator = generator
    }

    /// A new opaque access token. The token itself exists only in the returned value; the store
    /// keeps its hash.
    public func issue(
        client: Client,
        userID: String?,
        scope: ScopeSet,
        grantID: String?,
        now: Date
    ) async throws -> (token: String, record: AccessTokenRecord) {
        let token = generator.make(.accessToken)
        let record = AccessTokenRecord(
            id: generator.makeIdentifier(),
            tokenHash: SecretHasher.hash(token),
            clientID: client.id,
            userID: userID,
            scope: scope,
            issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(lifetime)),
            grantID: grantID
        )
        try await store.insertAccessToken(record)
        return (token, record)
    }
}
