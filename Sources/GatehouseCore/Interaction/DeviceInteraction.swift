public import Foundation

/// What the browser is shown next on the verification page `/device` (RFC 8628 §3.3): the answer
/// of ``DeviceInteraction`` that the HTTP layer renders.
public struct DeviceStep: Sendable {
    public enum Kind: Sendable {
        /// The form that asks for the user code.
        case codeForm(CodeForm)
        /// The built-in login form, carrying the user code on.
        case loginPage(AuthorizationStep.LoginForm, userCode: String)
        /// The built-in consent form, showing the user code so that the user can compare it with the
        /// device's (RFC 8628 §5.4).
        case consentPage(AuthorizationStep.ConsentForm, userCode: String)
        /// The decision is recorded: the user may return to the device.
        case done(approved: Bool)
        /// A page that ends the interaction with an error, e.g. a form post without its CSRF token.
        case errorPage(OAuthError, forged: Bool)
    }

    public struct CodeForm: Sendable, Hashable {
        public var csrfToken: String
        /// What was typed before, shown again after a failure.
        public var userCode: String
        public var message: CodeMessage?
    }

    public enum CodeMessage: Sendable, Hashable {
        /// No pending request has this code, or it expired.
        case unknownCode
        /// SPEC §11: too many wrong codes from this address; 429 with `Retry-After`.
        case throttled(retryAfter: Int)
    }

    public var kind: Kind
    public var cookies: [AuthorizationStep.CookieChange] = []

    public init(_ kind: Kind, cookies: [AuthorizationStep.CookieChange] = []) {
        self.kind = kind
        self.cookies = cookies
    }
}

/// The verification page of the device flow as a state machine (RFC 8628 §3.3, SPEC §11): ask
/// for the user code (or take it from `verification_uri_complete`), sign the user in on the
/// built-in login page (or reuse a remembered session), ask consent, record the decision.
///
/// Every form posts back to `/device` with the user code and a CSRF token — the one of the signed
/// pre-login cookie before sign-in (``PreLoginState``), the session's after — so the code is
/// looked up afresh, under the limit on wrong codes, at every step. Consent is always asked, even
/// when the user allowed the client before: the page is the only defence against a user code
/// phished from someone else's device (RFC 8628 §5.4), and the page shows the code to compare.
public struct DeviceInteraction: Sendable {
    let configuration: ServerConfiguration
    let verification: DeviceVerification
    let sessions: any SessionStore
    let users: any UserStore
    let signInLimiter: SignInLimiter
    let passwords: any PasswordVerifier
    let preLogin: PreLoginState
    let events: any SecurityEventSink
    let now: @Sendable () -> Date
    private let generator = SecretGenerator()

    public init(
        configuration: ServerConfiguration,
        verification: DeviceVerification,
        sessions: any SessionStore,
        users: any UserStore,
        signInLimiter: SignInLimiter,
        passwords: any PasswordVerifier,
        preLogin: PreLoginState,
        events: any SecurityEventSink,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.verification = verification
        self.sessions = sessions
        self.users = users
        self.signInLimiter = signInLimiter
        self.passwords = passwords
        self.preLogin = preLogin
        self.events = events
        self.now = now
    }

    /// The browser's state for one request: its session, the login cookie's state and the date.
    struct Visit {
        var browser: BrowserRequest
        var session: Session?
        var preLoginState: PreLoginState.Value?
        var date: Date
    }

