/// A set of scope tokens, kept in the order first given (RFC 6749 §3.3).
///
/// `scope = scope-token *( SP scope-token )`, `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
public struct ScopeSet: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public private(set) var tokens: [String]

    public init(_ tokens: some Sequence<String>) {
        var seen: Set<String> = []
        self.tokens = tokens.filter { seen.insert($0).inserted }
    }

    /// Splits a stored, already validated scope string.
    public init(spaceSeparated string: String) {
        self.init(string.split(separator: " ").map(String.init))
    }

    public init(arrayLiteral elements: String...) {
        self.init(elements)
    }

    /// Parses a space-delimited scope string.
    /// - Throws: ``OAuthError`` `invalid_scope` when a token has a character RFC 6749 §3.3 forbids.
    public init(parsing string: String) throws(OAuthError) {
        let tokens = string.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        for token in tokens where !token.unicodeScalars.allSatisfy(Self.isScopeCharacter) {
            throw .invalidScope("scope token has a forbidden character")
        }
        self.init(tokens)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(try container.decode([String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(tokens)
    }

    public var isEmpty: Bool { tokens.isEmpty }

    public func contains(_ token: String) -> Bool { tokens.contains(token) }

    public func isSubset(of other: ScopeSet) -> Bool { tokens.allSatisfy(other.contains) }

    /// The tokens of `self` not in `other`.
    public func subtracting(_ other: ScopeSet) -> [String] { tokens.filter { !other.contains($0) } }

    /// The space-delimited form, as sent in `scope` parameters.
    public var description: String { tokens.joined(separator: " ") }

    private static func isScopeCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21, 0x23...0x5B, 0x5D...0x7E: true
        default: false
        }
    }
}
