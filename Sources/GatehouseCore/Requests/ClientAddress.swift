/// Decides the client's address, the one rule every rate limit and audit event uses (SPEC §9
/// "Client address").
///
/// The socket peer is the address, unless the peer is a trusted proxy. Then the proxy's
/// `X-Forwarded-For` (or, without it, `Forwarded: for=`) is read from the right, the end the
/// proxies appended to, and the first address that is not itself a trusted proxy is the client's.
/// Entries further left were written by the client and may be forged, so they are never reached
/// while an untrusted hop stands between them and us.
public enum ClientAddress {
    /// The client's address in canonical form.
    /// - Parameters:
    ///   - peer: the socket peer's address, `nil` when the transport has none.
    ///   - forwardedFor: every `X-Forwarded-For` field line, in the order received.
    ///   - forwarded: every `Forwarded` field line (RFC 7239), in the order received.
    ///   - trustedProxies: `trusted_proxies`.
    /// - Returns: `nil` only when there is no peer address.
    public static func resolve(
        peer: String?,
        forwardedFor: [String],
        forwarded: [String],
        trustedProxies: [IPAddressRange]
    ) -> String? {
        guard let peer else { return nil }
        let peerAddress = IPAddressRange.canonical(peer) ?? peer
        guard isTrusted(peerAddress, trustedProxies) else { return peerAddress }
        let hops = forwardedFor.isEmpty ? forwarded.flatMap(forwardedNodes) : forwardedFor.flatMap(forwardedForNodes)
        var nearest = peerAddress
        for hop in hops.reversed() {
            // A hop that is not an address ("unknown", an obfuscated name, garbage) ends the walk:
            // nothing left of it can be attributed, so the last hop we could vouch for answers.
            guard let address = node(hop) else { return nearest }
            guard isTrusted(address, trustedProxies) else { return address }
            nearest = address
        }
        return nearest
    }

    private static func isTrusted(_ address: String, _ ranges: [IPAddressRange]) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// `X-Forwarded-For: client, proxy1, proxy2`.
    private static func forwardedForNodes(_ line: String) -> [Substring] {
        line.split(separator: ",", omittingEmptySubsequences: false)
    }

    /// The `for=` values of `Forwarded: for=192.0.2.43;proto=https, for="[2001:db8::17]:4711"`
    /// (RFC 7239 §4). An element without `for=` is a hop we cannot place, kept as an empty node.
    private static func forwardedNodes(_ line: String) -> [Substring] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingSpaces().lowercased() == "for" else { continue }
                return parts[1]
            }
            return ""
        }
    }

    /// One node as an address: quotes, brackets and a port removed (RFC 7239 §6), canonical form.
    private static func node(_ raw: Substring) -> String? {
        var text = raw.trimmingSpaces()
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = text.dropFirst().dropLast()
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return nil }
            return IPAddressRange.canonical(String(text[text.index(after: text.startIndex)..<close]))
        }
        // One colon: IPv4 with a port. More: a bare IPv6 address.
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = text[..<colon]
        }
        return IPAddressRange.canonical(String(text))
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
