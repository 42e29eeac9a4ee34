import Foundation

/// A CIDR block such as `10.0.0.0/8` or `::1/128`, for `trusted_proxies` (SPEC §9).
///
/// Parses IPv4 and IPv6 addresses itself, so that the core needs no socket library; an IPv4-mapped
/// IPv6 address (`::ffff:10.0.0.1`) matches IPv4 ranges, as a dual-stack socket reports IPv4 peers so.
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network address, 4 or 16 bytes.
    private let network: [UInt8]
    private let prefixLength: Int

    /// - Parameter cidr: `ADDRESS/PREFIX`, or a bare address for a single host.
    public init?(_ cidr: String) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = Self.parse(String(parts[0])) else { return nil }
        let maximum = address.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else { return nil }
            length = parsed
        }
        self.network = Self.mask(address, prefixLength: length)
        self.prefixLength = length
    }

    public var description: String {
        (network.count == 4 ? network.map(String.init).joined(separator: ".") : Self.formatIPv6(network)) + "/\(prefixLength)"
    }

    /// Whether `address` (a textual IPv4 or IPv6 address) lies in this range.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.parse(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes.prefix(12).elementsEqual(Self.ipv4MappedPrefix) {
            bytes = Array(bytes.suffix(4))
        }
        guard bytes.count == network.count else { return false }
        return Self.mask(bytes, prefixLength: prefixLength) == network
    }

    /// The address in a canonical textual form, or `nil` when it is not an IP address.
    public static func canonical(_ address: String) -> String? {
        guard let bytes = parse(address) else { return nil }
        if bytes.count == 16, bytes.prefix(12).elementsEqual(ipv4MappedPrefix) {
            return bytes.suffix(4).map(String.init).joined(separator: ".")
        }
        return bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : formatIPv6(bytes)
    }

    private static let ipv4MappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

    private static func mask(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, prefixLength - index * 8))
            return bits == 8 ? byte : byte & ~(UInt8.max >> bits)
        }
    }

    static func parse(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        return text.contains(":") ? parseIPv6(text) : parseIPv4(text)
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCIIDigit), let value = UInt8(octet) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let ipv4 = parseIPv4(piece) else { return nil }
                    bytes += ipv4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    private static func formatIPv6(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
