import Foundation

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3): ends the browser's
/// session and says where the browser goes next. Independent of HTTP and of pages.
public struct LogoutEndpoint: Sendable {
    /// What the browser is shown after its session ended.
    public enum Outcome: Sendable, Equatable {
        /// Back to the client at a `post_logout_redirect_uri` registered for it, with `state`.
        case redirect(String)
        /// The signed-out page: no hint, no URI, or a URI the hint's client did not register.
        case signedOut
    }

    private let clients: any ClientStore
    private let sessions: any SessionStore
    private let idTokens: IDTokenIssuer

    public init(clients: any ClientStore, sessions: any SessionStore, idTokens: IDTokenIssuer) {
        self.clients = clients
        self.sessions = sessions
        self.idTokens = idTokens
    }

    /// Handles `GET /oauth2/logout?id_token_hint=…&post_logout_redirect_uri=…&state=…`.
    ///
    /// The hint must be an `id_token` of this server (signature by one of the published keys and
    /// `iss`); an expired one is accepted (§2). The session ends in every case where the request is
    /// valid; the browser is only redirected to a URI registered, by exact match, for the hint's
    /// client (§3), so the endpoint is no open redirector.
    /// - Parameter sessionCookie: the browser's session cookie, if any.
    /// - Throws: ``OAuthError`` `invalid_request` for a repeated parameter or a hint that is not
    ///   one of our `id_token`s; nothing is ended then.
    public func logout(query: [UInt8], sessionCookie: String?) async throws -> Outcome {
        let (parameters, repeated) = try RequestParameters.lenient(formEncoded: query)
        if let name = repeated.first {
            throw OAuthError.invalidRequest("parameter \(name) repeated", message: .repeatedParameter)
        }
        var clientID: String?
        if let hint = parameters["id_token_hint"] {
            do {
                clientID = try await idTokens.verifyHint(hint).audience
            } catch {
                throw OAuthError.invalidRequest("id_token_hint is not an id_token of this server: \(error)", message: .malformedParameter)
            }
        }
        if let cookie = sessionCookie, !cookie.isEmpty {
            try await sessions.deleteSession(idHash: SecretHasher.hash(cookie))
        }
        guard let target = parameters["post_logout_redirect_uri"], let clientID,
            let client = try await clients.client(id: clientID), client.postLogoutRedirectURIs.contains(target)
        else { return .signedOut }
        return .redirect(AuthorizationEndpoint.appendQuery(to: target, [("state", parameters["state"])]))
    }
}
