import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

/// Checks the headers every HTML response must carry (SPEC §5).
func expectHTMLSecurityHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
    #expect(response.headers[.xFrameOptions] == "DENY", sourceLocation: sourceLocation)
    #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, sourceLocation: sourceLocation)
}

/// Checks an error redirect against SPEC §6: to the client's redirect URI, with `error`, its
/// English catalog description whatever the browser asked, `error_uri`, `state` and `iss`, no code.
func expectErrorRedirect(
    _ response: TestResponse, status: HTTPResponse.Status = .found, error code: OAuthErrorCode, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.location]?.hasPrefix("http://127.0.0.1:9000/cb?") == true, sourceLocation: sourceLocation)
    let parameters = redirectParameters(response)
    #expect(parameters["error"] == code.rawValue, sourceLocation: sourceLocation)
    let english = ErrorCatalog.messages.filter { $0.code == code }.map(\.english)
    #expect(english.contains(parameters["error_description"] ?? ""), sourceLocation: sourceLocation)
    #expect(parameters["error_uri"] == "\(LiveServer.issuer)/docs/errors#\(code.rawValue)", sourceLocation: sourceLocation)
    #expect(parameters["state"] == "st-123", sourceLocation: sourceLocation)
    #expect(parameters["iss"] == LiveServer.issuer, sourceLocation: sourceLocation)
    #expect(parameters["code"] == nil, sourceLocation: sourceLocation)
}

/// One row of SPEC.md's authorization table, asked over HTTP.
///
/// Every situation of the table is a socket-free row of `AuthorizationEndpointRowTests`
/// (GatehouseCoreTests). These rows prove what the HTTP layer adds: the 400 page in HTML and in
/// JSON with its headers, and the 302 with every redirect parameter, one row of each answer, on
/// both databases.
struct AuthorizationErrorRow: Sendable, CustomTestStringConvertible {
    /// The SPEC.md row (`SpecRows` in GatehouseCoreTests) this situation belongs to.
    let spec: String
    enum Caller: Sendable { case confidential, noCodeGrant }
    enum Answer: Sendable, Equatable {
        /// A 400 page, never a redirect.
        case page
        /// A redirect to the client with this error.
        case redirect(OAuthErrorCode)
    }

    let situation: String
    var caller: Caller = .confidential
    let query: @Sendable (String) -> String
    let answer: Answer
    var maintenance = false

    var testDescription: String { situation }

    static func query(_ change: @escaping @Sendable (inout AuthorizationQuery) -> Void) -> @Sendable (String) -> String {
        { clientID in
            var query = AuthorizationQuery(clientID: clientID)
            change(&query)
            return query.string
        }
    }

    static let all: [AuthorizationErrorRow] = [
        AuthorizationErrorRow(spec: "authorize.no-redirect", situation: "unknown client_id", query: query { $0.clientID = "nobody" }, answer: .page),
        AuthorizationErrorRow(
            spec: "authorize.no-redirect", situation: "redirect_uri differs in path", query: query { $0.redirectURI = "http://127.0.0.1:9000/cb2" },
            answer: .page),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "response_type missing", query: query { $0.responseType = nil }, answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.unauthorized_client", situation: "client not allowed authorization_code", caller: .noCodeGrant, query: query { _ in },
            answer: .redirect(.unauthorizedClient)
        ),
        AuthorizationErrorRow(
            spec: "authorize.unsupported_response_type", situation: "response_type token", query: query { $0.responseType = "token" },
            answer: .redirect(.unsupportedResponseType)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_scope", situation: "scope unknown to the client", query: query { $0.scope = "profile admin" },
            answer: .redirect(.invalidScope)),
        AuthorizationErrorRow(
            spec: "authorize.temporarily_unavailable", situation: "maintenance is on", query: query { _ in }, answer: .redirect(.temporarilyUnavailable),
            maintenance: true
        ),
    ]
}

