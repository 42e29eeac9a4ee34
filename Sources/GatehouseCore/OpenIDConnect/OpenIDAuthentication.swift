public import Foundation

/// The sign-in behind an OpenID Connect authorization (Core §2): what its `id_token`s state about
/// the end-user's authentication. Kept with the grant, so that a refresh repeats `auth_time` and
/// `sid` (Core §12.2).
public struct OpenIDAuthentication: Sendable, Hashable {
    /// The request's `nonce`, only in the `id_token` of the code exchange (Core §3.1.3.6, §12.2).
    public var nonce: String?
    /// When the end-user signed in: the browser session's sign-in, or the accepted delegated login.
    public var authTime: Date
    /// `sid`: a stable identifier of the browser session, never its secret; `nil` when the flow
    /// kept no session (a delegated login accepted without `remember`).
    public var sessionID: String?

    public init(nonce: String?, authTime: Date, sessionID: String?) {
        self.nonce = nonce
        self.authTime = authTime
        self.sessionID = sessionID
    }

    /// The `sid` of a browser session: derived from the hash the store keeps, so it names the
    /// session without being a way in (the cookie's value is the only secret).
    public static func sessionID(ofSessionHash idHash: String) -> String {
        String(SecretHasher.hash("sid:" + idHash).prefix(32))
    }
}
