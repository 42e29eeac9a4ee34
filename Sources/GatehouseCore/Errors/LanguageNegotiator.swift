/// Picks the language of an `error_description` or a page from an `Accept-Language` header
/// (RFC 9110 §12.5.4) and the languages the server is configured to speak.
public struct LanguageNegotiator: Sendable {
    /// The configured languages, in order of preference; English is always available as fallback.
    public let supported: [String]

    public static let fallback = "en"

    public init(supported: [String]) {
        self.supported = supported.map { $0.lowercased() }
    }

    /// The best supported language for `acceptLanguage`.
    ///
    /// Ranges are matched by their primary subtag (`de-CH` matches `de`); a higher quality value
    /// wins, and among equal qualities the earlier range wins. `q=0` excludes a language. `*` means
    /// the first configured language. Anything unparsable is skipped, never an error.
    public func language(for acceptLanguage: String?) -> String {
        guard let acceptLanguage, !acceptLanguage.isEmpty else { return Self.fallback }
        var best: (language: String, quality: Double)?
        var excluded: Set<String> = []
        for range in Self.parse(acceptLanguage) {
            let candidate: String?
            if range.tag == "*" {
                candidate = supported.first { !excluded.contains($0) }
            } else {
                let primary = range.tag.split(separator: "-", maxSplits: 1).first.map(String.init) ?? range.tag
                candidate = supported.contains(primary) ? primary : nil
            }
            guard let candidate else { continue }
            if range.quality <= 0 {
                excluded.insert(candidate)
                continue
            }
            if excluded.contains(candidate) { continue }
            if let current = best, range.quality <= current.quality { continue }
            best = (candidate, range.quality)
        }
        return best?.language ?? Self.fallback
    }

    private struct LanguageRange {
        let tag: String
        let quality: Double
    }

    private static func isTagCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "*")
    }

    private static func parse(_ header: String) -> [LanguageRange] {
        header.split(separator: ",").compactMap { element in
            let parts = element.split(separator: ";")
            guard let rawTag = parts.first else { return nil }
            let tag = rawTag.trimmingWhitespace().lowercased()
            guard !tag.isEmpty, tag.unicodeScalars.allSatisfy(Self.isTagCharacter) else {
                return nil
            }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "q" else { continue }
                guard let value = Double(pair[1].trimmingWhitespace()), value >= 0, value <= 1 else { return nil }
                quality = value
            }
            return LanguageRange(tag: tag, quality: quality)
        }
    }
}

extension Substring {
    /// Drops spaces and tabs at both ends, working on UTF-8 bytes (this runs on every request).
    func trimmingWhitespace() -> String {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, Self.isBlank(bytes[start]) { start = bytes.index(after: start) }
        while end > start, Self.isBlank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return String(self[start..<end])
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
