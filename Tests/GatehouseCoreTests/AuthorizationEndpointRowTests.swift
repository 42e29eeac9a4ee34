import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// An authorization request's query, valid unless a row changes it.
struct AuthorizationQuery: Sendable {
    static let verifier = String(repeating: "v", count: 43)

    var clientID: String?
    var redirectURI: String? = "https://app.example/cb"
    var responseType: String? = "code"
    var scope: String? = "read"
    var state: String? = "st-123"
    var challenge: String? = PKCE.challenge(for: AuthorizationQuery.verifier)
    var method: String? = "S256"
    var extra: [(String, String)] = []

    var bytes: [UInt8] {
        let pairs: [(String, String?)] = [
            ("response_type", responseType), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scope), ("state", state),
            ("code_challenge", challenge), ("code_challenge_method", method),
        ]
        let present = pairs.compactMap { name, value in value.map { (name, $0) } } + extra
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = present.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $1)" }.joined(separator: "&")
        return Array(query.utf8)
    }
}

/// One row of SPEC §6's authorization endpoint: a page without redirect, or a redirect with an error.
struct AuthorizationErrorRow: Sendable, CustomTestStringConvertible {
    enum Caller: Sendable {
        case webApp, publicApp, noCodeGrant, twoRedirectURIs, noScopes
    }

    enum Answer: Sendable, Equatable {
        /// No redirect: the client or its redirect URI cannot be trusted.
        case page
        case redirect(OAuthErrorCode)
    }

    /// The SPEC.md row (``SpecRows``) this situation belongs to.
    let spec: String
    let situation: String
    var caller: Caller = .webApp
    let query: @Sendable (inout AuthorizationQuery) -> Void
    let answer: Answer
    var pkceRequiredForAll = false
    var maintenance = false

    var testDescription: String {
        switch answer {
        case .page: "page invalid_request, no redirect: \(situation)"
        case .redirect(let code): "redirect \(code.rawValue): \(situation)"
        }
    }

    static let all: [AuthorizationErrorRow] = [
        AuthorizationErrorRow(spec: "authorize.no-redirect", situation: "unknown client_id", query: { $0.clientID = "nobody" }, answer: .page),
        AuthorizationErrorRow(spec: "authorize.no-redirect", situation: "client_id missing", query: { $0.clientID = nil }, answer: .page),
        AuthorizationErrorRow(spec: "authorize.no-redirect", situation: "client_id repeated", query: { $0.extra = [("client_id", "other")] }, answer: .page),
        AuthorizationErrorRow(
            spec: "authorize.no-redirect", situation: "redirect_uri not registered", query: { $0.redirectURI = "https://evil.example/cb" }, answer: .page),
        AuthorizationErrorRow(
            spec: "authorize.no-redirect", situation: "redirect_uri differs in path", query: { $0.redirectURI = "https://app.example/cb2" }, answer: .page),
        AuthorizationErrorRow(
            spec: "authorize.no-redirect", situation: "redirect_uri missing with two registered", caller: .twoRedirectURIs, query: { $0.redirectURI = nil },
            answer: .page),
        AuthorizationErrorRow(
            spec: "authorize.no-redirect", situation: "redirect_uri repeated", query: { $0.extra = [("redirect_uri", "https://app.example/cb")] }, answer: .page
        ),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "response_type missing", query: { $0.responseType = nil }, answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "a parameter repeated", query: { $0.extra = [("scope", "read")] }, answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "PKCE missing for a public client", caller: .publicApp,
            query: {
                $0.challenge = nil
                $0.method = nil
            }, answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "code_challenge without a method (plain)", query: { $0.method = nil },
            answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "code_challenge_method plain", query: { $0.method = "plain" }, answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "code_challenge malformed", query: { $0.challenge = "short" }, answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "code_challenge_method without a code_challenge", query: { $0.challenge = nil },
            answer: .redirect(.invalidRequest)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_request", situation: "PKCE missing for a confidential client with pkce_required_for all",
            query: {
                $0.challenge = nil
                $0.method = nil
            }, answer: .redirect(.invalidRequest), pkceRequiredForAll: true),
        AuthorizationErrorRow(
            spec: "authorize.unauthorized_client", situation: "client not allowed authorization_code", caller: .noCodeGrant, query: { _ in },
            answer: .redirect(.unauthorizedClient)),
        AuthorizationErrorRow(
            spec: "authorize.unsupported_response_type", situation: "response_type token", query: { $0.responseType = "token" },
            answer: .redirect(.unsupportedResponseType)),
        AuthorizationErrorRow(
            spec: "authorize.invalid_scope", situation: "scope unknown to the client", query: { $0.scope = "read admin" }, answer: .redirect(.invalidScope)),
        AuthorizationErrorRow(spec: "ops.consent", situation: "scope that resolves to nothing", query: { $0.scope = " " }, answer: .redirect(.invalidScope)),
        AuthorizationErrorRow(
            spec: "ops.consent", situation: "no scope, client registered without scopes", caller: .noScopes, query: { $0.scope = nil },
            answer: .redirect(.invalidScope)),
        AuthorizationErrorRow(
            spec: "authorize.temporarily_unavailable", situation: "maintenance is on", query: { _ in }, answer: .redirect(.temporarilyUnavailable),
            maintenance: true),
    ]
}

