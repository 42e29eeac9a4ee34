public import Foundation
import Synchronization

/// The client-authentication limit of SPEC §9: once `client_auth_failure_limit` authentications
/// naming one `client_id` have failed from one address within `rate_limit_window` seconds, further
/// requests naming that client from that address get `429 temporarily_unavailable` with
/// `Retry-After`, before their secret is checked. Other addresses and other clients are unaffected,
/// and the window slides: each failure stops counting `rate_limit_window` seconds after it happened.
///
/// The failures live in the shared ``RateLimitStore``, so every instance counts the same ones.
/// What is **per instance** is a small cache that keeps the token endpoint's hot path free of a
/// database read per request:
/// - "not limited" is remembered for at most ``clearCacheLifetime`` (one second), and forgotten
///   at once when this instance records a failure for the key. Failures recorded by *other*
///   instances are therefore seen within that second; on one instance the limit is exact.
/// - "limited until T" is remembered until T. It is safe to keep: failures only leave a window by
///   time, so the key cannot become free before T.
/// The cache holds at most ``cacheCapacity`` keys; past that, keys are simply not cached.
public final class ClientAuthenticationLimiter: Sendable {
    private enum CachedState {
        case clear(until: Date)
        case limited(until: Date)
    }

    private let store: any RateLimitStore
    private let limit: Int
    private let window: TimeInterval
    private let events: any SecurityEventSink
    private let now: @Sendable () -> Date
    private let cache = Mutex<[String: CachedState]>([:])
    public let clearCacheLifetime: TimeInterval = 1
    public let cacheCapacity = 10_000

    /// - Parameters:
    ///   - limit: `client_auth_failure_limit`.
    ///   - window: `rate_limit_window`, in seconds.
    ///   - events: receives `client.authentication_failed` and `rate_limited`.
    public init(
        store: any RateLimitStore, limit: Int, window: Int, events: any SecurityEventSink,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.limit = limit
        self.window = TimeInterval(window)
        self.events = events
        self.now = now
    }

    /// Refuses the request when the client has failed too often from this address.
    /// - Throws: ``OAuthError`` `temporarily_unavailable` (429) with `Retry-After`.
    public func check(clientID: String, address: String) async throws {
        let key = Self.key(clientID: clientID, address: address)
        let date = now()
        switch cache.withLock({ $0[key] }) {
        case .clear(let until) where date < until:
            return
        case .limited(let until) where date < until:
            throw refusal(clientID: clientID, address: address, until: until, at: date)
        default:
            break
        }
        let windowStart = date.addingTimeInterval(-window)
        let current = try await store.attemptWindows(keys: [key], after: windowStart)[key]
        guard let current, current.count >= limit else {
            remember(key, .clear(until: date.addingTimeInterval(clearCacheLifetime)), at: date)
            return
        }
        // The oldest failure leaving the window lets one more attempt in (exact when the count is
        // at the limit; with more, the key is looked at again then).
        let until = current.oldest.addingTimeInterval(window)
        remember(key, .limited(until: until), at: date)
        throw refusal(clientID: clientID, address: address, until: until, at: date)
    }

    /// Counts a failed authentication naming `clientID` from `address`.
    public func recordFailure(clientID: String, address: String) async throws {
        let key = Self.key(clientID: clientID, address: address)
        let date = now()
        cache.withLock { _ = $0.removeValue(forKey: key) }
        events.record(SecurityEvent(.clientAuthenticationFailed, outcome: .failure, time: date, clientID: clientID, address: address))
        try await store.recordAttempts([RateLimitAttempt(key: key, id: SecretGenerator().makeIdentifier(), at: date)])
    }

    private func refusal(clientID: String, address: String, until: Date, at date: Date) -> OAuthError {
        events.record(
            SecurityEvent(.rateLimited, outcome: .failure, time: date, clientID: clientID, address: address, reason: RateLimitName.clientAuthentication)
        )
        return OAuthError.rateLimited(retryAfter: Self.seconds(from: date, to: until), hint: "client \(clientID) failed too often from \(address)")
    }

    private func remember(_ key: String, _ state: CachedState, at date: Date) {
        cache.withLock { entries in
            if entries.count >= cacheCapacity {
                entries = entries.filter { _, state in
                    switch state {
                    case .clear(let until), .limited(let until): date < until
                    }
                }
                guard entries.count < cacheCapacity else { return }
            }
            entries[key] = state
        }
    }

    /// Client ids are not secret, but the key is hashed like the sign-in keys so that the table
    /// holds one shape of key.
    static func key(clientID: String, address: String) -> String {
        SecretHasher.hash("\(RateLimitName.clientAuthentication)\n\(clientID)\n\(address)")
    }

    /// Whole seconds, rounded up and at least one, as `Retry-After` takes them (RFC 9110 §10.2.3).
    static func seconds(from date: Date, to until: Date) -> Int {
        max(1, Int(until.timeIntervalSince(date).rounded(.up)))
    }
}
