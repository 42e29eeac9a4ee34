public import Foundation
import Synchronization

/// A clock that moves only when a test moves it, so that expiry is tested by moving time, never by
/// sleeping or editing rows (jwt-kit's `verifyNotExpired(currentDate:)` habit).
///
/// Pass ``now()`` wherever the core takes a `@Sendable () -> Date`: the endpoints' `now:`,
/// `ServerSettings.now`, the limiters.
///
/// ```swift
/// let clock = TestClock()
/// let endpoint = TokenEndpoint(configuration: configuration, clients: store, handlers: handlers, now: clock.now)
/// clock.advance(by: 61) // the code has expired
/// ```
public final class TestClock: Sendable {
    /// The default start: a whole second in the future of any real test run, so that dates read
    /// back from a store compare equal.
    public static let defaultStart = Date(timeIntervalSince1970: 1_900_000_000)

    private let current: Mutex<Date>

    public init(_ start: Date = TestClock.defaultStart) {
        self.current = Mutex(start)
    }

    /// The clock's time.
    public func now() -> Date {
        current.withLock { $0 }
    }

    /// Moves the clock forward by `seconds` (backward when negative).
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0.addTimeInterval(seconds) }
    }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        advance(by: TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18)
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
