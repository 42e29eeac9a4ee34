public import Crypto
import Foundation

/// Seals private signing keys at rest with AES-256-GCM under a key derived from
/// `GATEHOUSE_KEY_ENCRYPTION_KEY`, so that a copy of the database alone cannot sign tokens.
///
/// SPEC §9: the sealing key is derived with a salted KDF — HKDF-SHA256 (RFC 5869) over the secret
/// with 16 random bytes of salt per sealed key, stored beside it as `aesgcm2:SALT:SEALED`. Keys
/// sealed by earlier versions (`aesgcm:`, one unsalted SHA-256 of the secret) still open, and are
/// resealed at start. With a secret configured, an unsealed (`plain:`) key is never used.
public struct KeyEncryption: Sendable {
    /// The secret as HKDF input keying material.
    private let secret: SymmetricKey?

    private static let info = Data("gatehouse signing key sealing v2".utf8)
    private static let saltLength = 16

    /// - Parameter secret: the configured key-encryption secret; `nil` stores keys unsealed.
    public init(secret: String?) {
        self.secret = secret.map { SymmetricKey(data: Array($0.utf8)) }
    }

    public var isEnabled: Bool { secret != nil }

    /// Whether a stored key is sealed the current way (or stays unsealed by choice, without a secret).
    public func isCurrent(_ sealed: String) -> Bool {
        secret == nil ? sealed.hasPrefix("plain:") : sealed.hasPrefix("aesgcm2:")
    }

    public func seal(_ privateKey: P256.Signing.PrivateKey) throws -> String {
        let raw = privateKey.rawRepresentation
        guard let secret else { return "plain:" + raw.base64EncodedString() }
        let salt = SymmetricKey(size: SymmetricKeySize(bitCount: Self.saltLength * 8)).withUnsafeBytes { Data($0) }
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: secret, salt: salt, info: Self.info, outputByteCount: 32)
        guard let combined = try AES.GCM.seal(raw, using: key).combined else { throw KeyEncryptionError.cannotSeal }
        return "aesgcm2:" + salt.base64EncodedString() + ":" + combined.base64EncodedString()
    }

    /// - Throws: ``KeyEncryptionError`` when the key is sealed and no or another secret is
    ///   configured, or when it is unsealed although a secret is configured.
    public func open(_ sealed: String) throws -> P256.Signing.PrivateKey {
        if sealed.hasPrefix("plain:") {
            guard secret == nil else { throw KeyEncryptionError.unsealed }
            return try Self.openUnsealed(sealed)
        }
        guard let secret else {
            guard sealed.hasPrefix("aesgcm2:") || sealed.hasPrefix("aesgcm:") else { throw KeyEncryptionError.malformed }
            throw KeyEncryptionError.secretMissing
        }
        let key: SymmetricKey
        let combined: Data
        if sealed.hasPrefix("aesgcm2:") {
            let parts = sealed.dropFirst(8).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let salt = Data(base64Encoded: String(parts[0])), let box = Data(base64Encoded: String(parts[1])) else {
                throw KeyEncryptionError.malformed
            }
            key = HKDF<SHA256>.deriveKey(inputKeyMaterial: secret, salt: salt, info: Self.info, outputByteCount: 32)
            combined = box
        } else if sealed.hasPrefix("aesgcm:"), let box = Data(base64Encoded: String(sealed.dropFirst(7))) {
            key = secret.withUnsafeBytes { SymmetricKey(data: SHA256.hash(data: $0)) }
            combined = box
        } else {
            throw KeyEncryptionError.malformed
        }
        do {
            let raw = try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key)
            return try P256.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw KeyEncryptionError.wrongSecret
        }
    }

    /// Reseals a stored key the current way: an unsealed key under the configured secret, an
    /// `aesgcm:` key with a salted derivation. `nil` when it is current already.
    /// - Throws: ``KeyEncryptionError`` when the stored key does not open.
    public func resealed(_ sealed: String) throws -> String? {
        guard !isCurrent(sealed), secret != nil else { return nil }
        let privateKey = sealed.hasPrefix("plain:") ? try Self.openUnsealed(sealed) : try open(sealed)
        return try seal(privateKey)
    }

    private static func openUnsealed(_ sealed: String) throws -> P256.Signing.PrivateKey {
        guard let raw = Data(base64Encoded: String(sealed.dropFirst(6))) else { throw KeyEncryptionError.malformed }
        return try P256.Signing.PrivateKey(rawRepresentation: raw)
    }
}

public enum KeyEncryptionError: Error, Sendable, CustomStringConvertible {
    case cannotSeal, malformed, secretMissing, wrongSecret, unsealed

    public var description: String {
        switch self {
        case .cannotSeal: "the signing key could not be sealed"
        case .malformed: "a stored signing key is malformed"
        case .secretMissing: "signing keys are encrypted: set GATEHOUSE_KEY_ENCRYPTION_KEY"
        case .wrongSecret: "GATEHOUSE_KEY_ENCRYPTION_KEY does not open the stored signing keys"
        case .unsealed: "a stored signing key is not sealed although GATEHOUSE_KEY_ENCRYPTION_KEY is set"
        }
    }
}
