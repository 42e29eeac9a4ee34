public import Foundation

/// Checks presented client credentials against the registration (RFC 6749 §2.3, §3.2.1), under
/// the failure limit of SPEC §9 when a ``ClientAuthenticationLimiter`` is given.
public struct ClientAuthenticator: Sendable {
    private let clients: any ClientStore
    private let realm: String
    private let limiter: ClientAuthenticationLimiter?
    /// The server's clock, which decides when a rotated-away secret stops working.
    private let now: @Sendable () -> Date

    public init(
        clients: any ClientStore, realm: String, limiter: ClientAuthenticationLimiter? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.clients = clients
        self.realm = realm
        self.limiter = limiter
        self.now = now
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
            guard let client, Self.matches(presentedHash, client, at: now()) else {
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

    /// Whether the presented secret is the client's, or the one its last rotation replaced while
    /// that one's grace period lasts. Both comparisons always run, in constant time, so the answer
    /// takes as long whichever secret matched.
    static func matches(_ presentedHash: [UInt8], _ client: Client, at date: Date) -> Bool {
        guard let expected = client.secretHash else { return false }
        let current = SecretHasher.constantTimeEquals(presentedHash, Array(expected.utf8))
        let previousHash = client.previousSecretHash.map { Array($0.utf8) } ?? []
        let previous = SecretHasher.constantTimeEquals(presentedHash, previousHash)
        let inGrace = client.previousSecretExpiresAt.map { date < $0 } ?? false
        return current || (previous && inGrace)
    }
}
