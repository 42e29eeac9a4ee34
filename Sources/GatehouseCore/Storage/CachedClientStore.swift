public import Foundation
import Synchronization

/// Serves client registrations from memory for a short, configured time.
///
/// A database round trip costs more than everything else on a token request together, so the
/// registration is cached; the TTL (`client_cache_ttl`) bounds how long another instance's change
/// (a deleted client, a rotated secret) takes to be seen. Unknown ids are not cached, so a client
/// registered a moment ago works at once.
public final class CachedClientStore: ClientStore {
    private struct Entry {
        let client: Client
        let expiresAt: Date
    }

    private let upstream: any ClientStore
    private let ttl: TimeInterval
    private let now: @Sendable () -> Date
    private let entries = Mutex<[String: Entry]>([:])

    public init(upstream: any ClientStore, ttl: TimeInterval, now: @escaping @Sendable () -> Date = Date.init) {
        self.upstream = upstream
        self.ttl = ttl
        self.now = now
    }

    /// Drops the cached registration of `id`, so that this instance sees its own change (an update,
    /// a deletion, a rotated secret) at once; other instances see it within the TTL.
    public func forget(id: String) {
        entries.withLock { _ = $0.removeValue(forKey: id) }
    }

    public func client(id: String) async throws -> Client? {
        let date = now()
        if let entry = entries.withLock({ $0[id] }), date < entry.expiresAt {
            return entry.client
        }
        guard let client = try await upstream.client(id: id) else {
            entries.withLock { _ = $0.removeValue(forKey: id) }
            return nil
        }
        if ttl > 0 {
            entries.withLock { $0[id] = Entry(client: client, expiresAt: date.addingTimeInterval(ttl)) }
        }
        return client
    }
}
