public import Foundation

/// The browser's side of the authorization code flow as a state machine: sign-in (built-in or
/// delegated to `login_url`), consent (built-in or delegated to `consent_url`), then a code or an
/// error for the client. It decides the next ``AuthorizationStep``; the HTTP layer only renders it,
/// which is what lets the same flow run with built-in or delegated pages (node-oidc-provider's
/// interactions, Hydra's login and consent challenges).
///
/// The built-in forms post back to the same URL, query string included, so the authorization
/// request is validated afresh on every step. Before sign-in nothing is stored for the built-in
/// page: the login form's CSRF token lives in a signed, short-lived cookie (``PreLoginState``). The
/// server-side session starts at a successful sign-in.
///
/// A delegated step stores a challenge (``InteractionChallenge``), bound by a cookie to the browser
/// that started it, and sends the browser to the provider's app with it; the app decides through
/// the admin API (``loginRequest(challenge:)`` and the other calls in
/// `AuthorizationInteraction+Delegation.swift`), and the browser comes back here with the verifier
/// of that decision, which completes once and only in the same browser.
public struct AuthorizationInteraction: Sendable {
    /// How long a built-in or remembered sign-in lasts.
    public static let sessionLifetime: TimeInterval = 8 * 3600
    /// SPEC §10: a challenge expires after 10 minutes.
    public static let challengeLifetime: TimeInterval = 600
    /// A login cookie with less time left than this is replaced when the page is shown again.
    static let preLoginRenewal: TimeInterval = 300

    let endpoint: AuthorizationEndpoint
    let configuration: ServerConfiguration
    let sessions: any SessionStore
    let users: any UserStore
    let consents: any ConsentStore
    let challenges: any InteractionChallengeStore
    let signInLimiter: SignInLimiter
    let passwords: any PasswordVerifier
    let preLogin: PreLoginState
    let events: any SecurityEventSink
    let now: @Sendable () -> Date
    private let generator = SecretGenerator()
    /// The device flow's pending requests, whose delegated login and consent challenges the admin
    /// API answers too (``withDeviceFlow(_:)``); `nil`: none.
    var devices: DeviceVerification?

    public init(
        endpoint: AuthorizationEndpoint,
        configuration: ServerConfiguration,
        sessions: any SessionStore,
        users: any UserStore,
        consents: any ConsentStore,
        challenges: any InteractionChallengeStore,
        signInLimiter: SignInLimiter,
        passwords: any PasswordVerifier,
        preLogin: PreLoginState,
        events: any SecurityEventSink,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.sessions = sessions
        self.users = users
        self.consents = consents
        self.challenges = challenges
        self.signInLimiter = signInLimiter
        self.passwords = passwords
        self.preLogin = preLogin
        self.events = events
        self.now = now
    }

    /// Who the authorization is for.
    struct Subject {
        var id: String
        var username: String?
        /// Set when the provider's login app named the subject.
        var delegation: Grant.Delegation?

        var displayName: String { username ?? id }
    }

    /// One request's flow: the validated request, the query it came from (the stored one when the
    /// browser comes back from the provider's app) and the browser.
    struct Flow {
        var authorization: AuthorizationRequest
        var query: String
        var browser: BrowserRequest
        var date: Date
    }

    /// Decides the next step for one request to the authorization endpoint.
    ///
    /// - Parameter readForm: reads the form of a POST; called only after the request is valid.
    public func handle(_ browser: BrowserRequest, readForm: () async throws -> RequestParameters) async -> AuthorizationStep {
        if !browser.isPost, let (kind, verifier) = Self.verifier(in: browser.query) {
            return await resume(kind: kind, verifier: verifier, browser: browser)
        }
        return await validated(query: browser.query) { authorization in
            let flow = Flow(authorization: authorization, query: String(decoding: browser.query, as: UTF8.self), browser: browser, date: now())
            return try await proceed(flow, readForm: readForm)
        }
    }

