import Foundation
import GatehouseCore
import Hummingbird
import NIOCore

extension Request {
    /// The raw body of an admin API call, at most `maxBytes` long.
    ///
    /// The `Content-Type` is not checked: the body is JSON by definition of the API (SPEC §10), and
    /// `curl -d` labels JSON as a form unless told otherwise. What decides is whether it parses.
    /// - Throws: ``OAuthError`` 413 `invalid_request` for a body over `maxBytes`.
    func adminBody(maxBytes: Int) async throws -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
        // A chunked body has no Content-Length: the limit is only found while collecting.
        do {
            return Array(try await body.collect(upTo: maxBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
    }

    /// The query string's parameters, with the rules of every OAuth request: a repeated parameter
    /// or broken encoding is `invalid_request`.
    func adminQuery() throws(OAuthError) -> RequestParameters {
        try RequestParameters(formEncoded: Array((uri.query ?? "").utf8))
    }
}

extension Parameters {
    /// A path parameter, percent-decoded (the router matches the path as sent).
    /// - Throws: ``OAuthError`` `invalid_request` when it is missing or its encoding is broken.
    func adminPathValue(_ name: String) throws(OAuthError) -> String {
        guard let raw = get(name), let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw .invalidRequest("path parameter \(name) missing or malformed", message: .malformedParameter)
        }
        return value
    }
}
