import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Logging

/// `GET` and `POST /oauth2/authorize`: the authorization code flow's browser side.
///
/// The login and consent forms post back to the same URL, query string included, so the
/// authorization request is validated afresh on every step. Before sign-in nothing is stored:
/// the login form's CSRF token lives in a signed, short-lived cookie (``PreLoginState``). The
/// server-side session, the only row a browser creates, starts at a successful sign-in.
struct AuthorizeController: Sendable {
    static let sessionCookie = "gatehouse_session"
    static let preLoginCookie = "gatehouse_login"
    /// A login cookie with less time left than this is replaced when the page is shown again.
    static let preLoginRenewal: TimeInterval = 300

    let endpoint: AuthorizationEndpoint
    let pages: HTMLPages
    let responder: OAuthResponder
    let store: SQLStore
    let signInLimiter: SignInLimiter
    let verifier: SignInVerifier
    let preLogin: PreLoginState
    let addresses: ClientAddressResolver
    let events: any SecurityEventSink
    let configuration: ServerConfiguration
    let now: @Sendable () -> Date
    let sessionLifetime: TimeInterval = 8 * 3600

    private var secureCookies: Bool { configuration.issuer.hasPrefix("https://") }

    func authorize(_ request: Request, context: GatehouseRequestContext) async -> Response {
        let isPost = request.method == .post
        let acceptLanguage = request.headers[.acceptLanguage]
        let query = Array((request.uri.query ?? "").utf8)
        // Error pages follow ui_locales too, when the query can be read at all.
        let pageLanguage = pages.language(
            uiLocales: (try? RequestParameters.lenient(formEncoded: query))?.0["ui_locales"], acceptLanguage: acceptLanguage
        )
        let authorization: AuthorizationRequest
        do {
            authorization = try await endpoint.validate(query: query)
        } catch AuthorizationFailure.page(let error) {
            context.logger.info("authorization request refused", metadata: ["error": "\(error.code)", "hint": "\(error.hint)"])
            return errorPage(error, request: request, language: pageLanguage)
        } catch AuthorizationFailure.redirect(let error, let location) {
            context.logger.info("authorization request refused", metadata: ["error": "\(error.code)", "hint": "\(error.hint)"])
            return redirect(to: location, afterPost: isPost)
        } catch {
            context.logger.error("authorization request failed", metadata: ["error": "\(String(reflecting: error))"])
            return errorPage(.serverError("validation failed"), request: request, language: pageLanguage)
        }
        let language = pages.language(uiLocales: authorization.uiLocales, acceptLanguage: acceptLanguage)
        do {
            return try await continueFlow(authorization, request: request, context: context, language: language)
        } catch let error as OAuthError {
            context.logger.info("authorization refused", metadata: ["error": "\(error.code)", "hint": "\(error.hint)"])
            return redirect(to: endpoint.errorLocation(error, redirectURI: authorization.redirectURI, state: authorization.state), afterPost: isPost)
        } catch {
            // RFC 6749 §4.1.2.1: an unexpected failure after the redirect URI was validated goes back
            // to the client as server_error.
            context.logger.error("authorization failed", metadata: ["error": "\(String(reflecting: error))"])
            let failure = OAuthError.serverError("unexpected failure")
            return redirect(to: endpoint.errorLocation(failure, redirectURI: authorization.redirectURI, state: authorization.state), afterPost: isPost)
        }
    }