    /// Validates the request, then runs `body`; a failure after the redirect URI is trusted goes
    /// back to the client (RFC 6749 §4.1.2.1), one before it is an error page.
    private func validated(
        query: [UInt8], _ body: (AuthorizationRequest) async throws -> AuthorizationStep
    ) async -> AuthorizationStep {
        let authorization: AuthorizationRequest
        do {
            authorization = try await endpoint.validate(query: query)
        } catch AuthorizationFailure.page(let error) {
            return AuthorizationStep(.errorPage(error), refusal: error)
        } catch AuthorizationFailure.redirect(let error, let location) {
            return AuthorizationStep(.redirect(location), refusal: error)
        } catch {
            return AuthorizationStep(.errorPage(.serverError("validation failed")), fault: String(reflecting: error))
        }
        do {
            var step = try await body(authorization)
            step.uiLocales = authorization.uiLocales
            return step
        } catch let error as OAuthError {
            let location = endpoint.errorLocation(error, redirectURI: authorization.redirectURI, state: authorization.state)
            return AuthorizationStep(.redirect(location), uiLocales: authorization.uiLocales, refusal: error)
        } catch {
            let failure = OAuthError.serverError("unexpected failure")
            let location = endpoint.errorLocation(failure, redirectURI: authorization.redirectURI, state: authorization.state)
            return AuthorizationStep(.redirect(location), uiLocales: authorization.uiLocales, fault: String(reflecting: error))
        }
    }

    private func proceed(_ flow: Flow, readForm: () async throws -> RequestParameters) async throws -> AuthorizationStep {
        let session = try await currentSession(flow.browser, at: flow.date)
        guard flow.browser.isPost else {
            // OpenID Connect Core §3.1.2.1: `prompt=login` and a sign-in older than `max_age` ask
            // for a fresh one; `prompt=none` never shows a page.
            let openID = flow.authorization.openID
            let usable = session.flatMap { $0.remembered && (openID?.accepts(signInAt: $0.createdAt, at: flow.date) ?? true) ? $0 : nil }
            if openID?.prompt.contains(.none) == true {
                guard let usable, let subject = try await subject(of: usable) else {
                    throw OAuthError(.loginRequired, hint: "prompt=none without a usable session")
                }
                return try await consentStep(flow, subject: subject, session: usable)
            }
            if configuration.loginURL != nil {
                return try await delegateLogin(flow, session: usable)
            }
            if let usable, let subject = try await subject(of: usable) {
                return try await consentStep(flow, subject: subject, session: usable)
            }
            return try await loginPage(flow)
        }

        // A POST must come from our own form: the token of the login cookie or of the signed-in
        // session, compared in constant time.
        let form = try await readForm()
        let preLoginState = try await currentPreLoginState(flow.browser, at: flow.date)
        let expected = [preLoginState?.csrfToken, session?.csrfToken].compactMap { $0 }
        guard let token = form["csrf_token"],
            expected.contains(where: { SecretHasher.constantTimeEquals(Array(token.utf8), Array($0.utf8)) })
        else {
            return AuthorizationStep(.forgedForm(OAuthError(.invalidRequest, exception: .forgedForm, hint: "missing or wrong csrf_token")))
        }
        if let username = form["username"] {
            // With login_url the built-in login page is not used (SPEC §10).
            if configuration.loginURL != nil { return try await delegateLogin(flow, session: session) }
            return try await signIn(flow, username: username, password: form["password"] ?? "", csrfToken: token, replacing: session)
        }
        guard let session, let subject = try await subject(of: session) else {
            if configuration.loginURL != nil { return try await delegateLogin(flow, session: nil) }
            return try await loginPage(flow)
        }
        let client = flow.authorization.client
        switch form["decision"] {
        case "allow":
            try await endpoint.recordConsent(flow.authorization, userID: subject.id)
            events.record(SecurityEvent(.consentGranted, time: flow.date, clientID: client.id, subject: subject.id, address: flow.browser.address))
            let location = try await endpoint.issueCode(
                flow.authorization, userID: subject.id, delegation: subject.delegation, signIn: Self.signIn(of: session, at: flow.date)
            )
            return AuthorizationStep(.redirect(location))
        case "deny":
            events.record(
                SecurityEvent(.consentDenied, outcome: .failure, time: flow.date, clientID: client.id, subject: subject.id, address: flow.browser.address)
            )
            throw OAuthError(.accessDenied, hint: "the user denied the request")
        default:
            return try await consentStep(flow, subject: subject, session: session)
        }
    }

