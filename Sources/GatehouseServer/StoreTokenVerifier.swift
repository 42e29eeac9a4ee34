import Foundation
import GatehouseCore
import GatehouseResource

/// `GatehouseResource`'s store mode: inside the Gatehouse process, tokens are checked against the
/// database directly, so a revocation takes effect on the very next request.
struct StoreTokenVerifier: AccessTokenVerifier {
    let introspection: IntrospectionEndpoint

    func verify(_ token: String) async throws -> AccessTokenClaims? {
        let answer = try await introspection.lookup(token: token)
        // A refresh token is not a bearer credential for an API.
        guard answer.active, answer.tokenType == "Bearer", let clientID = answer.clientID else { return nil }
        return AccessTokenClaims(
            subject: answer.subject ?? clientID, clientID: clientID, scope: answer.scope ?? [], username: answer.username,
            expiresAt: answer.expiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }, tokenID: answer.tokenID,
            audience: answer.audience ?? [], actor: answer.actor
        )
    }
}
