extension Migration {
    /// SPEC §11 "OpenID Connect Core": a grant from an `openid` request keeps what its `id_token`s
    /// state about the sign-in: the request's `nonce` (for the code's `id_token`), `auth_time` and
    /// the browser session's `sid` (for every refresh, Core §12.2). NULL `auth_time`: no `openid`.
    static let openIDConnect = Migration(
        version: 10,
        name: "OpenID Connect sign-in of a grant",
        statements: [
            "ALTER TABLE grants ADD COLUMN oidc_nonce TEXT",
            "ALTER TABLE grants ADD COLUMN auth_time BIGINT",
            "ALTER TABLE grants ADD COLUMN session_sid TEXT",
        ]
    )
}
