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
        guard let contentType = headers[.contentType],
            contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
                == "application/x-www-form-urlencoded"
        else {
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
}
