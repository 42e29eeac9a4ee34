/// Failures of ``InMemoryStore`` that the database reports in its own way.
public enum InMemoryStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A server secret was asked for with an empty candidate: the database cannot read such a
    /// secret back either.
    case emptyServerSecret(String)

    public var description: String {
        switch self {
        case .emptyServerSecret(let name): "the server secret \(name) is empty"
        }
    }
}