@Suite("Authorization endpoint rows (core, no socket)")
struct AuthorizationEndpointRowTests {
    private func bed(pkceRequiredForAll: Bool = false, maintenance: Bool = false) -> TestBed {
        TestBed(
            configuration: ServerConfiguration(
                issuer: TestBed.issuer, maintenance: maintenance, pkceRequiredFor: pkceRequiredForAll ? .all : .public
            )
        )
    }

    private func register(_ caller: AuthorizationErrorRow.Caller, in bed: TestBed) async throws -> RegisteredClient {
        switch caller {
        case .webApp: try await bed.registerClient(scopes: ["read", "write"])
        case .publicApp: try await bed.registerClient(.public, scopes: ["read", "write"])
        case .noCodeGrant: try await bed.registerClient(grantTypes: [.clientCredentials], scopes: ["read"])
        case .twoRedirectURIs: try await bed.registerClient(redirectURIs: ["https://app.example/cb", "https://app.example/other"])
        case .noScopes: try await bed.registerClient(scopes: [])
        }
    }

    @Test("SPEC §6 authorization endpoint: every error row answers by page or by redirect", arguments: AuthorizationErrorRow.all)
    func errorRow(_ row: AuthorizationErrorRow) async throws {
        let bed = bed(pkceRequiredForAll: row.pkceRequiredForAll, maintenance: row.maintenance)
        let client = try await register(row.caller, in: bed)
        var query = AuthorizationQuery(clientID: client.id)
        row.query(&query)
        let failure = await #expect(throws: AuthorizationFailure.self) {
            try await bed.authorizationEndpoint().validate(query: query.bytes)
        }
        switch (failure, row.answer) {
        case (.page(let error)?, .page):
            #expect(error.code == .invalidRequest)
            #expect(error.status == .badRequest)
        case (.redirect(let error, let location)?, .redirect(let code)):
            #expect(error.code == code)
            #expect(location.hasPrefix("https://app.example/cb?"))
            let items = Dictionary(
                (URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            #expect(items["error"] == code.rawValue)
            #expect(items["error_uri"] == bed.configuration.errorURI(for: code))
            #expect(items["error_description"]?.isEmpty == false)
            #expect(items["state"] == "st-123")
            #expect(items["iss"] == TestBed.issuer)
            #expect(items["code"] == nil)
        default:
            Issue.record("expected \(row.answer), got \(String(describing: failure))")
        }
    }

    @Test("a valid request issues a code at the redirect URI with state and iss (RFC 9207), expiring by the clock")
    func success() async throws {
        let bed = bed()
        let client = try await register(.webApp, in: bed)
        let user = try await bed.createUser()
        let endpoint = bed.authorizationEndpoint()
        let request = try await endpoint.validate(query: AuthorizationQuery(clientID: client.id).bytes)
        #expect(request.scope == ["read"])
        #expect(try await endpoint.needsConsent(request, userID: user.id))
        try await endpoint.recordConsent(request, userID: user.id)
        #expect(try await endpoint.needsConsent(request, userID: user.id) == false)
        let location = try await endpoint.issueCode(request, userID: user.id)
        let items = URLComponents(string: location)?.queryItems ?? []
        #expect(location.hasPrefix("https://app.example/cb?code=gthc_"))
        #expect(items.first { $0.name == "state" }?.value == "st-123")
        #expect(items.first { $0.name == "iss" }?.value == TestBed.issuer)
        let code = try #require(items.first { $0.name == "code" }?.value)
        let stored = try #require(try await bed.store.authorizationCode(hash: SecretHasher.hash(code)))
        #expect(stored.expiresAt == bed.clock.now().addingTimeInterval(TimeInterval(bed.configuration.authorizationCodeTTL)))
    }

    @Test(
        "redirect URIs that are accepted: loopback on any port (RFC 8252 §7.3), the only registered one when none is sent",
        arguments: [("http://127.0.0.1:9000/cb", "http://127.0.0.1:51234/cb"), ("https://app.example/cb", nil)]
    )
    func acceptedRedirectURI(registered: String, sent: String?) async throws {
        let bed = bed()
        let client = try await bed.registerClient(redirectURIs: [registered])
        var query = AuthorizationQuery(clientID: client.id)
        query.redirectURI = sent
        let request = try await bed.authorizationEndpoint().validate(query: query.bytes)
        #expect(request.redirectURI == sent ?? registered)
        #expect(request.redirectURIWasSent == (sent != nil))
    }

    @Test("without pkce_required_for all, a confidential client may leave PKCE out")
    func confidentialWithoutPKCE() async throws {
        let bed = bed()
        let client = try await register(.webApp, in: bed)
        var query = AuthorizationQuery(clientID: client.id)
        query.challenge = nil
        query.method = nil
        let request = try await bed.authorizationEndpoint().validate(query: query.bytes)
        #expect(request.codeChallenge == nil)
    }
}
