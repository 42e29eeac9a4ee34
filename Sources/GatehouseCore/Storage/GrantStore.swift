public import Foundation

/// Grants, codes and refresh tokens: what the authorization code flow and rotation need.
///
/// The two operations that decide a race are single compare-and-swap statements: of any number of
/// concurrent calls for one code or one refresh token, exactly one wins.
public protocol GrantStore: Sendable {
    func createGrant(_ grant: Grant) async throws
    func grant(id: String) async throws -> Grant?
    /// Revokes the grant and every access and refresh token descended from it.
    func revokeGrant(id: String, at date: Date) async throws

    func insertAuthorizationCode(_ code: AuthorizationCode) async throws
    func authorizationCode(hash: String) async throws -> AuthorizationCode?
    /// Marks the code used if, and only if, it was unused.
    /// - Returns: whether this call consumed it.
    func consumeAuthorizationCode(hash: String, at date: Date) async throws -> Bool

    func insertRefreshToken(_ record: RefreshTokenRecord) async throws
    func refreshToken(hash: String) async throws -> RefreshTokenRecord?
    /// The refresh token with the grant it belongs to, in one lookup (the refresh grant's hot path).
    func refreshTokenWithGrant(hash: String) async throws -> (token: RefreshTokenRecord, grant: Grant)?
    /// Marks the token rotated if, and only if, it was neither rotated nor revoked.
    /// - Returns: whether this call rotated it.
    func rotateRefreshToken(hash: String, at date: Date) async throws -> Bool
}

/// Remembered consents: which scopes a user already allowed a client.
public protocol ConsentStore: Sendable {
    func consentedScope(clientID: String, userID: String) async throws -> ScopeSet
    /// Adds `scope` to what the user allowed the client.
    func recordConsent(clientID: String, userID: String, scope: ScopeSet, at date: Date) async throws
}

/// Revokes everything of one client or one user at once, for operators (`gatehouse tokens revoke`).
public protocol BulkRevocationStore: Sendable {
    /// - Returns: how many access and refresh tokens were revoked.
    func revokeAllTokens(clientID: String, at date: Date) async throws -> Int
    /// - Returns: how many access and refresh tokens were revoked.
    func revokeAllTokens(userID: String, at date: Date) async throws -> Int
}
