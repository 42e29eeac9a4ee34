/// The first two steps every client-authenticated endpoint shares (token, revocation,
/// introspection): read the credentials, then authenticate them.
struct ClientAuthenticatedRequest {
    /// - Throws: ``OAuthError`` `invalid_request` for credentials sent two ways, `invalid_client`
    ///   when authentication fails.
    static func authenticate(
        parameters: RequestParameters,
        authorization: String?,
        authenticator: ClientAuthenticator,
        realm: String
    ) async throws -> Client {
        let credentials = try ClientCredentials.extract(authorization: authorization, parameters: parameters, realm: realm)
        return try await authenticator.authenticate(credentials)
    }
}
