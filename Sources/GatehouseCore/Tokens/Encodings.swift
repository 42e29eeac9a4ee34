import Foundation

/// Base64url without padding (RFC 4648 §5), as used for tokens and PKCE (RFC 7636 Appendix A).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let chunk = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            if second != nil { output.append(alphabet[Int(chunk >> 6 & 0x3F)]) }
            if third != nil { output.append(alphabet[Int(chunk & 0x3F)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension Base64URL {
    /// Decodes base64url with or without padding; `nil` for any character outside the alphabet.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var standard = String(string).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !standard.contains("=") || standard.hasSuffix("=") else { return nil }
        standard = String(standard.prefix { $0 != "=" })
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Base64.decode(standard)
    }
}

/// Lowercase hex through a lookup table; `String(format:)` is about a hundred times slower.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        encode(bytes, after: EmptyCollection())
    }

    /// `prefix` as it is, then `bytes` in hex, made as one string.
    public static func encode(_ bytes: some Sequence<UInt8>, after prefix: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(prefix.count + 64)
        output.append(contentsOf: prefix)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Standard base64 decoding (RFC 4648 §4), strict about the alphabet and padding.
public enum Base64 {
    public static func decode(_ string: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(string.utf8.count)
        var padding = 0
        for byte in string.utf8 {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = sextet(byte) else { return nil }
            values.append(value)
        }
        guard (values.count + padding) % 4 == 0, padding <= 2, values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var accumulator: UInt32 = 0
            for value in chunk { accumulator = accumulator << 6 | UInt32(value) }
            accumulator <<= UInt32(6 * (4 - chunk.count))
            output.append(UInt8(accumulator >> 16 & 0xFF))
            if chunk.count > 2 { output.append(UInt8(accumulator >> 8 & 0xFF)) }
            if chunk.count > 3 { output.append(UInt8(accumulator & 0xFF)) }
            index += 4
        }
        return output
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
