import Foundation
public import GatehouseCore

/// A client registered by ``TestBed/registerClient(_:grantTypes:scopes:redirectURIs:skipConsent:canIntrospect:tokenFormat:)``,
/// with the secret only the fixture knows.
public struct RegisteredClient: Sendable, Hashable {
    /// Whether a client has a secret (RFC 6749 §2.1).
    public enum Kind: Sendable, Hashable {
        case confidential
        case `public`
    }

    public let client: Client
    /// The plain secret; `nil` for a public client.
    public let secret: String?

    public init(client: Client, secret: String?) {
        self.client = client
        self.secret = secret
    }

    public var id: String { client.id }

    /// `client_secret_basic` (RFC 6749 §2.3.1): id and secret form-encoded, joined by a colon, in base64.
    public var basicAuthorization: String {
        Self.basicAuthorization(id: id, secret: secret ?? "")
    }

    /// The `Authorization` header for any id and secret, for requests that present wrong ones.
    public static func basicAuthorization(id: String, secret: String) -> String {
        let raw = "\(FormEncoding.encode(id)):\(FormEncoding.encode(secret))"
        return "Basic " + Data(raw.utf8).base64EncodedString()
    }

    /// `client_secret_post`, or `none` for a public client: what the body carries to authenticate.
    public var bodyCredentials: [String: String] {
        var parameters = ["client_id": id]
        parameters["client_secret"] = secret
        return parameters
    }
}
