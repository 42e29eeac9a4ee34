public import Foundation

/// Makes refresh tokens and the records the store keeps of them; like ``AccessTokenIssuer`` it
/// writes nothing, the unit of work that hands the token out does.
public struct RefreshTokenIssuer: Sendable {
    private let generator = SecretGenerator()
    /// Lifetime in seconds.
    public let lifetime: Int

    public init(lifetime: Int) {
        self.lifetime = lifetime
    }

    /// - Parameter parentTokenHash: the refresh token whose rotation issues this one, if any.
    public func make(
        clientID: String, userID: String?, scope: ScopeSet, grantID: String, parentTokenHash: String? = nil, now: Date
    ) -> (token: String, record: RefreshTokenRecord) {
        let token = generator.make(.refreshToken)
        let record = RefreshTokenRecord(
            id: generator.makeIdentifier(),
            tokenHash: SecretHasher.hash(token),
            grantID: grantID,
            clientID: clientID,
            userID: userID,
            scope: scope,
            issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(lifetime)),
            parentTokenHash: parentTokenHash
        )
        return (token, record)
    }
}
