public import Foundation

/// The operations of the admin API (SPEC §10), independent of HTTP: what an operator may change
/// while the server runs, with the audit events of SPEC §9.
///
/// Every failure is an ``OAuthError``: `invalid_request`, `not_found`, `conflict`, and the
/// registration codes for client metadata.
public struct AdminAPI: Sendable {
    private let clients: any ClientRegistry
    private let policy: ClientRegistrationPolicy
    private let clientCache: CachedClientStore?
    private let users: any UserStore
    private let grants: any GrantAdministrationStore
    private let revocations: any BulkRevocationStore
    private let events: any SecurityEventSink
    private let now: @Sendable () -> Date
    private let generator = SecretGenerator()

    /// - Parameters:
    ///   - policy: the one validation of client metadata (SPEC §10), as the admin API's.
    ///   - clientCache: the cache the server's endpoints read clients through, told of every change
    ///     so that this instance applies it at once.
    public init(
        clients: any ClientRegistry,
        policy: ClientRegistrationPolicy,
        clientCache: CachedClientStore? = nil,
        users: any UserStore,
        grants: any GrantAdministrationStore,
        revocations: any BulkRevocationStore,
        events: any SecurityEventSink = DiscardingSecurityEventSink(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.clients = clients
        self.policy = policy
        self.clientCache = clientCache
        self.users = users
        self.grants = grants
        self.revocations = revocations
        self.events = events
        self.now = now
    }

    // MARK: - Clients

    /// The page size of `GET /admin/v1/clients` without `limit`, and the largest `limit` taken.
    public static let defaultPageSize = 100
    public static let maximumPageSize = 500
    /// The longest grace a rotated-away secret gets: a year.
    public static let maximumGraceSeconds = 31_536_000

    /// Registers a client, with a new secret unless it is public.
    /// - Returns: the client and its secret in clear, which is never shown again.
    /// - Throws: `invalid_redirect_uri` or `invalid_client_metadata` from the registration policy;
    ///   `conflict` when another client has the name.
    public func createClient(_ metadata: ClientMetadata) async throws -> (client: Client, secret: String?) {
        var client = try policy.client(from: metadata, id: generator.makeIdentifier(), createdAt: now())
        let secret = client.tokenEndpointAuthMethod == .none ? nil : generator.make(.clientSecret)
        client.secretHash = secret.map(SecretHasher.hash)
        do {
            try await clients.createClient(client)
        } catch StoreError.duplicate {
            throw OAuthError(.conflict, hint: "client name taken")
        }
        events.record(SecurityEvent(.clientCreated, time: now(), clientID: client.id))
        return (client, secret)
    }

    /// One page of clients, oldest first.
    /// - Parameters:
    ///   - limit: the `limit` query parameter, 1 to ``maximumPageSize``.
    ///   - cursor: the `next_cursor` of the page before.
    /// - Throws: `invalid_request` for a limit that is not such a number or a cursor this server
    ///   did not give out.
    public func listClients(limit: String?, cursor: String?) async throws -> ClientPage {
        var size = Self.defaultPageSize
        if let limit {
            guard let value = Int(limit), (1...Self.maximumPageSize).contains(value) else {
                throw OAuthError.invalidRequest("limit \(limit) not within 1...\(Self.maximumPageSize)", message: .malformedParameter)
            }
            size = value
        }
        var after: ClientCursor?
        if let cursor {
            guard let decoded = ClientCursor(encoded: cursor) else {
                throw OAuthError.invalidRequest("cursor not one the server gave out", message: .malformedParameter)
            }
            after = decoded
        }
        return try await clients.clients(after: after, limit: size)
    }

    /// - Throws: `not_found`.
    public func client(id: String) async throws -> Client {
        guard let client = try await clients.client(id: id) else {
            throw OAuthError(.notFound, hint: "no client \(id)")
        }
        return client
    }

    /// Replaces a client's metadata; its id, secrets and creation time stay.
    /// - Throws: `not_found`; `invalid_request` when the body names another `client_id`; the
    ///   registration policy's errors; `conflict` when another client has the name.
    public func replaceClient(id: String, with metadata: ClientMetadata) async throws -> Client {
        let existing = try await client(id: id)
        if let named = metadata.clientID, named != id {
            throw OAuthError.invalidRequest("client_id in the body differs from the path", message: .malformedParameter)
        }
        let replaced = try policy.client(from: metadata, id: id, createdAt: existing.createdAt, replacing: existing)
        let found: Bool
        do {
            found = try await clients.replaceClientMetadata(replaced)
        } catch StoreError.duplicate {
            throw OAuthError(.conflict, hint: "client name taken")
        }
        clientCache?.forget(id: id)
        guard found else { throw OAuthError(.notFound, hint: "client \(id) deleted meanwhile") }
        events.record(SecurityEvent(.clientUpdated, time: now(), clientID: id))
        return try await client(id: id)
    }

    /// Deletes a client and, in the same unit, everything issued to it.
    /// - Throws: `not_found`.
    public func deleteClient(id: String) async throws {
        guard try await clients.deleteClient(id: id) else {
            throw OAuthError(.notFound, hint: "no client \(id)")
        }
        clientCache?.forget(id: id)
        events.record(SecurityEvent(.clientDeleted, time: now(), clientID: id))
    }

    /// Gives a confidential client a new secret; the old one keeps working `graceSeconds` more
    /// seconds by the server's clock, so that a deployment can switch without downtime.
    /// - Returns: the new secret in clear and when the old one stops working.
    /// - Throws: `not_found`; `invalid_request` for a public client or a grace outside 0 to
    ///   ``maximumGraceSeconds``.
    public func rotateSecret(clientID id: String, graceSeconds: Int) async throws -> (secret: String, previousSecretExpiresAt: Date) {
        guard (0...Self.maximumGraceSeconds).contains(graceSeconds) else {
            throw OAuthError.invalidRequest("grace_seconds \(graceSeconds) out of range", message: .malformedParameter)
        }
        guard try await client(id: id).tokenEndpointAuthMethod != .none else {
            throw OAuthError.invalidRequest("public client \(id) has no secret")
        }
        let date = now()
        let expiresAt = date.addingTimeInterval(TimeInterval(graceSeconds))
        let secret = generator.make(.clientSecret)
        guard
            try await clients.rotateClientSecret(
                id: id, newHash: SecretHasher.hash(secret), graceUntil: graceSeconds > 0 ? expiresAt : nil
            )
        else { throw OAuthError(.notFound, hint: "client \(id) deleted meanwhile") }
        clientCache?.forget(id: id)
        events.record(SecurityEvent(.clientSecretRotated, time: date, clientID: id))
        return (secret, expiresAt)
    }

    // MARK: - Users

    /// Creates a user of the built-in store.
    /// - Parameter hashPassword: the server's slow password hash (bcrypt), run off the request
    ///   threads by the caller.
    /// - Throws: `invalid_request` for an empty or spaced username, an empty password, a malformed
    ///   email or name; `conflict` when the username is taken.
    public func createUser(_ request: AdminUserRequest, hashPassword: @Sendable (String) async throws -> String) async throws -> User {
        try request.validate()
        // The cheap check first: a taken name costs no bcrypt. The insert still decides a race.
        guard try await users.user(username: request.username) == nil else {
            throw OAuthError(.conflict, hint: "username taken")
        }
        let user = User(
            id: generator.makeIdentifier(), username: request.username, passwordHash: try await hashPassword(request.password),
            createdAt: now(), email: request.email, name: request.name
        )
        do {
            try await users.createUser(user)
        } catch StoreError.duplicate {
            throw OAuthError(.conflict, hint: "username taken")
        }
        return user
    }

    /// Every user, by username.
    public func listUsers() async throws -> [User] {
        try await users.users()
    }

    /// Deletes a user and everything the user granted.
    /// - Throws: `not_found`.
    public func deleteUser(username: String) async throws {
        guard try await users.deleteUser(username: username) else {
            throw OAuthError(.notFound, hint: "no user named \(username)")
        }
    }

    // MARK: - Grants and tokens

    /// The active grants of a user or a client ("authorized applications").
    public func activeGrants(_ filter: AdminGrantFilter) async throws -> [GrantSummary] {
        var subject: String?
        if let given = filter.subject { subject = try await resolveSubject(given) }
        return try await grants.activeGrants(subject: subject, clientID: filter.clientID, at: now())
    }

    /// Takes a grant back: its tokens stop working and the next authorization asks for consent
    /// again.
    /// - Throws: `not_found` for an unknown grant or one revoked already.
    public func withdrawGrant(id: String) async throws {
        let date = now()
        guard let revoked = try await grants.withdrawGrant(id: id, at: date) else {
            throw OAuthError(.notFound, hint: "no active grant \(id)")
        }
        events.record(SecurityEvent(.tokenRevoked, time: date, grantID: id, reason: "admin", count: revoked))
    }

    /// Revokes every token of a client, or of a subject (whose sessions and consents end too, as
    /// with `gatehouse tokens revoke --user`).
    /// - Returns: how many access and refresh tokens were revoked.
    /// - Throws: `not_found` for an unknown client.
    public func revokeTokens(of target: AdminRevocationTarget) async throws -> Int {
        let date = now()
        let revoked: Int
        switch target {
        case .client(let id):
            guard try await clients.client(id: id) != nil else {
                throw OAuthError(.notFound, hint: "no client \(id)")
            }
            revoked = try await revocations.revokeAllTokens(clientID: id, at: date)
            events.record(SecurityEvent(.tokenRevoked, time: date, clientID: id, reason: "admin", count: revoked))
        case .subject(let subject):
            let userID = try await resolveSubject(subject)
            revoked = try await revocations.revokeAllTokens(userID: userID, at: date)
            events.record(SecurityEvent(.tokenRevoked, time: date, subject: userID, reason: "admin", count: revoked))
        }
        return revoked
    }

    /// A subject is the `sub` of the tokens, a user's id; like the command line, the admin API
    /// also takes the username. An id wins over a username that happens to look the same.
    private func resolveSubject(_ subject: String) async throws -> String {
        if try await users.user(id: subject) != nil { return subject }
        return try await users.user(username: subject)?.id ?? subject
    }
}
