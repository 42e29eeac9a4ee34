public import Crypto
public import Foundation

/// Seals private signing keys at rest with AES-256-GCM under a key derived from
/// `GATEHOUSE_KEY_ENCRYPTION_KEY`, so that a copy of the database alone cannot sign tokens.
public struct KeyEncryption: Sendable {
    private let key: SymmetricKey?

    /// - Parameter secret: the configured key-encryption secret; `nil` stores keys unsealed.
    public init(secret: String?) {
        self.key = secret.map { SymmetricKey(data: SHA256.hash(data: Array($0.utf8))) }
    }

    public var isEnabled: Bool { key != nil }

    public func seal(_ privateKey: P256.Signing.PrivateKey) throws -> String {
        let raw = privateKey.rawRepresentation
        guard let key else { return "plain:" + raw.base64EncodedString() }
        guard let combined = try AES.GCM.seal(raw, using: key).combined else { throw KeyEncryptionError.cannotSeal }
        return "aesgcm:" + combined.base64EncodedString()
    }

    /// - Throws: ``KeyEncryptionError`` when the key is sealed and no or another secret is configured.
    public func open(_ sealed: String) throws -> P256.Signing.PrivateKey {
        if sealed.hasPrefix("plain:"), let raw = Data(base64Encoded: String(sealed.dropFirst(6))) {
            return try P256.Signing.PrivateKey(rawRepresentation: raw)
        }
        guard sealed.hasPrefix("aesgcm:"), let combined = Data(base64Encoded: String(sealed.dropFirst(7))) else {
            throw KeyEncryptionError.malformed
        }
        guard let key else { throw KeyEncryptionError.secretMissing }
        do {
            let raw = try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key)
            return try P256.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw KeyEncryptionError.wrongSecret
        }
    }
}

public enum KeyEncryptionError: Error, Sendable, CustomStringConvertible {
    case cannotSeal, malformed, secretMissing, wrongSecret

    public var description: String {
        switch self {
        case .cannotSeal: "the signing key could not be sealed"
        case .malformed: "a stored signing key is malformed"
        case .secretMissing: "signing keys are encrypted: set GATEHOUSE_KEY_ENCRYPTION_KEY"
        case .wrongSecret: "GATEHOUSE_KEY_ENCRYPTION_KEY does not open the stored signing keys"
        }
    }
}
