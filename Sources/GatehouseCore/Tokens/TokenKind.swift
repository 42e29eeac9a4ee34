/// The kinds of secrets Gatehouse generates, each with a recognisable prefix so that secret
/// scanners can find a leaked one (in the manner of GitHub's `ghp_` and `gho_`).
///
/// Every one is 256 bits from the system's CSPRNG, base64url-encoded after the prefix, so a
/// leaked value matches `gth[acrs]_[A-Za-z0-9_-]{43}`.
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
}
