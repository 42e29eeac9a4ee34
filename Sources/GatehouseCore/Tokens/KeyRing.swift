public import Foundation
import Synchronization

/// The signing keys an instance uses, read from the store and refreshed every
/// `key_refresh_interval` seconds, so a `gatehouse keys rotate` reaches every running instance
/// within that delay without a restart.
///
/// A new key is published at once but signs only after an activation delay of two refresh
/// intervals: one for every instance to load it, one for verifiers to refetch a JWKS they cached
/// (the JWKS is served with a `max-age` of one interval). So no verifier meets a token signed with
/// a key it cannot have seen. An older key stays published until every token it may have signed has
/// expired: its successor's activation, plus the refresh interval, plus the access-token lifetime.
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

    /// Seconds between a rotation and the new key signing.
    public var activationDelay: TimeInterval { 2 * refreshInterval }

    /// When `keys[index]` starts signing: the first key at once, later ones after the delay.
    private func activation(of keys: [SigningKey], at index: Int) -> Date {
        index == 0 ? keys[index].createdAt : keys[index].createdAt.addingTimeInterval(activationDelay)
    }

    /// The key that signs now; the first call on an empty store creates one.
    public func signingKey() async throws -> SigningKey {
        var all = try await keys()
        if all.isEmpty {
            _ = try await rotate()
            all = try await keys(forceReload: true)
        }
        let date = now()
        guard let index = all.indices.last(where: { activation(of: all, at: $0) <= date }) ?? all.indices.first else {
            throw KeyEncryptionError.malformed
        }
        return all[index]
    }

    /// The keys a verifier may meet: the JWKS. Keys not yet signing are included, so verifiers
    /// know them before the first token.
    public func publishedKeys() async throws -> [SigningKey] {
        let all = try await keys()
        let date = now()
        return all.indices.filter { index in
            guard index + 1 < all.count else { return true }
            let retiredAt = activation(of: all, at: index + 1)
            return date < retiredAt.addingTimeInterval(refreshInterval + accessTokenLifetime)
        }
        .map { all[$0] }
    }

    /// Adds a new signing key to the store; it signs after ``activationDelay``.
    @discardableResult
    public func rotate() async throws -> SigningKey {
        let key = SigningKey.generate(now: now())
        try await store.insertSigningKey(
            StoredSigningKey(kid: key.kid, algorithm: "ES256", sealedPrivateKey: try encryption.seal(key.privateKey), createdAt: key.createdAt)
        )
        snapshot.withLock { $0 = nil }
        return key
    }

    /// Seals every stored key that is not sealed the current way (SPEC §9: with
    /// `GATEHOUSE_KEY_ENCRYPTION_KEY` set, keys found unsealed are sealed at start).
    /// - Returns: how many keys were resealed.
    /// - Throws: ``KeyEncryptionError`` when a stored key does not open.
    @discardableResult
    public func sealStoredKeys() async throws -> Int {
        var resealed = 0
        for stored in try await store.signingKeys() {
            guard let sealed = try encryption.resealed(stored.sealedPrivateKey) else { continue }
            try await store.replaceSealedPrivateKey(kid: stored.kid, sealedPrivateKey: sealed)
            resealed += 1
        }
        if resealed > 0 { snapshot.withLock { $0 = nil } }
        return resealed
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
