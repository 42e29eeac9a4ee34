import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// What a device flow row starts from: a bed with a public device client (the usual TV or CLI)
/// and a user, and the way to start a device authorization through the real endpoint.
struct DeviceScenario: Sendable {
    static let grantType = "urn:ietf:params:oauth:grant-type:device_code"

    let bed: TestBed
    let device: RegisteredClient
    let user: User

    static func make() async throws -> DeviceScenario {
        let bed = TestBed()
        let device = try await bed.registerClient(.public, grantTypes: [.deviceCode, .refreshToken], redirectURIs: [])
        return DeviceScenario(bed: bed, device: device, user: try await bed.createUser())
    }

    /// A fresh device authorization of the device client.
    func start(scope: String? = "read") async throws -> DeviceAuthorizationResponse {
        try await bed.deviceAuthorization(scope.map { ["scope": $0] } ?? [:], client: device)
    }

    /// The user finds the request by its code and allows or denies it.
    func decide(_ started: DeviceAuthorizationResponse, allow: Bool) async throws {
        guard case .found(let pending) = try await bed.deviceVerification().lookup(userCode: started.userCode, address: "192.0.2.7") else {
            throw DeviceScenarioError.notFound
        }
        let decided =
            allow
            ? try await bed.deviceVerification().approve(pending, subject: user.id)
            : try await bed.deviceVerification().deny(pending, subject: user.id)
        guard decided else { throw DeviceScenarioError.notDecided }
    }

    /// The device's token request, `client_id` in the body.
    func poll(_ deviceCode: String, as client: RegisteredClient? = nil) async throws -> TokenResponse {
        try await bed.token(["grant_type": Self.grantType, "device_code": deviceCode], client: client ?? device)
    }

    enum DeviceScenarioError: Error {
        case notFound
        case notDecided
    }
}

/// One error row of SPEC §11's device grant at the token endpoint: what happens before the poll,
/// and the status and code the poll must get.
struct DevicePollRow: Sendable, CustomTestStringConvertible {
    let spec: String
    let situation: String
    /// Prepares the scenario and returns the token request's parameters and caller.
    let request: @Sendable (DeviceScenario) async throws -> (parameters: [String: String], client: RegisteredClient)
    let status: HTTPResponse.Status
    let error: OAuthErrorCode

    var testDescription: String { "\(error.rawValue) \(status.code): \(situation)" }

    static func polling(_ deviceCode: String, _ scenario: DeviceScenario) -> (parameters: [String: String], client: RegisteredClient) {
        (["grant_type": DeviceScenario.grantType, "device_code": deviceCode], scenario.device)
    }

    static let all: [DevicePollRow] = [
        DevicePollRow(
            spec: "device.polling", situation: "the user has not decided yet",
            request: { polling(try await $0.start().deviceCode, $0) }, status: .badRequest, error: .authorizationPending),
        DevicePollRow(
            spec: "device.polling", situation: "a second poll sooner than the interval",
            request: { scenario in
                let started = try await scenario.start()
                _ = try? await scenario.poll(started.deviceCode)
                scenario.bed.clock.advance(by: TimeInterval(started.interval - 1))
                return polling(started.deviceCode, scenario)
            }, status: .badRequest, error: .slowDown),
        DevicePollRow(
            spec: "device.polling", situation: "the user denied the request",
            request: { scenario in
                let started = try await scenario.start()
                try await scenario.decide(started, allow: false)
                return polling(started.deviceCode, scenario)
            }, status: .badRequest, error: .accessDenied),
        DevicePollRow(
            spec: "device.polling", situation: "expires_in passed on the clock, undecided",
            request: { scenario in
                let started = try await scenario.start()
                scenario.bed.clock.advance(by: TimeInterval(started.expiresIn))
                return polling(started.deviceCode, scenario)
            }, status: .badRequest, error: .expiredToken),
        DevicePollRow(
            spec: "device.polling", situation: "expires_in passed on the clock after the user allowed",
            request: { scenario in
                let started = try await scenario.start()
                try await scenario.decide(started, allow: true)
                scenario.bed.clock.advance(by: TimeInterval(started.expiresIn))
                return polling(started.deviceCode, scenario)
            }, status: .badRequest, error: .expiredToken),
        DevicePollRow(
            spec: "device.polling", situation: "device_code missing",
            request: { (["grant_type": DeviceScenario.grantType], $0.device) }, status: .badRequest, error: .invalidRequest),
        DevicePollRow(
            spec: "device.polling", situation: "device_code unknown",
            request: { polling("gthd_unknown", $0) }, status: .badRequest, error: .invalidGrant),
        DevicePollRow(
            spec: "device.single-use", situation: "a device code redeemed before",
            request: { scenario in
                let started = try await scenario.start()
                try await scenario.decide(started, allow: true)
                _ = try await scenario.poll(started.deviceCode)
                return polling(started.deviceCode, scenario)
            }, status: .badRequest, error: .invalidGrant),
        DevicePollRow(
            spec: "device.single-use", situation: "a device code of another client",
            request: { scenario in
                let started = try await scenario.start()
                try await scenario.decide(started, allow: true)
                let other = try await scenario.bed.registerClient(.public, grantTypes: [.deviceCode], redirectURIs: [])
                return (["grant_type": DeviceScenario.grantType, "device_code": started.deviceCode], other)
            }, status: .badRequest, error: .invalidGrant),
        DevicePollRow(
            spec: "device.unauthorized_client", situation: "a client not registered for the device grant polls",
            request: { scenario in
                let started = try await scenario.start()
                let other = try await scenario.bed.registerClient(.confidential, grantTypes: [.authorizationCode])
                return (["grant_type": DeviceScenario.grantType, "device_code": started.deviceCode], other)
            }, status: .badRequest, error: .unauthorizedClient),
    ]
}

