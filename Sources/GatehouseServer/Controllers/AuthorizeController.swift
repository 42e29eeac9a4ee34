import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Logging

/// `GET` and `POST /oauth2/authorize`: the authorization code flow's browser side.
///
/// The login and consent forms post back to the same URL, query string included, so the
/// authorization request is validated afresh on every step and nothing of it is kept between
/// steps except the signed-in user in the server-side session.
struct AuthorizeController: Sendable {
    static let sessionCookie = "gatehouse_session"

    let endpoint: AuthorizationEndpoint
    let pages: HTMLPages
    let responder: OAuthResponder
    let store: SQLStore
    let throttle: LoginThrottle
    let configuration: ServerConfiguration
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
        let now = Date()
        let session = try await currentSession(request, now: now)
        guard request.method == .post else {
            guard let current = session else {
                let fresh = try await newSession(userID: nil, now: now)
                var response = loginPage(authorization, language: language, csrfToken: fresh.session.csrfToken)
                response.setCookie(cookie(fresh.cookieValue))
                return response
            }
            guard let userID = current.userID, let user = try await store.user(id: userID) else {
                return loginPage(authorization, language: language, csrfToken: current.csrfToken)
            }
            return try await consentStep(authorization, user: user, session: current, language: language, afterPost: false)
        }

        // A POST must come from our own form: the session's CSRF token, compared in constant time.
        let form = try await request.formParameters(maxBytes: configuration.maxBodyBytes)
        guard let current = session, let token = form["csrf_token"],
            SecretHasher.constantTimeEquals(Array(token.utf8), Array(current.csrfToken.utf8))
        else {
            context.logger.notice("form post without a valid CSRF token refused")
            let text = PageText.texts(for: language)
            return HTMLPages.response(
                pages.errorPage(
                    language: language, error: .invalidRequest("missing or wrong csrf_token"),
                    title: text["csrf_title"], lead: text["csrf_lead"]
                ),
                status: .forbidden,
                language: language
            )
        }

        if let username = form["username"] {
            let keys = throttleKeys(username: username, context: context)
            let wait = try await throttle.delay(for: keys, now: now)
            if wait > 0 {
                var headers = HTTPFields()
                headers[.retryAfter] = String(wait)
                let text = PageText.texts(for: language)
                let html = pages.loginPage(
                    language: language, clientName: authorization.client.name, csrfToken: current.csrfToken,
                    username: username, message: text["throttled"]
                )
                return HTMLPages.response(html, status: .tooManyRequests, language: language, extraHeaders: headers)
            }
            guard let user = try await store.user(username: username),
                try await PasswordHasher.verify(form["password"] ?? "", hash: user.passwordHash)
            else {
                try await throttle.recordFailure(for: keys, now: now)
                context.logger.info("sign-in failed", metadata: ["username": "\(username)"])
                let text = PageText.texts(for: language)
                let html = pages.loginPage(
                    language: language, clientName: authorization.client.name, csrfToken: current.csrfToken,
                    username: username, message: text["wrong_credentials"]
                )
                return HTMLPages.response(html, language: language)
            }
            try await throttle.recordSuccess(for: keys)
            // A new session id at sign-in, so a session id planted before it is worth nothing.
            try await store.deleteSession(idHash: current.idHash)
            let fresh = try await newSession(userID: user.id, now: now)
            var response = try await consentStep(authorization, user: user, session: fresh.session, language: language, afterPost: true)
            response.setCookie(cookie(fresh.cookieValue))
            return response
        }

        guard let userID = current.userID, let user = try await store.user(id: userID) else {
            return loginPage(authorization, language: language, csrfToken: current.csrfToken)
        }
        switch form["decision"] {
        case "allow":
            try await endpoint.recordConsent(authorization, userID: user.id)
            return redirect(to: try await endpoint.issueCode(authorization, userID: user.id), afterPost: true)
        case "deny":
            throw OAuthError(.accessDenied, hint: "the user denied the request")
        default:
            return try await consentStep(authorization, user: user, session: current, language: language, afterPost: true)
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

    private func loginPage(_ authorization: AuthorizationRequest, language: String, csrfToken: String) -> Response {
        HTMLPages.response(
            pages.loginPage(language: language, clientName: authorization.client.name, csrfToken: csrfToken),
            language: language
        )
    }

    /// The 400 page for a request whose client or redirect URI cannot be trusted; JSON for API
    /// callers that ask for it.
    private func errorPage(_ error: OAuthError, request: Request, language: String) -> Response {
        if request.headers[.accept]?.contains("application/json") == true {
            return responder.response(for: error, acceptLanguage: request.headers[.acceptLanguage])
        }
        let status: HTTPResponse.Status = error.code == .serverError ? .internalServerError : .badRequest
        return HTMLPages.response(pages.errorPage(language: language, error: error), status: status, language: language)
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

    private func newSession(userID: String?, now: Date) async throws -> (session: Session, cookieValue: String) {
        let generator = SecretGenerator()
        let id = generator.make(.session)
        let session = Session(
            idHash: SecretHasher.hash(id), userID: userID, csrfToken: generator.make(.csrf),
            createdAt: now, expiresAt: now.addingTimeInterval(sessionLifetime)
        )
        try await store.createSession(session)
        return (session, id)
    }

    private func cookie(_ value: String) -> Cookie {
        Cookie(
            name: Self.sessionCookie, value: value, maxAge: Int(sessionLifetime), path: "/",
            secure: secureCookies, httpOnly: true, sameSite: .lax
        )
    }

    /// Failures are counted per username and per client address, so neither guessing many
    /// passwords for one user nor one password for many users goes fast.
    private func throttleKeys(username: String, context: GatehouseRequestContext) -> [LoginThrottle.Subject] {
        var subjects: [LoginThrottle.Subject] = [.username(username)]
        if let address = context.remoteAddress?.ipAddress { subjects.append(.address(address)) }
        return subjects
    }
}
