import Foundation

/// What the browser is shown next: the answer of ``AuthorizationInteraction`` that the HTTP layer
/// renders. The built-in pages and the provider's delegated ones are two presentations of the
/// same steps.
public struct AuthorizationStep: Sendable {
    public enum Kind: Sendable {
        /// The built-in login form (SPEC §6 "Pages").
        case loginPage(LoginForm)
        /// The built-in consent form.
        case consentPage(ConsentForm)
        /// Send the browser on: to `login_url` or `consent_url`, to the server itself, or back to the
        /// client with a code or an error. 302 after a GET, 303 after a form POST.
        case redirect(String)
        /// The error page for a request whose client or redirect URI cannot be trusted, or whose
        /// interaction cannot go on in this browser: never a redirect (RFC 6749 §4.1.2.1).
        case errorPage(OAuthError)
        /// A form post without its CSRF token: the browser is refused, not the client.
        case forgedForm(OAuthError)
    }

    public struct LoginForm: Sendable, Hashable {
        public var clientName: String
        public var csrfToken: String
        /// The username typed before, shown again after a failure.
        public var username: String
        public var message: LoginMessage?
    }

    public enum LoginMessage: Sendable, Hashable {
        case wrongCredentials
        /// SPEC §9: past a sign-in limit; 429 with `Retry-After`.
        case throttled(retryAfter: Int)
    }

    public struct ConsentForm: Sendable, Hashable {
        public var clientName: String
        /// Who is asked: the username, or the delegated subject when its app gave none.
        public var username: String
        public var scope: ScopeSet
        public var csrfToken: String
    }

    /// A cookie to set or delete alongside the step.
    public struct CookieChange: Sendable, Hashable {
        public enum Name: Sendable, Hashable {
            /// The server-side session, from a successful sign-in.
            case session
            /// The signed pre-login state of the login form (``PreLoginState``).
            case preLogin
            /// Names the browser that started a delegated login or consent.
            case browser
        }

        public var name: Name
        public var value: String
        /// Seconds; `nil` until the browser closes; 0 deletes the cookie.
        public var maxAge: Int?
    }

    public var kind: Kind
    public var cookies: [CookieChange] = []
    /// The request's `ui_locales`, which the page language follows first.
    public var uiLocales: String?
    /// Why the request was refused, for the log; never shown beyond the catalog's text.
    public var refusal: OAuthError?
    /// An unexpected failure that was answered with `server_error`, for the log.
    public var fault: String?

    public init(
        _ kind: Kind, cookies: [CookieChange] = [], uiLocales: String? = nil, refusal: OAuthError? = nil, fault: String? = nil
    ) {
        self.kind = kind
        self.cookies = cookies
        self.uiLocales = uiLocales
        self.refusal = refusal
        self.fault = fault
    }
}

/// The browser's side of one request to the authorization endpoint, as the HTTP layer read it.
public struct BrowserRequest: Sendable {
    public var isPost: Bool
    /// The raw query string.
    public var query: [UInt8]
    public var sessionCookie: String?
    public var preLoginCookie: String?
    public var browserCookie: String?
    /// The client's address as SPEC §9 decides it.
    public var address: String?

    public init(
        isPost: Bool, query: [UInt8], sessionCookie: String? = nil, preLoginCookie: String? = nil, browserCookie: String? = nil,
        address: String? = nil
    ) {
        self.isPost = isPost
        self.query = query
        self.sessionCookie = sessionCookie
        self.preLoginCookie = preLoginCookie
        self.browserCookie = browserCookie
        self.address = address
    }
}

/// Checks a username and password of the built-in user store (the server's uses bcrypt).
public protocol PasswordVerifier: Sendable {
    /// The user, when the password is theirs.
    func verify(username: String, password: String) async throws -> User?
}
