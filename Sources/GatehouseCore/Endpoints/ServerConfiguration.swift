/// The protocol settings of an authorization server (SPEC §3), validated once at start.
public struct ServerConfiguration: Sendable, Equatable {
    /// The error profile: RFC 6749's codes, or DNSimple's where they differ (SPEC §7).
    public enum ErrorProfile: String, Sendable, CaseIterable {
        case rfc6749
        case dnsimple
    }

    /// Which clients must send PKCE (SPEC §3 `pkce_required_for`).
    public enum PKCERequirement: String, Sendable, CaseIterable {
        /// Public clients only (RFC 9700 §2.1.1); confidential ones are verified when they send it.
        case `public`
        /// Every client, as OAuth 2.1 §4.1.1 recommends.
        case all
    }

    /// Dynamic client registration (SPEC §10 `registration`).
    public enum RegistrationMode: String, Sendable, CaseIterable {
        case off
        case token
        case open
    }

    /// The `iss` of tokens and metadata, e.g. `http://127.0.0.1:8080`, without a trailing slash.
    public var issuer: String
    public var accessTokenTTL: Int
    public var refreshTokenTTL: Int
    public var authorizationCodeTTL: Int
    public var accessTokenFormat: AccessTokenFormat
    /// `error_uri` is `{errorURIBase}#{error}`.
    public var errorURIBase: String
    public var errorProfile: ErrorProfile
    public var maintenance: Bool
    /// The languages of `error_description` and pages, in order of preference.
    public var locales: [String]
    public var accessTokenAudience: String
    public var clientCacheTTL: Int
    public var introspectionCacheTTL: Int
    public var keyRefreshInterval: Int
    public var maxBodyBytes: Int
    /// The realm of `WWW-Authenticate` challenges.
    public var realm: String
    /// Seconds in which a retry with a just-rotated refresh token gets a fresh pair (SPEC §9); 0 is off.
    public var refreshTokenReuseInterval: Int
    /// Failed client authentications per (client_id, address) within ``rateLimitWindow`` before 429.
    public var clientAuthFailureLimit: Int
    /// Failed sign-ins per (username, address) within ``rateLimitWindow`` before 429.
    public var signInFailureLimit: Int
    /// Failed sign-ins per address, any username, within ``rateLimitWindow`` before 429.
    public var signInAddressFailureLimit: Int
    /// Seconds of the sliding window of the rate limits.
    public var rateLimitWindow: Int
    public var pkceRequiredFor: PKCERequirement
    /// The scopes this server knows; when set, clients may be registered only with these.
    public var scopes: ScopeSet?
    public var registration: RegistrationMode
    /// Scopes a dynamically registered client may ask for; `nil` means the value of ``scopes``.
    public var registrationScopes: ScopeSet?
    /// Resource indicators (RFC 8707) this server issues tokens for.
    public var resources: [String]
    /// The provider's own login and consent apps (SPEC §10); `nil` uses the built-in pages.
    public var loginURL: String?
    public var consentURL: String?
    public var deviceCodeTTL: Int
    public var devicePollInterval: Int
    public var idTokenTTL: Int

    public init(
        issuer: String,
        accessTokenTTL: Int = 3600,
        refreshTokenTTL: Int = 2_592_000,
        authorizationCodeTTL: Int = 60,
        accessTokenFormat: AccessTokenFormat = .opaque,
        errorURIBase: String? = nil,
        errorProfile: ErrorProfile = .rfc6749,
        maintenance: Bool = false,
        locales: [String] = ErrorCatalog.languages,
        accessTokenAudience: String? = nil,
        clientCacheTTL: Int = 5,
        introspectionCacheTTL: Int = 5,
        keyRefreshInterval: Int = 60,
        maxBodyBytes: Int = 65_536,
        realm: String = "gatehouse",
        refreshTokenReuseInterval: Int = 0,
        clientAuthFailureLimit: Int = 10,
        signInFailureLimit: Int = 5,
        signInAddressFailureLimit: Int = 100,
        rateLimitWindow: Int = 900,
        pkceRequiredFor: PKCERequirement = .public,
        scopes: ScopeSet? = nil,
        registration: RegistrationMode = .off,
        registrationScopes: ScopeSet? = nil,
        resources: [String] = [],
        loginURL: String? = nil,
        consentURL: String? = nil,
        deviceCodeTTL: Int = 600,
        devicePollInterval: Int = 5,
        idTokenTTL: Int = 3600
    ) {
        let issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.issuer = issuer
        self.accessTokenTTL = accessTokenTTL
        self.refreshTokenTTL = refreshTokenTTL
        self.authorizationCodeTTL = authorizationCodeTTL
        self.accessTokenFormat = accessTokenFormat
        self.errorURIBase = errorURIBase ?? "\(issuer)/docs/errors"
        self.errorProfile = errorProfile
        self.maintenance = maintenance
        self.locales = locales
        self.accessTokenAudience = accessTokenAudience ?? issuer
        self.clientCacheTTL = clientCacheTTL
        self.introspectionCacheTTL = introspectionCacheTTL
        self.keyRefreshInterval = keyRefreshInterval
        self.maxBodyBytes = maxBodyBytes
        self.realm = realm
        self.refreshTokenReuseInterval = refreshTokenReuseInterval
        self.clientAuthFailureLimit = clientAuthFailureLimit
        self.signInFailureLimit = signInFailureLimit
        self.signInAddressFailureLimit = signInAddressFailureLimit
        self.rateLimitWindow = rateLimitWindow
        self.pkceRequiredFor = pkceRequiredFor
        self.scopes = scopes
        self.registration = registration
        self.registrationScopes = registrationScopes
        self.resources = resources
        self.loginURL = loginURL
        self.consentURL = consentURL
        self.deviceCodeTTL = deviceCodeTTL
        self.devicePollInterval = devicePollInterval
        self.idTokenTTL = idTokenTTL
    }

    /// The `error_uri` of an error code: an anchor on the `/docs/errors` page.
    public func errorURI(for code: OAuthErrorCode) -> String {
        "\(errorURIBase)#\(code.rawValue)"
    }
}