    /// The login form's POST under the sign-in limits of SPEC §9: the attempt is counted before the
    /// password is looked at, and a refused one never reaches it.
    private func signIn(
        _ flow: Flow, username: String, password: String, csrfToken: String, replacing previous: Session?
    ) async throws -> AuthorizationStep {
        let client = flow.authorization.client
        let address = flow.browser.address
        func form(_ message: AuthorizationStep.LoginMessage) -> AuthorizationStep.LoginForm {
            .init(clientName: client.name, csrfToken: csrfToken, username: username, message: message)
        }
        switch try await signInLimiter.begin(username: username, address: address ?? "unknown", at: flow.date) {
        case .refused(let retryAfter, let limit):
            events.record(SecurityEvent(.rateLimited, outcome: .failure, time: flow.date, clientID: client.id, address: address, reason: limit))
            return AuthorizationStep(.loginPage(form(.throttled(retryAfter: retryAfter))))
        case .proceed(let attempt):
            guard let user = try await passwords.verify(username: username, password: password) else {
                // SPEC §9: the username of a failed sign-in is never logged.
                events.record(SecurityEvent(.signInFailed, outcome: .failure, time: flow.date, clientID: client.id, address: address))
                return AuthorizationStep(.loginPage(form(.wrongCredentials)))
            }
            try await signInLimiter.succeeded(attempt)
            events.record(SecurityEvent(.signInSucceeded, time: flow.date, clientID: client.id, subject: user.id, address: address))
            // A new session id at sign-in, so a session id planted before it is worth nothing.
            if let previous { try await sessions.deleteSession(idHash: previous.idHash) }
            let subject = Subject(id: user.id, username: user.username)
            let fresh = try await newSession(for: subject, remembered: true, at: flow.date)
            var step = try await consentStep(flow, subject: subject, session: fresh.session)
            step.cookies += [fresh.cookie, .init(name: .preLogin, value: "", maxAge: 0)]
            return step
        }
    }

    /// Issues the code at once when no consent is needed; otherwise asks, on the built-in page or
    /// through `consent_url`. The built-in page needs a session for its CSRF token: a delegated
    /// login that was not to be remembered gets one for the rest of this flow only.
    private func consentStep(_ flow: Flow, subject: Subject, session: Session?) async throws -> AuthorizationStep {
        let authorization = flow.authorization
        let prompt = authorization.openID?.prompt ?? []
        // OpenID Connect Core §3.1.2.1: `prompt=consent` asks even when a consent is remembered.
        let mustAsk = try await prompt.contains(.consent) ? true : endpoint.needsConsent(authorization, userID: subject.id)
        guard mustAsk else {
            let location = try await endpoint.issueCode(
                authorization, userID: subject.id, delegation: subject.delegation, signIn: Self.signIn(of: session, at: flow.date)
            )
            return AuthorizationStep(.redirect(location))
        }
        if prompt.contains(.none) {
            throw OAuthError(.consentRequired, hint: "prompt=none but consent is needed")
        }
        if let consentURL = configuration.consentURL {
            return try await delegate(.consent, to: consentURL, flow: flow, subject: subject.id, delegation: subject.delegation)
        }
        var cookies: [AuthorizationStep.CookieChange] = []
        let current: Session
        if let session {
            current = session
        } else {
            let transient = try await newSession(for: subject, remembered: false, at: flow.date)
            current = transient.session
            cookies.append(transient.cookie)
        }
        let form = AuthorizationStep.ConsentForm(
            clientName: authorization.client.name, username: subject.displayName, scope: authorization.scope, csrfToken: current.csrfToken
        )
        return AuthorizationStep(.consentPage(form), cookies: cookies)
    }

    /// The login form, with the CSRF token of the visitor's login cookie; a new cookie when there
    /// is none or it is about to expire. Nothing is written to the database.
    private func loginPage(_ flow: Flow) async throws -> AuthorizationStep {
        var cookies: [AuthorizationStep.CookieChange] = []
        var state = try await currentPreLoginState(flow.browser, at: flow.date)
        if state.map({ $0.expiresAt.timeIntervalSince(flow.date) < Self.preLoginRenewal }) ?? true {
            let issued = try await preLogin.issue(at: flow.date)
            state = issued
            cookies.append(.init(name: .preLogin, value: issued.cookieValue, maxAge: Int(issued.expiresAt.timeIntervalSince(flow.date))))
        }
        guard let state else { throw OAuthError.serverError("no login state") }
        // OpenID Connect Core §3.1.2.1: `login_hint` fills in the username.
        let form = AuthorizationStep.LoginForm(
            clientName: flow.authorization.client.name, csrfToken: state.csrfToken, username: flow.authorization.openID?.loginHint ?? ""
        )
        return AuthorizationStep(.loginPage(form), cookies: cookies)
    }

