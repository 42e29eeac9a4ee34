import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

/// The HTTP layer's share of SPEC.md's token table (and §5's 405/413 rows): a request and the
/// answer it must get over a socket.
///
/// Every situation of the table is a socket-free row of `TokenEndpointRowTests` (GatehouseCoreTests),
/// which proves its status and code. These rows prove what only the HTTP layer does: the body's
/// content type, the method and the body size, the §5 headers and the Basic challenge as sent, the
/// language of the description, and one or two rows of each code, on both databases.
struct TokenErrorRow: Sendable, CustomTestStringConvertible {
    /// The SPEC.md row (`SpecRows` in GatehouseCoreTests) this situation belongs to.
    let spec: String
    /// Which registered client the request uses.
    enum Caller: Sendable {
        /// confidential, allowed `client_credentials`
        case service
        /// confidential, allowed only `authorization_code` and `refresh_token`
        case webApp
        /// public, allowed `authorization_code`
        case publicApp
    }

    struct Request: Sendable {
        var method: HTTPRequest.Method = .post
        var contentType = "application/x-www-form-urlencoded"
        var body: String
        var authorization: String?
    }

    let situation: String
    let caller: Caller
    let request: @Sendable (LiveServer.RegisteredClient) -> Request
    let status: HTTPResponse.Status
    let error: OAuthErrorCode
    /// Whether `WWW-Authenticate: Basic realm=…` must be present (only for `invalid_client` after Basic).
    var basicChallenge = false
    var allow: String?

    var testDescription: String { situation }

