import HTTPTypes

extension OAuthError {
    /// SPEC §5: 429 `temporarily_unavailable` with `Retry-After` when rate-limited.
    public static func rateLimited(retryAfter seconds: Int, hint: String) -> Self {
        var fields = HTTPFields()
        fields[.retryAfter] = String(seconds)
        return Self(.temporarilyUnavailable, exception: .rateLimited, hint: hint, headerFields: fields)
    }
}
