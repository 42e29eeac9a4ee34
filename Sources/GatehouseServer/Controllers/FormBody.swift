import Foundation
import GatehouseCore
import Hummingbird
import NIOCore

extension Request {
    /// The form-encoded body of an OAuth request, decoded into parameters.
    ///
    /// RFC 6749 §3.2: the client sends the token request "using the
    /// application/x-www-form-urlencoded format". Anything else, an over-long body, a repeated
    /// parameter or broken encoding is `invalid_request`, never a 500.
    func formParameters(maxBytes: Int) async throws -> RequestParameters {
        guard let contentType = headers[.contentType], Self.isFormEncoded(contentType) else {
            throw OAuthError.invalidRequest("content type \(headers[.contentType] ?? "none")", message: .unsupportedContentType)
        }
        if let length = headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
        // A chunked body has no Content-Length: the limit is only found while collecting.
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
        return try RequestParameters(formEncoded: Array(buffer.readableBytesView))
    }

    /// Whether the media type, parameters aside, is `application/x-www-form-urlencoded`, in any
    /// case and with optional white space (RFC 9110 §8.3.1); checked on every token request, so
    /// without Foundation's string bridging.
    static func isFormEncoded(_ contentType: String) -> Bool {
        let mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let trimmed = mediaType.drop(while: isBlank).reversed().drop(while: isBlank).reversed()
        let expected = "application/x-www-form-urlencoded".utf8
        return trimmed.count == expected.count
            && zip(trimmed, expected).allSatisfy { sent, wanted in
                (sent >= UInt8(ascii: "A") && sent <= UInt8(ascii: "Z") ? sent | 0x20 : sent) == wanted
            }
    }
}
