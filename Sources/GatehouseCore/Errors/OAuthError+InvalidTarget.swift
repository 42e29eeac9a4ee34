extension OAuthError {
    /// `invalid_target` (RFC 8707 §2): a `resource` the server will not issue a token for.
    public static func invalidTarget(_ hint: String) -> Self { Self(.invalidTarget, hint: hint) }
}
