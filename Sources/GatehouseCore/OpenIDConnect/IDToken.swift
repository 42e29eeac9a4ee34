public import Crypto
public import Foundation

/// The ID Token of OpenID Connect Core §2: a JWS (RFC 7515) signed with ES256 by the same key ring
/// as JWT access tokens, with the key's `kid` in its header, so a relying party verifies it with
/// the JWKS alone.
public enum IDToken {
    /// The claims Gatehouse writes (Core §2, §3.1.3.6).
    public struct Claims: Sendable, Equatable {
        public var issuer: String
        public var subject: String
        /// `aud`: the client's id.
        public var audience: String
        public var expiresAt: Int
        public var issuedAt: Int
        public var authTime: Int
        /// Only in the `id_token` of the code exchange, never of a refresh (Core §12.2).
        public var nonce: String?
        /// Core §3.1.3.6: the left half of SHA-256 of the access token, base64url.
        public var accessTokenHash: String?
        /// `sid`: the browser session (OpenID Connect Front-Channel Logout §3).
        public var sessionID: String?

        public init(
            issuer: String, subject: String, audience: String, expiresAt: Int, issuedAt: Int, authTime: Int, nonce: String? = nil,
            accessTokenHash: String? = nil, sessionID: String? = nil
        ) {
            self.issuer = issuer
            self.subject = subject
            self.audience = audience
            self.expiresAt = expiresAt
            self.issuedAt = issuedAt
            self.authTime = authTime
            self.nonce = nonce
            self.accessTokenHash = accessTokenHash
            self.sessionID = sessionID
        }
    }

    /// `at_hash` (Core §3.1.3.6): "the base64url encoding of the left-most half of the hash of the
    /// octets of the ASCII representation of the access_token value", SHA-256 for ES256.
    public static func accessTokenHash(_ accessToken: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(accessToken.utf8))).prefix(16))
    }

    /// `header.payload.signature` with header `{"alg":"ES256","kid":…,"typ":"JWT"}`.
    public static func sign(_ claims: Claims, with key: SigningKey) throws -> String {
        var payload = JSONWriter()
        payload.add("iss", claims.issuer)
        payload.add("sub", claims.subject)
        payload.add("aud", claims.audience)
        payload.add("exp", claims.expiresAt)
        payload.add("iat", claims.issuedAt)
        payload.add("auth_time", claims.authTime)
        if let nonce = claims.nonce { payload.add("nonce", nonce) }
        if let hash = claims.accessTokenHash { payload.add("at_hash", hash) }
        if let sid = claims.sessionID { payload.add("sid", sid) }
        return try key.compactJWS(type: "JWT", payload: payload.finish())
    }

    /// Why an `id_token` was not accepted; for logs only.
    public enum VerificationError: Error, Sendable, Equatable {
        case malformed
        case unsupportedHeader
        case unknownKey
        case badSignature
        case wrongIssuer
        case expired
    }

    /// Verifies an `id_token` this server issued: ES256 only, a key of `publicKey`, `iss`.
    /// - Parameter now: `nil` accepts an expired token, as RP-initiated logout 1.0 §2 allows for
    ///   `id_token_hint`.
    public static func verify(
        _ token: String, issuer: String, now: Date?, publicKey: (String) async throws -> P256.Signing.PublicKey?
    ) async throws(VerificationError) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signatureBytes = Base64URL.decode(parts[2]),
            let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any],
            let payload = (try? JSONSerialization.jsonObject(with: Data(payloadBytes))) as? [String: Any]
        else { throw .malformed }
        guard header["alg"] as? String == "ES256", let kid = header["kid"] as? String else { throw .unsupportedHeader }
        let key: P256.Signing.PublicKey?
        do { key = try await publicKey(kid) } catch { throw .unknownKey }
        guard let key else { throw .unknownKey }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
            key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
        else { throw .badSignature }
        guard payload["iss"] as? String == issuer else { throw .wrongIssuer }
        guard let sub = payload["sub"] as? String, let exp = payload["exp"] as? Int, let iat = payload["iat"] as? Int,
            let audience = (payload["aud"] as? String) ?? (payload["aud"] as? [String])?.first
        else { throw .malformed }
        if let now, Double(exp) <= now.timeIntervalSince1970 { throw .expired }
        return Claims(
            issuer: issuer, subject: sub, audience: audience, expiresAt: exp, issuedAt: iat, authTime: payload["auth_time"] as? Int ?? iat,
            nonce: payload["nonce"] as? String, accessTokenHash: payload["at_hash"] as? String, sessionID: payload["sid"] as? String
        )
    }
}
