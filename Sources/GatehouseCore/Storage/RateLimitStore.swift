public import Foundation

/// The shared state of the rate limits of SPEC §9: one row per attempt under a limit's key, so that
/// every instance on one database counts the same attempts and a window slides by time alone.
///
/// Keys are opaque to the store; callers hash anything personal (usernames) into them.
public protocol RateLimitStore: Sendable {
    /// Records attempts, every one of them or none (one statement).
    func recordAttempts(_ attempts: [RateLimitAttempt]) async throws

    /// The attempts under each key made after `start`, counted as the database sees them now.
    /// Keys without any are absent from the answer.
    func attemptWindows(keys: [String], after start: Date) async throws -> [String: RateLimitWindow]

    /// Forgets single attempts: one refused before it was tried, or a success that must not count.
    func deleteAttempts(_ attempts: [RateLimitAttempt]) async throws

    /// Forgets every attempt under `key`: a success clears its counter.
    func clearAttempts(key: String) async throws

    /// Deletes attempts made before `date`, which no window can reach any more.
    /// - Returns: how many rows went.
    @discardableResult
    func purgeAttempts(before date: Date) async throws -> Int
}

/// One attempt counted under one limit's key.
public struct RateLimitAttempt: Sendable, Hashable {
    public var key: String
    /// Tells apart attempts under one key, so that one of them can be forgotten alone.
    public var id: String
    public var at: Date

    public init(key: String, id: String, at: Date) {
        self.key = key
        self.id = id
        self.at = at
    }
}

/// What one key's window holds.
public struct RateLimitWindow: Sendable, Hashable {
    public var count: Int
    /// The oldest attempt in the window: when it leaves, one more attempt fits.
    public var oldest: Date

    public init(count: Int, oldest: Date) {
        self.count = count
        self.oldest = oldest
    }
}
