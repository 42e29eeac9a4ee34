import Foundation

/// Client metadata as RFC 7591 §2 names it: what a client says about itself when it is
/// registered, by the command line, the admin API or dynamic registration (SPEC §10).
///
/// Every field is optional here; ``ClientRegistrationPolicy`` applies the defaults and the rules.
/// Fields Gatehouse does not know are ignored when decoding (RFC 7591 §2: "the authorization
/// server MUST ignore any client metadata sent by the client that it does not understand").
public struct ClientMetadata: Sendable, Equatable, Codable {
    public var clientName: String?
    public var redirectURIs: [String]?
    public var grantTypes: [String]?
    public var responseTypes: [String]?
    public var tokenEndpointAuthMethod: String?
    /// Space-separated (RFC 7591 §2).
    public var scope: String?
    public var clientURI: String?
    public var logoURI: String?
    public var contacts: [String]?
    public var postLogoutRedirectURIs: [String]?
    /// Gatehouse's own: `opaque` or `jwt`, overriding the server's `access_token_format`.
    public var tokenFormat: String?
    public var skipConsent: Bool?
    public var canIntrospect: Bool?
    /// RFC 7592 §2.2: an update names the client it replaces.
    public var clientID: String?

    enum CodingKeys: String, CodingKey {
        case clientName = "client_name"
        case redirectURIs = "redirect_uris"
        case grantTypes = "grant_types"
        case responseTypes = "response_types"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case scope
        case clientURI = "client_uri"
        case logoURI = "logo_uri"
        case contacts
        case postLogoutRedirectURIs = "post_logout_redirect_uris"
        case tokenFormat = "token_format"
        case skipConsent = "skip_consent"
        case canIntrospect = "can_introspect"
        case clientID = "client_id"
    }

    public init(
        clientName: String? = nil,
        redirectURIs: [String]? = nil,
        grantTypes: [String]? = nil,
        responseTypes: [String]? = nil,
        tokenEndpointAuthMethod: String? = nil,
        scope: String? = nil,
        clientURI: String? = nil,
        logoURI: String? = nil,
        contacts: [String]? = nil,
        postLogoutRedirectURIs: [String]? = nil,
        tokenFormat: String? = nil,
        skipConsent: Bool? = nil,
        canIntrospect: Bool? = nil,
        clientID: String? = nil
    ) {
        self.clientName = clientName
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.responseTypes = responseTypes
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.scope = scope
        self.clientURI = clientURI
        self.logoURI = logoURI
        self.contacts = contacts
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.tokenFormat = tokenFormat
        self.skipConsent = skipConsent
        self.canIntrospect = canIntrospect
        self.clientID = clientID
    }

    /// The metadata of a registered client, every field filled in as stored.
    public init(client: Client) {
        self.init(
            clientName: client.name,
            redirectURIs: client.redirectURIs,
            grantTypes: client.grantTypes.sorted().map(\.rawValue),
            responseTypes: client.grantTypes.contains(.authorizationCode) ? ["code"] : [],
            tokenEndpointAuthMethod: client.tokenEndpointAuthMethod.rawValue,
            scope: client.scopes.description,
            clientURI: client.clientURI,
            logoURI: client.logoURI,
            contacts: client.contacts,
            postLogoutRedirectURIs: client.postLogoutRedirectURIs,
            tokenFormat: client.tokenFormat?.rawValue,
            skipConsent: client.skipConsent,
            canIntrospect: client.canIntrospect,
            clientID: client.id
        )
    }

    /// Reads a JSON request body.
    /// - Throws: ``OAuthError`` `invalid_request` when the body is not a JSON object or a known
    ///   field has the wrong type (SPEC §10).
    public static func decode(json body: some Collection<UInt8>) throws(OAuthError) -> ClientMetadata {
        do {
            return try JSONDecoder().decode(ClientMetadata.self, from: Data(body))
        } catch let error as DecodingError {
            throw .invalidRequest("client metadata is not a JSON object of the right types: \(Self.describe(error))")
        } catch {
            throw .invalidRequest("client metadata is not JSON")
        }
    }

    /// Which field was wrong, for the log; never the value.
    private static func describe(_ error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        return path.isEmpty ? "the body" : path.map(\.stringValue).joined(separator: ".")
    }
}
