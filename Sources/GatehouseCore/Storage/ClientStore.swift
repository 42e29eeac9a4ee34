public import Foundation

/// Reads client registrations; all the token endpoint needs.
public protocol ClientStore: Sendable {
    func client(id: String) async throws -> Client?
}

/// Manages client registrations, for the command line, the admin API and dynamic registration
/// (SPEC §10).
public protocol ClientRegistry: ClientStore {
    /// - Throws: ``StoreError/duplicate(_:)`` when the id or the name is taken.
    func createClient(_ client: Client) async throws
    /// Every client, oldest first.
    func clients() async throws -> [Client]
    /// At most `limit` clients, oldest first, after `cursor` (from the start when `nil`); the
    /// page's ``ClientPage/nextCursor`` is `nil` when no client follows.
    func clients(after cursor: ClientCursor?, limit: Int) async throws -> ClientPage
    /// Deletes the client and, in the same unit of work, everything issued to it: grants, codes,
    /// access and refresh tokens, consents. No token of the client is active afterwards.
    /// - Returns: whether a client was deleted.
    func deleteClient(id: String) async throws -> Bool
    /// Replaces what a client says about itself: everything but its id, secrets, registration
    /// access token and creation time, which stay as stored.
    /// - Returns: whether the client exists.
    /// - Throws: ``StoreError/duplicate(_:)`` when another client has the name.
    func replaceClientMetadata(_ client: Client) async throws -> Bool
    /// Gives a confidential client the secret whose hash is `newHash`. With `graceUntil`, the
    /// secret it replaces stays valid until then; without, it stops working at once.
    /// - Returns: whether a confidential client with this id exists.
    func rotateClientSecret(id: String, newHash: String, graceUntil: Date?) async throws -> Bool
    /// Sets the hash of the client's RFC 7592 registration access token, replacing any earlier one.
    /// - Returns: whether the client exists.
    func setRegistrationAccessTokenHash(id: String, hash: String) async throws -> Bool
}

extension ClientRegistry {
    /// A new secret; the old one stops working at once.
    /// - Returns: whether a confidential client with this id exists.
    public func updateClientSecret(id: String, secretHash: String) async throws -> Bool {
        try await rotateClientSecret(id: id, newHash: secretHash, graceUntil: nil)
    }

    /// The hash of the client's registration access token, when it has one.
    public func registrationAccessTokenHash(id: String) async throws -> String? {
        try await client(id: id)?.registrationAccessTokenHash
    }
}

/// One page of the client list.
public struct ClientPage: Sendable, Equatable {
    public var clients: [Client]
    public var nextCursor: ClientCursor?

    public init(clients: [Client], nextCursor: ClientCursor?) {
        self.clients = clients
        self.nextCursor = nextCursor
    }
}

/// Where a page of clients ends: the creation time and id of its last client, so that a client
/// created or deleted between two pages neither repeats nor hides another one.
///
/// Clients see it only as an opaque string (``encoded``); it is not a secret.
public struct ClientCursor: Sendable, Hashable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// The cursor after `client`.
    public init(after client: Client) {
        self.init(createdAt: client.createdAt, id: client.id)
    }

    /// Reads a cursor given out by ``encoded``.
    /// - Returns: `nil` for anything else.
    public init?(encoded: String) {
        guard let bytes = Base64URL.decode(encoded) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let seconds = Int(parts[0]), !parts[1].isEmpty else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: TimeInterval(seconds)), id: String(parts[1]))
    }

    /// Creation times are kept to the whole second, as every store keeps them.
    public var encoded: String {
        Base64URL.encode(Array("\(Int(createdAt.timeIntervalSince1970.rounded(.down))):\(id)".utf8))
    }
}
