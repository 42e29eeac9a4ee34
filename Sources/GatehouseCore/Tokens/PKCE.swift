import Crypto

/// Proof Key for Code Exchange (RFC 7636), S256 only: OAuth 2.1 and RFC 9700 §2.1.1 refuse `plain`.
public enum PKCE {
    /// RFC 7636 §4.1: `code-verifier = 43*128unreserved`; the S256 challenge is 43 base64url
    /// characters, but any string of that grammar is accepted as a challenge.
    public static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count) && value.utf8.allSatisfy(isUnreserved)
    }

    /// RFC 7636 §4.6: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge`, compared in
    /// constant time.
    public static func verify(verifier: String, challenge: String) -> Bool {
        let computed = Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
        return SecretHasher.constantTimeEquals(Array(computed.utf8), Array(challenge.utf8))
    }

    /// The S256 challenge of a verifier, for clients and tests.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
