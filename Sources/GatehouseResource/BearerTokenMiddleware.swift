public import GatehouseCore
import HTTPTypes
public import Hummingbird
import Logging

/// Protects routes with OAuth 2.0 bearer tokens (RFC 6750), answering exactly as SPEC §6 says.
///
/// The token is read from the `Authorization` header only (RFC 6750 §2.1; query and body tokens
/// leak into logs and caches). It is verified by the ``AccessTokenVerifier`` given — locally as a
/// JWT, by introspection, or against Gatehouse's store — and its claims are put in the request
/// context for the handlers.
///
/// ```swift
/// let verifier = JWKSVerifier(jwksURL: "https://auth.example.com/oauth2/jwks",
///                             issuer: "https://auth.example.com", audience: "https://auth.example.com")
/// router.group("notes")
///     .add(middleware: BearerTokenMiddleware<AppContext>(verifier: verifier, realm: "notes", scope: ["read"]))
///     .get { _, context in "hello \(context.accessToken?.subject ?? "")" }
/// ```
///
/// Given a ``ProtectedResource``, it also refuses tokens whose `aud` does not name the resource
/// (RFC 8707: a token requested for another resource must not work here), and points clients to
/// the resource's metadata (RFC 9728 §5.1) with `resource_metadata` in every 401 challenge. The
/// verifier then leaves `aud` to the middleware (`JWKSVerifier(…, audience: nil)`):
///
/// ```swift
/// let notes = ProtectedResource(identifier: "https://api.example.com/notes", authorizationServers: ["https://auth.example.com"])
/// BearerTokenMiddleware<AppContext>(verifier: verifier, realm: "notes", scope: ["read"], resource: notes)
/// // 401: WWW-Authenticate: Bearer realm="notes", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/notes"
/// ```
public struct BearerTokenMiddleware<Context: RequestContext & BearerTokenRequestContext>: RouterMiddleware {
    private let verifier: any AccessTokenVerifier
    private let realm: String
    private let scope: ScopeSet
    private let resource: ProtectedResource?
    private let presentation: ErrorPresentation
    private let retryAfter: Int

    /// - Parameters:
    ///   - verifier: how tokens are checked.
    ///   - realm: the `realm` of the `WWW-Authenticate` challenge.
    ///   - scope: every scope the routes behind this middleware require.
    ///   - resource: the protected resource the routes are (RFC 8707, RFC 9728); `nil` checks no
    ///     audience here, leaving it to the verifier (``JWKSVerifier/audience``).
    ///   - errorURIBase: the authorization server's error documentation (its `error_uri_base`,
    ///     by default `{issuer}/docs/errors`); `nil` leaves `error_uri` out of the errors.
    ///   - locales: the languages of `error_description` (SPEC §9: errors of protected resources
    ///     are localized like every other).
    ///   - retryAfter: the `Retry-After` seconds of a 503 when the tokens cannot be checked.
    public init(
        verifier: any AccessTokenVerifier, realm: String, scope: ScopeSet = [], resource: ProtectedResource? = nil,
        errorURIBase: String? = nil, locales: [String] = ErrorCatalog.languages, retryAfter: Int = 5
    ) {
        self.verifier = verifier
        self.realm = realm
        self.scope = scope
        self.resource = resource
        self.presentation = ErrorPresentation(errorURIBase: errorURIBase, locales: locales)
        self.retryAfter = retryAfter
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String
        switch BearerCredentials.parse(request.headers[.authorization]) {
        case .absent:
            // RFC 6750 §3.1: a request without authentication gets no error code.
            return challenge(error: nil, request: request)
        case .malformed:
            return challenge(error: .invalidRequest, request: request)
        case .token(let value):
            token = value
        }
        let claims: AccessTokenClaims?
        do {
            claims = try await verifier.verify(token)
        } catch {
            context.logger.error("bearer token could not be verified", metadata: ["error": "\(String(reflecting: error))"])
            return challenge(error: .temporarilyUnavailable, request: request)
        }
        guard let claims else {
            return challenge(error: .invalidToken, request: request)
        }
        if let resource, !resource.accepts(audience: claims.audience) {
            context.logger.debug("bearer token for another audience", metadata: ["aud": "\(claims.audience)"])
            return challenge(error: .invalidToken, request: request)
        }
        guard scope.isSubset(of: claims.scope) else {
            return challenge(error: .insufficientScope, request: request)
        }
        var context = context
        context.accessToken = claims
        return try await next(request, context)
    }

    /// RFC 6750 §3: the challenge, with the error and its English description when there is one
    /// (the header stays ASCII), and the scope for `insufficient_scope`; with a resource, a 401
    /// names its metadata (RFC 9728 §5.1). The JSON body is the error of SPEC §5, localized, with
    /// its headers.
    private func challenge(error code: OAuthErrorCode?, request: Request) -> Response {
        var parameters = ["realm=\"\(realm)\""]
        let resourceMetadata = resource.map { "resource_metadata=\"\($0.metadataURL)\"" }
        guard let code else {
            parameters += resourceMetadata.map { [$0] } ?? []
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer " + parameters.joined(separator: ", ")
            ErrorPresentation.addNoStore(to: &headers)
            return Response(status: .unauthorized, headers: headers)
        }
        let message = ErrorCatalog.entry(for: code).message
        parameters.append("error=\"\(code.rawValue)\"")
        parameters.append("error_description=\"\(message.english)\"")
        if code == .insufficientScope {
            parameters.append("scope=\"\(scope)\"")
        }
        if let resourceMetadata, ErrorCatalog.status(of: code) == .unauthorized {
            parameters.append(resourceMetadata)
        }
        var fields = HTTPFields()
        fields[.wwwAuthenticate] = "Bearer " + parameters.joined(separator: ", ")
        if code == .temporarilyUnavailable {
            fields[.retryAfter] = String(retryAfter)
        }
        let error = OAuthError(message, hint: "bearer token refused", headerFields: fields)
        return Response(presenting: presentation.render(error, acceptLanguage: request.headers[.acceptLanguage]))
    }
}

/// The bearer token of an `Authorization` header (RFC 6750 §2.1).
enum BearerCredentials: Equatable {
    case absent
    case malformed
    case token(String)

    /// `credentials = "Bearer" 1*SP b64token`, `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
    /// "~" / "+" / "/" ) *"="`. Another scheme is treated as no bearer token at all.
    static func parse(_ header: String?) -> BearerCredentials {
        guard let header else { return .absent }
        let trimmed = header.drop { $0 == " " }
        let scheme = trimmed.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else { return .absent }
        let rest = trimmed.dropFirst(scheme.count).drop { $0 == " " }
        let parts = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 1, let token = parts.first, isB64Token(token) else { return .malformed }
        return .token(String(token))
    }

    private static func isB64Token(_ token: Substring) -> Bool {
        let body = token.utf8.prefix { $0 != UInt8(ascii: "=") }
        guard !body.isEmpty, token.utf8.dropFirst(body.count).allSatisfy({ $0 == UInt8(ascii: "=") }) else { return false }
        return body.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                true
            default:
                false
            }
        }
    }
}
