import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// An API provider's own web app that signs its users in and asks their consent, while Gatehouse
/// runs the OAuth protocol: Gatehouse is started with `login_url` and `consent_url` pointing here,
/// and this app answers each challenge through the admin API (SPEC §10, "Delegated login and
/// consent").
///
/// ```sh
/// gatehouse clients create --name provider-app --admin --json        # its admin credentials
/// GATEHOUSE_LOGIN_URL=http://127.0.0.1:9200/login GATEHOUSE_CONSENT_URL=http://127.0.0.1:9200/consent gatehouse serve
/// gatehouse-example-provider --issuer http://127.0.0.1:8080 --client-id ID --client-secret SECRET
/// ```
///
/// Its users are its own (here a fixed list, `alice` / `wonderland`): they never exist in
/// Gatehouse's user table, and tokens carry this app's subject for them.
@main
struct ProviderApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse-example-provider",
        abstract: "An example provider app that answers Gatehouse's login and consent challenges."
    )

    @Option(help: "The Gatehouse issuer, e.g. http://127.0.0.1:8080.")
    var issuer: String

    @Option(help: "A client created with `gatehouse clients create --admin`.")
    var clientID: String

    @Option(help: "Its secret.")
    var clientSecret: String

    @Option(help: "Port to listen on, on 127.0.0.1.")
    var port: Int = 9200

    func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let admin = AdminClient(issuer: issuer, clientID: clientID, clientSecret: clientSecret, http: http)
        let app = ProviderPages(admin: admin)
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/login") { request, context in try await app.login(request, context: context) }
        router.post("/login") { request, context in try await app.signIn(request, context: context) }
        router.get("/consent") { request, context in try await app.consent(request, context: context) }
        router.post("/consent") { request, context in try await app.decideConsent(request, context: context) }
        var logger = Logger(label: "provider-app")
        logger.logLevel = .warning
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        do {
            try await application.runService()
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}

/// The provider's pages. A real app signs users in against its own database and session; this one
/// knows one user and keeps no session, since Gatehouse remembers the sign-in when asked to.
struct ProviderPages: Sendable {
    /// The provider's own users: username → (password, the provider's stable id for them).
    static let users: [String: (password: String, subject: String)] = ["alice": ("wonderland", "provider-user-1001")]

    let admin: AdminClient

    func login(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let challenge = request.uri.queryParameters.get("login_challenge") else {
            return Self.page(status: .badRequest, "Missing login_challenge.")
        }
        let login = try await admin.loginRequest(challenge)
        if login.skip, let subject = login.subject {
            // The browser already has a Gatehouse session: no need to ask again.
            let next = try await admin.decide(
                "login", challenge: challenge, verdict: "accept",
                body: AdminClient.LoginAcceptance(subject: subject, username: nil, remember: true)
            )
            return .redirect(to: next)
        }
        return Self.loginForm(challenge: challenge, clientName: login.clientName, failed: false)
    }

    func signIn(_ request: Request, context: some RequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        guard let challenge = form["challenge"] else { return Self.page(status: .badRequest, "Missing challenge.") }
        if form["action"] == "cancel" {
            let next = try await admin.decide(
                "login", challenge: challenge, verdict: "reject",
                body: AdminClient.Rejection(errorDescription: "The user cancelled the sign-in.")
            )
            return .redirect(to: next)
        }
        guard let username = form["username"], let user = Self.users[username], user.password == form["password"] else {
            let login = try await admin.loginRequest(challenge)
            return Self.loginForm(challenge: challenge, clientName: login.clientName, failed: true)
        }
        let next = try await admin.decide(
            "login", challenge: challenge, verdict: "accept",
            body: AdminClient.LoginAcceptance(subject: user.subject, username: username, remember: form["remember"] == "on")
        )
        return .redirect(to: next)
    }

    func consent(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let challenge = request.uri.queryParameters.get("consent_challenge") else {
            return Self.page(status: .badRequest, "Missing consent_challenge.")
        }
        let consent = try await admin.consentRequest(challenge)
        let scopes = consent.requestedScope.map { "<li>\(Self.escaped($0))</li>" }.joined()
        return Self.page(
            status: .ok,
            """
            <h1>Allow \(Self.escaped(consent.clientName))?</h1>
            <p>It asks to act for you with:</p><ul>\(scopes)</ul>
            <form method="post" action="/consent">
            <input type="hidden" name="challenge" value="\(Self.escaped(challenge))">
            <button name="action" value="deny">Deny</button>
            <button name="action" value="allow" id="allow">Allow</button>
            </form>
            """
        )
    }

    func decideConsent(_ request: Request, context: some RequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        guard let challenge = form["challenge"] else { return Self.page(status: .badRequest, "Missing challenge.") }
        let next: String
        if form["action"] == "allow" {
            let consent = try await admin.consentRequest(challenge)
            next = try await admin.decide(
                "consent", challenge: challenge, verdict: "accept",
                body: AdminClient.ConsentAcceptance(grantScope: consent.requestedScope, remember: true)
            )
        } else {
            next = try await admin.decide(
                "consent", challenge: challenge, verdict: "reject",
                body: AdminClient.Rejection(errorDescription: "The user denied access.")
            )
        }
        return .redirect(to: next)
    }

    private static func loginForm(challenge: String, clientName: String, failed: Bool) -> Response {
        page(
            status: failed ? .unauthorized : .ok,
            """
            <h1>Sign in to continue to \(escaped(clientName))</h1>
            \(failed ? "<p role=\"alert\">Wrong username or password.</p>" : "")
            <form method="post" action="/login">
            <input type="hidden" name="challenge" value="\(escaped(challenge))">
            <label>Username <input name="username" id="username" autocomplete="username"></label>
            <label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label>
            <label><input type="checkbox" name="remember"> Keep me signed in</label>
            <button name="action" value="sign-in" id="sign-in">Sign in</button>
            <button name="action" value="cancel">Cancel</button>
            </form>
            """
        )
    }

    /// What every HTML page of an authorization flow carries: no framing (clickjacking). No
    /// `form-action`: browsers apply it to the redirect after the post too, and that goes to Gatehouse.
    private static let securityHeaders = [
        "X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    ]

    private static func page(status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        for (name, value) in securityHeaders {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        let html = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Example Provider</title><body>\(body)</body></html>"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func form(_ request: Request, context: some RequestContext) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 16 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    /// HTML-escapes per Unicode scalar, so that a combining mark cannot merge with a quote.
    private static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
