public import Foundation

/// Makes refresh tokens and records them before they are handed out.
public struct RefreshTokenIssuer: Sendable {
    private let store: any GrantStore
    private let generator = SecretGenerator()
    /// Lifetime in seconds.
    public let lifetime: Int

    public init(store: any GrantStore, lifetime: Int) {
        self.store = store
        self.lifetime = lifetime
    }

    public func issue(clientID: String, userID: String?, scope: ScopeSet, grantID: String, now: Date) async throws -> String {
        let token = generator.make(.refreshToken)
        try await store.insertRefreshToken(
            RefreshTokenRecord(
                id: generator.makeIdentifier(),
                tokenHash: SecretHasher.hash(token),
                grantID: grantID,
                clientID: clientID,
                userID: userID,
                scope: scope,
                issuedAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(lifetime))
            )
        )
        return token
    }
}