/// One error row of the device authorization endpoint (SPEC §11).
struct DeviceAuthorizationRow: Sendable, CustomTestStringConvertible {
    let spec: String
    let situation: String
    let request: @Sendable (DeviceScenario) async throws -> EndpointCall
    let status: HTTPResponse.Status
    let error: OAuthErrorCode
    var basicChallenge = false

    var testDescription: String { "\(error.rawValue) \(status.code): \(situation)" }

    static let all: [DeviceAuthorizationRow] = [
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "a confidential client not registered for the device grant",
            request: { scenario in
                .basic(try await scenario.bed.registerClient(.confidential, grantTypes: [.authorizationCode, .refreshToken]), "scope=read")
            }, status: .badRequest, error: .unauthorizedClient),
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "a public client not registered for the device grant",
            request: { scenario in .post(try await scenario.bed.registerClient(.public, grantTypes: [.authorizationCode]), "") },
            status: .badRequest, error: .unauthorizedClient),
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "an unknown client",
            request: { _ in EndpointCall(body: "client_id=nobody", authorization: nil) }, status: .unauthorized, error: .invalidClient),
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "a wrong secret via Basic",
            request: { scenario in
                let client = try await scenario.bed.registerClient(.confidential, grantTypes: [.deviceCode])
                return EndpointCall(body: "", authorization: RegisteredClient.basicAuthorization(id: client.id, secret: "wrong"))
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "a scope not allowed for the client",
            request: { .post($0.device, "scope=read+admin") }, status: .badRequest, error: .invalidScope),
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "a scope that resolves to nothing",
            request: { .post($0.device, "scope=%20") }, status: .badRequest, error: .invalidScope),
        DeviceAuthorizationRow(
            spec: "device.unauthorized_client", situation: "a resource the server does not know",
            request: { .post($0.device, "resource=https://elsewhere.example/") }, status: .badRequest, error: .invalidTarget),
    ]
}

