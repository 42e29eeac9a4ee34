import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// A browser as the state machine sees it: the cookies its steps set, sent back on every request.
struct SimulatedBrowser {
    let interaction: AuthorizationInteraction
    var cookies: [AuthorizationStep.CookieChange.Name: String] = [:]

    mutating func get(_ query: String) async -> AuthorizationStep {
        await send(BrowserRequest(isPost: false, query: Array(query.utf8)), form: [:])
    }

    mutating func post(_ query: String, form: [String: String]) async -> AuthorizationStep {
        await send(BrowserRequest(isPost: true, query: Array(query.utf8)), form: form)
    }

    private mutating func send(_ base: BrowserRequest, form: [String: String]) async -> AuthorizationStep {
        var request = base
        request.sessionCookie = cookies[.session]
        request.preLoginCookie = cookies[.preLogin]
        request.browserCookie = cookies[.browser]
        request.address = "192.0.2.7"
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let step = await interaction.handle(request) { try RequestParameters(formEncoded: Array(body.utf8)) }
        for change in step.cookies {
            cookies[change.name] = change.maxAge == 0 ? nil : change.value
        }
        return step
    }

    /// Follows a `redirect_to` of the provider's app back to the endpoint.
    mutating func follow(_ redirectTo: String) async throws -> AuthorizationStep {
        let query = try #require(redirectTo.split(separator: "?", maxSplits: 1).last)
        return await get(String(query))
    }
}

extension AuthorizationStep {
    var location: String? {
        if case .redirect(let location) = kind { return location }
        return nil
    }

    var csrfToken: String? {
        switch kind {
        case .loginPage(let form): form.csrfToken
        case .consentPage(let form): form.csrfToken
        default: nil
        }
    }

    func parameter(_ name: String) -> String? {
        location.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == name }?.value }
    }
}

@Suite("Authorization interaction: the browser's steps without a socket")
struct AuthorizationInteractionTests {
    static let loginURL = "https://provider.example/login"
    static let consentURL = "https://provider.example/consent"

    static func delegatingBed(consent: Bool = true) -> TestBed {
        var configuration = ServerConfiguration(issuer: TestBed.issuer)
        configuration.loginURL = loginURL
        configuration.consentURL = consent ? consentURL : nil
        return TestBed(configuration: configuration)
    }

    @Test("built-in pages: login form, consent form after sign-in, a code after allow")
    func builtInFlow() async throws {
        let bed = TestBed()
        let client = try await bed.registerClient()
        let user = try await bed.createUser()
        var browser = SimulatedBrowser(interaction: bed.authorizationInteraction())
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)

        let login = await browser.get(query)
        guard case .loginPage(let form) = login.kind else { Issue.record("expected the login page, got \(login.kind)"); return }
        #expect(form.clientName == client.client.name)
        #expect(browser.cookies[.preLogin] != nil)
        #expect(browser.cookies[.session] == nil)

        let consent = await browser.post(query, form: ["username": user.username, "password": "correct horse", "csrf_token": form.csrfToken])
        guard case .consentPage(let consentForm) = consent.kind else { Issue.record("expected consent, got \(consent.kind)"); return }
        #expect(consentForm.username == user.username)
        #expect(consentForm.scope == ["read"])
        #expect(browser.cookies[.session] != nil)
        #expect(browser.cookies[.preLogin] == nil)

