/// The built-in resource-owner store.
public protocol UserStore: Sendable {
    /// - Throws: ``StoreError/duplicate(_:)`` when the username is taken.
    func createUser(_ user: User) async throws
    func user(username: String) async throws -> User?
    func user(id: String) async throws -> User?
    func users() async throws -> [User]
    /// - Returns: whether a user was deleted.
    func deleteUser(username: String) async throws -> Bool
}
