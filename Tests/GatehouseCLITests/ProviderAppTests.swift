import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A browser that keeps cookies per host and follows no redirect by itself, so that each hop
/// between Gatehouse, the provider app and the client can be checked.
struct CookieBrowser {
    private var jar: [String: [String: String]] = [:]
    private let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    func shutdown() async throws { try await client.shutdown() }

    mutating func send(_ method: String, _ url: String, form: [String: String]? = nil) async throws -> HTTP.Response {
        let host = URL(string: url)?.host ?? ""
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let cookies = jar[host], !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        for value in response.headers["Set-Cookie"] {
            let pair = value.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let cookie = String(pair[pair.index(after: equals)...])
            jar[host, default: [:]][name] = cookie.isEmpty || value.contains("Max-Age=0") ? nil : cookie
        }
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name] = header.value }
        return HTTP.Response(status: Int(response.status.code), headers: fields, body: Data(bytes.readableBytesView))
    }
}

@Suite("The example provider app answers Gatehouse's login and consent challenges")
struct ProviderAppTests {
    @Test("a user of the provider signs in and consents there; the tokens carry the provider's subject")
    func delegatedFlow() async throws {
        let directory = try CLI.makeDirectory()
        func created(_ arguments: [String]) async throws -> (id: String, secret: String) {
            let result = try await CLI.launch(["clients", "create", "--json"] + arguments, in: directory)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
            return (try #require(json["client_id"] as? String), try #require(json["client_secret"] as? String))
        }
        let admin = try await created(["--name", "provider-app", "--admin"])
        let web = try await created(["--name", "Example Web", "--redirect-uri", "http://127.0.0.1:9000/cb", "--scope", "profile"])
        let providerPort = try freePort()
        let provider = "http://127.0.0.1:\(providerPort)"
        let gatehouse = try ServeProcess(
            environment: ["GATEHOUSE_LOGIN_URL": "\(provider)/login", "GATEHOUSE_CONSENT_URL": "\(provider)/consent"], in: directory
        )
        try await gatehouse.waitUntilReady()
        let app = try ExampleProcess(
            "gatehouse-example-provider",
            port: providerPort, arguments: ["--issuer", gatehouse.baseURL, "--client-id", admin.id, "--client-secret", admin.secret]
        )
        try await app.waitUntilReady()

        var browser = CookieBrowser()
        let verifier = String(repeating: "v", count: 43)
        let challenge = PKCE.challenge(for: verifier)
        let authorize =
            "\(gatehouse.baseURL)/oauth2/authorize?response_type=code&client_id=\(web.id)"
            + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9000%2Fcb&scope=profile&state=s1&code_challenge=\(challenge)&code_challenge_method=S256"
        do {
            let toLogin = try await browser.send("GET", authorize)
            #expect(toLogin.status == 302)
            let loginPage = try #require(toLogin.header("Location"))
            #expect(loginPage.hasPrefix("\(provider)/login?login_challenge="))
            let form = try await browser.send("GET", loginPage)
            #expect(form.status == 200)
            let html = String(decoding: form.body, as: UTF8.self)
            #expect(html.contains("Example Web"))
            let loginChallenge = try #require(URLComponents(string: loginPage)?.queryItems?.first?.value)

            let signedIn = try await browser.send(
                "POST", "\(provider)/login",
                form: ["challenge": loginChallenge, "username": "alice", "password": "wonderland", "action": "sign-in"]
            )
            let backToGatehouse = try #require(signedIn.header("Location"))
            #expect(backToGatehouse.hasPrefix("\(gatehouse.baseURL)/oauth2/authorize?"))
            let toConsent = try #require(try await browser.send("GET", backToGatehouse).header("Location"))
            #expect(toConsent.hasPrefix("\(provider)/consent?consent_challenge="))
            #expect(try await browser.send("GET", toConsent).status == 200)
            let consentChallenge = try #require(URLComponents(string: toConsent)?.queryItems?.first?.value)
            let allowed = try await browser.send("POST", "\(provider)/consent", form: ["challenge": consentChallenge, "action": "allow"])
            let finish = try #require(allowed.header("Location"))
            let callback = try #require(try await browser.send("GET", finish).header("Location"))
            #expect(callback.hasPrefix("http://127.0.0.1:9000/cb?code="))
            let code = try #require(URLComponents(string: callback)?.queryItems?.first { $0.name == "code" }?.value)

            let tokens = try await HTTP.send(
                "POST", "\(gatehouse.baseURL)/oauth2/token",
                headers: ["Authorization": HTTP.basic(web.id, web.secret), "Content-Type": "application/x-www-form-urlencoded"],
                body: "grant_type=authorization_code&code=\(code)&redirect_uri=http%3A%2F%2F127.0.0.1%3A9000%2Fcb&code_verifier=\(verifier)"
            )
            let accessToken = try #require(tokens.json["access_token"] as? String, "\(tokens.status)")
            let introspection = try await HTTP.send(
                "POST", "\(gatehouse.baseURL)/oauth2/introspect",
                headers: ["Authorization": HTTP.basic(web.id, web.secret), "Content-Type": "application/x-www-form-urlencoded"],
                body: "token=\(accessToken)"
            )
            #expect(introspection.json["sub"] as? String == "provider-user-1001")
            #expect(introspection.json["username"] as? String == "alice")
        } catch {
            try await browser.shutdown()
            throw error
        }
        try await browser.shutdown()
    }
}
