public import Crypto
public import Foundation
import Synchronization

/// The signing keys an instance uses, read from the store and refreshed every
/// `key_refresh_interval` seconds, so a `gatehouse keys rotate` reaches every running instance
/// within that delay without a restart.
///
/// The newest key signs. An older key stays published in the JWKS until every token it may have
/// signed has expired: its successor's creation, plus the refresh interval (other instances may
/// still sign with it that long), plus the access-token lifetime.
public final class KeyRing: Sendable {
    private struct Snapshot {
        var keys: [SigningKey]
        var loadedAt: Date
    }

    private let store: any SigningKeyStore
    private let encryption: KeyEncryption
    private let refreshInterval: TimeInterval
    private let accessTokenLifetime: TimeInterval
    private let now: @Sendable () -> Date
    private let snapshot = Mutex<Snapshot?>(nil)

    public init(
        store: any SigningKeyStore,
        encryption: KeyEncryption,
        refreshInterval: Int,
        accessTokenLifetime: Int,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.encryption = encryption
        self.refreshInterval = TimeInterval(refreshInterval)
        self.accessTokenLifetime = TimeInterval(accessTokenLifetime)
        self.now = now
    }

    /// The key that signs now; the first call on an empty store creates one.
    public func signingKey() async throws -> SigningKey {
        if let newest = try await keys().last { return newest }
        _ = try await rotate()
        guard let newest = try await keys(forceReload: true).last else { throw KeyEncryptionError.malformed }
        return newest
    }

    /// The keys a verifier may meet: the JWKS.
    public func publishedKeys() async throws -> [SigningKey] {
        let all = try await keys()
        let date = now()
        return all.enumerated().filter { index, _ in
            guard index + 1 < all.count else { return true }
            let retiredAt = all[index + 1].createdAt
            return date < retiredAt.addingTimeInterval(refreshInterval + accessTokenLifetime)
        }
        .map(\.element)
    }

    /// The public key for a `kid` among the published keys.
    public func publicKey(kid: String) async throws -> P256.Signing.PublicKey? {
        try await publishedKeys().first { $0.kid == kid }?.privateKey.publicKey
    }

    /// Adds a new signing key to the store; it signs from the next refresh of each instance.
    @discardableResult
    public func rotate() async throws -> SigningKey {
        let key = SigningKey.generate(now: now())
        try await store.insertSigningKey(
            StoredSigningKey(kid: key.kid, algorithm: "ES256", sealedPrivateKey: try encryption.seal(key.privateKey), createdAt: key.createdAt)
        )
        snapshot.withLock { $0 = nil }
        return key
    }

    /// Every key, oldest first, from the cache while it is fresh.
    public func keys(forceReload: Bool = false) async throws -> [SigningKey] {
        let date = now()
        if !forceReload, let cached = snapshot.withLock({ $0 }), date.timeIntervalSince(cached.loadedAt) < refreshInterval {
            return cached.keys
        }
        let keys = try await store.signingKeys().map { stored in
            SigningKey(kid: stored.kid, privateKey: try encryption.open(stored.sealedPrivateKey), createdAt: stored.createdAt)
        }
        snapshot.withLock { $0 = Snapshot(keys: keys, loadedAt: date) }
        return keys
    }
}
