public import Foundation

/// Slows down password guessing: after a few failures for one username or one address, every
/// further attempt must wait, starting at half a minute and doubling after each failure, up to a cap.
public struct LoginThrottle: Sendable {
    private let store: any LoginAttemptStore
    /// Failures allowed before waiting starts.
    public let freeAttempts: Int
    /// The first wait, in seconds.
    public let initialDelay: Int
    /// The longest wait, in seconds.
    public let maximumDelay: Int

    public init(store: any LoginAttemptStore, freeAttempts: Int = 5, initialDelay: Int = 30, maximumDelay: Int = 900) {
        self.store = store
        self.freeAttempts = freeAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Seconds to wait before another attempt with any of `keys`, or 0.
    public func delay(for keys: [String], now: Date) async throws -> Int {
        var longest = 0
        for key in keys {
            guard let (count, last) = try await store.loginFailures(key: key), count >= freeAttempts else { continue }
            let wait = min(maximumDelay, initialDelay << min(count - freeAttempts, 20))
            let remaining = Int(last.addingTimeInterval(TimeInterval(wait)).timeIntervalSince(now).rounded(.up))
            longest = max(longest, remaining)
        }
        return longest
    }

    public func recordFailure(for keys: [String], now: Date) async throws {
        for key in keys { _ = try await store.recordLoginFailure(key: key, at: now) }
    }

    public func recordSuccess(for keys: [String]) async throws {
        for key in keys { try await store.clearLoginFailures(key: key) }
    }
}
