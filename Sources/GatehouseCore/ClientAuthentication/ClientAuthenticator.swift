/// Checks presented client credentials against the registration (RFC 6749 §2.3, §3.2.1), under
/// the failure limit of SPEC §9 when a ``ClientAuthenticationLimiter`` is given.
public struct ClientAuthenticator: Sendable {
    private let clients: any ClientStore
    private let realm: String
    private let limiter: ClientAuthenticationLimiter?

    public init(clients: any ClientStore, realm: String, limiter: ClientAuthenticationLimiter? = nil) {
        self.clients = clients
        self.realm = realm
        self.limiter = limiter
    }

    /// The authenticated client, refusing a client that failed too often from `address` before
    /// its secret is looked at, and counting this attempt when it fails.
    ///
    /// A request that names no client counts toward nothing (SPEC §9). Without an address (a call
    /// from inside the process) no limit applies.
    /// - Throws: ``OAuthError`` `temporarily_unavailable` (429) when limited; otherwise as
    ///   ``authenticate(_:)``.
    public func authenticate(_ credentials: ClientCredentials, address: String?) async throws -> Client {
        guard let limiter, let address, let clientID = credentials.clientID else {
            return try await authenticate(credentials)
        }
        try await limiter.check(clientID: clientID, address: address)
        do {
            return try await authenticate(credentials)
        } catch let error as OAuthError where error.code == .invalidClient {
            try await limiter.recordFailure(clientID: clientID, address: address)
            throw error
        }
    }

    /// The authenticated client.
    ///
    /// A confidential client must prove its secret; a public client can only name itself, which
    /// RFC 6749 §3.2.1 allows so that the server can bind codes and tokens to it.
    /// - Throws: ``OAuthError`` `invalid_client` for no credentials, an unknown client, a wrong
    ///   secret, a confidential client without a secret, or a public client sending a secret. The
    ///   client is never told which.
    public func authenticate(_ credentials: ClientCredentials) async throws -> Client {
        let usedBasic = credentials.usedBasic
        guard let clientID = credentials.clientID else {
            throw OAuthError.invalidClient("no client credentials", usedBasic: false, realm: realm)
        }
        let client = try await clients.client(id: clientID)
        switch credentials {
        case .basic(_, let secret), .post(_, let secret):
            // Hash even for an unknown client so both answers take the same time.
            let presentedHash = Array(SecretHasher.hash(secret).utf8)
            guard let client, let expected = client.secretHash,
                SecretHasher.constantTimeEquals(presentedHash, Array(expected.utf8))
            else {
                throw OAuthError.invalidClient(
                    client == nil ? "unknown client" : "wrong secret or public client sent a secret",
                    usedBasic: usedBasic, realm: realm
                )
            }
            return client
        case .none:
            guard let client, client.isPublic else {
                throw OAuthError.invalidClient(
                    client == nil ? "unknown client" : "confidential client sent no secret",
                    usedBasic: false, realm: realm
                )
            }
            return client
        case .absent:
            throw OAuthError.invalidClient("no client credentials", usedBasic: false, realm: realm)
        }
    }
}
