public import Foundation
public import GatehouseCore

extension InMemoryStore: ClientRegistry {
    public func createClient(_ client: Client) async throws {
        try unit { state in
            guard state.clients[client.id] == nil, !state.clients.values.contains(where: { $0.name == client.name }) else {
                throw StoreError.duplicate("a client named \(client.name)")
            }
            var stored = client
            stored.createdAt = client.createdAt.toTheSecond
            stored.previousSecretExpiresAt = client.previousSecretExpiresAt?.toTheSecond
            state.clients[client.id] = stored
        }
    }

    public func client(id: String) async throws -> Client? {
        read { $0.clients[id] }
    }

    public func clients() async throws -> [Client] {
        read { state in state.clients.values.sorted(by: Self.oldestFirst) }
    }

    public func clients(after cursor: ClientCursor?, limit: Int) async throws -> ClientPage {
        let limit = max(limit, 1)
        return read { state in
            let after = state.clients.values.sorted(by: Self.oldestFirst).filter { client in
                guard let cursor else { return true }
                let createdAt = cursor.createdAt.toTheSecond
                return client.createdAt > createdAt || (client.createdAt == createdAt && client.id > cursor.id)
            }
            let page = Array(after.prefix(limit))
            return ClientPage(clients: page, nextCursor: after.count > limit ? page.last.map(ClientCursor.init(after:)) : nil)
        }
    }

    /// The order of the SQL store: creation time, then id.
    private static func oldestFirst(_ lhs: Client, _ rhs: Client) -> Bool {
        (lhs.createdAt, lhs.id) < (rhs.createdAt, rhs.id)
    }

    /// Deletes the client with everything that refers to it, as the schema's cascades do.
    public func deleteClient(id: String) async throws -> Bool {
        try unit { state in
            guard state.clients.removeValue(forKey: id) != nil else { return false }
            state.cascadeDelete(grants: { $0.clientID == id }, rows: { clientID, _ in clientID == id })
            return true
        }
    }

    public func replaceClientMetadata(_ client: Client) async throws -> Bool {
        try unit { state in
            guard let stored = state.clients[client.id] else { return false }
            guard !state.clients.values.contains(where: { $0.name == client.name && $0.id != client.id }) else {
                throw StoreError.duplicate("a client named \(client.name)")
            }
            var replaced = client
            replaced.secretHash = stored.secretHash
            replaced.previousSecretHash = stored.previousSecretHash
            replaced.previousSecretExpiresAt = stored.previousSecretExpiresAt
            replaced.registrationAccessTokenHash = stored.registrationAccessTokenHash
            replaced.createdAt = stored.createdAt
            state.clients[client.id] = replaced
            return true
        }
    }

    public func rotateClientSecret(id: String, newHash: String, graceUntil: Date?) async throws -> Bool {
        try unit { state in
            guard let stored = state.clients[id], let current = stored.secretHash else { return false }
            state.clients[id]?.previousSecretHash = graceUntil == nil ? nil : current
            state.clients[id]?.previousSecretExpiresAt = graceUntil?.toTheSecond
            state.clients[id]?.secretHash = newHash
            return true
        }
    }

    public func setRegistrationAccessTokenHash(id: String, hash: String) async throws -> Bool {
        try unit { state in
            guard state.clients[id] != nil else { return false }
            state.clients[id]?.registrationAccessTokenHash = hash
            return true
        }
    }
}

extension InMemoryStore: UserStore {
    public func createUser(_ user: User) async throws {
        try unit { state in
            guard state.users[user.id] == nil, !state.users.values.contains(where: { $0.username == user.username }) else {
                throw StoreError.duplicate("a user named \(user.username)")
            }
            var stored = user
            stored.createdAt = user.createdAt.toTheSecond
            state.users[user.id] = stored
        }
    }

    public func user(username: String) async throws -> User? {
        read { state in state.users.values.first { $0.username == username } }
    }

    public func user(id: String) async throws -> User? {
        read { $0.users[id] }
    }

    public func users() async throws -> [User] {
        read { state in state.users.values.sorted { $0.username < $1.username } }
    }

    /// Deletes the user with everything that refers to it, sessions included.
    public func deleteUser(username: String) async throws -> Bool {
        try unit { state in
            guard let user = state.users.values.first(where: { $0.username == username }) else { return false }
            state.users[user.id] = nil
            state.cascadeDelete(grants: { $0.userID == user.id }, rows: { _, userID in userID == user.id })
            state.sessions = state.sessions.filter { $0.value.userID != user.id }
            return true
        }
    }
}