        let done = await browser.post(query, form: ["decision": "allow", "csrf_token": consentForm.csrfToken])
        #expect(done.parameter("code") != nil)
        #expect(done.parameter("state") == "st-123")
    }

    @Test("a form post without its CSRF token is refused; a wrong password shows the form again")
    func refusals() async throws {
        let bed = TestBed()
        let client = try await bed.registerClient()
        let user = try await bed.createUser()
        var browser = SimulatedBrowser(interaction: bed.authorizationInteraction())
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)
        let login = await browser.get(query)
        let forged = await browser.post(query, form: ["username": user.username, "password": "correct horse", "csrf_token": "guess"])
        guard case .forgedForm(let error) = forged.kind else { Issue.record("expected a refusal, got \(forged.kind)"); return }
        #expect(error.status == .forbidden)
        let wrong = await browser.post(query, form: ["username": user.username, "password": "wrong", "csrf_token": login.csrfToken ?? ""])
        guard case .loginPage(let form) = wrong.kind else { Issue.record("expected the login page, got \(wrong.kind)"); return }
        #expect(form.message == .wrongCredentials)
        #expect(form.username == user.username)
    }

    @Test("sign-ins past the limit are throttled before the password is checked")
    func throttled() async throws {
        var configuration = ServerConfiguration(issuer: TestBed.issuer)
        configuration.signInFailureLimit = 1
        let bed = TestBed(configuration: configuration)
        let client = try await bed.registerClient()
        let user = try await bed.createUser()
        var browser = SimulatedBrowser(interaction: bed.authorizationInteraction())
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)
        let csrf = await browser.get(query).csrfToken ?? ""
        _ = await browser.post(query, form: ["username": user.username, "password": "wrong", "csrf_token": csrf])
        let refused = await browser.post(query, form: ["username": user.username, "password": "correct horse", "csrf_token": csrf])
        guard case .loginPage(let form) = refused.kind, case .throttled(let retryAfter) = form.message else {
            Issue.record("expected a throttled login page, got \(refused.kind)")
            return
        }
        #expect(retryAfter > 0)
    }

    @Test("delegated login and consent: challenges, decisions and a code for the provider's subject")
    func delegatedFlow() async throws {
        let bed = Self.delegatingBed()
        let client = try await bed.registerClient(scopes: ["read", "write"])
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(decoding: AuthorizationQuery(clientID: client.id, scope: "read write").bytes, as: UTF8.self)

        let toLogin = await browser.get(query)
        #expect(toLogin.location?.hasPrefix(Self.loginURL + "?login_challenge=gthi_") == true)
        #expect(browser.cookies[.browser] != nil)
        let loginChallenge = try #require(toLogin.parameter("login_challenge"))
        let login = try await interaction.loginRequest(challenge: loginChallenge)
        #expect(login.clientID == client.id && login.requestedScope == ["read", "write"] && !login.skip && login.subject == nil)

        let afterLogin = try await interaction.acceptLogin(challenge: loginChallenge, subject: "ext-1", username: "pat", remember: true)
        #expect(afterLogin.hasPrefix(TestBed.issuer + "/oauth2/authorize?"))
        let toConsent = try await browser.follow(afterLogin)
        #expect(toConsent.location?.hasPrefix(Self.consentURL + "?consent_challenge=") == true)
        #expect(browser.cookies[.session] != nil)
        let consentChallenge = try #require(toConsent.parameter("consent_challenge"))
        let consent = try await interaction.consentRequest(challenge: consentChallenge)
        #expect(consent.subject == "ext-1" && consent.previouslyGrantedScope.isEmpty)

        let afterConsent = try await interaction.acceptConsent(challenge: consentChallenge, grantScope: ["read"], remember: true)
        let done = try await browser.follow(afterConsent)
        let code = try #require(done.parameter("code"))
        let record = try #require(try await bed.store.authorizationCode(hash: SecretHasher.hash(code)))
        #expect(record.userID == "ext-1")
        #expect(record.scope == ["read"])
        let grant = try #require(try await bed.store.grant(id: record.grantID))
        #expect(grant.delegation == Grant.Delegation(username: "pat"))
        #expect(try await bed.store.consentedScope(clientID: client.id, userID: "ext-1") == ["read"])

        // The remembered session makes the next login request one the app may skip.
        let next = try #require(await browser.get(query).parameter("login_challenge"))
        let skipping = try await interaction.loginRequest(challenge: next)
        #expect(skipping.skip && skipping.subject == "ext-1")
    }

    @Test("the built-in login followed by the provider's consent: the subject stays the built-in user")
    func builtInLoginDelegatedConsent() async throws {
        var configuration = ServerConfiguration(issuer: TestBed.issuer)
        configuration.consentURL = Self.consentURL
        let bed = TestBed(configuration: configuration)
        let client = try await bed.registerClient()
        let user = try await bed.createUser()
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)
        let csrf = try #require(await browser.get(query).csrfToken)
        let toConsent = await browser.post(query, form: ["username": user.username, "password": "correct horse", "csrf_token": csrf])
        let challenge = try #require(toConsent.parameter("consent_challenge"))
        #expect(toConsent.location?.hasPrefix(Self.consentURL + "?") == true)
        #expect(try await interaction.consentRequest(challenge: challenge).subject == user.id)
        let done = try await browser.follow(try await interaction.acceptConsent(challenge: challenge, grantScope: ["read"], remember: false))
        let code = try #require(done.parameter("code"))
        let record = try #require(try await bed.store.authorizationCode(hash: SecretHasher.hash(code)))
        #expect(record.userID == user.id)
        #expect(try await bed.store.grant(id: record.grantID)?.delegation == nil)
        #expect(try await bed.store.consentedScope(clientID: client.id, userID: user.id).isEmpty)
    }

    @Test("a challenge is decided once and expires after 10 minutes", .spec("delegation.challenge-lifetime"))
    func singleUseAndExpiry() async throws {
        let bed = Self.delegatingBed()
        let client = try await bed.registerClient()
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)
        let first = try #require(await browser.get(query).parameter("login_challenge"))
        _ = try await interaction.rejectLogin(first)
        let read = await #expect(throws: OAuthError.self) { _ = try await interaction.loginRequest(challenge: first) }
        #expect(read?.code == .notFound && read?.status == .notFound)
        let decided = await #expect(throws: OAuthError.self) {
            _ = try await interaction.acceptLogin(challenge: first, subject: "s", username: nil, remember: false)
        }
        #expect(decided?.code == .notFound && decided?.status == .notFound)

        let second = try #require(await browser.get(query).parameter("login_challenge"))
        bed.clock.advance(by: AuthorizationInteraction.challengeLifetime)
        do {
            _ = try await interaction.loginRequest(challenge: second)
            Issue.record("an expired challenge was answered")
        } catch let error as OAuthError {
            #expect(error.code == .notFound)
        }
    }

    @Test("redirect_to completes once, in the browser that started the request")
    func boundToBrowser() async throws {
        let bed = Self.delegatingBed()
        let client = try await bed.registerClient(skipConsent: true)
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)
        let challenge = try #require(await browser.get(query).parameter("login_challenge"))
        let redirectTo = try await interaction.acceptLogin(challenge: challenge, subject: "s-9", username: nil, remember: false)

        var other = SimulatedBrowser(interaction: interaction)
        let stolen = try await other.follow(redirectTo)
        guard case .errorPage(let error) = stolen.kind else { Issue.record("expected an error page, got \(stolen.kind)"); return }
        #expect(error.code == .invalidRequest)
        #expect(try await browser.follow(redirectTo).parameter("code") != nil)
        guard case .errorPage = try await browser.follow(redirectTo).kind else { Issue.record("a verifier completed twice"); return }
    }

    @Test("a rejection ends at the client with the app's error")
    func rejection() async throws {
        let bed = Self.delegatingBed()
        let client = try await bed.registerClient()
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(decoding: AuthorizationQuery(clientID: client.id).bytes, as: UTF8.self)
        let challenge = try #require(await browser.get(query).parameter("login_challenge"))
        await #expect(throws: OAuthError.self) {
            _ = try await interaction.reject(challenge: challenge, kind: .login, error: "made_up", description: nil)
        }
        let redirectTo = try await interaction.reject(challenge: challenge, kind: .login, error: "login_required", description: nil)
        let done = try await browser.follow(redirectTo)
        #expect(done.location?.hasPrefix("https://app.example/cb?") == true)
        #expect(done.parameter("error") == "login_required")
        #expect(done.parameter("state") == "st-123")
        #expect(done.parameter("code") == nil)
    }

    @Test("grant_scope must be a non-empty subset of the requested scope")
    func grantScope() async throws {
        let bed = Self.delegatingBed()
        let client = try await bed.registerClient(scopes: ["read", "write"])
        let interaction = bed.authorizationInteraction()
        var browser = SimulatedBrowser(interaction: interaction)
        let query = String(decoding: AuthorizationQuery(clientID: client.id, scope: "read").bytes, as: UTF8.self)
        let login = try #require(await browser.get(query).parameter("login_challenge"))
        let consentStep = try await browser.follow(try await interaction.acceptLogin(challenge: login, subject: "s", username: nil, remember: false))
        let consent = try #require(consentStep.parameter("consent_challenge"))
        for scope in [["write"], ["read", "write"], []] {
            await #expect(throws: OAuthError.self) { _ = try await interaction.acceptConsent(challenge: consent, grantScope: scope, remember: false) }
        }
        _ = try await interaction.acceptConsent(challenge: consent, grantScope: ["read"], remember: false)
    }
}

extension AuthorizationInteraction {
    func rejectLogin(_ challenge: String) async throws -> String {
        try await reject(challenge: challenge, kind: .login, error: nil, description: nil)
    }
}
