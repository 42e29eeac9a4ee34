import GatehouseCore
import GatehouseServer
import HTTPTypes
import HummingbirdTesting
import Testing

/// Checks an error response against SPEC §5: status, `error`, the fixed description, `error_uri`
/// and the five headers every error carries.
func expectOAuthError(
    _ response: TestResponse,
    status: HTTPResponse.Status,
    error code: OAuthErrorCode,
    language: String = "en",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "status", sourceLocation: sourceLocation)
    let body = response.json
    #expect(body["error"] as? String == code.rawValue, "error code in \(response.text)", sourceLocation: sourceLocation)
    #expect(body["error_uri"] as? String == "\(LiveServer.issuer)/docs/errors#\(code.rawValue)", sourceLocation: sourceLocation)
    let description = body["error_description"] as? String ?? ""
    let known = ErrorCatalog.messages.filter { $0.code == code }.map { $0.text(in: language) }
    #expect(known.contains(description), "description \(description) is a catalog text", sourceLocation: sourceLocation)
    if language == "en" {
        // RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E
        #expect(description.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }, sourceLocation: sourceLocation)
    }
    #expect(response.headers[.contentType] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
    #expect(response.headers[.contentLanguage] == language, sourceLocation: sourceLocation)
    #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
    #expect(response.headers[.pragma] == "no-cache", sourceLocation: sourceLocation)
    #expect(response.headers[.vary] == "Accept-Language", sourceLocation: sourceLocation)
}
