/// The first two steps every client-authenticated endpoint shares (token, revocation,
/// introspection): read the credentials, then authenticate them under the failure limit of the
/// client's address (SPEC §9).
struct ClientAuthenticatedRequest {
    /// - Throws: ``OAuthError`` `invalid_request` for credentials sent two ways, `invalid_client`
    ///   when authentication fails, `temporarily_unavailable` (429) when the client is limited.
    static func authenticate(
        parameters: RequestParameters,
        authorization: String?,
        address: String?,
        authenticator: ClientAuthenticator,
        realm: String
    ) async throws -> Client {
        let credentials = try ClientCredentials.extract(authorization: authorization, parameters: parameters, realm: realm)
        return try await authenticator.authenticate(credentials, address: address)
    }
}
