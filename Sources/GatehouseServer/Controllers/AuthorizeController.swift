import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

/// `GET` and `POST /oauth2/authorize`: reads the browser's request, asks
/// ``AuthorizationInteraction`` for the next step and renders it — a built-in page, a redirect to
/// the provider's login or consent app or back to the client, or an error page.
struct AuthorizeController: Sendable {
    static let sessionCookie = "gatehouse_session"
    static let preLoginCookie = "gatehouse_login"
    static let browserCookie = "gatehouse_browser"

    let interaction: AuthorizationInteraction
    let pages: HTMLPages
    let responder: OAuthResponder
    let addresses: ClientAddressResolver
    let configuration: ServerConfiguration

    private var secureCookies: Bool { configuration.issuer.hasPrefix("https://") }

    func authorize(_ request: Request, context: GatehouseRequestContext) async -> Response {
        let isPost = request.method == .post
        let query = Array((request.uri.query ?? "").utf8)
        let browser = BrowserRequest(
            isPost: isPost, query: query,
            sessionCookie: request.cookies[Self.sessionCookie]?.value,
            preLoginCookie: request.cookies[Self.preLoginCookie]?.value,
            browserCookie: request.cookies[Self.browserCookie]?.value,
            address: addresses.address(of: request, context: context)
        )
        let step = await interaction.handle(browser) { try await request.formParameters(maxBytes: configuration.maxBodyBytes) }
        log(step, logger: context.logger)
        // Error pages follow ui_locales too, when the query can be read at all.
        let uiLocales = step.uiLocales ?? (try? RequestParameters.lenient(formEncoded: query))?.0["ui_locales"]
        let language = pages.language(uiLocales: uiLocales, acceptLanguage: request.headers[.acceptLanguage])
        var response = render(step.kind, request: request, language: language, afterPost: isPost)
        for change in step.cookies {
            response.setCookie(cookie(change))
        }
        return response
    }

    private func render(_ kind: AuthorizationStep.Kind, request: Request, language: String, afterPost: Bool) -> Response {
        let text = PageText.texts(for: language)
        switch kind {
        case .loginPage(let form):
            return pages.loginResponse(form, language: language)
        case .consentPage(let form):
            let html = pages.consentPage(
                language: language, clientName: form.clientName, username: form.username, scopes: form.scope, csrfToken: form.csrfToken
            )
            return HTMLPages.response(html, language: language)
        case .redirect(let location):
            return HTMLPages.redirect(to: location, afterPost: afterPost)
        case .errorPage(let error):
            // JSON for API callers that ask for it.
            if request.headers[.accept]?.contains("application/json") == true {
                return responder.response(for: error, acceptLanguage: request.headers[.acceptLanguage])
            }
            return HTMLPages.response(pages.errorPage(language: language, error: error), status: error.status, language: language)
        case .forgedForm(let error):
            let html = pages.errorPage(language: language, error: error, title: text["csrf_title"], lead: text["csrf_lead"])
            return HTMLPages.response(html, status: error.status, language: language)
        }
    }

    private func log(_ step: AuthorizationStep, logger: Logger) {
        if let fault = step.fault {
            logger.error("authorization failed", metadata: ["error": "\(fault)"])
        } else if case .forgedForm = step.kind {
            logger.notice("form post without a valid CSRF token refused")
        } else if case .loginPage(let form) = step.kind, let message = form.message {
            // SPEC §9: the username of a failed sign-in is never logged.
            switch message {
            case .wrongCredentials: logger.info("sign-in failed")
            case .throttled: logger.info("sign-in refused by a rate limit")
            }
        } else if let refusal = step.refusal {
            logger.info("authorization refused", metadata: ["error": "\(refusal.code)", "hint": "\(refusal.hint)"])
        }
    }

    private func cookie(_ change: AuthorizationStep.CookieChange) -> Cookie {
        switch change.name {
        case .session:
            return Cookie(
                name: Self.sessionCookie, value: change.value, maxAge: change.maxAge, path: "/", secure: secureCookies, httpOnly: true,
                sameSite: .lax
            )
        case .preLogin:
            // Scoped to the endpoint: no other path needs the login form's token.
            return Cookie(
                name: Self.preLoginCookie, value: change.value, maxAge: change.maxAge, path: EndpointPath.authorization.path,
                secure: secureCookies, httpOnly: true, sameSite: .lax
            )
        case .browser:
            // Lax, so that it comes along when the provider's app sends the browser back.
            return Cookie(
                name: Self.browserCookie, value: change.value, maxAge: change.maxAge, path: EndpointPath.authorization.path,
                secure: secureCookies, httpOnly: true, sameSite: .lax
            )
        }
    }
}
