import Foundation

/// A login request as the provider's app reads it (`GET /admin/v1/login-requests/{challenge}`).
public struct LoginRequest: Sendable, Hashable {
    public var challenge: String
    public var clientID: String
    public var clientName: String
    public var requestedScope: [String]
    /// The browser already has a remembered session: the app may accept at once with ``subject``.
    public var skip: Bool
    public var subject: String?
    /// OpenID Connect Core §3.1.2.1 `login_hint` of the request, for the app's login form.
    public var loginHint: String? = nil
}

/// A consent request as the provider's app reads it (`GET /admin/v1/consent-requests/{challenge}`).
public struct ConsentRequest: Sendable, Hashable {
    public var challenge: String
    public var clientID: String
    public var clientName: String
    public var subject: String
    public var requestedScope: [String]
    /// What the subject allowed this client before, whether or not it covers the request.
    public var previouslyGrantedScope: [String]
}

/// The admin API's side of SPEC §10 "Delegated login and consent": the provider's app reads a
/// challenge and decides it once; the answer is the `redirect_to` it sends the browser to.
///
/// An unknown, decided or expired challenge is `404 not_found`, whichever it is, so that the
/// answer says nothing about challenges the caller does not hold.
extension AuthorizationInteraction {
    /// The error codes an app may end a request with: those RFC 6749 §4.1.2.1 and OpenID Connect
    /// Core §3.1.2.6 define for the authorization response.
    static let rejectionCodes: Set<String> = [
        "access_denied", "invalid_request", "invalid_scope", "unauthorized_client", "server_error", "temporarily_unavailable",
        "login_required", "consent_required", "interaction_required",
    ]

    public func loginRequest(challenge: String) async throws -> LoginRequest {
        let (stored, authorization) = try await open(challenge, kind: .login)
        return LoginRequest(
            challenge: challenge, clientID: authorization.client.id, clientName: authorization.client.name,
            requestedScope: authorization.scope.tokens, skip: stored.subject != nil, subject: stored.subject,
            loginHint: authorization.openID?.loginHint
        )
    }

    /// The app signed its user in as `subject`.
    /// - Returns: `redirect_to`.
    /// - Throws: ``OAuthError``: `invalid_request` for an empty subject, `not_found`.
    public func acceptLogin(challenge: String, subject: String, username: String?, remember: Bool) async throws -> String {
        guard !subject.isEmpty else { throw OAuthError.invalidRequest("empty subject") }
        if let username, username.isEmpty { throw OAuthError.invalidRequest("empty username") }
        return try await decide(challenge, kind: .login, .loginAccepted(subject: subject, username: username, remember: remember))
    }

    public func consentRequest(challenge: String) async throws -> ConsentRequest {
        let (stored, authorization) = try await open(challenge, kind: .consent)
        guard let subject = stored.subject else { throw Self.notFound("consent challenge without a subject") }
        let previous = try await consents.consentedScope(clientID: authorization.client.id, userID: subject)
        return ConsentRequest(
            challenge: challenge, clientID: authorization.client.id, clientName: authorization.client.name, subject: subject,
            requestedScope: authorization.scope.tokens, previouslyGrantedScope: previous.tokens
        )
    }

    /// The user allowed `grantScope`, which must be a non-empty subset of the requested scope.
    /// - Returns: `redirect_to`.
    /// - Throws: ``OAuthError``: `invalid_request`, `not_found`.
    public func acceptConsent(challenge: String, grantScope: [String], remember: Bool) async throws -> String {
        let (_, authorization) = try await open(challenge, kind: .consent)
        let granted = ScopeSet(grantScope)
        guard !granted.isEmpty else { throw OAuthError.invalidRequest("grant_scope is empty; reject the request instead") }
        guard granted.isSubset(of: authorization.scope) else { throw OAuthError.invalidRequest("grant_scope is not a subset of the requested scope") }
        return try await decide(challenge, kind: .consent, .consentAccepted(scope: granted.tokens, remember: remember))
    }

    /// Ends the request at the client's redirect URI with `error` (default `access_denied`).
    /// - Returns: `redirect_to`.
    /// - Throws: ``OAuthError``: `invalid_request` for an error code the authorization response
    ///   does not have or a description outside RFC 6749's character set; `not_found`.
    public func reject(
        challenge: String, kind: InteractionChallenge.Kind, error: String?, description: String?
    ) async throws -> String {
        let code = error ?? OAuthErrorCode.accessDenied.rawValue
        guard Self.rejectionCodes.contains(code) else { throw OAuthError.invalidRequest("error \(code) is not an authorization response error") }
        // RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
        if let description {
            guard description.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }) else {
                throw OAuthError.invalidRequest("error_description outside RFC 6749's character set")
            }
        }
        _ = try await open(challenge, kind: kind)
        return try await decide(challenge, kind: kind, .rejected(error: code, description: description))
    }

    /// The open challenge and the request it stands for, validated again: a client deleted since is
    /// as gone as the challenge.
    private func open(_ challenge: String, kind: InteractionChallenge.Kind) async throws -> (InteractionChallenge, AuthorizationRequest) {
        guard let stored = try await challenges.openChallenge(hash: SecretHasher.hash(challenge), kind: kind, at: now()) else {
            throw Self.notFound("\(kind.rawValue) challenge unknown, decided or expired")
        }
        if let device = try await deviceRequest(of: stored) { return (stored, device) }
        do {
            return (stored, try await endpoint.validate(query: Array(stored.requestQuery.utf8)))
        } catch is AuthorizationFailure {
            throw Self.notFound("the authorization request of the \(kind.rawValue) challenge is no longer valid")
        }
    }

    /// Records the decision once and makes the `redirect_to` that completes it in the browser.
    private func decide(_ challenge: String, kind: InteractionChallenge.Kind, _ decision: InteractionDecision) async throws -> String {
        let verifier = SecretGenerator().make(.interactionVerifier)
        guard
            let decided = try await challenges.decideChallenge(
                hash: SecretHasher.hash(challenge), kind: kind, decision: decision, verifierHash: SecretHasher.hash(verifier), at: now()
            )
        else { throw Self.notFound("\(kind.rawValue) challenge unknown, decided or expired") }
        let parameter = kind == .login ? "login_verifier" : "consent_verifier"
        let page = DeviceChallengeQuery.userCode(in: decided.requestQuery) == nil ? EndpointPath.authorization : EndpointPath.device
        let resume = configuration.issuer + page.path + "?" + decided.requestQuery
        return AuthorizationEndpoint.appendQuery(to: resume, [(parameter, verifier)])
    }

    static func notFound(_ hint: String) -> OAuthError {
        OAuthError(.notFound, hint: hint)
    }
}