    private func continueFlow(
        _ authorization: AuthorizationRequest,
        request: Request,
        context: GatehouseRequestContext,
        language: String
    ) async throws -> Response {
        let date = now()
        let address = addresses.address(of: request, context: context)
        let session = try await currentSession(request, now: date)
        var user: User?
        if let userID = session?.userID { user = try await store.user(id: userID) }
        guard request.method == .post else {
            if let session, let user {
                return try await consentStep(authorization, user: user, session: session, language: language, afterPost: false)
            }
            return try await loginPage(authorization, request: request, language: language, now: date)
        }

        // A POST must come from our own form: the token of the login cookie or of the signed-in
        // session, compared in constant time.
        let form = try await request.formParameters(maxBytes: configuration.maxBodyBytes)
        let preLoginState = try await currentPreLoginState(request, now: date)
        let expected = [preLoginState?.csrfToken, session?.csrfToken].compactMap { $0 }
        guard let token = form["csrf_token"],
            expected.contains(where: { SecretHasher.constantTimeEquals(Array(token.utf8), Array($0.utf8)) })
        else {
            context.logger.notice("form post without a valid CSRF token refused")
            let text = PageText.texts(for: language)
            let refusal = OAuthError(.invalidRequest, exception: .forgedForm, hint: "missing or wrong csrf_token")
            return HTMLPages.response(
                pages.errorPage(language: language, error: refusal, title: text["csrf_title"], lead: text["csrf_lead"]),
                status: refusal.status,
                language: language
            )
        }

        if let username = form["username"] {
            return try await signIn(
                authorization, username: username, password: form["password"] ?? "", csrfToken: token, replacing: session,
                address: address, context: context, language: language, now: date
            )
        }
        guard let session, let user else {
            return try await loginPage(authorization, request: request, language: language, now: date)
        }
        switch form["decision"] {
        case "allow":
            try await endpoint.recordConsent(authorization, userID: user.id)
            events.record(
                SecurityEvent(.consentGranted, time: date, clientID: authorization.client.id, subject: user.id, address: address)
            )
            return redirect(to: try await endpoint.issueCode(authorization, userID: user.id), afterPost: true)
        case "deny":
            events.record(
                SecurityEvent(
                    .consentDenied, outcome: .failure, time: date, clientID: authorization.client.id, subject: user.id, address: address
                )
            )
            throw OAuthError(.accessDenied, hint: "the user denied the request")
        default:
            return try await consentStep(authorization, user: user, session: session, language: language, afterPost: true)
        }
    }

