/// Failures a store reports in its own terms, so callers need not know the database.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A unique value (an id, a client name, a username) is already taken.
    case duplicate(String)
    /// A row refers to one that no longer exists, e.g. a token of a client deleted meanwhile.
    case missingReference(String)
    /// The database is busy (another process holds SQLite's write lock), cannot be reached, or too
    /// much work is already waiting for it; trying again after `retryAfter` seconds may succeed
    /// (SPEC §9 "Faults and load": `503 temporarily_unavailable` with `Retry-After`).
    case unavailable(retryAfter: Int)

    public var description: String {
        switch self {
        case .duplicate(let what): "\(what) already exists"
        case .missingReference(let what): "\(what) does not exist"
        case .unavailable(let seconds): "database unavailable or busy; retry after \(seconds) s"
        }
    }
}
