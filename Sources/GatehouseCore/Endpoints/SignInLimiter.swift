public import Foundation

/// The sign-in limits of SPEC §9 for the built-in login page: `sign_in_failure_limit` attempts
/// per (username, address) and `sign_in_address_failure_limit` per address, within a sliding
/// window of `rate_limit_window` seconds.
///
/// An attempt is recorded **before** its password is checked, then its window is counted: it may
/// go on only when the count, itself included, is within both limits. Any number of parallel
/// guesses, on any number of instances, therefore passes at most the limit: the k-th attempt to
/// be stored sees at least k. A refused attempt is taken back, so that hammering a locked key does
/// not keep it locked; it frees itself `rate_limit_window` seconds after its last counted attempt.
///
/// A success clears its (username, address) counter and takes back its attempt on the address:
/// only failures count against an address, which many people may share behind one NAT.
///
/// Usernames enter the keys only hashed, so the table never holds the name of anyone who failed.
/// All state is in the shared ``RateLimitStore``; nothing is cached per instance.
public struct SignInLimiter: Sendable {
    /// An attempt let through, to be reported as a success or left to count as a failure.
    public struct Attempt: Sendable {
        fileprivate let user: RateLimitAttempt
        fileprivate let address: RateLimitAttempt
    }

    /// Whether the password may be checked.
    public enum Decision: Sendable {
        case proceed(Attempt)
        /// Past a limit: `retryAfter` seconds until one more attempt fits; `limit` is the name of
        /// the limit that refused (``RateLimitName``).
        case refused(retryAfter: Int, limit: String)
    }

    private let store: any RateLimitStore
    private let userLimit: Int
    private let addressLimit: Int
    private let window: TimeInterval

    /// - Parameters:
    ///   - userLimit: `sign_in_failure_limit`.
    ///   - addressLimit: `sign_in_address_failure_limit`.
    ///   - window: `rate_limit_window`, in seconds.
    public init(store: any RateLimitStore, userLimit: Int, addressLimit: Int, window: Int) {
        self.store = store
        self.userLimit = userLimit
        self.addressLimit = addressLimit
        self.window = TimeInterval(window)
    }

    /// Records an attempt to sign in as `username` from `address` and decides whether it may go on.
    public func begin(username: String, address: String, at date: Date) async throws -> Decision {
        let id = SecretGenerator().makeIdentifier()
        let user = RateLimitAttempt(key: Self.userKey(username: username, address: address), id: id, at: date)
        let addressAttempt = RateLimitAttempt(key: Self.addressKey(address), id: id, at: date)
        try await store.recordAttempts([user, addressAttempt])
        let windows = try await store.attemptWindows(keys: [user.key, addressAttempt.key], after: date.addingTimeInterval(-window))
        var refusal: (until: Date, limit: String)?
        for (key, limit, name) in [(user.key, userLimit, RateLimitName.signIn), (addressAttempt.key, addressLimit, RateLimitName.signInAddress)] {
            guard let current = windows[key], current.count > limit else { continue }
            let until = current.oldest.addingTimeInterval(window)
            if until > refusal?.until ?? .distantPast { refusal = (until, name) }
        }
        guard let refusal else { return .proceed(Attempt(user: user, address: addressAttempt)) }
        try await store.deleteAttempts([user, addressAttempt])
        return .refused(retryAfter: max(1, Int(refusal.until.timeIntervalSince(date).rounded(.up))), limit: refusal.limit)
    }

    /// The password was right: the (username, address) counter starts afresh and the attempt does
    /// not count against the address.
    public func succeeded(_ attempt: Attempt) async throws {
        try await store.clearAttempts(key: attempt.user.key)
        try await store.deleteAttempts([attempt.address])
    }

    /// Usernames are compared without case, so that `Alice` and `alice` share one budget.
    static func userKey(username: String, address: String) -> String {
        SecretHasher.hash("\(RateLimitName.signIn)\n\(username.lowercased())\n\(address)")
    }

    static func addressKey(_ address: String) -> String {
        SecretHasher.hash("\(RateLimitName.signInAddress)\n\(address)")
    }
}
