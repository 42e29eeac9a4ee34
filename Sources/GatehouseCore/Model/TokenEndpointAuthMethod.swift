/// How a client authenticates at the token endpoint (RFC 7591 §2 `token_endpoint_auth_method`).
///
/// Gatehouse accepts either secret method from any confidential client (SPEC §6); the registered
/// method is what the client said it will use, kept so that its metadata reads back as registered.
public enum TokenEndpointAuthMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"
    /// A public client (RFC 6749 §2.1): it has no secret.
    case none
}