    /// Decides the next step for one request to `/device`.
    /// - Parameter readForm: reads the form of a POST.
    public func handle(_ browser: BrowserRequest, readForm: () async throws -> RequestParameters) async throws -> DeviceStep {
        let date = now()
        var visit = Visit(browser: browser, session: nil, preLoginState: nil, date: date)
        if let value = browser.sessionCookie, !value.isEmpty, let session = try await sessions.session(idHash: SecretHasher.hash(value)),
            date < session.expiresAt
        {
            visit.session = session
        }
        if let value = browser.preLoginCookie, !value.isEmpty {
            visit.preLoginState = try await preLogin.verify(value, at: date)
        }
        guard browser.isPost else {
            let query = (try? RequestParameters.lenient(formEncoded: browser.query))?.0
            guard let typed = query?["user_code"] else { return try await codeForm(visit, typed: "", message: nil) }
            return try await proceed(visit, typed: typed)
        }
        // A POST must come from our own form: the token of the login cookie or of the session,
        // compared in constant time.
        let form = try await readForm()
        let expected = [visit.preLoginState?.csrfToken, visit.session?.csrfToken].compactMap { $0 }
        guard let token = form["csrf_token"],
            expected.contains(where: { SecretHasher.constantTimeEquals(Array(token.utf8), Array($0.utf8)) })
        else {
            return DeviceStep(.errorPage(OAuthError(.invalidRequest, exception: .forgedForm, hint: "missing or wrong csrf_token"), forged: true))
        }
        let typed = form["user_code"] ?? ""
        if let username = form["username"] {
            return try await signIn(visit, typed: typed, username: username, password: form["password"] ?? "", csrfToken: token)
        }
        if let decision = form["decision"] {
            return try await decide(visit, typed: typed, allow: decision == "allow")
        }
        return try await proceed(visit, typed: typed)
    }

    /// A code was entered: look it up, then ask the signed-in user's consent or ask them to sign in.
    private func proceed(_ visit: Visit, typed: String) async throws -> DeviceStep {
        let pending: DeviceVerification.Pending
        switch try await lookup(visit, typed: typed) {
        case .left(let step): return step
        case .right(let found): pending = found
        }
        if let session = visit.session, session.remembered, let subject = try await subject(of: session) {
            return consentPage(pending, subject: subject, session: session)
        }
        return try await loginPage(visit, pending: pending, username: "", message: nil)
    }

    private enum Either<Left, Right> {
        case left(Left)
        case right(Right)
    }

    private func lookup(_ visit: Visit, typed: String) async throws -> Either<DeviceStep, DeviceVerification.Pending> {
        switch try await verification.lookup(userCode: typed, address: visit.browser.address) {
        case .found(let pending):
            // The provider's own login and consent apps (SPEC §10) answer challenges of the
            // authorization endpoint only; the built-in pages must not stand in for them.
            guard configuration.loginURL == nil, configuration.consentURL == nil else {
                let error = OAuthError(.temporarilyUnavailable, hint: "the device flow with login_url or consent_url is not available")
                return .left(DeviceStep(.errorPage(error, forged: false)))
            }
            return .right(pending)
        case .unknown: return .left(try await codeForm(visit, typed: typed, message: .unknownCode))
        case .throttled(let retryAfter): return .left(try await codeForm(visit, typed: typed, message: .throttled(retryAfter: retryAfter)))
        }
    }

    /// The code form, with the session's CSRF token or the login cookie's (a new cookie when there
    /// is none or it is about to expire).
    private func codeForm(_ visit: Visit, typed: String, message: DeviceStep.CodeMessage?) async throws -> DeviceStep {
        if let session = visit.session {
            return DeviceStep(.codeForm(.init(csrfToken: session.csrfToken, userCode: typed, message: message)))
        }
        let (state, cookies) = try await loginState(visit)
        return DeviceStep(.codeForm(.init(csrfToken: state.csrfToken, userCode: typed, message: message)), cookies: cookies)
    }

    private func loginPage(
        _ visit: Visit, pending: DeviceVerification.Pending, username: String, message: AuthorizationStep.LoginMessage?
    ) async throws -> DeviceStep {
        let (state, cookies) = try await loginState(visit)
        let form = AuthorizationStep.LoginForm(clientName: pending.client.name, csrfToken: state.csrfToken, username: username, message: message)
        return DeviceStep(.loginPage(form, userCode: pending.displayedUserCode), cookies: cookies)
    }

    private func consentPage(_ pending: DeviceVerification.Pending, subject: Subject, session: Session) -> DeviceStep {
        let form = AuthorizationStep.ConsentForm(
            clientName: pending.client.name, username: subject.displayName, scope: pending.scope, csrfToken: session.csrfToken
        )
        return DeviceStep(.consentPage(form, userCode: pending.displayedUserCode))
    }

