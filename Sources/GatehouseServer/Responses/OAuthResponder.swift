import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

/// The one place that writes OAuth responses: errors in the RFC 6749 §5.2 shape with the headers
/// SPEC §5 requires, and token responses that no cache may keep.
struct OAuthResponder: Sendable {
    let configuration: ServerConfiguration
    let languages: LanguageNegotiator

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
        self.languages = LanguageNegotiator(supported: configuration.locales.filter(ErrorCatalog.languages.contains))
    }

    /// An error response in the language the client asked for.
    func response(for error: OAuthError, acceptLanguage: String?) -> Response {
        let language = languages.language(for: acceptLanguage)
        var json = JSONWriter()
        json.add("error", error.code.rawValue)
        json.add("error_description", error.message.text(in: language))
        json.add("error_uri", configuration.errorURI(for: error.code))
        var headers = error.headerFields
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLanguage] = language
        headers[.vary] = "Accept-Language"
        Self.addNoStore(to: &headers)
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json.finish())))
    }

    /// RFC 6749 §5.1: a token response.
    func response(for token: TokenResponse) -> Response {
        var json = JSONWriter()
        json.add("access_token", token.accessToken)
        json.add("token_type", token.tokenType)
        json.add("expires_in", token.expiresIn)
        json.add("scope", token.scope.description)
        if let refreshToken = token.refreshToken {
            json.add("refresh_token", refreshToken)
        }
        return jsonResponse(json.finish(), status: .ok, noStore: true)
    }

    func jsonResponse(_ json: String, status: HTTPResponse.Status, noStore: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if noStore { Self.addNoStore(to: &headers) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on anything with tokens or
    /// errors about them.
    static func addNoStore(to headers: inout HTTPFields) {
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
    }
}
