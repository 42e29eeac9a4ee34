import Crypto
import Foundation

/// Makes tokens, secrets and identifiers from a cryptographically secure generator.
public struct SecretGenerator: Sendable {
    public init() {}

    /// A new secret of the given kind: its prefix, its issue stamp, then 256 random bits, e.g.
    /// `gtha_019ae4c1f2a0…`. See ``TokenKind`` for the format and why it carries a stamp.
    public func make(_ kind: TokenKind) -> String {
        kind.prefix + IssueStamp.now() + Base64URL.encode(randomBytes(count: 32))
    }

    /// A new 128-bit identifier as 32 lowercase hex digits: for client ids, user ids, token ids.
    /// Identifiers are not secrets, but random ones reveal nothing about how many exist.
    public func makeIdentifier() -> String {
        Hex.encode(randomBytes(count: 16))
    }

    /// A new identifier as 32 lowercase hex digits that sorts after those made before it: an
    /// ``IssueStamp`` and 80 random bits. For rows made at a high rate and indexed by id (grants),
    /// so that each insert lands at the end of the index, not on a random page of it; it reveals
    /// when the row was made, never how many there are.
    public func makeOrderedIdentifier() -> String {
        IssueStamp.now() + Hex.encode(randomBytes(count: 10))
    }

    /// From swift-crypto's generator (BoringSSL's `RAND_bytes`, seeded by the kernel): one call
    /// for the whole value. `SystemRandomNumberGenerator` makes a `getrandom` system call for
    /// every eight bytes, six per token request.
    private func randomBytes(count: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }
}

/// The milliseconds since 1970 at which a secret or identifier was made, as 12 lowercase hex
/// digits: strings made later sort after those made earlier.
///
/// It is where the value is stored, not what it means: nothing reads the time back, so the
/// system clock serves, not the server's settable one.
enum IssueStamp {
    static let length = 12

    static func now() -> String {
        stamp(at: Date())
    }

    /// The low six bytes of the milliseconds, most significant first.
    static func stamp(at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        return Hex.encode((0..<length / 2).reversed().map { UInt8(truncatingIfNeeded: milliseconds >> (8 * UInt64($0))) })
    }
}
