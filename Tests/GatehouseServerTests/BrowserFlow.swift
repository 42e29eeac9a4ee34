import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdBcrypt
import HummingbirdTesting
import NIOCore

/// A user agent for the authorization endpoint: keeps its cookies, reads the CSRF token from the
/// forms and fills them in, as a browser would.
struct BrowserFlow {
    let server: LiveServer
    /// The cookies the server set, by name.
    var cookies: [String: String] = [:]
    /// Sent as `X-Forwarded-For`, for servers that trust the test client as a proxy.
    var forwardedFor: String?

    init(server: LiveServer, forwardedFor: String? = nil) {
        self.server = server
        self.forwardedFor = forwardedFor
    }

    /// The signed-in session's cookie, once there is one.
    var sessionCookie: String? { cookies[AuthorizeControllerCookie.session] }

    /// GET the authorization endpoint.
    mutating func open(_ query: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        addCommonHeaders(to: &headers)
        let response = try await server.send(.get, "/oauth2/authorize?\(query)", headers: headers)
        remember(response)
        return response
    }

    /// POST a form back to the authorization endpoint, with the page's CSRF token unless given.
    mutating func submit(_ query: String, page: TestResponse, fields: [String: String], csrf: String? = nil) async throws -> TestResponse {
        let response = try await server.send(
            .post, "/oauth2/authorize?\(query)", headers: formHeaders(), body: formBody(page: page, fields: fields, csrf: csrf))
        remember(response)
        return response
    }

    /// The headers of a form POST with the current cookies, for tests that send it themselves.
    func formHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        addCommonHeaders(to: &headers)
        return headers
    }

    func formBody(page: TestResponse, fields: [String: String], csrf: String? = nil) -> String {
        var form = fields
        form["csrf_token"] = csrf ?? Self.csrfToken(in: page.text) ?? ""
        return form.map { "\($0.key)=\(LiveServer.RegisteredClient.formEncode($0.value))" }.joined(separator: "&")
    }

    /// Signs in and allows: the redirect the client finally gets.
    mutating func signInAndAllow(_ query: String, username: String, password: String) async throws -> TestResponse {
        let login = try await open(query)
        let afterLogin = try await submit(query, page: login, fields: ["username": username, "password": password])
        guard afterLogin.status == .ok else { return afterLogin }
        return try await submit(query, page: afterLogin, fields: ["decision": "allow"])
    }

    private func addCommonHeaders(to headers: inout HTTPFields) {
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        if let forwardedFor { headers[.xForwardedFor] = forwardedFor }
    }

    mutating func remember(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            let pair = value.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let cookieValue = String(pair[pair.index(after: equals)...])
            if cookieValue.isEmpty || value.contains("Max-Age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = cookieValue
            }
        }
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}

enum AuthorizeControllerCookie {
    static let session = "gatehouse_session"
    static let preLogin = "gatehouse_login"
}

/// An authorization request's query string.
struct AuthorizationQuery {
    var clientID: String?
    var redirectURI: String? = "http://127.0.0.1:9000/cb"
    var responseType: String? = "code"
    var scope: String? = "profile"
    var state: String? = "st-123"
    var verifier: String? = PKCEPair.verifier
    var method: String? = "S256"
    var extra: [(String, String)] = []

    var string: String {
        var pairs: [(String, String)] = []
        if let responseType { pairs.append(("response_type", responseType)) }
        if let clientID { pairs.append(("client_id", clientID)) }
        if let redirectURI { pairs.append(("redirect_uri", redirectURI)) }
        if let scope { pairs.append(("scope", scope)) }
        if let state { pairs.append(("state", state)) }
        if let verifier { pairs.append(("code_challenge", PKCE.challenge(for: verifier))) }
        if let method, verifier != nil { pairs.append(("code_challenge_method", method)) }
        pairs += extra
        return pairs.map { "\($0.0)=\(LiveServer.RegisteredClient.formEncode($0.1))" }.joined(separator: "&")
    }
}

enum PKCEPair {
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more"
}

/// The query parameters of a redirect's `Location`.
func redirectParameters(_ response: TestResponse) -> [String: String] {
    guard let location = response.headers[.location], let components = URLComponents(string: location) else { return [:] }
    var values: [String: String] = [:]
    for item in components.queryItems ?? [] { values[item.name] = item.value ?? "" }
    return values
}

extension LiveServer {
    /// A user of the built-in store, hashed at bcrypt's lowest cost to keep tests fast.
    func createUser(username: String = uniqueName("alice"), password: String = "correct horse") async throws -> User {
        let user = User(
            id: SecretGenerator().makeIdentifier(), username: username,
            passwordHash: Bcrypt.hash(password, cost: 4), createdAt: Date()
        )
        try await store.createUser(user)
        return user
    }

    /// A client for the code flow.
    func registerWebApp(
        isPublic: Bool = false,
        redirectURIs: [String] = ["http://127.0.0.1:9000/cb"],
        grantTypes: Set<GrantType> = [.authorizationCode, .refreshToken],
        scopes: ScopeSet = ["profile", "read"],
        skipConsent: Bool = false
    ) async throws -> RegisteredClient {
        let secret = isPublic ? nil : SecretGenerator().make(.clientSecret)
        let client = Client(
            id: SecretGenerator().makeIdentifier(), name: uniqueName("web"), secretHash: secret.map(SecretHasher.hash),
            redirectURIs: redirectURIs, grantTypes: grantTypes, scopes: scopes, skipConsent: skipConsent, createdAt: Date()
        )
        try await store.createClient(client)
        return RegisteredClient(id: client.id, secret: secret)
    }

    /// Runs the browser side of the flow and returns the code.
    func obtainCode(for client: RegisteredClient, user: User, password: String = "correct horse", query: AuthorizationQuery? = nil) async throws -> String {
        var flow = BrowserFlow(server: self)
        var query = query ?? AuthorizationQuery()
        query.clientID = client.id
        let response = try await flow.signInAndAllow(query.string, username: user.username, password: password)
        guard let code = redirectParameters(response)["code"] else {
            throw TestFailure("no code in \(response.status) \(response.headers[.location] ?? response.text)")
        }
        return code
    }

    /// Exchanges a code at the token endpoint.
    func redeem(
        _ code: String, client: RegisteredClient, verifier: String? = PKCEPair.verifier, redirectURI: String? = "http://127.0.0.1:9000/cb",
        path: String = "/oauth2/token", extra: String = ""
    ) async throws -> TestResponse {
        var form = "grant_type=authorization_code&code=\(code)"
        if let redirectURI { form += "&redirect_uri=\(RegisteredClient.formEncode(redirectURI))" }
        if let verifier { form += "&code_verifier=\(verifier)" }
        form += extra
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        if client.secret == nil {
            form += "&client_id=\(client.id)"
        } else {
            headers[.authorization] = client.basicAuthorization
        }
        return try await send(.post, path, headers: headers, body: form)
    }

    func refresh(_ token: String, client: RegisteredClient, scope: String? = nil) async throws -> TestResponse {
        var form = "grant_type=refresh_token&refresh_token=\(token)"
        if let scope { form += "&scope=\(RegisteredClient.formEncode(scope))" }
        return try await self.token(form: form, authorization: client.basicAuthorization)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