    /// The state of the login cookie, renewed when it is missing or about to expire.
    private func loginState(_ visit: Visit) async throws -> (PreLoginState.Value, [AuthorizationStep.CookieChange]) {
        if let state = visit.preLoginState, state.expiresAt.timeIntervalSince(visit.date) >= AuthorizationInteraction.preLoginRenewal {
            return (state, [])
        }
        let issued = try await preLogin.issue(at: visit.date)
        return (issued, [.init(name: .preLogin, value: issued.cookieValue, maxAge: Int(issued.expiresAt.timeIntervalSince(visit.date)))])
    }

    /// The login form's POST under the sign-in limits of SPEC §9, as on the authorization page.
    private func signIn(_ visit: Visit, typed: String, username: String, password: String, csrfToken: String) async throws -> DeviceStep {
        let pending: DeviceVerification.Pending
        switch try await lookup(visit, typed: typed) {
        case .left(let step): return step
        case .right(let found): pending = found
        }
        let address = visit.browser.address
        switch try await signInLimiter.begin(username: username, address: address ?? "unknown", at: visit.date) {
        case .refused(let retryAfter, let limit):
            events.record(SecurityEvent(.rateLimited, outcome: .failure, time: visit.date, clientID: pending.client.id, address: address, reason: limit))
            return try await loginPage(visit, pending: pending, username: username, message: .throttled(retryAfter: retryAfter))
        case .proceed(let attempt):
            guard let user = try await passwords.verify(username: username, password: password) else {
                // SPEC §9: the username of a failed sign-in is never logged.
                events.record(SecurityEvent(.signInFailed, outcome: .failure, time: visit.date, clientID: pending.client.id, address: address))
                return try await loginPage(visit, pending: pending, username: username, message: .wrongCredentials)
            }
            try await signInLimiter.succeeded(attempt)
            events.record(SecurityEvent(.signInSucceeded, time: visit.date, clientID: pending.client.id, subject: user.id, address: address))
            // A new session id at sign-in, so a session id planted before it is worth nothing.
            if let previous = visit.session { try await sessions.deleteSession(idHash: previous.idHash) }
            let id = generator.make(.session)
            let lifetime = AuthorizationInteraction.sessionLifetime
            let session = Session(
                idHash: SecretHasher.hash(id), userID: user.id, csrfToken: generator.make(.csrf), createdAt: visit.date,
                expiresAt: visit.date.addingTimeInterval(lifetime), remembered: true
            )
            try await sessions.createSession(session)
            var step = consentPage(pending, subject: Subject(id: user.id, username: user.username), session: session)
            step.cookies = [.init(name: .session, value: id, maxAge: Int(lifetime)), .init(name: .preLogin, value: "", maxAge: 0)]
            return step
        }
    }

    /// The consent form's POST: only a signed-in user decides.
    private func decide(_ visit: Visit, typed: String, allow: Bool) async throws -> DeviceStep {
        let pending: DeviceVerification.Pending
        switch try await lookup(visit, typed: typed) {
        case .left(let step): return step
        case .right(let found): pending = found
        }
        guard let session = visit.session, let subject = try await subject(of: session) else {
            return try await loginPage(visit, pending: pending, username: "", message: nil)
        }
        let address = visit.browser.address
        let decided =
            allow
            ? try await verification.approve(pending, subject: subject.id, delegation: subject.delegation, address: address)
            : try await verification.deny(pending, subject: subject.id, address: address)
        guard decided else { return try await codeForm(visit, typed: typed, message: .unknownCode) }
        return DeviceStep(.done(approved: allow))
    }

    struct Subject {
        var id: String
        var username: String?
        var delegation: Grant.Delegation?

        var displayName: String { username ?? id }
    }

    /// The subject of a signed-in session: its delegated subject, or its user while that exists.
    private func subject(of session: Session) async throws -> Subject? {
        guard let userID = session.userID else { return nil }
        if let delegation = session.delegation {
            return Subject(id: userID, username: delegation.username, delegation: delegation)
        }
        return try await users.user(id: userID).map { Subject(id: $0.id, username: $0.username) }
    }
}
