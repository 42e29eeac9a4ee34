public import Foundation

/// A signing key as stored: the private key sealed by ``KeyEncryption``.
public struct StoredSigningKey: Sendable, Hashable {
    public var kid: String
    public var algorithm: String
    /// `aesgcm2:SALT:BASE64` when a key-encryption key is configured, `plain:BASE64` otherwise
    /// (`aesgcm:BASE64` from earlier versions, resealed at start).
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
    /// Replaces the sealed form of a key (resealing under the configured secret, SPEC §9).
    func replaceSealedPrivateKey(kid: String, sealedPrivateKey: String) async throws
}

extension SigningKeyStore {
    /// A store that cannot reseal refuses, so an unsealed key is never kept in use silently.
    public func replaceSealedPrivateKey(kid: String, sealedPrivateKey: String) async throws {
        throw KeyEncryptionError.cannotSeal
    }
}
