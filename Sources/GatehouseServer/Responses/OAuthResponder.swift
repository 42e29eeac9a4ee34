import GatehouseCore
import GatehouseResource
import HTTPTypes
import Hummingbird
import Logging

/// The one place that writes OAuth responses: errors in the RFC 6749 §5.2 shape with the headers
/// SPEC §5 requires, and token responses that no cache may keep.
struct OAuthResponder: Sendable {
    let configuration: ServerConfiguration
    let presentation: ErrorPresentation

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
        self.presentation = ErrorPresentation(configuration: configuration)
    }

    /// An error response in the language the client asked for.
    func response(for error: OAuthError, acceptLanguage: String?) -> Response {
        Response(presenting: presentation.render(error, acceptLanguage: acceptLanguage))
    }

    /// RFC 6749 §5.1: a token response.
    func response(for token: TokenResponse) -> Response {
        var json = JSONWriter()
        json.add("access_token", token.accessToken)
        if let issuedTokenType = token.issuedTokenType { json.add("issued_token_type", issuedTokenType) }
        json.add("token_type", token.tokenType)
        json.add("expires_in", token.expiresIn)
        json.add("scope", token.scope.description)
        if let refreshToken = token.refreshToken {
            json.add("refresh_token", refreshToken)
        }
        if let idToken = token.idToken { json.add("id_token", idToken) }
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
        ErrorPresentation.addNoStore(to: &headers)
    }
}
