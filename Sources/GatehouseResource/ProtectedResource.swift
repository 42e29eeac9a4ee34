import Foundation
import GatehouseCore
import HTTPTypes
public import Hummingbird

/// A protected resource as RFC 8707 and RFC 9728 see it: its identifier, which access tokens must
/// name in `aud`, and the metadata that tells a client where to get such tokens.
///
/// Give it to ``BearerTokenMiddleware`` and serve its metadata beside the API:
///
/// ```swift
/// let notes = ProtectedResource(
///     identifier: "https://api.example.com/notes",
///     authorizationServers: ["https://auth.example.com"],
///     scopesSupported: ["read"]
/// )
/// let verifier = JWKSVerifier(jwksURL: "https://auth.example.com/oauth2/jwks", issuer: "https://auth.example.com", audience: nil)
/// router.addProtectedResourceMetadata(notes)  // GET /.well-known/oauth-protected-resource/notes
/// router.group("notes")
///     .add(middleware: BearerTokenMiddleware<AppContext>(verifier: verifier, realm: "notes", scope: ["read"], resource: notes))
///     .get { _, context in "hello \(context.accessToken?.subject ?? "")" }
/// ```
///
/// A client that calls the API without a token gets `401` with
/// `WWW-Authenticate: Bearer realm="notes", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/notes"`,
/// reads the metadata, and asks the authorization server for a token with
/// `resource=https://api.example.com/notes`. The authorization server must list the identifier in
/// its `resources`.
public struct ProtectedResource: Sendable, Equatable {
    /// The resource identifier (RFC 9728 §2 `resource`), the `resource` clients ask tokens for.
    public let identifier: String
    /// The issuers of the authorization servers that issue tokens for this resource.
    public let authorizationServers: [String]
    /// The scopes the resource understands, published as `scopes_supported`.
    public let scopesSupported: [String]
    /// The `aud` values a token may carry to be accepted: the identifier, and any given as
    /// `alsoAccepting`.
    public let acceptedAudiences: Set<String>
    /// Where the metadata document is served (`resource_metadata` of the challenge).
    public let metadataURL: String

    /// - Parameters:
    ///   - identifier: an absolute `https` (or, for development, `http`) URI without fragment.
    ///   - authorizationServers: the issuer identifiers of the authorization servers.
    ///   - scopesSupported: the scopes the resource understands.
    ///   - alsoAccepting: more `aud` values to accept, e.g. the authorization server's default
    ///     `access_token_audience` for tokens requested without `resource`.
    ///   - metadataURL: where the metadata is served; by default the well-known URI of RFC 9728 §3.1.
    public init(
        identifier: String,
        authorizationServers: [String],
        scopesSupported: [String] = [],
        alsoAccepting: [String] = [],
        metadataURL: String? = nil
    ) {
        self.identifier = identifier
        self.authorizationServers = authorizationServers
        self.scopesSupported = scopesSupported
        self.acceptedAudiences = Set(alsoAccepting).union([identifier])
        self.metadataURL = metadataURL ?? Self.wellKnownURL(for: identifier)
    }

    /// The path of ``metadataURL``, for the route that serves it.
    public var metadataPath: String {
        URLComponents(string: metadataURL)?.path ?? Self.wellKnownPrefix
    }

    /// Whether a token with this `aud` is for this resource.
    public func accepts(audience: [String]) -> Bool {
        audience.contains { acceptedAudiences.contains($0) }
    }

    /// The metadata document (RFC 9728 §2). Tokens are accepted in the `Authorization` header only
    /// (RFC 6750 §2.1), so `bearer_methods_supported` is `["header"]`.
    public var metadataDocument: String {
        var json = JSONWriter()
        json.add("resource", identifier)
        json.add("authorization_servers", authorizationServers)
        if !scopesSupported.isEmpty {
            json.add("scopes_supported", scopesSupported)
        }
        json.add("bearer_methods_supported", ["header"])
        return json.finish()
    }

    /// The metadata response: JSON, cacheable for a short while, as the document changes only with
    /// the deployment.
    public func metadataResponse() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metadataDocument)))
    }

    static let wellKnownPrefix = "/.well-known/oauth-protected-resource"

    /// RFC 9728 §3.1: the well-known path is inserted between the host and the path of the
    /// identifier, whose terminating slash is removed first; the query, if any, follows.
    static func wellKnownURL(for identifier: String) -> String {
        guard var parts = URLComponents(string: identifier), parts.host != nil else { return identifier + wellKnownPrefix }
        var path = parts.percentEncodedPath
        if path.hasSuffix("/") { path.removeLast() }
        parts.percentEncodedPath = wellKnownPrefix + path
        parts.fragment = nil
        return parts.string ?? identifier + wellKnownPrefix
    }
}

extension RouterMethods {
    /// Serves `resource`'s metadata (RFC 9728 §3) at its ``ProtectedResource/metadataPath``.
    @discardableResult
    public func addProtectedResourceMetadata(_ resource: ProtectedResource) -> Self {
        get(RouterPath(resource.metadataPath)) { _, _ in resource.metadataResponse() }
    }
}
