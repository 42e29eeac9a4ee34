public import Crypto
public import Foundation

/// JWT access tokens (RFC 9068): compact JWS (RFC 7515) signed with ES256 (RFC 7518 §3.4).
///
/// Written on swift-crypto directly rather than through jwt-kit: one fixed header, one algorithm
/// and a claim set with a fixed shape need little code, and signing is on the token endpoint's hot
/// path, where jwt-kit's generic JSON and key collection roughly halve ES256 throughput.
public enum JWTAccessToken {
    /// The claims of an access token (RFC 9068 §2.2).
    public struct Claims: Sendable, Equatable {
        public var issuer: String
        public var subject: String
        /// `aud`: the resources the token is for (RFC 8707), or the server's `access_token_audience`.
        public var audience: [String]
        public var expiresAt: Int
        public var issuedAt: Int
        public var tokenID: String
        public var clientID: String
        public var scope: ScopeSet
        /// `act` (RFC 8693 §4.1): who acts for the subject of an exchanged token.
        public var actor: TokenActor?

        public init(
            issuer: String, subject: String, audience: [String], expiresAt: Int, issuedAt: Int, tokenID: String, clientID: String,
            scope: ScopeSet, actor: TokenActor? = nil
        ) {
            self.issuer = issuer
            self.subject = subject
            self.audience = audience
            self.expiresAt = expiresAt
            self.issuedAt = issuedAt
            self.tokenID = tokenID
            self.clientID = clientID
            self.scope = scope
            self.actor = actor
        }

        /// Claims for a single audience.
        public init(
            issuer: String, subject: String, audience: String, expiresAt: Int, issuedAt: Int, tokenID: String, clientID: String,
            scope: ScopeSet
        ) {
            self.init(
                issuer: issuer, subject: subject, audience: [audience], expiresAt: expiresAt, issuedAt: issuedAt, tokenID: tokenID,
                clientID: clientID, scope: scope
            )
        }
    }

    /// Signs `claims` with `key`: `header.payload.signature`, header `{"alg":"ES256","kid":…,"typ":"at+jwt"}`.
    public static func sign(_ claims: Claims, with key: SigningKey) throws -> String {
        var payload = JSONWriter()
        payload.add("iss", claims.issuer)
        payload.add("sub", claims.subject)
        // RFC 7519 §4.1.3: one audience "MAY be a single case-sensitive string", several an array.
        if claims.audience.count == 1 {
            payload.add("aud", claims.audience[0])
        } else {
            payload.add("aud", claims.audience)
        }
        payload.add("exp", claims.expiresAt)
        payload.add("iat", claims.issuedAt)
        payload.add("jti", claims.tokenID)
        payload.add("client_id", claims.clientID)
        payload.add("scope", claims.scope.description)
        if let actor = claims.actor { payload.add("act", json: actor.json) }
        return try key.compactJWS(type: "at+jwt", payload: payload.finish())
    }

    /// Why a token was not accepted; for logs, never for clients.
    public enum VerificationError: Error, Sendable, Equatable {
        case malformed
        case unsupportedHeader
        case unknownKey(String)
        case badSignature
        case expired
        case wrongIssuer
        case wrongAudience
    }

    /// Verifies a token's signature and claims.
    ///
    /// RFC 9068 §4: the header's `typ` must be `at+jwt` and `alg` must be ES256 (no `none`, no
    /// algorithm the token chooses); `iss` and `aud` must be the expected ones; `exp` in the future.
    /// - Parameters:
    ///   - audience: a value `aud` must contain; `nil` leaves the check to the caller, which then
    ///     reads ``Claims/audience`` (a resource server that knows its resource identifier).
    ///   - publicKey: looks up the verification key for a `kid`.
    public static func verify(
        _ token: String,
        issuer: String,
        audience: String?,
        now: Date,
        publicKey: (String) async throws -> P256.Signing.PublicKey?
    ) async throws(VerificationError) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signatureBytes = Base64URL.decode(parts[2]),
            let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any],
            let payload = (try? JSONSerialization.jsonObject(with: Data(payloadBytes))) as? [String: Any]
        else { throw .malformed }
        guard header["alg"] as? String == "ES256", (header["typ"] as? String)?.lowercased() == "at+jwt",
            let kid = header["kid"] as? String
        else { throw .unsupportedHeader }
        let key: P256.Signing.PublicKey?
        do { key = try await publicKey(kid) } catch { throw .unknownKey(kid) }
        guard let key else { throw .unknownKey(kid) }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
            key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
        else { throw .badSignature }
        guard let exp = payload["exp"] as? Int, let iat = payload["iat"] as? Int, let sub = payload["sub"] as? String,
            let jti = payload["jti"] as? String, let clientID = payload["client_id"] as? String
        else { throw .malformed }
        guard payload["iss"] as? String == issuer else { throw .wrongIssuer }
        let audiences = (payload["aud"] as? [String]) ?? (payload["aud"] as? String).map { [$0] } ?? []
        if let audience, !audiences.contains(audience) { throw .wrongAudience }
        guard Double(exp) > now.timeIntervalSince1970 else { throw .expired }
        return Claims(
            issuer: issuer, subject: sub, audience: audiences, expiresAt: exp, issuedAt: iat, tokenID: jti, clientID: clientID,
            scope: ScopeSet(spaceSeparated: payload["scope"] as? String ?? ""), actor: TokenActor(claim: payload["act"])
        )
    }
}
