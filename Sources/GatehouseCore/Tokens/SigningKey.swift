public import Crypto
public import Foundation

/// An ES256 key that signs JWT access tokens (RFC 9068), with its identifier.
public struct SigningKey: Sendable {
    public let kid: String
    public let privateKey: P256.Signing.PrivateKey
    public let createdAt: Date

    public init(kid: String, privateKey: P256.Signing.PrivateKey, createdAt: Date) {
        self.kid = kid
        self.privateKey = privateKey
        self.createdAt = createdAt
    }

    /// A new key with a random identifier.
    public static func generate(now: Date) -> SigningKey {
        SigningKey(kid: SecretGenerator().makeIdentifier(), privateKey: P256.Signing.PrivateKey(), createdAt: now)
    }

    /// The public half as a JWK (RFC 7517 §4, RFC 7518 §6.2.1).
    public var publicJWK: String {
        JWK.ellipticCurve(kid: kid, publicKey: privateKey.publicKey)
    }
}

/// JSON Web Keys for P-256 public keys.
public enum JWK {
    /// `{"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"alg":"ES256","use":"sig"}`
    public static func ellipticCurve(kid: String, publicKey: P256.Signing.PublicKey) -> String {
        // x963 is 0x04 || X (32 bytes) || Y (32 bytes).
        let point = Array(publicKey.x963Representation)
        var json = JSONWriter()
        json.add("kty", "EC")
        json.add("crv", "P-256")
        json.add("x", Base64URL.encode(point[1..<33]))
        json.add("y", Base64URL.encode(point[33..<65]))
        json.add("kid", kid)
        json.add("alg", "ES256")
        json.add("use", "sig")
        return json.finish()
    }

    /// The public key of a P-256 JWK's coordinates.
    public static func publicKey(x: String, y: String) -> P256.Signing.PublicKey? {
        guard let xBytes = Base64URL.decode(x), let yBytes = Base64URL.decode(y), xBytes.count == 32, yBytes.count == 32 else {
            return nil
        }
        return try? P256.Signing.PublicKey(x963Representation: [0x04] + xBytes + yBytes)
    }
}

extension SigningKey {
    /// `header.payload.signature` (RFC 7515 §7.1), header `{"alg":"ES256","kid":…,"typ":type}`: the
    /// one signing step of JWT access tokens and ID tokens.
    func compactJWS(type: String, payload: String) throws -> String {
        var header = JSONWriter()
        header.add("alg", "ES256")
        header.add("kid", kid)
        header.add("typ", type)
        let signingInput = Base64URL.encode(Array(header.finish().utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = try privateKey.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }
}
