/// How access tokens are represented: a random reference (looked up in the store) or a signed JWT
/// (RFC 9068) that resource servers can verify locally.
public enum AccessTokenFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case opaque
    case jwt
}
