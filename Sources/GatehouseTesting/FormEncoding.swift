import Foundation

/// `application/x-www-form-urlencoded` as RFC 6749 Appendix B encodes it, for the bodies, queries
/// and Basic credentials the fixtures build.
enum FormEncoding {
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
