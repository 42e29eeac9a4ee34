import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

/// `GET` and `POST /device`, the verification page of the device flow (RFC 8628 §3.3): reads the
/// browser's request, asks ``DeviceInteraction`` for the next step and renders it with the
/// built-in pages. Every response carries the headers SPEC §5 requires of HTML.
struct DeviceController: Sendable {
    /// The login form's CSRF cookie of this page, scoped to its path.
    static let preLoginCookie = "gatehouse_device_login"
    /// Names the browser that started a delegated login or consent of this page.
    static let browserCookie = "gatehouse_device_browser"

    let interaction: DeviceInteraction
    let pages: DevicePages
    let addresses: ClientAddressResolver
    let configuration: ServerConfiguration

    private var secureCookies: Bool { configuration.issuer.hasPrefix("https://") }

    func device(_ request: Request, context: GatehouseRequestContext) async -> Response {
        let isPost = request.method == .post
        let browser = BrowserRequest(
            isPost: isPost, query: Array((request.uri.query ?? "").utf8),
            sessionCookie: request.cookies[AuthorizeController.sessionCookie]?.value,
            preLoginCookie: request.cookies[Self.preLoginCookie]?.value,
            browserCookie: request.cookies[Self.browserCookie]?.value,
            address: addresses.address(of: request, context: context)
        )
        let language = pages.pages.language(uiLocales: nil, acceptLanguage: request.headers[.acceptLanguage])
        let step: DeviceStep
        do {
            step = try await interaction.handle(browser) { try await request.formParameters(maxBytes: configuration.maxBodyBytes) }
        } catch let error as OAuthError {
            context.logger.info("device verification refused", metadata: ["error": "\(error.code)", "hint": "\(error.hint)"])
            return HTMLPages.response(pages.pages.errorPage(language: language, error: error), status: error.status, language: language)
        } catch {
            context.logger.error("device verification failed", metadata: ["error": "\(String(reflecting: error))"])
            let failure = OAuthError.serverError("device verification failed")
            return HTMLPages.response(pages.pages.errorPage(language: language, error: failure), status: failure.status, language: language)
        }
        var response = render(step.kind, language: language, afterPost: isPost, logger: context.logger)
        for change in step.cookies {
            response.setCookie(cookie(change))
        }
        return response
    }

    private func render(_ kind: DeviceStep.Kind, language: String, afterPost: Bool, logger: Logger) -> Response {
        let text = PageText.texts(for: language)
        switch kind {
        case .codeForm(let form):
            var headers = HTTPFields()
            var status = HTTPResponse.Status.ok
            var message: String?
            switch form.message {
            case .none:
                break
            case .unknownCode:
                logger.info("device verification: unknown user code")
                message = text["device_unknown_code"]
            case .throttled(let retryAfter):
                logger.info("device verification refused by the user code limit")
                message = text["device_throttled"]
                status = ErrorCatalog.status(of: .temporarilyUnavailable, exception: .rateLimited)
                headers[.retryAfter] = String(retryAfter)
            }
            let html = pages.codePage(language: language, csrfToken: form.csrfToken, userCode: form.userCode, message: message)
            return HTMLPages.response(html, status: status, language: language, extraHeaders: headers)
        case .loginPage(let form, let userCode):
            switch form.message {
            case .none:
                break
            case .wrongCredentials:
                // SPEC §9: the username of a failed sign-in is never logged.
                logger.info("sign-in failed")
            case .throttled:
                logger.info("sign-in refused by a rate limit")
            }
            return pages.pages.loginResponse(form, language: language, userCode: userCode)
        case .consentPage(let form, let userCode):
            let html = pages.pages.consentPage(
                language: language, clientName: form.clientName, username: form.username, scopes: form.scope, csrfToken: form.csrfToken,
                userCode: userCode
            )
            return HTMLPages.response(html, language: language)
        case .redirect(let location):
            return HTMLPages.redirect(to: location, afterPost: afterPost)
        case .done(let approved):
            return HTMLPages.response(pages.donePage(language: language, approved: approved), language: language)
        case .errorPage(let error, let forged):
            logger.notice("device verification refused", metadata: ["error": "\(error.code)", "hint": "\(error.hint)"])
            let html =
                forged
                ? pages.pages.errorPage(language: language, error: error, title: text["csrf_title"], lead: text["csrf_lead"])
                : pages.pages.errorPage(language: language, error: error)
            return HTMLPages.response(html, status: error.status, language: language)
        }
    }

    private func cookie(_ change: AuthorizationStep.CookieChange) -> Cookie {
        switch change.name {
        case .session:
            return Cookie(
                name: AuthorizeController.sessionCookie, value: change.value, maxAge: change.maxAge, path: "/", secure: secureCookies,
                httpOnly: true, sameSite: .lax
            )
        case .preLogin:
            return Cookie(
                name: Self.preLoginCookie, value: change.value, maxAge: change.maxAge, path: EndpointPath.device.path, secure: secureCookies,
                httpOnly: true, sameSite: .lax
            )
        case .browser:
            // Lax, so that it comes along when the provider's app sends the browser back.
            return Cookie(
                name: Self.browserCookie, value: change.value, maxAge: change.maxAge, path: EndpointPath.device.path, secure: secureCookies,
                httpOnly: true, sameSite: .lax
            )
        }
    }
}
