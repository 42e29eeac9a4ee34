/// Decides the scope of a token from what was asked and what is allowed (RFC 6749 §3.3).
public enum ScopePolicy {
    /// The scope to grant.
    ///
    /// With no `scope` parameter the client gets `default` (RFC 6749 §3.3: the server "MUST either
    /// process the request using a pre-defined default value or fail"). A requested token outside
    /// `allowed` is unknown to this client.
    ///
    /// Reserved scopes (``ReservedScope``) count as allowed only with `grantsReserved`, which
    /// only the client credentials grant passes (SPEC §10): asked for anywhere else they are
    /// `invalid_scope`, and a default never includes them.
    /// - Throws: ``OAuthError`` `invalid_scope`.
    public static func resolve(
        requested: String?, allowed: ScopeSet, default defaultScope: ScopeSet, grantsReserved: Bool = false
    ) throws(OAuthError) -> ScopeSet {
        let allowed = grantsReserved ? allowed : ScopeSet(allowed.tokens.filter { !ReservedScope.contains($0) })
        guard let requested else {
            return grantsReserved ? defaultScope : ScopeSet(defaultScope.tokens.filter { !ReservedScope.contains($0) })
        }
        let scope = try ScopeSet(parsing: requested)
        let unknown = scope.subtracting(allowed)
        guard unknown.isEmpty else {
            throw .invalidScope("scope not allowed for the client: \(unknown.joined(separator: " "))")
        }
        return scope
    }
}
