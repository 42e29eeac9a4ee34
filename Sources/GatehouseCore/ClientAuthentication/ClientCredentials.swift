/// The client credentials a request presents, before they are checked (RFC 6749 §2.3).
public enum ClientCredentials: Sendable, Equatable {
    /// `client_secret_basic`: id and secret in the `Authorization: Basic` header.
    case basic(clientID: String, secret: String)
    /// `client_secret_post`: id and secret in the form body.
    case post(clientID: String, secret: String)
    /// `none`: a public client names itself with `client_id` only.
    case none(clientID: String)
    /// Nothing identifies the client.
    case absent

    public var clientID: String? {
        switch self {
        case .basic(let id, _), .post(let id, _), .none(let id): id
        case .absent: nil
        }
    }

    public var usedBasic: Bool {
        if case .basic = self { return true }
        return false
    }

    /// Reads the credentials from the `Authorization` header and the body.
    ///
    /// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
    /// request." A `client_id` in the body beside Basic is allowed when it names the same client.
    /// - Throws: ``OAuthError`` `invalid_request` for credentials sent two ways; `invalid_client`
    ///   (with a Basic challenge) for a Basic header that does not decode.
    public static func extract(
        authorization: String?,
        parameters: RequestParameters,
        realm: String
    ) throws(OAuthError) -> ClientCredentials {
        let bodyID = parameters["client_id"]
        let bodySecret = parameters["client_secret"]
        if let authorization, let encoded = basicCredentials(in: authorization) {
            let (id, secret) = try decodeBasic(encoded, realm: realm)
            if bodySecret != nil {
                throw .invalidRequest("client_secret in the body and HTTP Basic", message: .multipleClientAuthentications)
            }
            if let bodyID, bodyID != id {
                throw .invalidRequest("client_id in the body differs from HTTP Basic", message: .multipleClientAuthentications)
            }
            return .basic(clientID: id, secret: secret)
        }
        switch (bodyID, bodySecret) {
        case (let id?, let secret?): return .post(clientID: id, secret: secret)
        case (let id?, nil): return .none(clientID: id)
        case (nil, _): return .absent
        }
    }

    /// The credentials part of a `Basic` authorization header; the scheme is case-insensitive
    /// (RFC 9110 §11.1). Any other scheme is not client authentication.
    private static func basicCredentials(in header: String) -> Substring? {
        let trimmed = header.drop { $0 == " " }
        let scheme = trimmed.prefix { $0 != " " }
        guard scheme.lowercased() == "basic" else { return nil }
        return trimmed.dropFirst(scheme.count).drop { $0 == " " }
    }

    /// RFC 6749 §2.3.1: the id and secret are form-urlencoded, joined by a colon, then base64.
    private static func decodeBasic(_ encoded: Substring, realm: String) throws(OAuthError) -> (String, String) {
        var malformed: OAuthError { .invalidClient("malformed HTTP Basic credentials", usedBasic: true, realm: realm) }
        guard !encoded.isEmpty, let bytes = Base64.decode(encoded.trimmingWhitespace()),
            let colon = bytes.firstIndex(of: UInt8(ascii: ":"))
        else { throw malformed }
        do {
            let id = try RequestParameters.decodeComponent(bytes[..<colon])
            let secret = try RequestParameters.decodeComponent(bytes[(colon + 1)...])
            guard !id.isEmpty else { throw malformed }
            return (id, secret)
        } catch {
            throw malformed
        }
    }
}
