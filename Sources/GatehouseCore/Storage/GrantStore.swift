import Foundation

/// Grants, codes and refresh tokens as the authorization, revocation and introspection endpoints
/// read and create them. The writes that decide a race are units of their own:
/// ``CodeRedemptionStore`` and ``RefreshRotationStore``.
public protocol GrantStore: GrantRevocationStore {
    func createGrant(_ grant: Grant) async throws
    func grant(id: String) async throws -> Grant?
    func insertAuthorizationCode(_ code: AuthorizationCode) async throws
    func authorizationCode(hash: String) async throws -> AuthorizationCode?
    func refreshToken(hash: String) async throws -> RefreshTokenRecord?
}
