import Crypto
public import Foundation

/// Issues the `id_token` of an `openid` grant at the token endpoint (OpenID Connect Core §3.1.3.3,
/// §12.2), signed with the key ring's current key.
public struct IDTokenIssuer: Sendable {
    private let keys: KeyRing
    private let issuer: String
    /// `id_token_ttl` in seconds.
    public let lifetime: Int

    public init(keys: KeyRing, issuer: String, lifetime: Int) {
        self.keys = keys
        self.issuer = issuer
        self.lifetime = lifetime
    }

    /// The `id_token` for a grant whose scope holds `openid`, or `nil` when it does not.
    /// - Parameters:
    ///   - nonce: the request's nonce; pass `nil` on a refresh (Core §12.2: not repeated).
    ///   - accessToken: the token issued beside it, whose `at_hash` it carries.
    public func make(
        clientID: String, subject: String, scope: ScopeSet, authentication: OpenIDAuthentication?, nonce: String?,
        accessToken: String, now: Date
    ) async throws -> String? {
        guard scope.contains(OpenIDScope.openid), let authentication else { return nil }
        let issuedAt = Int(now.timeIntervalSince1970)
        let claims = IDToken.Claims(
            issuer: issuer, subject: subject, audience: clientID, expiresAt: issuedAt + lifetime, issuedAt: issuedAt,
            authTime: Int(authentication.authTime.timeIntervalSince1970), nonce: nonce,
            accessTokenHash: IDToken.accessTokenHash(accessToken), sessionID: authentication.sessionID
        )
        return try IDToken.sign(claims, with: try await keys.signingKey())
    }

    /// The verification keys of ``IDToken/verify(_:issuer:now:publicKey:)``: the published keys.
    public func publicKey(kid: String) async throws -> SigningKey? {
        try await keys.publishedKeys().first { $0.kid == kid }
    }

    /// Verifies an `id_token_hint` (RP-Initiated Logout 1.0 §2): signed by one of our keys, our
    /// `iss`; an expired one is accepted.
    public func verifyHint(_ token: String) async throws(IDToken.VerificationError) -> IDToken.Claims {
        try await IDToken.verify(token, issuer: issuer, now: nil) { kid in
            try await publicKey(kid: kid)?.privateKey.publicKey
        }
    }
}

/// The scopes of OpenID Connect Core §3.1.2.1 and §5.4.
public enum OpenIDScope {
    public static let openid = "openid"
    public static let profile = "profile"
    public static let email = "email"
}
