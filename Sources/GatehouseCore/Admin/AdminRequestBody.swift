import Foundation

/// The JSON body of an admin API call (SPEC §10), decoded into the call's request type.
public enum AdminRequestBody {
    /// Decodes `bytes` as one JSON object of type `Body`.
    ///
    /// SPEC §10: "400 invalid_request (malformed JSON, wrong types)". A member of the wrong type is
    /// refused rather than converted (`"grace_seconds": "60"` or `1.5` is not a whole number of
    /// seconds); members `Body` does not know are ignored, as RFC 7591 §2 asks of client metadata.
    /// - Parameter emptyObject: whether an empty body means `{}` (a call whose members all have
    ///   defaults).
    /// - Throws: ``OAuthError`` `invalid_request` for invalid JSON, a body that is not an object, a
    ///   required member missing or `null`, or a member of the wrong type.
    public static func decode<Body: Decodable>(_ type: Body.Type, from bytes: [UInt8], emptyObject: Bool = false) throws(OAuthError) -> Body {
        let isBlank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if isBlank && !emptyObject {
            throw .invalidRequest("admin request without a JSON body", message: .missingParameter)
        }
        do {
            return try JSONDecoder().decode(Body.self, from: isBlank ? Data("{}".utf8) : Data(bytes))
        } catch let error as OAuthError {
            throw error
        } catch DecodingError.keyNotFound(let key, _) {
            throw .invalidRequest("admin request without \(key.stringValue)", message: .missingParameter)
        } catch DecodingError.valueNotFound(_, let context) {
            throw .invalidRequest("admin request member \(Self.path(context.codingPath)) is null", message: .missingParameter)
        } catch DecodingError.typeMismatch(_, let context) {
            throw .invalidRequest("admin request member \(Self.path(context.codingPath)) has the wrong type", message: .malformedParameter)
        } catch {
            throw .invalidRequest("admin request body is not valid JSON of the expected shape", message: .malformedParameter)
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
