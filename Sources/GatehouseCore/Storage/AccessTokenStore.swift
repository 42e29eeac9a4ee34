public import Foundation

/// Keeps issued access tokens by hash.
public protocol AccessTokenStore: Sendable {
    /// Stores the record durably before returning: a token is only handed out once it is saved.
    func insertAccessToken(_ record: AccessTokenRecord) async throws
    func accessToken(hash: String) async throws -> AccessTokenRecord?
    /// Marks the token revoked; a token already revoked keeps its first revocation time.
    func revokeAccessToken(hash: String, at date: Date) async throws
}
