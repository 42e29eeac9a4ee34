/// Reads client registrations; all the token endpoint needs.
public protocol ClientStore: Sendable {
    func client(id: String) async throws -> Client?
}

/// Manages client registrations, for the command line and administration.
public protocol ClientRegistry: ClientStore {
    /// - Throws: ``StoreError/duplicate(_:)`` when the id or the name is taken.
    func createClient(_ client: Client) async throws
    func clients() async throws -> [Client]
    /// - Returns: whether a client was deleted.
    func deleteClient(id: String) async throws -> Bool
    /// - Returns: whether the client exists.
    func updateClientSecret(id: String, secretHash: String) async throws -> Bool
}