    /// The login form's POST under the sign-in limits of SPEC §9: the attempt is counted before the
    /// password is looked at, and a refused one never reaches it.
    private func signIn(
        _ authorization: AuthorizationRequest,
        username: String,
        password: String,
        csrfToken: String,
        replacing previous: Session?,
        address: String?,
        context: GatehouseRequestContext,
        language: String,
        now date: Date
    ) async throws -> Response {
        let text = PageText.texts(for: language)
        switch try await signInLimiter.begin(username: username, address: address ?? "unknown", at: date) {
        case .refused(let retryAfter, let limit):
            context.logger.info("sign-in refused by a rate limit", metadata: ["limit": "\(limit)"])
            events.record(SecurityEvent(.rateLimited, outcome: .failure, time: date, clientID: authorization.client.id, address: address, reason: limit))
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfter)
            let html = pages.loginPage(
                language: language, clientName: authorization.client.name, csrfToken: csrfToken, username: username, message: text["throttled"]
            )
            return HTMLPages.response(
                html, status: ErrorCatalog.status(of: .temporarilyUnavailable, exception: .rateLimited), language: language,
                extraHeaders: headers
            )
        case .proceed(let attempt):
            guard let user = try await verifier.verify(username: username, password: password) else {
                // SPEC §9: the username of a failed sign-in is never logged.
                context.logger.info("sign-in failed")
                events.record(SecurityEvent(.signInFailed, outcome: .failure, time: date, clientID: authorization.client.id, address: address))
                let html = pages.loginPage(
                    language: language, clientName: authorization.client.name, csrfToken: csrfToken, username: username,
                    message: text["wrong_credentials"]
                )
                return HTMLPages.response(html, language: language)
            }
            try await signInLimiter.succeeded(attempt)
            events.record(SecurityEvent(.signInSucceeded, time: date, clientID: authorization.client.id, subject: user.id, address: address))
            // A new session id at sign-in, so a session id planted before it is worth nothing.
            if let previous { try await store.deleteSession(idHash: previous.idHash) }
            let fresh = try await newSession(userID: user.id, now: date)
            var response = try await consentStep(authorization, user: user, session: fresh.session, language: language, afterPost: true)
            response.setCookie(sessionCookie(fresh.cookieValue))
            response.setCookie(preLoginCookie("", maxAge: 0))
            return response
        }
    }

    /// Issues the code at once when no consent is needed, otherwise shows the consent page.
    private func consentStep(
        _ authorization: AuthorizationRequest,
        user: User,
        session: Session,
        language: String,
        afterPost: Bool
    ) async throws -> Response {
        guard try await endpoint.needsConsent(authorization, userID: user.id) else {
            return redirect(to: try await endpoint.issueCode(authorization, userID: user.id), afterPost: afterPost)
        }
        let html = pages.consentPage(
            language: language, clientName: authorization.client.name, username: user.username,
            scopes: authorization.scope, csrfToken: session.csrfToken
        )
        return HTMLPages.response(html, language: language)
    }

    /// The login form, with the CSRF token of the visitor's login cookie; a new cookie when there
    /// is none or it is about to expire. Nothing is written to the database.
    private func loginPage(_ authorization: AuthorizationRequest, request: Request, language: String, now date: Date) async throws -> Response {
        var state = try await currentPreLoginState(request, now: date)
        var renewed = false
        if state.map({ $0.expiresAt.timeIntervalSince(date) < Self.preLoginRenewal }) ?? true {
            state = try await preLogin.issue(at: date)
            renewed = true
        }
        guard let state else { throw OAuthError.serverError("no login state") }
        var response = HTMLPages.response(
            pages.loginPage(language: language, clientName: authorization.client.name, csrfToken: state.csrfToken),
            language: language
        )
        if renewed {
            response.setCookie(preLoginCookie(state.cookieValue, maxAge: Int(state.expiresAt.timeIntervalSince(date))))
        }
        return response
    }

    /// The 400 page for a request whose client or redirect URI cannot be trusted; JSON for API
    /// callers that ask for it.
    private func errorPage(_ error: OAuthError, request: Request, language: String) -> Response {
        if request.headers[.accept]?.contains("application/json") == true {
            return responder.response(for: error, acceptLanguage: request.headers[.acceptLanguage])
        }
        return HTMLPages.response(pages.errorPage(language: language, error: error), status: error.status, language: language)
    }

    /// 302 after a GET; 303 after a form POST, so the browser follows with a GET (RFC 9700 §4.12).
    private func redirect(to location: String, afterPost: Bool) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        HTMLPages.addSecurityHeaders(to: &headers)
        return Response(status: afterPost ? .seeOther : .found, headers: headers)
    }

    private func currentSession(_ request: Request, now: Date) async throws -> Session? {
        guard let value = request.cookies[Self.sessionCookie]?.value, !value.isEmpty,
            let session = try await store.session(idHash: SecretHasher.hash(value)), now < session.expiresAt
        else { return nil }
        return session
    }

    private func currentPreLoginState(_ request: Request, now: Date) async throws -> PreLoginState.Value? {
        guard let value = request.cookies[Self.preLoginCookie]?.value, !value.isEmpty else { return nil }
        return try await preLogin.verify(value, at: now)
    }

    private func newSession(userID: String, now: Date) async throws -> (session: Session, cookieValue: String) {
        let generator = SecretGenerator()
        let id = generator.make(.session)
        let session = Session(
            idHash: SecretHasher.hash(id), userID: userID, csrfToken: generator.make(.csrf),
            createdAt: now, expiresAt: now.addingTimeInterval(sessionLifetime)
        )
        try await store.createSession(session)
        return (session, id)
    }

    private func sessionCookie(_ value: String) -> Cookie {
        Cookie(
            name: Self.sessionCookie, value: value, maxAge: Int(sessionLifetime), path: "/",
            secure: secureCookies, httpOnly: true, sameSite: .lax
        )
    }

    /// Scoped to the endpoint: no other path needs the login form's token.
    private func preLoginCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: Self.preLoginCookie, value: value, maxAge: maxAge, path: "/oauth2/authorize",
            secure: secureCookies, httpOnly: true, sameSite: .lax
        )
    }
}
