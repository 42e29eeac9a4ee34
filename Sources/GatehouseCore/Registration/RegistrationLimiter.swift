public import Foundation

extension RateLimitName {
    /// Open dynamic registration (SPEC §10), as the audit log's `reason` and the metrics' `limit`.
    public static let registration = "registration"
}

/// The limit of open registration (SPEC §10): at most `client_auth_failure_limit` registrations
/// per client address within `rate_limit_window` seconds; past it, `429 temporarily_unavailable`
/// with `Retry-After`.
///
/// As ``SignInLimiter`` does, an attempt is recorded before the registration is made and counted
/// after, itself included, so parallel requests on any number of instances cannot pass the limit
/// together. A refused attempt and a registration that fails validation are taken back: only
/// registrations made count, and hammering a full window does not keep it full.
public struct RegistrationLimiter: Sendable {
    /// A registration let through, to be taken back when it does not happen.
    public struct Attempt: Sendable {
        fileprivate let attempt: RateLimitAttempt
    }

    private let store: any RateLimitStore
    private let limit: Int
    private let window: TimeInterval
    private let events: any SecurityEventSink

    /// - Parameters:
    ///   - limit: `client_auth_failure_limit`.
    ///   - window: `rate_limit_window`, in seconds.
    public init(store: any RateLimitStore, limit: Int, window: Int, events: any SecurityEventSink) {
        self.store = store
        self.limit = limit
        self.window = TimeInterval(window)
        self.events = events
    }

    /// Counts a registration from `address`.
    /// - Throws: ``OAuthError`` `temporarily_unavailable` (429) with `Retry-After` past the limit.
    public func begin(address: String, at date: Date) async throws -> Attempt {
        let attempt = RateLimitAttempt(key: Self.key(address), id: SecretGenerator().makeIdentifier(), at: date)
        try await store.recordAttempts([attempt])
        let current = try await store.attemptWindows(keys: [attempt.key], after: date.addingTimeInterval(-window))[attempt.key]
        guard let current, current.count > limit else { return Attempt(attempt: attempt) }
        try await store.deleteAttempts([attempt])
        events.record(SecurityEvent(.rateLimited, outcome: .failure, time: date, address: address, reason: RateLimitName.registration))
        // The oldest registration leaving the window lets one more in.
        let until = current.oldest.addingTimeInterval(window)
        throw OAuthError.rateLimited(
            retryAfter: max(1, Int(until.timeIntervalSince(date).rounded(.up))), hint: "too many registrations from \(address)"
        )
    }

    /// The registration was not made: it does not count.
    public func takeBack(_ attempt: Attempt) async throws {
        try await store.deleteAttempts([attempt.attempt])
    }

    static func key(_ address: String) -> String {
        SecretHasher.hash("\(RateLimitName.registration)\n\(address)")
    }
}