@Suite("Device authorization grant (core, no socket)")
struct DeviceFlowTests {
    @Test("SPEC §11 device grant: every polling error row answers its status and code", arguments: DevicePollRow.all)
    func pollRow(_ row: DevicePollRow) async throws {
        let scenario = try await DeviceScenario.make()
        let (parameters, client) = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) { try await scenario.bed.token(parameters, client: client) }
        #expect(error?.code == row.error)
        #expect(error?.status == row.status)
        #expect(error?.headerFields[.wwwAuthenticate] == nil)
        #expect(error?.headerFields[.retryAfter] == nil)
    }

    @Test("SPEC §11 device authorization endpoint: every error row answers its status and code", arguments: DeviceAuthorizationRow.all)
    func authorizationRow(_ row: DeviceAuthorizationRow) async throws {
        let scenario = try await DeviceScenario.make()
        let call = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.bed.deviceAuthorizationEndpoint().handle(parameters: try call.parameters(), authorization: call.authorization)
        }
        #expect(error?.code == row.error)
        #expect(error?.status == row.status)
        #expect(error?.headerFields[.wwwAuthenticate] == (row.basicChallenge ? #"Basic realm="gatehouse", charset="UTF-8""# : nil))
    }

    @Test("the answer carries both codes, the verification URIs, expires_in and interval from the configuration", .spec("device.polling"))
    func authorizationResponse() async throws {
        let bed = TestBed(configuration: ServerConfiguration(issuer: TestBed.issuer, deviceCodeTTL: 900, devicePollInterval: 7))
        let device = try await bed.registerClient(.confidential, grantTypes: [.deviceCode])
        let started = try await bed.deviceAuthorization(["scope": "read write"], client: device)
        #expect(started.deviceCode.hasPrefix("gthd_"))
        #expect(started.userCode.wholeMatch(of: /[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}/) != nil)
        #expect(started.verificationURI == "\(TestBed.issuer)/device")
        #expect(started.verificationURIComplete == "\(TestBed.issuer)/device?user_code=\(started.userCode)")
        #expect(started.expiresIn == 900)
        #expect(started.interval == 7)
    }

    @Test("slow_down raises the interval by 5 s for every later poll; polling at the new interval is pending again", .spec("device.polling"))
    func slowDownRaisesInterval() async throws {
        let scenario = try await DeviceScenario.make()
        let started = try await scenario.start()
        let clock = scenario.bed.clock
        await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        clock.advance(by: 1)
        let first = await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        #expect(first?.code == .slowDown)
        // The interval is 10 s now: 5 s later is still too early.
        clock.advance(by: 5)
        let second = await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        #expect(second?.code == .slowDown)
        // And now 15 s: waiting that long is answered as pending.
        clock.advance(by: 15)
        let pending = await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        #expect(pending?.code == .authorizationPending)
        clock.advance(by: 15)
        let stillPending = await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        #expect(stillPending?.code == .authorizationPending)
    }

    @Test("after the user allows, the next poll gets the tokens once; a second redemption is invalid_grant", .spec("device.single-use"))
    func singleUse() async throws {
        let scenario = try await DeviceScenario.make()
        let started = try await scenario.start(scope: "read write")
        await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        try await scenario.decide(started, allow: true)
        scenario.bed.clock.advance(by: 5)
        let tokens = try await scenario.poll(started.deviceCode)
        #expect(tokens.scope == ["read", "write"])
        #expect(tokens.refreshToken != nil)
        let introspected = try await scenario.bed.introspectionEndpoint().lookup(token: tokens.accessToken)
        #expect(introspected.active)
        #expect(introspected.subject == scenario.user.id)
        scenario.bed.clock.advance(by: 5)
        let again = await #expect(throws: OAuthError.self) { try await scenario.poll(started.deviceCode) }
        #expect(again?.code == .invalidGrant)
        // The refresh token of the device grant rotates like any other.
        let refreshed = try await scenario.bed.token(
            ["grant_type": "refresh_token", "refresh_token": tokens.refreshToken ?? ""], client: scenario.device
        )
        #expect(refreshed.scope == ["read", "write"])
    }

    @Test("a client without refresh_token gets no refresh token", .spec("device.single-use"))
    func noRefreshToken() async throws {
        let bed = TestBed()
        let device = try await bed.registerClient(.confidential, grantTypes: [.deviceCode])
        let user = try await bed.createUser()
        let started = try await bed.deviceAuthorization([:], client: device)
        guard case .found(let pending) = try await bed.deviceVerification().lookup(userCode: started.userCode, address: nil) else {
            Issue.record("user code not found")
            return
        }
        #expect(pending.scope == device.client.scopes)
        #expect(try await bed.deviceVerification().approve(pending, subject: user.id))
        #expect(try await bed.deviceVerification().approve(pending, subject: user.id) == false)
        let tokens = try await bed.token(["grant_type": DeviceScenario.grantType, "device_code": started.deviceCode], client: device)
        #expect(tokens.refreshToken == nil)
    }

    /// How a user typed the code shown on the device.
    enum Typing: String, CaseIterable, Sendable {
        case lowerCase = "lower case"
        case withoutDash = "without the dash"
        case lowerCaseWithoutDash = "lower case without the dash"
        case spacesAround = "with spaces around"
        case oneShort = "one character short"
        case vowel = "a vowel in it"

        func apply(to code: String) -> String {
            switch self {
            case .lowerCase: code.lowercased()
            case .withoutDash: code.replacingOccurrences(of: "-", with: "")
            case .lowerCaseWithoutDash: code.replacingOccurrences(of: "-", with: "").lowercased()
            case .spacesAround: "  \(code) "
            case .oneShort: String(code.dropLast())
            case .vowel: "A" + code.dropFirst()
            }
        }

        var accepted: Bool { ![.oneShort, .vowel].contains(self) }
    }

    @Test("a user code is accepted in any case, with or without the dash; anything else is unknown", arguments: Typing.allCases)
    func userCodeNormalization(_ typing: Typing) async throws {
        let scenario = try await DeviceScenario.make()
        let started = try await scenario.start()
        let lookup = try await scenario.bed.deviceVerification().lookup(userCode: typing.apply(to: started.userCode), address: "192.0.2.1")
        if case .found(let pending) = lookup {
            #expect(typing.accepted)
            #expect(pending.displayedUserCode == started.userCode)
            #expect(pending.client.id == scenario.device.id)
        } else {
            #expect(!typing.accepted)
        }
        #expect(UserCode.normalize("bcdf-ghjk") == "BCDFGHJK")
        #expect(UserCode.normalize("BCDFGHJ") == nil)
    }

    @Test("wrong user codes are limited per address: past the limit 429 with Retry-After; other addresses go on; a right code does not count")
    func wrongCodesLimited() async throws {
        let bed = TestBed(configuration: ServerConfiguration(issuer: TestBed.issuer, signInFailureLimit: 3, rateLimitWindow: 60))
        let device = try await bed.registerClient(.public, grantTypes: [.deviceCode], redirectURIs: [])
        let started = try await bed.deviceAuthorization([:], client: device)
        let verification = bed.deviceVerification()
        #expect(try await verification.lookup(userCode: started.userCode, address: "192.0.2.1") != .unknown)
        for _ in 0..<3 {
            #expect(try await verification.lookup(userCode: "BBBB-BBBB", address: "192.0.2.1") == .unknown)
        }
        #expect(try await verification.lookup(userCode: started.userCode, address: "192.0.2.1") == .throttled(retryAfter: 60))
        if case .found = try await verification.lookup(userCode: started.userCode, address: "192.0.2.2") {
        } else {
            Issue.record("another address is limited too")
        }
        bed.clock.advance(by: 60)
        if case .found = try await verification.lookup(userCode: started.userCode, address: "192.0.2.1") {
        } else {
            Issue.record("the window did not slide")
        }
    }

    @Test("the metadata lists the device authorization endpoint and the device grant")
    func metadata() {
        let bed = TestBed()
        let grants = bed.tokenEndpoint().supportedGrantTypes
        #expect(grants.contains(.deviceCode))
        let metadata = ServerMetadata(configuration: bed.configuration, grantTypes: grants, scopes: [])
        #expect(metadata.deviceAuthorizationEndpoint == "\(TestBed.issuer)/oauth2/device_authorization")
        #expect(metadata.grantTypesSupported.contains("urn:ietf:params:oauth:grant-type:device_code"))
    }
}

