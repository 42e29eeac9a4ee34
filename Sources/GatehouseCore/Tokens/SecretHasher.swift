import Crypto

/// Hashes server-made secrets (tokens, codes, client secrets) for storage and compares them in
/// constant time.
///
/// These secrets carry 256 random bits, so a single SHA-256 is enough: nobody can search that
/// space, and a slow hash (bcrypt, PBKDF2) would only cap throughput, as it did Hydra's
/// client_credentials near 100 requests per second.
public enum SecretHasher {
    /// SHA-256 of the UTF-8 secret, hex-encoded, after the secret's issue stamp when it has one
    /// (``TokenKind``): the form the store keeps and looks up. The stamp orders the stored keys
    /// by issue time; the digest still covers the whole secret, stamp included. A secret made
    /// before stamps existed hashes to its digest alone, as it did when it was stored.
    public static func hash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Array(secret.utf8)), after: TokenKind.issueStamp(of: secret)?.utf8 ?? Substring().utf8)
    }

    /// Whether `secret` hashes to `expectedHash`, comparing every byte whatever the first mismatch.
    public static func verify(_ secret: String, against expectedHash: String) -> Bool {
        constantTimeEquals(Array(hash(secret).utf8), Array(expectedHash.utf8))
    }

    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
