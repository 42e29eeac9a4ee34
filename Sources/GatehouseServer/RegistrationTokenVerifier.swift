import GatehouseCore
import GatehouseResource

/// The initial access token of `registration = token` (SPEC §10): only an access token with the
/// scope `gatehouse:register` is one, so any other token is refused as `401 invalid_token`, not as
/// the `403 insufficient_scope` a scoped ``BearerTokenMiddleware`` would answer.
struct RegistrationTokenVerifier: AccessTokenVerifier {
    let tokens: any AccessTokenVerifier

    func verify(_ token: String) async throws -> AccessTokenClaims? {
        guard let claims = try await tokens.verify(token), claims.scope.contains(ReservedScope.register) else { return nil }
        return claims
    }
}
