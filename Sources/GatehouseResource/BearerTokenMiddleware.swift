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
public struct BearerTokenMiddleware<Context: RequestContext & BearerTokenRequestContext>: RouterMiddleware {
    private let verifier: any AccessTokenVerifier
    private let realm: String
    private let scope: ScopeSet

    /// - Parameters:
    ///   - verifier: how tokens are checked.
    ///   - realm: the `realm` of the `WWW-Authenticate` challenge.
    ///   - scope: every scope the routes behind this middleware require.
    public init(verifier: any AccessTokenVerifier, realm: String, scope: ScopeSet = []) {
        self.verifier = verifier
        self.realm = realm
        self.scope = scope
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String
        switch BearerCredentials.parse(request.headers[.authorization]) {
        case .absent:
            // RFC 6750 §3.1: a request without authentication gets no error code.
            return challenge(status: .unauthorized, error: nil)
        case .malformed:
            return challenge(status: .badRequest, error: .invalidRequest)
        case .token(let value):
            token = value
        }
        let claims: AccessTokenClaims?
        do {
            claims = try await verifier.verify(token)
        } catch {
            context.logger.error("bearer token could not be verified", metadata: ["error": "\(String(reflecting: error))"])
            return challenge(status: .serviceUnavailable, error: .temporarilyUnavailable)
        }
        guard let claims else {
            return challenge(status: .unauthorized, error: .invalidToken)
        }
        guard scope.isSubset(of: claims.scope) else {
            return challenge(status: .forbidden, error: .insufficientScope)
        }
        var context = context
        context.accessToken = claims
        return try await next(request, context)
    }

    /// RFC 6750 §3: the challenge, with the error and its description when there is one, and the
    /// scope for `insufficient_scope`. The JSON body repeats the error for clients that read bodies.
    private func challenge(status: HTTPResponse.Status, error: OAuthErrorCode?) -> Response {
        var parameters = ["realm=\"\(realm)\""]
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        guard let error else {
            headers[.wwwAuthenticate] = "Bearer " + parameters.joined(separator: ", ")
            return Response(status: status, headers: headers)
        }
        let description = ErrorCatalog.entry(for: error).message.english
        parameters.append("error=\"\(error.rawValue)\"")
        parameters.append("error_description=\"\(description)\"")
        if error == .insufficientScope {
            parameters.append("scope=\"\(scope)\"")
        }
        headers[.wwwAuthenticate] = "Bearer " + parameters.joined(separator: ", ")
        headers[.contentType] = "application/json; charset=utf-8"
        var json = JSONWriter()
        json.add("error", error.rawValue)
        json.add("error_description", description)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json.finish())))
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
