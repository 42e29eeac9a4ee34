import Foundation
import GatehouseCore
import GatehouseResource
import GatehouseStore
import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// SPEC §11 "OpenID Connect Core": the provider metadata, the UserInfo endpoint and RP-initiated
/// logout. Each decodes the request, asks the core and renders its answer.
struct OpenIDConnectController: Sendable {
    let configuration: ServerConfiguration
    let grantTypes: [GrantType]
    let store: SQLStore
    let responder: OAuthResponder
    let userInfo: UserInfoEndpoint
    let logoutEndpoint: LogoutEndpoint
    let pages: HTMLPages
    private let signedOut: MustacheTemplate
    /// Rebuilt at most once per `client_cache_ttl`, as the RFC 8414 document (`scopes_supported`
    /// reads every client).
    private let cache = MetadataCache()

    init(
        configuration: ServerConfiguration, grantTypes: [GrantType], store: SQLStore, responder: OAuthResponder, idTokens: IDTokenIssuer,
        clients: any ClientStore, pages: HTMLPages
    ) throws {
        self.configuration = configuration
        self.grantTypes = grantTypes
        self.store = store
        self.responder = responder
        self.userInfo = UserInfoEndpoint(users: store)
        self.logoutEndpoint = LogoutEndpoint(clients: clients, sessions: store, idTokens: idTokens)
        self.pages = pages
        self.signedOut = try MustacheTemplate(html: "<h1>{{title}}</h1>\n<p>{{lead}}</p>\n")
    }

    /// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
    func configuration(_ request: Request, context: some RequestContext) async throws -> Response {
        let date = Date()
        if let cached = cache.document(at: date) {
            return responder.jsonResponse(cached, status: .ok, noStore: false)
        }
        let scopes = try await store.clients().reduce(into: Set<String>()) { all, client in all.formUnion(client.scopes.tokens) }
        // The reserved scopes of the admin API are no business of relying parties (SPEC §10).
        let published = scopes.filter { !ReservedScope.contains($0) }.sorted()
        let metadata = OpenIDProviderMetadata(configuration: configuration, grantTypes: grantTypes, scopes: published)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(metadata), as: UTF8.self)
        cache.store(json, until: date.addingTimeInterval(TimeInterval(max(configuration.clientCacheTTL, 1))))
        return responder.jsonResponse(json, status: .ok, noStore: false)
    }

    /// `GET` or `POST /oauth2/userinfo` behind `GatehouseResource` with scope `openid`.
    func userInfo(context: GatehouseRequestContext) async throws -> Response {
        guard let claims = context.accessToken else { throw OAuthError.serverError("userinfo without a verified token") }
        let json = try await userInfo.claims(subject: claims.subject, scope: claims.scope)
        return responder.jsonResponse(json, status: .ok, noStore: true)
    }

    /// `GET /oauth2/logout` (RP-Initiated Logout 1.0): the session cookie is cleared whatever the
    /// outcome of a valid request.
    func logout(_ request: Request, context: GatehouseRequestContext) async -> Response {
        let query = Array((request.uri.query ?? "").utf8)
        let uiLocales = (try? RequestParameters.lenient(formEncoded: query))?.0["ui_locales"]
        let language = pages.language(uiLocales: uiLocales, acceptLanguage: request.headers[.acceptLanguage])
        let outcome: LogoutEndpoint.Outcome
        do {
            outcome = try await logoutEndpoint.logout(query: query, sessionCookie: request.cookies[AuthorizeController.sessionCookie]?.value)
        } catch {
            let oauthError = (error as? OAuthError) ?? .serverError("logout failed")
            if oauthError.code == .serverError {
                context.logger.error("logout failed", metadata: ["error": "\(String(reflecting: error))"])
            } else {
                context.logger.info("logout refused", metadata: ["hint": "\(oauthError.hint)"])
            }
            if request.headers[.accept]?.contains("application/json") == true {
                return responder.response(for: oauthError, acceptLanguage: request.headers[.acceptLanguage])
            }
            return HTMLPages.response(pages.errorPage(language: language, error: oauthError), status: oauthError.status, language: language)
        }
        var response: Response
        switch outcome {
        case .redirect(let location):
            var headers = HTTPFields()
            headers[.location] = location
            HTMLPages.addSecurityHeaders(to: &headers)
            response = Response(status: .found, headers: headers)
        case .signedOut:
            let text = SignedOutText.texts(for: language)
            let content = signedOut.render(["title": text.title, "lead": text.lead])
            response = HTMLPages.response(pages.page(language: language, title: text.title, content: content), language: language)
        }
        response.setCookie(
            Cookie(
                name: AuthorizeController.sessionCookie, value: "", maxAge: 0, path: "/", secure: configuration.issuer.hasPrefix("https://"),
                httpOnly: true, sameSite: .lax
            )
        )
        return response
    }
}

/// The words of the signed-out page in every language of the error catalog.
enum SignedOutText {
    static let strings: [String: (title: String, lead: String)] = [
        "en": ("You are signed out", "Your session has ended. You can close this window."),
        "de": ("Sie sind abgemeldet", "Ihre Sitzung wurde beendet. Sie können dieses Fenster schließen."),
        "fr": ("Vous êtes déconnecté", "Votre session est terminée. Vous pouvez fermer cette fenêtre."),
        "es": ("Ha cerrado la sesión", "Su sesión ha terminado. Puede cerrar esta ventana."),
        "ja": ("サインアウトしました", "セッションは終了しました。このウィンドウを閉じてかまいません。"),
    ]

    static func texts(for language: String) -> (title: String, lead: String) {
        strings[language] ?? strings["en"] ?? ("", "")
    }
}
