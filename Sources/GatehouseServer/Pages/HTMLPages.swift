import GatehouseCore
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the HTML pages and gives every one the headers SPEC §5 requires.
struct HTMLPages: Sendable {
    private let layout: MustacheTemplate
    private let login: MustacheTemplate
    private let consent: MustacheTemplate
    private let error: MustacheTemplate
    let languages: LanguageNegotiator

    init(locales: [String]) throws {
        layout = try MustacheTemplate(html: Templates.layout)
        login = try MustacheTemplate(html: Templates.login)
        consent = try MustacheTemplate(html: Templates.consent)
        error = try MustacheTemplate(html: Templates.error)
        languages = LanguageNegotiator(supported: locales.filter(ErrorCatalog.languages.contains))
    }

    /// The page language: `ui_locales` first (a space-separated preference list), then
    /// `Accept-Language`.
    func language(uiLocales: String?, acceptLanguage: String?) -> String {
        if let uiLocales {
            let preferred = uiLocales.split(separator: " ").joined(separator: ",")
            let chosen = languages.language(for: preferred)
            if chosen != LanguageNegotiator.fallback || preferred.hasPrefix("en") { return chosen }
        }
        return languages.language(for: acceptLanguage)
    }

    /// - Parameter userCode: on `/device`, the user code the form carries on.
    func loginPage(
        language: String, clientName: String, csrfToken: String, username: String = "", message: String? = nil, userCode: String? = nil
    ) -> String {
        let text = PageText.texts(for: language)
        var values: [String: Any] = ["text": text, "clientName": clientName, "csrfToken": csrfToken, "username": username]
        if let message { values["message"] = message }
        if let userCode { values["userCode"] = userCode }
        return page(language: language, title: text["sign_in_title"] ?? "", content: login.render(values))
    }

    /// The sign-in form of an interaction step with its message; past a sign-in limit 429 with
    /// `Retry-After` (SPEC §9).
    /// - Parameter userCode: on `/device`, the user code the form carries on.
    func loginResponse(_ form: AuthorizationStep.LoginForm, language: String, userCode: String? = nil) -> Response {
        let text = PageText.texts(for: language)
        var headers = HTTPFields()
        var status = HTTPResponse.Status.ok
        var message: String?
        switch form.message {
        case .none:
            break
        case .wrongCredentials:
            message = text["wrong_credentials"]
        case .throttled(let retryAfter):
            message = text["throttled"]
            status = ErrorCatalog.status(of: .temporarilyUnavailable, exception: .rateLimited)
            headers[.retryAfter] = String(retryAfter)
        }
        let html = loginPage(
            language: language, clientName: form.clientName, csrfToken: form.csrfToken, username: form.username, message: message,
            userCode: userCode
        )
        return Self.response(html, status: status, language: language, extraHeaders: headers)
    }

    /// 302 after a GET; 303 after a form POST, so the browser follows with a GET (RFC 9700 §4.12).
    static func redirect(to location: String, afterPost: Bool) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        addSecurityHeaders(to: &headers)
        return Response(status: afterPost ? .seeOther : .found, headers: headers)
    }

    /// - Parameter userCode: on `/device`, the user code, shown to compare with the device's and
    ///   carried on by the form.
    func consentPage(language: String, clientName: String, username: String, scopes: ScopeSet, csrfToken: String, userCode: String? = nil) -> String {
        let text = PageText.texts(for: language)
        let items: [[String: String]] = scopes.tokens.map { ["name": $0, "description": text["scope_\($0)"] ?? $0] }
        var values: [String: Any] = [
            "text": text, "clientName": clientName, "username": username, "scopes": items, "csrfToken": csrfToken,
        ]
        if let userCode { values["userCode"] = userCode }
        return page(language: language, title: text["consent_title"] ?? "", content: consent.render(values))
    }

    func errorPage(language: String, error oauthError: OAuthError, title: String? = nil, lead: String? = nil) -> String {
        let text = PageText.texts(for: language)
        let values: [String: Any] = [
            "title": title ?? text["error_title"] ?? "", "lead": lead ?? text["error_lead"] ?? "",
            "code": oauthError.code.rawValue, "description": oauthError.message.text(in: language),
        ]
        return page(language: language, title: values["title"] as? String ?? "", content: error.render(values))
    }

    /// Wraps rendered content in the layout. The content was rendered with escaping, so the
    /// layout inserts it raw.
    func page(language: String, title: String, content: String) -> String {
        layout.render(["language": language, "title": title, "content": content])
    }

    /// An HTML response that no cache keeps and no other site can frame.
    static func response(_ html: String, status: HTTPResponse.Status = .ok, language: String, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLanguage] = language
        headers[.vary] = "Accept-Language"
        addSecurityHeaders(to: &headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// SPEC §5: every HTML response carries no-store, anti-framing and a CSP with
    /// `frame-ancestors 'none'`. The pages have no script and only inline style.
    static func addSecurityHeaders(to headers: inout HTTPFields) {
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
        headers[.xFrameOptions] = "DENY"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
        headers[.referrerPolicy] = "no-referrer"
    }
}