    /// SPEC §10: the browser goes to `login_url`; a remembered session makes the request one the
    /// app may `skip` (the caller passes none when `prompt=login` or `max_age` asks for a fresh
    /// sign-in).
    private func delegateLogin(_ flow: Flow, session: Session?) async throws -> AuthorizationStep {
        let remembered = session.flatMap { $0.remembered ? $0 : nil }
        guard let loginURL = configuration.loginURL else { throw OAuthError.serverError("no login_url") }
        return try await delegate(.login, to: loginURL, flow: flow, subject: remembered?.userID, delegation: remembered?.delegation)
    }

    /// Stores a challenge bound to this browser and sends the browser to the provider's app.
    private func delegate(
        _ kind: InteractionChallenge.Kind, to url: String, flow: Flow, subject: String?, delegation: Grant.Delegation?
    ) async throws -> AuthorizationStep {
        var cookies: [AuthorizationStep.CookieChange] = []
        let browserValue: String
        if let existing = flow.browser.browserCookie, !existing.isEmpty {
            browserValue = existing
        } else {
            browserValue = generator.make(.browser)
            cookies.append(.init(name: .browser, value: browserValue, maxAge: nil))
        }
        let challenge = generator.make(.interactionChallenge)
        try await challenges.createChallenge(
            InteractionChallenge(
                challengeHash: SecretHasher.hash(challenge), kind: kind, browserHash: SecretHasher.hash(browserValue),
                requestQuery: flow.query, subject: subject, delegation: delegation, createdAt: flow.date,
                expiresAt: flow.date.addingTimeInterval(Self.challengeLifetime)
            )
        )
        let parameter = kind == .login ? "login_challenge" : "consent_challenge"
        return AuthorizationStep(.redirect(AuthorizationEndpoint.appendQuery(to: url, [(parameter, challenge)])), cookies: cookies)
    }

    /// The browser is back from the provider's app with a verifier: complete the decision once,
    /// in this browser only.
    private func resume(kind: InteractionChallenge.Kind, verifier: String, browser: BrowserRequest) async -> AuthorizationStep {
        let date = now()
        let completion: ChallengeCompletion
        do {
            guard let browserValue = browser.browserCookie, !browserValue.isEmpty else {
                return refusedPage(.invalidRequest("\(kind.rawValue) verifier without the browser cookie"))
            }
            completion = try await challenges.completeChallenge(
                verifierHash: SecretHasher.hash(verifier), browserHash: SecretHasher.hash(browserValue), at: date
            )
        } catch {
            return AuthorizationStep(.errorPage(.serverError("challenge completion failed")), fault: String(reflecting: error))
        }
        switch completion {
        case .unknown:
            return refusedPage(.invalidRequest("\(kind.rawValue) verifier unknown, used or expired"))
        case .otherBrowser:
            return refusedPage(.invalidRequest("\(kind.rawValue) verifier presented by another browser"))
        case .completed(let challenge):
            let query = Array(challenge.requestQuery.utf8)
            return await validated(query: query) { authorization in
                let flow = Flow(authorization: authorization, query: challenge.requestQuery, browser: browser, date: date)
                return try await complete(challenge, flow: flow)
            }
        }
    }

    private func refusedPage(_ error: OAuthError) -> AuthorizationStep {
        AuthorizationStep(.errorPage(error), refusal: error)
    }

