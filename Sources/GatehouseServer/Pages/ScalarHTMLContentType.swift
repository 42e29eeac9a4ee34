import Mustache

/// HTML escaping per Unicode scalar for every `{{value}}` of Gatehouse's templates.
///
/// swift-mustache's own HTML escaping compares whole grapheme clusters, so a `"` followed by a
/// combining mark (U+0301) is one `Character` that is not `"` and passes unescaped, closing an
/// attribute. Escaping scalar by scalar cannot be fooled that way.
struct ScalarHTMLContentType: MustacheContentType {
    static let name = "GATEHOUSE_HTML"

    /// The content type must be registered before a template naming it is parsed; a global
    /// `let` runs exactly once.
    static let registration: Void = MustacheContentTypes.register(ScalarHTMLContentType(), named: name)

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { [UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'")].contains($0) })
        else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

extension MustacheTemplate {
    /// Parses an HTML template whose `{{value}}`s are escaped by ``ScalarHTMLContentType``.
    init(html template: String) throws {
        _ = ScalarHTMLContentType.registration
        try self.init(string: "{{% CONTENT_TYPE: \(ScalarHTMLContentType.name)}}" + template)
    }
}
