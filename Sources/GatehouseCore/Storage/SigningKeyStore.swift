public import Foundation

/// A signing key as stored: the private key sealed by ``KeyEncryption``.
public struct StoredSigningKey: Sendable, Hashable {
    public var kid: String
    public var algorithm: String
    /// `aesgcm:BASE64` when a key-encryption key is configured, `plain:BASE64` otherwise.
    public var sealedPrivateKey: String
    public var createdAt: Date

    public init(kid: String, algorithm: String, sealedPrivateKey: String, createdAt: Date) {
        self.kid = kid
        self.algorithm = algorithm
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
    }
}

/// Signing keys live in the database, so every instance signs with the same keys.
public protocol SigningKeyStore: Sendable {
    /// Every key, oldest first.
    func signingKeys() async throws -> [StoredSigningKey]
    func insertSigningKey(_ key: StoredSigningKey) async throws
}
