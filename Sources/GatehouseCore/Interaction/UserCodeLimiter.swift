public import Foundation

extension RateLimitName {
    /// Wrong user codes on `/device` (SPEC §11), as the audit log's `reason` and the metrics' `limit`.
    public static let userCode = "user_code"
}

/// The limit on wrong user codes at the verification page (SPEC §11, RFC 8628 §5.1): at most
/// `sign_in_failure_limit` wrong codes per address within `rate_limit_window` seconds; past it the
/// page answers 429 with `Retry-After` without looking the code up.
///
/// As ``SignInLimiter`` does, an entry is recorded before the code is looked up and counted after,
/// itself included, so parallel guesses on any number of instances cannot pass the limit together.
/// A right code and a refused entry are taken back: only wrong codes count.
public struct UserCodeLimiter: Sendable {
    /// An entry let through, to be taken back when its code was right.
    public struct Attempt: Sendable {
        fileprivate let attempt: RateLimitAttempt
    }

    public enum Decision: Sendable {
        case proceed(Attempt)
        /// `retryAfter` seconds until one more entry fits.
        case refused(retryAfter: Int)
    }

    private let store: any RateLimitStore
    private let limit: Int
    private let window: TimeInterval

    /// - Parameters:
    ///   - limit: `sign_in_failure_limit`.
    ///   - window: `rate_limit_window`, in seconds.
    public init(store: any RateLimitStore, limit: Int, window: Int) {
        self.store = store
        self.limit = limit
        self.window = TimeInterval(window)
    }

    /// Records an entry of a user code from `address` and decides whether it may be looked up.
    public func begin(address: String, at date: Date) async throws -> Decision {
        let attempt = RateLimitAttempt(key: Self.key(address), id: SecretGenerator().makeIdentifier(), at: date)
        try await store.recordAttempts([attempt])
        let current = try await store.attemptWindows(keys: [attempt.key], after: date.addingTimeInterval(-window))[attempt.key]
        guard let current, current.count > limit else { return .proceed(Attempt(attempt: attempt)) }
        try await store.deleteAttempts([attempt])
        let until = current.oldest.addingTimeInterval(window)
        return .refused(retryAfter: max(1, Int(until.timeIntervalSince(date).rounded(.up))))
    }

    /// The code was right: the entry does not count.
    public func takeBack(_ attempt: Attempt) async throws {
        try await store.deleteAttempts([attempt.attempt])
    }

    static func key(_ address: String) -> String {
        SecretHasher.hash("\(RateLimitName.userCode)\n\(address)")
    }
}
