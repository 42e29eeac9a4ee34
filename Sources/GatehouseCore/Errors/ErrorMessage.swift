/// One client-facing error text of the catalog, in every language Gatehouse speaks.
///
/// Each error code has a generic message; a few situations have a more precise one (a wrong
/// method, a body too large) so that an integrator can fix the request without reading logs.
/// The texts are fixed: nothing from the request or the server's state is ever interpolated.
public struct ErrorMessage: Hashable, Sendable {
    /// A stable identifier, used to look the message up and in the documentation.
    public let id: String
    public let code: OAuthErrorCode
    /// Language tag (`en`, `de`, …) → text. English is always present and stays within
    /// RFC 6749's `error_description` character set.
    public let texts: [String: String]

    public init(id: String, code: OAuthErrorCode, texts: [String: String]) {
        self.id = id
        self.code = code
        self.texts = texts
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The text in `language`, or English when there is no translation.
    public func text(in language: String) -> String {
        texts[language] ?? english
    }

    public var english: String { texts["en"] ?? code.rawValue }
}
