import Foundation

/// A client as the registration endpoint and the admin API answer it: the metadata of RFC 7591
/// §3.2.1 under its RFC names, with the credentials that are shown once, when they are made.
public struct ClientDocument: Sendable, Encodable {
    public var metadata: ClientMetadata
    public var clientIDIssuedAt: Int
    /// Shown once, at registration or rotation; never stored in clear.
    public var clientSecret: String?
    /// RFC 7591 §3.2.1: 0, the secret does not expire. Sent with a secret only.
    public var clientSecretExpiresAt: Int?
    /// RFC 7592 §3: the token for the client's configuration endpoint, shown once.
    public var registrationAccessToken: String?
    public var registrationClientURI: String?

    enum CodingKeys: String, CodingKey {
        case clientIDIssuedAt = "client_id_issued_at"
        case clientSecret = "client_secret"
        case clientSecretExpiresAt = "client_secret_expires_at"
        case registrationAccessToken = "registration_access_token"
        case registrationClientURI = "registration_client_uri"
    }

    /// - Parameters:
    ///   - secret: the client secret in clear, when it was just made.
    ///   - registrationAccessToken: the RFC 7592 token in clear, when it was just made.
    ///   - registrationClientURI: the client's configuration endpoint, for a dynamically registered client.
    public init(client: Client, secret: String? = nil, registrationAccessToken: String? = nil, registrationClientURI: String? = nil) {
        self.metadata = ClientMetadata(client: client)
        self.clientIDIssuedAt = Int(client.createdAt.timeIntervalSince1970.rounded(.down))
        self.clientSecret = secret
        self.clientSecretExpiresAt = secret == nil ? nil : 0
        self.registrationAccessToken = registrationAccessToken
        self.registrationClientURI = registrationClientURI
    }

    /// The metadata's members and these, in one JSON object.
    public func encode(to encoder: any Encoder) throws {
        try metadata.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clientIDIssuedAt, forKey: .clientIDIssuedAt)
        try container.encodeIfPresent(clientSecret, forKey: .clientSecret)
        try container.encodeIfPresent(clientSecretExpiresAt, forKey: .clientSecretExpiresAt)
        try container.encodeIfPresent(registrationAccessToken, forKey: .registrationAccessToken)
        try container.encodeIfPresent(registrationClientURI, forKey: .registrationClientURI)
    }

    /// The JSON text, keys sorted, slashes unescaped.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
