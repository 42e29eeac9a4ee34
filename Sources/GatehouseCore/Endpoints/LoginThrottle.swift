public import Foundation

/// Slows down password guessing: after a few failures for one username, or more for one address
/// (many people may share an address behind NAT), every further attempt with it must wait,
/// starting at half a minute and doubling after each failure, up to a cap.
public struct LoginThrottle: Sendable {
    /// What failures are counted against.
    public enum Subject: Sendable, Hashable {
        case username(String)
        case address(String)

        var key: String {
            switch self {
            case .username(let name): "user:\(name.lowercased())"
            case .address(let address): "ip:\(address)"
            }
        }
    }

    private let store: any LoginAttemptStore
    /// Failures allowed for one username before waiting starts.
    public let freeAttemptsPerUsername: Int
    /// Failures allowed from one address before waiting starts.
    public let freeAttemptsPerAddress: Int
    /// The first wait, in seconds.
    public let initialDelay: Int
    /// The longest wait, in seconds.
    public let maximumDelay: Int

    public init(
        store: any LoginAttemptStore,
        freeAttemptsPerUsername: Int = 5,
        freeAttemptsPerAddress: Int = 20,
        initialDelay: Int = 30,
        maximumDelay: Int = 900
    ) {
        self.store = store
        self.freeAttemptsPerUsername = freeAttemptsPerUsername
        self.freeAttemptsPerAddress = freeAttemptsPerAddress
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Seconds to wait before another attempt for any of `subjects`, or 0.
    public func delay(for subjects: [Subject], now: Date) async throws -> Int {
        var longest = 0
        for subject in subjects {
            let free = if case .address = subject { freeAttemptsPerAddress } else { freeAttemptsPerUsername }
            guard let (count, last) = try await store.loginFailures(key: subject.key), count >= free else { continue }
            let wait = min(maximumDelay, initialDelay << min(count - free, 20))
            let remaining = Int(last.addingTimeInterval(TimeInterval(wait)).timeIntervalSince(now).rounded(.up))
            longest = max(longest, remaining)
        }
        return longest
    }

    public func recordFailure(for subjects: [Subject], now: Date) async throws {
        for subject in subjects { _ = try await store.recordLoginFailure(key: subject.key, at: now) }
    }

    /// A successful sign-in clears the username's count; the address keeps its own.
    public func recordSuccess(for subjects: [Subject]) async throws {
        for case .username(let name) in subjects { try await store.clearLoginFailures(key: Subject.username(name).key) }
    }
}