/// The verification page's state machine without HTTP: what `/device` shows at each step.
@Suite("Device verification page (core, no socket)")
struct DeviceInteractionTests {
    /// A browser's cookies as the steps set them.
    struct Cookies {
        var session: String?
        var preLogin: String?

        mutating func apply(_ step: DeviceStep) {
            for change in step.cookies {
                let value = change.maxAge == 0 ? nil : change.value
                switch change.name {
                case .session: session = value
                case .preLogin, .browser: preLogin = value
                }
            }
        }

        func request(post: Bool, query: String = "") -> BrowserRequest {
            BrowserRequest(isPost: post, query: Array(query.utf8), sessionCookie: session, preLoginCookie: preLogin, address: "192.0.2.9")
        }
    }

    static func csrf(_ step: DeviceStep) -> String? {
        switch step.kind {
        case .codeForm(let form): form.csrfToken
        case .loginPage(let form, _): form.csrfToken
        case .consentPage(let form, _): form.csrfToken
        default: nil
        }
    }

    @Test("code, sign-in, consent, done: the device then gets its tokens", .spec("device.polling"))
    func fullFlow() async throws {
        let scenario = try await DeviceScenario.make()
        let started = try await scenario.start()
        let page = scenario.bed.deviceInteraction()
        var cookies = Cookies()

        let codeForm = try await page.handle(cookies.request(post: false)) { RequestParameters() }
        cookies.apply(codeForm)
        guard case .codeForm(let form) = codeForm.kind else { throw Failure("expected the code form, got \(codeForm.kind)") }
        #expect(form.message == nil)

        // A form without the CSRF token is refused without looking the code up.
        let forged = try await page.handle(cookies.request(post: true)) { RequestParameters(["user_code": started.userCode]) }
        guard case .errorPage(let error, forged: true) = forged.kind else { throw Failure("expected a refusal, got \(forged.kind)") }
        #expect(error.status == .forbidden)

        let login = try await page.handle(cookies.request(post: true)) {
            RequestParameters(["user_code": started.userCode.lowercased(), "csrf_token": Self.csrf(codeForm) ?? ""])
        }
        cookies.apply(login)
        guard case .loginPage(_, let shownCode) = login.kind else { throw Failure("expected the login page, got \(login.kind)") }
        #expect(shownCode == started.userCode)

        let consent = try await page.handle(cookies.request(post: true)) {
            RequestParameters([
                "user_code": started.userCode, "csrf_token": Self.csrf(login) ?? "", "username": scenario.user.username,
                "password": "correct horse",
            ])
        }
        cookies.apply(consent)
        guard case .consentPage(let consentForm, let consentCode) = consent.kind else { throw Failure("expected consent, got \(consent.kind)") }
        #expect(consentCode == started.userCode)
        #expect(consentForm.scope == ["read"])
        #expect(cookies.session != nil && cookies.preLogin == nil)

        let done = try await page.handle(cookies.request(post: true)) {
            RequestParameters(["user_code": started.userCode, "csrf_token": Self.csrf(consent) ?? "", "decision": "allow"])
        }
        guard case .done(approved: true) = done.kind else { throw Failure("expected done, got \(done.kind)") }
        let tokens = try await scenario.poll(started.deviceCode)
        #expect(tokens.scope == ["read"])

        // A signed-in browser coming with verification_uri_complete goes straight to consent.
        let next = try await scenario.start()
        let direct = try await page.handle(cookies.request(post: false, query: "user_code=\(next.userCode)")) { RequestParameters() }
        guard case .consentPage = direct.kind else { throw Failure("expected consent, got \(direct.kind)") }
    }

