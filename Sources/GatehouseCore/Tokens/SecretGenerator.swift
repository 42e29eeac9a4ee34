/// Makes tokens, secrets and identifiers from the system's cryptographically secure generator.
public struct SecretGenerator: Sendable {
    public init() {}

    /// A new 256-bit secret of the given kind, e.g. `gtha_…`.
    public func make(_ kind: TokenKind) -> String {
        kind.prefix + Base64URL.encode(randomBytes(count: 32))
    }

    /// A new 128-bit identifier as 32 lowercase hex digits: for client ids, user ids, token ids.
    /// Identifiers are not secrets, but random ones reveal nothing about how many exist.
    public func makeIdentifier() -> String {
        Hex.encode(randomBytes(count: 16))
    }

    /// Fills the buffer eight bytes at a time: asking for one byte at a time costs ten times more.
    private func randomBytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}
