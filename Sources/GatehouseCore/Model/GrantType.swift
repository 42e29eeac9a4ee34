/// The grant types Gatehouse implements (RFC 6749 §4.1, §4.4, §6).
public enum GrantType: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case authorizationCode = "authorization_code"
    case refreshToken = "refresh_token"
    case clientCredentials = "client_credentials"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What a client is registered with when no grant type is named (SPEC §2).
    public static let defaults: Set<GrantType> = [.authorizationCode, .refreshToken]
}
