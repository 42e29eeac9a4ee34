/// Secrets the server makes for itself and every instance must share, such as the key that signs
/// the pre-login cookie of the authorization endpoint.
public protocol ServerSecretStore: Sendable {
    /// The secret called `name`. When none exists yet, `candidate` becomes it; of any number of
    /// concurrent callers, on any instance, every one gets the same secret.
    func serverSecret(named name: String, candidate: [UInt8]) async throws -> [UInt8]
}
