/// The protocol settings of an authorization server (SPEC §3), validated once at start.
public struct ServerConfiguration: Sendable, Equatable {
    /// The error profile: RFC 6749's codes, or DNSimple's where they differ (SPEC §7).
    public enum ErrorProfile: String, Sendable, CaseIterable {
        case rfc6749
        case dnsimple
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
        realm: String = "gatehouse"
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
    }

    /// The `error_uri` of an error code: an anchor on the `/docs/errors` page.
    public func errorURI(for code: OAuthErrorCode) -> String {
        "\(errorURIBase)#\(code.rawValue)"
    }
}