    @Test("a wrong code shows the form again with a message; past the limit it is throttled")
    func wrongCode() async throws {
        let bed = TestBed(configuration: ServerConfiguration(issuer: TestBed.issuer, signInFailureLimit: 1))
        var cookies = Cookies()
        let page = bed.deviceInteraction()
        let first = try await page.handle(cookies.request(post: false, query: "user_code=BBBB-BBBB")) { RequestParameters() }
        cookies.apply(first)
        guard case .codeForm(let form) = first.kind else { throw Failure("expected the code form, got \(first.kind)") }
        #expect(form.message == .unknownCode)
        #expect(form.userCode == "BBBB-BBBB")
        let second = try await page.handle(cookies.request(post: true)) {
            RequestParameters(["user_code": "CCCC-CCCC", "csrf_token": Self.csrf(first) ?? ""])
        }
        guard case .codeForm(let throttled) = second.kind, case .throttled(let retryAfter) = throttled.message else {
            throw Failure("expected the throttled form, got \(second.kind)")
        }
        #expect(retryAfter == bed.configuration.rateLimitWindow)
    }

    @Test("with login_url and consent_url the provider's app decides through challenges; the device gets tokens for its subject")
    func delegated() async throws {
        let bed = TestBed(
            configuration: ServerConfiguration(issuer: TestBed.issuer, loginURL: "https://login.example/", consentURL: "https://consent.example/")
        )
        let device = try await bed.registerClient(.public, grantTypes: [.deviceCode], redirectURIs: [])
        let started = try await bed.deviceAuthorization(["scope": "read write"], client: device)
        let page = bed.deviceInteraction()
        let admin = bed.authorizationInteraction().withDeviceFlow(bed.deviceVerification())
        var browser: String?
        func visit(_ query: String) async throws -> DeviceStep {
            let step = try await page.handle(
                BrowserRequest(isPost: false, query: Array(query.utf8), browserCookie: browser, address: "192.0.2.4")
            ) { RequestParameters() }
            for change in step.cookies where change.name == .browser { browser = change.value }
            return step
        }
        func location(_ step: DeviceStep) throws -> URLComponents {
            guard case .redirect(let target) = step.kind, let parts = URLComponents(string: target) else {
                throw Failure("expected a redirect, got \(step.kind)")
            }
            return parts
        }
        func query(of redirectTo: String) throws -> String {
            let prefix = "\(TestBed.issuer)/device?"
            guard redirectTo.hasPrefix(prefix) else { throw Failure("redirect_to outside /device: \(redirectTo)") }
            return String(redirectTo.dropFirst(prefix.count))
        }

        let toLogin = try location(try await visit("user_code=\(started.userCode)"))
        #expect(toLogin.host == "login.example")
        let login = try #require(toLogin.queryItems?.first { $0.name == "login_challenge" }?.value)
        let loginRequest = try await admin.loginRequest(challenge: login)
        #expect(loginRequest.clientID == device.id)
        #expect(loginRequest.requestedScope == ["read", "write"])
        let afterLogin = try await admin.acceptLogin(challenge: login, subject: "user-7", username: nil, remember: false)

        let toConsent = try location(try await visit(try query(of: afterLogin)))
        #expect(toConsent.host == "consent.example")
        let consent = try #require(toConsent.queryItems?.first { $0.name == "consent_challenge" }?.value)
        #expect(try await admin.consentRequest(challenge: consent).subject == "user-7")
        let afterConsent = try await admin.acceptConsent(challenge: consent, grantScope: ["read"], remember: false)

        let done = try await visit(try query(of: afterConsent))
        guard case .done(approved: true) = done.kind else { throw Failure("expected done, got \(done.kind)") }
        let tokens = try await bed.token(["grant_type": DeviceScenario.grantType, "device_code": started.deviceCode], client: device)
        #expect(tokens.scope == ["read"])
        #expect(try await bed.introspectionEndpoint().lookup(token: tokens.accessToken).subject == "user-7")
    }

