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
        /// Send the browser to the provider's login or consent app (SPEC §10), 302 after a GET,
        /// 303 after a form POST.
        case redirect(String)
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
/// With `login_url` or `consent_url` set (SPEC §10) the user signs in or consents in the
/// provider's own app instead: a challenge whose request is the user code, bound by a cookie to
/// this browser, answered through the admin API like the authorization endpoint's, after which
/// the browser comes back to `/device` with the verifier.
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
    let challenges: any InteractionChallengeStore
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
        challenges: any InteractionChallengeStore,
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
        self.challenges = challenges
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
            if let (kind, verifier) = AuthorizationInteraction.verifier(in: browser.query) {
                return try await resume(visit, kind: kind, verifier: verifier)
            }
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
        let remembered = visit.session.flatMap { $0.remembered ? $0 : nil }
        if configuration.loginURL != nil {
            // SPEC §10: a remembered session makes the request one the app may `skip`.
            return try await delegate(.login, visit: visit, pending: pending, subject: remembered?.userID, delegation: remembered?.delegation)
        }
        if let session = remembered, let subject = try await subject(of: session) {
            return try await consentStep(visit, pending: pending, subject: subject, session: session)
        }
        return try await loginPage(visit, pending: pending, username: "", message: nil)
    }

    /// Asks consent on the built-in page, or through `consent_url`. The built-in page needs a
    /// session for its CSRF token: a delegated login that was not to be remembered gets one for
    /// the rest of this flow only.
    private func consentStep(_ visit: Visit, pending: DeviceVerification.Pending, subject: Subject, session: Session?) async throws -> DeviceStep {
        if configuration.consentURL != nil {
            return try await delegate(.consent, visit: visit, pending: pending, subject: subject.id, delegation: subject.delegation)
        }
        if let session { return consentPage(pending, subject: subject, session: session) }
        let transient = try await newSession(for: subject, remembered: false, at: visit.date)
        var step = consentPage(pending, subject: subject, session: transient.session)
        step.cookies.append(transient.cookie)
        return step
    }

    /// Stores a challenge bound to this browser and sends the browser to the provider's app.
    private func delegate(
        _ kind: InteractionChallenge.Kind, visit: Visit, pending: DeviceVerification.Pending, subject: String?,
        delegation: Grant.Delegation?
    ) async throws -> DeviceStep {
        guard let url = kind == .login ? configuration.loginURL : configuration.consentURL else {
            throw OAuthError.serverError("no \(kind.rawValue) url")
        }
        var cookies: [AuthorizationStep.CookieChange] = []
        let browserValue: String
        if let existing = visit.browser.browserCookie, !existing.isEmpty {
            browserValue = existing
        } else {
            browserValue = generator.make(.browser)
            cookies.append(.init(name: .browser, value: browserValue, maxAge: nil))
        }
        let challenge = generator.make(.interactionChallenge)
        try await challenges.createChallenge(
            InteractionChallenge(
                challengeHash: SecretHasher.hash(challenge), kind: kind, browserHash: SecretHasher.hash(browserValue),
                requestQuery: DeviceChallengeQuery.make(userCode: pending.userCode), subject: subject, delegation: delegation,
                createdAt: visit.date, expiresAt: visit.date.addingTimeInterval(AuthorizationInteraction.challengeLifetime)
            )
        )
        let parameter = kind == .login ? "login_challenge" : "consent_challenge"
        return DeviceStep(.redirect(AuthorizationEndpoint.appendQuery(to: url, [(parameter, challenge)])), cookies: cookies)
    }

    /// The browser is back from the provider's app with a verifier: complete the decision once,
    /// in this browser only, and act on it.
    private func resume(_ visit: Visit, kind: InteractionChallenge.Kind, verifier: String) async throws -> DeviceStep {
        func refused(_ hint: String) -> DeviceStep {
            DeviceStep(.errorPage(OAuthError.invalidRequest("\(kind.rawValue) verifier \(hint)"), forged: false))
        }
        guard let browserValue = visit.browser.browserCookie, !browserValue.isEmpty else { return refused("without the browser cookie") }
        let completion = try await challenges.completeChallenge(
            verifierHash: SecretHasher.hash(verifier), browserHash: SecretHasher.hash(browserValue), at: visit.date
        )
        let challenge: InteractionChallenge
        switch completion {
        case .unknown: return refused("unknown, used or expired")
        case .otherBrowser: return refused("presented by another browser")
        case .completed(let completed): challenge = completed
        }
        guard let userCode = DeviceChallengeQuery.userCode(in: challenge.requestQuery),
            let pending = try await verification.pending(userCode: userCode)
        else { return try await codeForm(visit, typed: "", message: .unknownCode) }
        let address = visit.browser.address
        switch challenge.decision {
        case .none:
            throw OAuthError.serverError("completed an undecided challenge")
        case .rejected:
            _ = try await verification.deny(pending, subject: challenge.subject, address: address)
            return DeviceStep(.done(approved: false))
        case .loginAccepted(let subjectID, let username, let remember):
            let subject = Subject(id: subjectID, username: username, delegation: Grant.Delegation(username: username))
            events.record(SecurityEvent(.signInSucceeded, time: visit.date, clientID: pending.client.id, subject: subjectID, address: address))
            guard remember else { return try await consentStep(visit, pending: pending, subject: subject, session: nil) }
            if let previous = visit.session { try await sessions.deleteSession(idHash: previous.idHash) }
            let fresh = try await newSession(for: subject, remembered: true, at: visit.date)
            var step = try await consentStep(visit, pending: pending, subject: subject, session: fresh.session)
            step.cookies.insert(fresh.cookie, at: 0)
            return step
        case .consentAccepted(let scope, _):
            guard let subjectID = challenge.subject else { throw OAuthError.serverError("consent challenge without a subject") }
            let granted = ScopeSet(scope)
            // Checked when the app accepted; the request is the same, but be sure.
            guard !granted.isEmpty, granted.isSubset(of: pending.scope) else {
                return refused("granted a scope outside the request")
            }
            let approved = try await verification.approve(
                pending, subject: subjectID, scope: granted, delegation: challenge.delegation, address: address
            )
            guard approved else { return try await codeForm(visit, typed: "", message: .unknownCode) }
            return DeviceStep(.done(approved: true))
        }
    }

    /// A new server-side session. One not remembered lasts only as long as a challenge and its
    /// cookie ends with the browser.
    private func newSession(
        for subject: Subject, remembered: Bool, at date: Date
    ) async throws -> (session: Session, cookie: AuthorizationStep.CookieChange) {
        let id = generator.make(.session)
        let lifetime = remembered ? AuthorizationInteraction.sessionLifetime : AuthorizationInteraction.challengeLifetime
        let session = Session(
            idHash: SecretHasher.hash(id), userID: subject.id, csrfToken: generator.make(.csrf), createdAt: date,
            expiresAt: date.addingTimeInterval(lifetime), delegation: subject.delegation, remembered: remembered
        )
        try await sessions.createSession(session)
        return (session, .init(name: .session, value: id, maxAge: remembered ? Int(lifetime) : nil))
    }

    private enum Either<Left, Right> {
        case left(Left)
        case right(Right)
    }

    private func lookup(_ visit: Visit, typed: String) async throws -> Either<DeviceStep, DeviceVerification.Pending> {
        switch try await verification.lookup(userCode: typed, address: visit.browser.address) {
        case .found(let pending): return .right(pending)
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
        // With login_url the built-in login page is not used (SPEC §10).
        if configuration.loginURL != nil { return try await proceed(visit, typed: typed) }
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
            let subject = Subject(id: user.id, username: user.username)
            let fresh = try await newSession(for: subject, remembered: true, at: visit.date)
            var step = try await consentStep(visit, pending: pending, subject: subject, session: fresh.session)
            step.cookies = [fresh.cookie, .init(name: .preLogin, value: "", maxAge: 0)] + step.cookies
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
        guard configuration.consentURL == nil, let session = visit.session, let subject = try await subject(of: session) else {
            return try await proceed(visit, typed: typed)
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