    static let all: [TokenErrorRow] = [
        // (1) request syntax → invalid_request: the body's encoding is the HTTP layer's to check
        TokenErrorRow(
            spec: "token.invalid_request", situation: "body is JSON, not form-encoded", caller: .service,
            request: { c in
                Request(contentType: "application/json", body: #"{"grant_type":"client_credentials"}"#, authorization: c.basicAuthorization)
            }, status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "no content type", caller: .service,
            request: { c in
                Request(contentType: "", body: "grant_type=client_credentials", authorization: c.basicAuthorization)
            }, status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "a parameter repeated", caller: .service,
            request: { c in
                Request(body: "grant_type=client_credentials&scope=read&scope=write", authorization: c.basicAuthorization)
            }, status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.credentials-twice", situation: "client_secret in the body and HTTP Basic", caller: .service,
            request: { c in
                Request(body: "grant_type=client_credentials&client_secret=\(c.secret ?? "")", authorization: c.basicAuthorization)
            }, status: .badRequest, error: .invalidRequest),
        // (2) client authentication → invalid_client, with the Basic challenge only after Basic
        TokenErrorRow(
            spec: "token.invalid_client", situation: "wrong secret via Basic", caller: .service,
            request: { c in
                Request(body: "grant_type=client_credentials", authorization: LiveServer.RegisteredClient(id: c.id, secret: "wrong").basicAuthorization)
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "malformed Basic credentials", caller: .service,
            request: { _ in
                Request(body: "grant_type=client_credentials", authorization: "Basic not*base64")
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "wrong secret in the body", caller: .service,
            request: { c in
                Request(body: "grant_type=client_credentials&client_id=\(c.id)&client_secret=wrong")
            }, status: .unauthorized, error: .invalidClient),
        // (3) grant type
        TokenErrorRow(
            spec: "token.unsupported_grant_type", situation: "grant_type foo", caller: .service,
            request: { c in
                Request(body: "grant_type=foo", authorization: c.basicAuthorization)
            }, status: .badRequest, error: .unsupportedGrantType),
        TokenErrorRow(
            spec: "token.unauthorized_client", situation: "client_credentials for a public client", caller: .publicApp,
            request: { c in
                Request(body: "grant_type=client_credentials&client_id=\(c.id)")
            }, status: .badRequest, error: .unauthorizedClient),
        // (4) the grant itself
        TokenErrorRow(
            spec: "token.invalid_grant.refresh", situation: "refresh token unknown", caller: .webApp,
            request: { c in
                Request(body: "grant_type=refresh_token&refresh_token=gthr_unknown", authorization: c.basicAuthorization)
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_scope", situation: "scope unknown to the client", caller: .service,
            request: { c in
                Request(body: "grant_type=client_credentials&scope=read+admin", authorization: c.basicAuthorization)
            }, status: .badRequest, error: .invalidScope),
        // SPEC §5: wrong method and oversized body, in the same error format
        TokenErrorRow(
            spec: "errors.status.405", situation: "GET instead of POST", caller: .service,
            request: { _ in
                Request(method: .get, body: "")
            }, status: .methodNotAllowed, error: .invalidRequest, allow: "POST"),
        TokenErrorRow(
            spec: "errors.status.405", situation: "PUT instead of POST", caller: .service,
            request: { c in
                Request(method: .put, body: "grant_type=client_credentials", authorization: c.basicAuthorization)
            }, status: .methodNotAllowed, error: .invalidRequest, allow: "POST"),
        TokenErrorRow(
            spec: "errors.status.413", situation: "body over 64 KiB", caller: .service,
            request: { c in
                Request(body: "grant_type=client_credentials&pad=" + String(repeating: "a", count: 70_000), authorization: c.basicAuthorization)
            }, status: .contentTooLarge, error: .invalidRequest),
    ]
}

@Suite("Token endpoint errors")
struct TokenEndpointErrorTests {
    /// German, so that every row also proves the negotiated language and `Content-Language`;
    /// `localized` below covers English and the fallbacks.
    @Test(
        "every token error row answers with its status, code and headers, in German", .spec("errors.headers"), .spec("errors.status.401"),
        arguments: Backend.available, TokenErrorRow.all)
    func errorRow(backend: Backend, row: TokenErrorRow) async throws {
        let language = "de"
        try await LiveServer.run(backend) { server in
            let caller =
                switch row.caller {
                case .service: try await server.register(grantTypes: [.clientCredentials])
                case .webApp: try await server.register(grantTypes: [.authorizationCode, .refreshToken])
                case .publicApp: try await server.register(grantTypes: [.authorizationCode], isPublic: true)
                }
            let request = row.request(caller)
            var headers = HTTPFields()
            if !request.contentType.isEmpty { headers[.contentType] = request.contentType }
            headers[.authorization] = request.authorization
            headers[.acceptLanguage] = language
            let response = try await server.send(request.method, "/oauth2/token", headers: headers, body: request.body)
            expectOAuthError(response, status: row.status, error: row.error, language: language)
            if row.basicChallenge {
                #expect(response.headers[.wwwAuthenticate] == #"Basic realm="gatehouse", charset="UTF-8""#)
            } else {
                #expect(response.headers[.wwwAuthenticate] == nil)
            }
            #expect(response.headers[.allow] == row.allow)
        }
    }

    @Test(
        "error_description follows Accept-Language",
        arguments: Backend.available,
        [("de", "de"), ("fr;q=0.2, de;q=0.9", "de"), ("ja", "ja"), ("es-MX", "es"), ("tlh", "en"), ("", "en")]
    )
    func localized(backend: Backend, acceptLanguage: (header: String, language: String)) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register()
            var headers = HTTPFields()
            if !acceptLanguage.header.isEmpty { headers[.acceptLanguage] = acceptLanguage.header }
            let response = try await server.token(
                form: "grant_type=client_credentials",
                authorization: LiveServer.RegisteredClient(id: caller.id, secret: "wrong").basicAuthorization,
                headers: headers
            )
            expectOAuthError(response, status: .unauthorized, error: .invalidClient, language: acceptLanguage.language)
            #expect(response.json["error_description"] as? String == ErrorMessage.invalidClient.text(in: acceptLanguage.language))
            #expect(response.headers[.wwwAuthenticate] != nil)
        }
    }

    @Test("a language switched off in `locales` is not used", arguments: Backend.available)
    func configuredLocales(backend: Backend) async throws {
        try await LiveServer.run(backend, configure: { $0.locales = ["en", "fr"] }) { server in
            let caller = try await server.register()
            let response = try await server.token(
                form: "grant_type=foo", authorization: caller.basicAuthorization, headers: [.acceptLanguage: "de, fr;q=0.5"]
            )
            expectOAuthError(response, status: .badRequest, error: .unsupportedGrantType, language: "fr")
        }
    }

    @Test("a refused request leaves no token behind", arguments: Backend.available)
    func refusalWritesNothing(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let caller = try await server.register()
            _ = try await server.token(form: "grant_type=client_credentials&scope=admin", authorization: caller.basicAuthorization)
            let rows = try await server.store.database.withSQL { sql in
                try await sql.raw("SELECT id FROM access_tokens WHERE client_id = \(bind: caller.id)").all()
            }
            #expect(rows.isEmpty)
        }
    }
}
