import HTTPTypes

// SPEC §4, §11: the OpenID Connect endpoints.
extension EndpointPath {
    /// OpenID Connect Discovery 1.0 §4: the OpenID Provider metadata.
    public static let openIDConfiguration = Self("/.well-known/openid-configuration", [.get])
    /// OpenID Connect Core §5.3: claims about the end-user, GET or POST with a bearer token.
    public static let userInfo = Self("/oauth2/userinfo", [.get, .post])
    /// OpenID Connect RP-Initiated Logout 1.0 §2: the `end_session_endpoint`.
    public static let endSession = Self("/oauth2/logout", [.get])

    /// The OpenID Connect paths; any other method is answered with 405 and `Allow`.
    public static let openIDConnect: [Self] = [openIDConfiguration, userInfo, endSession]
}