    /// Acts on the app's decision.
    private func complete(_ challenge: InteractionChallenge, flow: Flow) async throws -> AuthorizationStep {
        let authorization = flow.authorization
        let client = authorization.client
        let address = flow.browser.address
        switch challenge.decision {
        case .none:
            throw OAuthError.serverError("completed an undecided challenge")
        case .rejected(let error, let description):
            let code = OAuthErrorCode(rawValue: error)
            if challenge.kind == .consent {
                events.record(
                    SecurityEvent(.consentDenied, outcome: .failure, time: flow.date, clientID: client.id, subject: challenge.subject, address: address))
            }
            let location = AuthorizationEndpoint.appendQuery(
                to: authorization.redirectURI,
                [
                    ("error", error), ("error_description", description ?? ErrorCatalog.entry(for: code).message.english),
                    ("error_uri", configuration.errorURI(for: code)), ("state", authorization.state), ("iss", configuration.issuer),
                ]
            )
            let refusal = OAuthError(ErrorCatalog.entry(for: code).message, hint: "the provider's app rejected the \(challenge.kind.rawValue) request")
            return AuthorizationStep(.redirect(location), refusal: refusal)
        case .loginAccepted(let subjectID, let username, let remember):
            let subject = Subject(id: subjectID, username: username, delegation: Grant.Delegation(username: username))
            events.record(SecurityEvent(.signInSucceeded, time: flow.date, clientID: client.id, subject: subjectID, address: address))
            guard remember else { return try await consentStep(flow, subject: subject, session: nil) }
            if let previous = try await currentSession(flow.browser, at: flow.date) {
                try await sessions.deleteSession(idHash: previous.idHash)
            }
            let fresh = try await newSession(for: subject, remembered: true, at: flow.date)
            var step = try await consentStep(flow, subject: subject, session: fresh.session)
            step.cookies.insert(fresh.cookie, at: 0)
            return step
        case .consentAccepted(let scope, let remember):
            guard let subjectID = challenge.subject else { throw OAuthError.serverError("consent challenge without a subject") }
            let granted = ScopeSet(scope)
            // Checked when the app accepted; the client's scopes may have shrunk since.
            guard !granted.isEmpty, granted.isSubset(of: authorization.scope) else {
                throw OAuthError.invalidScope("granted scope outside the request")
            }
            if remember {
                try await consents.recordConsent(clientID: client.id, userID: subjectID, scope: granted, at: flow.date)
            }
            events.record(SecurityEvent(.consentGranted, time: flow.date, clientID: client.id, subject: subjectID, address: address))
            // The sign-in is the browser's session when it is this subject's; without one the login
            // was accepted just before this consent challenge was made.
            let session = try await currentSession(flow.browser, at: flow.date).flatMap { $0.userID == subjectID ? $0 : nil }
            let signIn =
                session.map { Self.signIn(of: $0, at: flow.date) }
                ?? OpenIDAuthentication(nonce: nil, authTime: challenge.createdAt, sessionID: nil)
            let location = try await endpoint.issueCode(
                authorization, userID: subjectID, scope: granted, delegation: challenge.delegation, signIn: signIn
            )
            return AuthorizationStep(.redirect(location))
        }
    }

    /// When the user signed in, for the `id_token`: the session's start and its `sid`, or now when
    /// the flow kept no session.
    static func signIn(of session: Session?, at date: Date) -> OpenIDAuthentication {
        guard let session else { return OpenIDAuthentication(nonce: nil, authTime: date, sessionID: nil) }
        return OpenIDAuthentication(
            nonce: nil, authTime: session.createdAt, sessionID: OpenIDAuthentication.sessionID(ofSessionHash: session.idHash)
        )
    }

    /// The verifier parameter of a browser coming back from the provider's app, if any.
    static func verifier(in query: [UInt8]) -> (InteractionChallenge.Kind, String)? {
        guard let (parameters, _) = try? RequestParameters.lenient(formEncoded: query) else { return nil }
        if let verifier = parameters["login_verifier"] { return (.login, verifier) }
        if let verifier = parameters["consent_verifier"] { return (.consent, verifier) }
        return nil
    }

    private func currentSession(_ browser: BrowserRequest, at date: Date) async throws -> Session? {
        guard let value = browser.sessionCookie, !value.isEmpty,
            let session = try await sessions.session(idHash: SecretHasher.hash(value)), date < session.expiresAt
        else { return nil }
        return session
    }

    private func currentPreLoginState(_ browser: BrowserRequest, at date: Date) async throws -> PreLoginState.Value? {
        guard let value = browser.preLoginCookie, !value.isEmpty else { return nil }
        return try await preLogin.verify(value, at: date)
    }

    /// The subject of a signed-in session: its delegated subject, or its user while that exists.
    private func subject(of session: Session) async throws -> Subject? {
        guard let userID = session.userID else { return nil }
        if let delegation = session.delegation {
            return Subject(id: userID, username: delegation.username, delegation: delegation)
        }
        return try await users.user(id: userID).map { Subject(id: $0.id, username: $0.username) }
    }

    /// A new server-side session. One not remembered lasts only as long as a challenge and its
    /// cookie ends with the browser.
    private func newSession(
        for subject: Subject, remembered: Bool, at date: Date
    ) async throws -> (session: Session, cookie: AuthorizationStep.CookieChange) {
        let id = generator.make(.session)
        let lifetime = remembered ? Self.sessionLifetime : Self.challengeLifetime
        let session = Session(
            idHash: SecretHasher.hash(id), userID: subject.id, csrfToken: generator.make(.csrf), createdAt: date,
            expiresAt: date.addingTimeInterval(lifetime), delegation: subject.delegation, remembered: remembered
        )
        try await sessions.createSession(session)
        return (session, .init(name: .session, value: id, maxAge: remembered ? Int(lifetime) : nil))
    }
}