@Suite("Authorization endpoint")
struct AuthorizationEndpointTests {
    @Test("every authorization error row answers by page or by redirect as SPEC.md says", arguments: Backend.available, AuthorizationErrorRow.all)
    func errorRow(backend: Backend, row: AuthorizationErrorRow) async throws {
        try await LiveServer.run(backend, configure: { $0.maintenance = row.maintenance }) { server in
            let client =
                switch row.caller {
                case .confidential: try await server.registerWebApp()
                case .noCodeGrant: try await server.registerWebApp(grantTypes: [.clientCredentials])
                }
            let query = row.query(client.id)
            let response = try await server.send(.get, "/oauth2/authorize?\(query)", headers: [.acceptLanguage: "de"])
            expectHTMLSecurityHeaders(response)
            switch row.answer {
            case .page:
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentLanguage] == "de")
                #expect(response.text.contains("invalid_request"))
                let json = try await server.send(.get, "/oauth2/authorize?\(query)", headers: [.accept: "application/json"])
                expectOAuthError(json, status: .badRequest, error: .invalidRequest)
            case .redirect(let code):
                // Asked in German: redirected descriptions are English all the same (SPEC §6).
                expectErrorRedirect(response, error: code)
            }
        }
    }

    @Test("the error page speaks the language of ui_locales first", arguments: Backend.available)
    func localizedErrorPage(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let response = try await server.send(.get, "/oauth2/authorize?client_id=nobody&ui_locales=fr", headers: [.acceptLanguage: "de"])
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentLanguage] == "fr")
            #expect(response.text.contains(ErrorMessage.unknownClient.text(in: "fr").replacingOccurrences(of: "'", with: "&#39;")))
        }
    }

    @Test("a loopback redirect URI matches on any port (RFC 8252 §7.3)", arguments: Backend.available)
    func loopbackAnyPort(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            var query = AuthorizationQuery(clientID: client.id)
            query.redirectURI = "http://127.0.0.1:51234/cb"
            let response = try await server.send(.get, "/oauth2/authorize?\(query.string)")
            #expect(response.status == .ok)
            #expect(response.text.contains(#"name="password""#))
            query.redirectURI = "http://localhost:9000/cb"
            #expect(try await server.send(.get, "/oauth2/authorize?\(query.string)").status == .badRequest)
        }
    }

    @Test("a failure after the redirect URI is trusted redirects with server_error", .spec("authorize.server_error"), arguments: Backend.available)
    func serverError(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let user = try await server.createUser()
            let query = AuthorizationQuery(clientID: client.id).string
            // The login page caches the client and the cookie key; then the database goes away.
            var flow = BrowserFlow(server: server)
            let login = try await flow.open(query)
            #expect(login.status == .ok)
            await server.store.database.close()
            let response = try await flow.submit(query, page: login, fields: ["username": user.username, "password": "correct horse"])
            expectErrorRedirect(response, status: .seeOther, error: .serverError)
        }
    }

    @Test("without pkce_required_for all, a confidential client may leave PKCE out", arguments: Backend.available)
    func confidentialWithoutPKCE(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            var query = AuthorizationQuery(clientID: client.id)
            query.verifier = nil
            let response = try await server.send(.get, "/oauth2/authorize?\(query.string)")
            #expect(response.status == .ok)
            #expect(response.text.contains(#"name="password""#))
        }
    }

    @Test("100 anonymous authorization requests add no database row", arguments: Backend.available)
    func anonymousVisitsWriteNothing(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.registerWebApp()
            let query = AuthorizationQuery(clientID: client.id).string
            // The first visit may create the server's cookie key, once for every visitor to come.
            #expect(try await server.send(.get, "/oauth2/authorize?\(query)").status == .ok)
            let before = try await anonymousRows(server)
            for _ in 0..<100 {
                let response = try await server.send(.get, "/oauth2/authorize?\(query)")
                #expect(response.status == .ok)
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("gatehouse_login=") })
            }
            #expect(try await anonymousRows(server) == before)
        }
    }

    /// Rows an anonymous visitor could have written: sessions without a user (on PostgreSQL other
    /// tests sign users in meanwhile, but never leave a session without one) and, on the test's
    /// own SQLite file, every session and server secret.
    private func anonymousRows(_ server: LiveServer) async throws -> [Int] {
        try await server.store.database.withSQL { sql in
            var counts = [try await sql.raw("SELECT id_hash FROM sessions WHERE user_id IS NULL").all().count]
            if case .sqlite = server.store.database.url {
                for table in ["sessions", "server_secrets", "rate_limit_attempts"] {
                    counts.append(try await sql.raw("SELECT * FROM \(ident: table)").all().count)
                }
            }
            return counts
        }
    }

}