    @Test("a delegated rejection denies the device request")
    func delegatedRejection() async throws {
        let bed = TestBed(configuration: ServerConfiguration(issuer: TestBed.issuer, loginURL: "https://login.example/"))
        let device = try await bed.registerClient(.public, grantTypes: [.deviceCode], redirectURIs: [])
        let started = try await bed.deviceAuthorization([:], client: device)
        let page = bed.deviceInteraction()
        let first = try await page.handle(
            BrowserRequest(isPost: false, query: Array("user_code=\(started.userCode)".utf8), address: "192.0.2.5")
        ) { RequestParameters() }
        let browser = first.cookies.first { $0.name == .browser }?.value
        guard case .redirect(let target) = first.kind,
            let login = URLComponents(string: target)?.queryItems?.first(where: { $0.name == "login_challenge" })?.value
        else { throw Failure("expected the login redirect, got \(first.kind)") }
        let admin = bed.authorizationInteraction().withDeviceFlow(bed.deviceVerification())
        let back = try await admin.reject(challenge: login, kind: .login, error: nil, description: nil)
        let query = String(back.dropFirst("\(TestBed.issuer)/device?".count))
        let done = try await page.handle(BrowserRequest(isPost: false, query: Array(query.utf8), browserCookie: browser, address: "192.0.2.5")) {
            RequestParameters()
        }
        guard case .done(approved: false) = done.kind else { throw Failure("expected done, got \(done.kind)") }
        let denied = await #expect(throws: OAuthError.self) {
            try await bed.token(["grant_type": DeviceScenario.grantType, "device_code": started.deviceCode], client: device)
        }
        #expect(denied?.code == .accessDenied)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
