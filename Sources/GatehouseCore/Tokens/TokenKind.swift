/// The kinds of secrets Gatehouse generates, each with a recognisable prefix so that secret
/// scanners can find a leaked one (in the manner of GitHub's `ghp_` and `gho_`).
///
/// After the prefix come 12 hex digits, the time it was made (``IssueStamp``), then 256 bits
/// from a cryptographically secure generator, base64url-encoded, so a leaked value matches
/// `gth[a-z]_[0-9a-f]{12}[A-Za-z0-9_-]{43}`. The stamp leads the value's stored hash
/// (``SecretHasher/hash(_:)``): tokens issued together are stored together, and an insert writes
/// the end of the index instead of a random page of it (SQLite: a batch of client_credentials
/// inserts takes a third of the CPU it took with random keys). It adds no entropy and needs none.
public enum TokenKind: String, Sendable, CaseIterable {
    case accessToken = "gtha_"
    case refreshToken = "gthr_"
    case authorizationCode = "gthc_"
    case clientSecret = "gths_"
    /// A browser session id at the authorization endpoint.
    case session = "gthb_"
    /// A form's anti-CSRF token.
    case csrf = "gthf_"
    /// The RFC 7592 registration access token of a dynamically registered client.
    case registrationAccessToken = "gthg_"
    /// A login or consent challenge handed to the provider's own app (SPEC §10).
    case interactionChallenge = "gthi_"
    /// The verifier of a decided challenge, carried by its `redirect_to`.
    case interactionVerifier = "gthv_"
    /// The cookie that names a browser across a delegated login or consent.
    case browser = "gthw_"
    /// The device code of the device authorization grant (RFC 8628 §3.2).
    case deviceCode = "gthd_"

    public var prefix: String { rawValue }

    /// Characters in a secret's prefix (`gtha_`).
    static let prefixLength = 5
    /// Characters in a whole secret: prefix, stamp, and 32 bytes in base64url.
    static let secretLength = prefixLength + IssueStamp.length + 43

    /// The issue stamp of `secret` when it has the shape of a secret this version makes; `nil`
    /// for anything else, such as a secret made before stamps or a JWT.
    static func issueStamp(of secret: String) -> Substring? {
        let utf8 = secret.utf8
        guard utf8.count == secretLength, secret.hasPrefix("gth") else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: prefixLength)
        let end = utf8.index(start, offsetBy: IssueStamp.length)
        guard utf8[utf8.index(before: start)] == UInt8(ascii: "_"),
            utf8[start..<end].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        return Substring(secret.utf8[start..<end])
    }
}
