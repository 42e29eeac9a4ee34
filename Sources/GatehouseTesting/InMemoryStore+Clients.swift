public import GatehouseCore

extension InMemoryStore: ClientRegistry {
    public func createClient(_ client: Client) async throws {
        try unit { state in
            guard state.clients[client.id] == nil, !state.clients.values.contains(where: { $0.name == client.name }) else {
                throw StoreError.duplicate("a client named \(client.name)")
            }
            var stored = client
            stored.createdAt = client.createdAt.toTheSecond
            state.clients[client.id] = stored
        }
    }

    public func client(id: String) async throws -> Client? {
        read { $0.clients[id] }
    }

    public func clients() async throws -> [Client] {
        read { state in
            state.clients.values.sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
        }
    }

    /// Deletes the client with everything that refers to it, as the schema's cascades do.
    public func deleteClient(id: String) async throws -> Bool {
        try unit { state in
            guard state.clients.removeValue(forKey: id) != nil else { return false }
            state.cascadeDelete(grants: { $0.clientID == id }, rows: { clientID, _ in clientID == id })
            return true
        }
    }

    public func updateClientSecret(id: String, secretHash: String) async throws -> Bool {
        try unit { state in
            guard state.clients[id] != nil else { return false }
            state.clients[id]?.secretHash = secretHash
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
