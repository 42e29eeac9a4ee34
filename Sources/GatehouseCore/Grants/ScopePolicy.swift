/// Decides the scope of a token from what was asked and what is allowed (RFC 6749 §3.3).
public enum ScopePolicy {
    /// The scope to grant.
    ///
    /// With no `scope` parameter the client gets `default` (RFC 6749 §3.3: the server "MUST either
    /// process the request using a pre-defined default value or fail"). A requested token outside
    /// `allowed` is unknown to this client.
    /// - Throws: ``OAuthError`` `invalid_scope`.
    public static func resolve(requested: String?, allowed: ScopeSet, default defaultScope: ScopeSet) throws(OAuthError) -> ScopeSet {
        guard let requested else { return defaultScope }
        let scope = try ScopeSet(parsing: requested)
        let unknown = scope.subtracting(allowed)
        guard unknown.isEmpty else {
            throw .invalidScope("scope not allowed for the client: \(unknown.joined(separator: " "))")
        }
        return scope
    }
}
