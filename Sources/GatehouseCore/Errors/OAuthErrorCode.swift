/// An OAuth 2.0 error code, the value of the `error` member of an error response.
///
/// A struct of static constants rather than an enum, so that codes can be added without breaking
/// code that switches over them (the shape swift-certificates uses for its error codes).
public struct OAuthErrorCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    // RFC 6749 §4.1.2.1 and §5.2
    public static let invalidRequest = Self(rawValue: "invalid_request")
    public static let invalidClient = Self(rawValue: "invalid_client")
    public static let invalidGrant = Self(rawValue: "invalid_grant")
    public static let unauthorizedClient = Self(rawValue: "unauthorized_client")
    public static let unsupportedGrantType = Self(rawValue: "unsupported_grant_type")
    public static let invalidScope = Self(rawValue: "invalid_scope")
    public static let accessDenied = Self(rawValue: "access_denied")
    public static let unsupportedResponseType = Self(rawValue: "unsupported_response_type")
    public static let serverError = Self(rawValue: "server_error")
    public static let temporarilyUnavailable = Self(rawValue: "temporarily_unavailable")
    // RFC 7009 §2.2.1
    public static let unsupportedTokenType = Self(rawValue: "unsupported_token_type")
    // RFC 6750 §3.1
    public static let invalidToken = Self(rawValue: "invalid_token")
    public static let insufficientScope = Self(rawValue: "insufficient_scope")
    // RFC 8707 §2
    public static let invalidTarget = Self(rawValue: "invalid_target")
    // RFC 7591 §3.2.2
    public static let invalidRedirectURI = Self(rawValue: "invalid_redirect_uri")
    public static let invalidClientMetadata = Self(rawValue: "invalid_client_metadata")
    // SPEC §10: the admin API's answers for a missing object and a duplicate
    public static let notFound = Self(rawValue: "not_found")
    public static let conflict = Self(rawValue: "conflict")
}
