import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Mustache

/// `gatehouse serve --demo`: a walk-through of the authorization code flow that a newcomer can
/// click through in a browser. It plays the part of a client application living on the same
/// server: it starts the flow with PKCE, receives the code and exchanges it.
struct DemoController: Sendable {
    static let clientID = "demo"
    static let username = "demo"
    static let password = "demo"
    static let scope: ScopeSet = ["profile", "read"]
    static let cookie = "gatehouse_demo"

    let configuration: ServerConfiguration
    let tokenEndpoint: TokenEndpoint
    let pages: HTMLPages
    private let index: MustacheTemplate
    private let callback: MustacheTemplate

    init(configuration: ServerConfiguration, tokenEndpoint: TokenEndpoint, pages: HTMLPages) throws {
        self.configuration = configuration
        self.tokenEndpoint = tokenEndpoint
        self.pages = pages
        self.index = try MustacheTemplate(html: DemoTemplates.index)
        self.callback = try MustacheTemplate(html: DemoTemplates.callback)
    }

    static func redirectURI(issuer: String) -> String { "\(issuer)/demo/callback" }

    /// Creates the demo user and the demo client (a public client, as a browser app would be),
    /// unless they exist. The client's redirect URI follows the issuer, so a client left from a run
    /// on another port is registered anew. Instances starting together may race: a duplicate
    /// means the other one won, which is as good.
    static func seed(store: SQLStore, issuer: String) async throws {
        do {
            if try await store.user(username: username) == nil {
                try await store.createUser(
                    User(id: SecretGenerator().makeIdentifier(), username: username, passwordHash: PasswordHasher.hash(password), createdAt: Date())
                )
            }
        } catch StoreError.duplicate {}
        let client = Client(
            id: clientID, name: "Gatehouse demo", secretHash: nil, redirectURIs: [redirectURI(issuer: issuer)],
            grantTypes: [.authorizationCode, .refreshToken], scopes: scope, createdAt: Date()
        )
        if let existing = try await store.client(id: clientID) {
            guard existing.redirectURIs != client.redirectURIs else { return }
            _ = try await store.deleteClient(id: clientID)
        }
        do {
            try await store.createClient(client)
        } catch StoreError.duplicate {}
    }

    func home(_ request: Request, context: some RequestContext) -> Response {
        let html = pages.page(
            language: "en", title: "Demo",
            content: index.render(["issuer": configuration.issuer, "username": Self.username, "password": Self.password])
        )
        return HTMLPages.response(html, language: "en")
    }

    /// Starts the flow: a fresh PKCE verifier and state, kept in an HttpOnly cookie for the callback.
    func start(_ request: Request, context: some RequestContext) -> Response {
        let generator = SecretGenerator()
        let verifier = Base64URL.encode(Array(generator.make(.csrf).utf8)).prefix(64)
        let state = generator.makeIdentifier()
        let location = AuthorizationEndpoint.appendQuery(
            to: "\(configuration.issuer)/oauth2/authorize",
            [
                ("response_type", "code"), ("client_id", Self.clientID), ("redirect_uri", Self.redirectURI(issuer: configuration.issuer)),
                ("scope", Self.scope.description), ("state", state), ("code_challenge", PKCE.challenge(for: String(verifier))),
                ("code_challenge_method", "S256"),
            ]
        )
        var headers = HTTPFields()
        headers[.location] = location
        HTMLPages.addSecurityHeaders(to: &headers)
        var response = Response(status: .found, headers: headers)
        response.setCookie(
            Cookie(
                name: Self.cookie, value: "\(state).\(verifier)", maxAge: 600, path: "/demo",
                secure: configuration.issuer.hasPrefix("https://"), httpOnly: true, sameSite: .lax
            )
        )
        return response
    }

    /// Receives the code, checks `state` and `iss`, exchanges the code and shows everything.
    func receive(_ request: Request, context: some RequestContext) async -> Response {
        let query = (try? RequestParameters.lenient(formEncoded: Array((request.uri.query ?? "").utf8)))?.0 ?? RequestParameters()
        let remembered = request.cookies[Self.cookie]?.value.split(separator: ".", maxSplits: 1).map(String.init) ?? []
        var values: [String: Any] = [
            "code": query["code"] ?? "", "state": query["state"] ?? "", "iss": query["iss"] ?? "",
            "stateMatches": remembered.first == query["state"], "issMatches": query["iss"] == configuration.issuer,
        ]
        if let error = query["error"] {
            values["error"] = "\(error): \(query["error_description"] ?? "")"
        } else if let code = query["code"], remembered.count == 2, remembered.first == query["state"] {
            do {
                let token = try await tokenEndpoint.handle(
                    parameters: RequestParameters([
                        "grant_type": "authorization_code", "code": code, "client_id": Self.clientID,
                        "redirect_uri": Self.redirectURI(issuer: configuration.issuer), "code_verifier": remembered[1],
                    ]),
                    authorization: nil
                )
                values["token"] = Self.prettyJSON(token)
            } catch let error as OAuthError {
                values["error"] = "\(error.code.rawValue): \(error.message.english)"
            } catch {
                values["error"] = "server_error"
            }
        } else {
            values["error"] = "The state does not match the one this browser started with."
        }
        return HTMLPages.response(pages.page(language: "en", title: "Demo callback", content: callback.render(values)), language: "en")
    }

    private static func prettyJSON(_ token: TokenResponse) -> String {
        var lines = [
            "  \"access_token\": \"\(token.accessToken)\"", "  \"token_type\": \"\(token.tokenType)\"",
            "  \"expires_in\": \(token.expiresIn)", "  \"scope\": \"\(token.scope)\"",
        ]
        if let refresh = token.refreshToken { lines.append("  \"refresh_token\": \"\(refresh)\"") }
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }
}

enum DemoTemplates {
    static let index = """
        <h1>Try the authorization code flow</h1>
        <p>This server runs with <code>--demo</code>. It plays an application that wants to read your profile.</p>
        <ol>
        <li>Start: the application sends you to <code>/oauth2/authorize</code> with a PKCE challenge.</li>
        <li>Sign in as <strong>{{username}}</strong>, password <strong>{{password}}</strong>.</li>
        <li>Allow the access it asks for.</li>
        <li>Back at the application, see the code, and the tokens it exchanged it for.</li>
        </ol>
        <form method="get" action="/demo/start" class="actions"><button type="submit" class="primary">Start the flow</button></form>
        <p class="muted">Issuer: <code>{{issuer}}</code></p>
        """

    static let callback = """
        <h1>Back at the application</h1>
        {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
        {{#code}}<p>Authorization code</p><pre id="code">{{code}}</pre>{{/code}}
        <p>state {{#stateMatches}}matches{{/stateMatches}}{{^stateMatches}}does not match{{/stateMatches}};
        iss <code>{{iss}}</code> {{#issMatches}}is this server{{/issMatches}}{{^issMatches}}is not this server{{/issMatches}} (RFC 9207).</p>
        {{#token}}<p>Token response</p><pre id="token">{{token}}</pre>{{/token}}
        <form method="get" action="/" class="actions"><button type="submit" class="secondary">Start again</button></form>
        """
}
