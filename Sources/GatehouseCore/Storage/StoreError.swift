/// Failures a store reports in its own terms, so callers need not know the database.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A unique value (an id, a client name, a username) is already taken.
    case duplicate(String)

    public var description: String {
        switch self {
        case .duplicate(let what): "\(what) already exists"
        }
    }
}
