/// The claims of the UserInfo endpoint (OpenID Connect Core §5.3), for an access token whose
/// scope holds `openid`; the bearer check itself is `GatehouseResource`'s (RFC 6750).
public struct UserInfoEndpoint: Sendable {
    private let users: any UserStore

    public init(users: any UserStore) {
        self.users = users
    }

    /// `sub` always; `preferred_username` and `name` with `profile`; `email` and `email_verified`
    /// with `email` (Core §5.4), each only when the user has it. A subject that is no user of the
    /// built-in store (one named by the provider's login app, SPEC §10) gets `sub` only.
    ///
    /// `email_verified` is `false`: Gatehouse stores an address as the administrator typed it and
    /// never checks that its owner receives mail there.
    public func claims(subject: String, scope: ScopeSet) async throws -> String {
        var json = JSONWriter()
        json.add("sub", subject)
        if let user = try await users.user(id: subject) {
            if scope.contains(OpenIDScope.profile) {
                json.add("preferred_username", user.username)
                if let name = user.name { json.add("name", name) }
            }
            if scope.contains(OpenIDScope.email), let email = user.email {
                json.add("email", email)
                json.add("email_verified", false)
            }
        }
        return json.finish()
    }
}
