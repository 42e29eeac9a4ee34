/// The parameters of an OAuth request, decoded from `application/x-www-form-urlencoded`.
///
/// RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once" and
/// "Parameters sent without a value MUST be treated as if they were omitted from the request."
/// Decoding enforces both, so every endpoint sees at most one non-empty value per name, except for
/// the names in ``repeatable``, which an extension defines as repeatable.
public struct RequestParameters: Sendable, Equatable {
    /// Parameters that may be sent more than once: RFC 8707 §2, "Multiple `resource` parameters MAY
    /// be used to indicate that the requested token is intended to be used at multiple resources."
    /// RFC 8693 §2.1 likewise lets a token-exchange request name several `audience` values.
    public static let repeatable: Set<String> = ["resource", "audience"]

    private var values: [String: String]
    /// Every non-empty value of a repeatable parameter, in the order sent, without duplicates.
    private var repeatedValues: [String: [String]]

    public init(_ values: [String: String] = [:]) {
        self.values = values.filter { !$0.value.isEmpty }
        self.repeatedValues = self.values.filter { Self.repeatable.contains($0.key) }.mapValues { [$0] }
    }

    /// Parameters given as name-value pairs, a name possibly more than once (repeatable names keep
    /// every value; for the others the first wins).
    public init(pairs: [(String, String)]) {
        self.init()
        for (name, value) in pairs where !value.isEmpty {
            add(name, value)
        }
    }

    private mutating func add(_ name: String, _ value: String) {
        if values[name] == nil { values[name] = value }
        if Self.repeatable.contains(name), !(repeatedValues[name]?.contains(value) ?? false) {
            repeatedValues[name, default: []].append(value)
        }
    }

    /// Decodes a form-encoded body or query string.
    /// - Throws: ``OAuthError`` `invalid_request` for a repeated parameter, bad percent-encoding or
    ///   a value that is not UTF-8.
    public init(formEncoded bytes: [UInt8]) throws(OAuthError) {
        let (parameters, repeated) = try Self.lenient(formEncoded: bytes)
        if let name = repeated.first {
            throw .invalidRequest("parameter \(name) repeated", message: .repeatedParameter)
        }
        self = parameters
    }

    /// Decodes without refusing repeated parameters: the first value wins and the repeated names
    /// are returned (never a name in ``repeatable``, whose values are all kept). The authorization
    /// endpoint needs this, because a repeated parameter there is reported by redirect, which needs
    /// the client and redirect URI read first.
    /// - Throws: ``OAuthError`` `invalid_request` for bad percent-encoding or invalid UTF-8.
    public static func lenient(formEncoded bytes: [UInt8]) throws(OAuthError) -> (RequestParameters, repeated: [String]) {
        var parameters = RequestParameters()
        var seen: Set<String> = []
        var repeated: [String] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let separator = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = pair[pair.startIndex..<(separator ?? pair.endIndex)]
            let rawValue = separator.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            let name = try decodeComponent(rawName)
            let value = try decodeComponent(rawValue)
            guard seen.insert(name).inserted || repeatable.contains(name) else {
                repeated.append(name)
                continue
            }
            if !value.isEmpty {
                parameters.add(name, value)
            }
        }
        return (parameters, repeated)
    }

    /// The value of a parameter; for a repeatable one, its first value.
    public subscript(name: String) -> String? { values[name] }

    /// Every value of a repeatable parameter, in the order sent, duplicates removed.
    public func all(_ name: String) -> [String] { repeatedValues[name] ?? [] }

    public var names: some Collection<String> { values.keys }

    /// The value of a parameter the request cannot do without.
    /// - Throws: ``OAuthError`` `invalid_request` when it is absent.
    public func required(_ name: String) throws(OAuthError) -> String {
        guard let value = values[name] else {
            throw .invalidRequest("parameter \(name) missing", message: .missingParameter)
        }
        return value
    }

    /// Decodes one form-urlencoded component: `+` is a space, `%XX` a byte, and the bytes UTF-8.
    /// - Throws: ``OAuthError`` `invalid_request` on a malformed escape or invalid UTF-8.
    public static func decodeComponent(_ bytes: ArraySlice<UInt8>) throws(OAuthError) -> String {
        if !bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) {
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw .invalidRequest("parameter is not valid UTF-8", message: .malformedParameter)
            }
            return string
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                    throw .invalidRequest("malformed percent-encoding", message: .malformedParameter)
                }
                decoded.append(high << 4 | low)
            default:
                decoded.append(byte)
            }
        }
        guard let string = String(validating: decoded, as: UTF8.self) else {
            throw .invalidRequest("parameter is not valid UTF-8", message: .malformedParameter)
        }
        return string
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
