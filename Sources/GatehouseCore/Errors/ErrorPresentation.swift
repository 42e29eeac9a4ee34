public import HTTPTypes

/// The one JSON presentation of an ``OAuthError`` (SPEC §5), shared by the OAuth endpoints and the
/// RFC 6750 errors of protected resources, so that every error carries the same body and headers.
///
/// It knows nothing of an HTTP framework: it returns the status, the header fields and the body,
/// and a thin wrapper on each side turns them into that framework's response.
public struct ErrorPresentation: Sendable {
    /// A presented error, ready to be written.
    public struct Rendered: Sendable {
        public var status: HTTPResponse.Status
        public var headerFields: HTTPFields
        /// The UTF-8 JSON body.
        public var body: String
        /// The language of `error_description`, also in `Content-Language`.
        public var language: String
    }

    /// `error_uri` is `{errorURIBase}#{error}`; `nil` leaves `error_uri` out (a resource server
    /// that does not know the authorization server's documentation).
    public let errorURIBase: String?
    public let languages: LanguageNegotiator

    /// - Parameters:
    ///   - errorURIBase: the documentation page of the error codes, e.g. `https://auth.example.com/docs/errors`.
    ///   - locales: the languages `error_description` may be sent in (`locales`, SPEC §3); languages
    ///     the catalog does not translate into are ignored.
    public init(errorURIBase: String?, locales: [String] = ErrorCatalog.languages) {
        self.errorURIBase = errorURIBase
        self.languages = LanguageNegotiator(supported: locales.filter(ErrorCatalog.languages.contains))
    }

    /// The presentation of an authorization server's errors, from its configuration.
    public init(configuration: ServerConfiguration) {
        self.init(errorURIBase: configuration.errorURIBase, locales: configuration.locales)
    }

    /// SPEC §5: `{"error", "error_description", "error_uri"}` with `Content-Type`,
    /// `Content-Language`, `Cache-Control: no-store`, `Pragma: no-cache` and
    /// `Vary: Accept-Language`, besides the error's own fields (`Allow`, `Retry-After`,
    /// `WWW-Authenticate`). The description follows `Accept-Language` (RFC 9110 §12.5.4).
    public func render(_ error: OAuthError, acceptLanguage: String?) -> Rendered {
        let language = languages.language(for: acceptLanguage)
        var json = JSONWriter()
        json.add("error", error.code.rawValue)
        json.add("error_description", error.message.text(in: language))
        if let errorURIBase {
            json.add("error_uri", "\(errorURIBase)#\(error.code.rawValue)")
        }
        var headers = error.headerFields
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLanguage] = language
        headers[.vary] = "Accept-Language"
        Self.addNoStore(to: &headers)
        return Rendered(status: error.status, headerFields: headers, body: json.finish(), language: language)
    }

    /// RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on anything with tokens or
    /// errors about them.
    public static func addNoStore(to headers: inout HTTPFields) {
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
    }
}

extension HTTPField.Name {
    // A valid token, so the failable initializer never fails; the fallback only spares a force
    // unwrap on a request path.
    /// `Pragma: no-cache` for HTTP/1.0 caches (RFC 6749 §5.1).
    public static let pragma = HTTPField.Name("Pragma") ?? .cacheControl
}
