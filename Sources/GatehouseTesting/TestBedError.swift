/// A fixture could not finish.
public enum TestBedError: Error, Sendable, CustomStringConvertible {
    /// The authorization endpoint redirected without a code.
    case noCode(String)

    public var description: String {
        switch self {
        case .noCode(let location): "the authorization endpoint redirected without a code: \(location)"
        }
    }
}
