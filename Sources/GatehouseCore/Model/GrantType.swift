/// The grant types Gatehouse implements (RFC 6749 §4.1, §4.4, §6; RFC 8628; RFC 8693).
public enum GrantType: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case authorizationCode = "authorization_code"
    case refreshToken = "refresh_token"
    case clientCredentials = "client_credentials"
    case deviceCode = "urn:ietf:params:oauth:grant-type:device_code"
    case tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What a client is registered with when no grant type is named (SPEC §2).
    public static let defaults: Set<GrantType> = [.authorizationCode, .refreshToken]

    /// The grant type a name stands for: its full value, or the CLI's shorthand for the two URN
    /// grant types (SPEC §2: `device_code`, `token_exchange`).
    public init?(name: String) {
        switch name {
        case "device_code": self = .deviceCode
        case "token_exchange": self = .tokenExchange
        default: self.init(rawValue: name)
        }
    }
}
