public import Foundation

/// The authorization endpoint (RFC 6749 §3.1, §4.1.1–4.1.2), independent of HTTP and of pages.
///
/// The server asks it to validate a request, to decide whether the user must consent, and to issue
/// a code; how the user signs in and consents is the server's business.
public struct AuthorizationEndpoint: Sendable {
    private let configuration: ServerConfiguration
    private let clients: any ClientStore
    private let grants: any GrantStore
    private let consents: any ConsentStore
    private let generator = SecretGenerator()
    private let now: @Sendable () -> Date

    public init(
        configuration: ServerConfiguration,
        clients: any ClientStore,
        grants: any GrantStore,
        consents: any ConsentStore,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.clients = clients
        self.grants = grants
        self.consents = consents
        self.now = now
    }

    /// Validates an authorization request given as its query string.
    ///
    /// The client and the redirect URI are checked first; until both are trusted nothing is
    /// redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.11). Then, in order: maintenance, repeated
    /// parameters, `response_type`, the client's grant types, PKCE (`pkce_required_for`), scope
    /// (never empty), `resource` (RFC 8707, repeatable).
    /// - Throws: ``AuthorizationFailure``.
    public func validate(query: [UInt8]) async throws -> AuthorizationRequest {
        let parameters: RequestParameters
        let repeated: [String]
        do {
            (parameters, repeated) = try RequestParameters.lenient(formEncoded: query)
        } catch {
            throw AuthorizationFailure.page(error)
        }
        guard !repeated.contains("client_id"), let clientID = parameters["client_id"],
            let client = try await clients.client(id: clientID)
        else {
            throw AuthorizationFailure.page(.invalidRequest("client_id missing, repeated or unknown", message: .unknownClient))
        }
        let sentRedirectURI = parameters["redirect_uri"]
        guard !repeated.contains("redirect_uri"), let redirectURI = Self.redirectURI(sentRedirectURI, registered: client.redirectURIs) else {
            throw AuthorizationFailure.page(
                .invalidRequest("redirect_uri missing or not registered for \(client.id)", message: .unregisteredRedirectURI)
            )
        }
        let state = parameters["state"]
        func refuse(_ error: OAuthError) -> AuthorizationFailure {
            .redirect(error, location: errorLocation(error, redirectURI: redirectURI, state: state))
        }

        if configuration.maintenance {
            throw refuse(OAuthError(.temporarilyUnavailable, hint: "maintenance mode"))
        }
        if let name = repeated.first {
            throw refuse(.invalidRequest("parameter \(name) repeated", message: .repeatedParameter))
        }
        guard let responseType = parameters["response_type"] else {
            throw refuse(.invalidRequest("response_type missing", message: .missingParameter))
        }
        guard responseType == "code" else {
            throw refuse(OAuthError(.unsupportedResponseType, hint: "response_type \(responseType)"))
        }
        guard client.grantTypes.contains(.authorizationCode) else {
            throw refuse(.unauthorizedClient("client \(client.id) is not registered for authorization_code"))
        }
        let challenge = parameters["code_challenge"]
        let method = parameters["code_challenge_method"]
        if let challenge {
            // RFC 7636 §4.3: an absent method means "plain", which OAuth 2.1 does not allow.
            guard method == "S256" else {
                throw refuse(.invalidRequest("code_challenge_method \(method ?? "absent (plain)")", message: .unsupportedChallengeMethod))
            }
            guard PKCE.isWellFormed(challenge) else {
                throw refuse(.invalidRequest("malformed code_challenge", message: .malformedParameter))
            }
        } else if method != nil {
            throw refuse(.invalidRequest("code_challenge_method without code_challenge", message: .missingParameter))
        } else if client.isPublic {
            // OAuth 2.1 §7.5.1, RFC 9700 §2.1.1: public clients MUST use PKCE.
            throw refuse(.invalidRequest("public client without PKCE", message: .pkceRequired))
        } else if configuration.pkceRequiredFor == .all {
            // `pkce_required_for: all` (SPEC §3): OAuth 2.1 §4.1.1 for confidential clients too.
            throw refuse(.invalidRequest("confidential client without PKCE (pkce_required_for all)", message: .pkceRequired))
        }
        let scope: ScopeSet
        do {
            scope = try ScopePolicy.resolve(requested: parameters["scope"], allowed: client.scopes, default: client.scopes)
        } catch {
            throw refuse(error)
        }
        // SPEC §9 "Consent": an empty scope is covered by any stored consent, even none, so it
        // would hand out a code without asking the user. RFC 6749 §3.3 lets the server fail here.
        guard !scope.isEmpty else {
            throw refuse(.invalidScope("scope resolves to nothing"))
        }
        let resources: [String]
        do {
            resources = try ResourcePolicy.resolve(requested: parameters.all("resource"), known: configuration.knownResources)
        } catch {
            throw refuse(error)
        }
        // OpenID Connect Core §3.1.2.1: `nonce`, `prompt`, `max_age`, `login_hint` mean something
        // only in a request for `openid`.
        var openID: OpenIDRequest?
        if scope.contains(OpenIDScope.openid) {
            do {
                openID = try OpenIDRequest.parse(parameters)
            } catch {
                throw refuse(error)
            }
        }
        return AuthorizationRequest(
            client: client,
            redirectURI: redirectURI,
            redirectURIWasSent: sentRedirectURI != nil,
            scope: scope,
            resources: resources,
            state: state,
            codeChallenge: challenge,
            uiLocales: parameters["ui_locales"],
            openID: openID
        )
    }

    /// Whether the user must be asked: not for `--skip-consent` clients, nor when a stored consent
    /// of the user to this client covers every requested scope (SPEC §9; the scope is never empty).
    public func needsConsent(_ request: AuthorizationRequest, userID: String) async throws -> Bool {
        if request.client.skipConsent { return false }
        let allowed = try await consents.consentedScope(clientID: request.client.id, userID: userID)
        return !request.scope.isSubset(of: allowed)
    }

    /// Remembers that the user allowed the requested scopes.
    public func recordConsent(_ request: AuthorizationRequest, userID: String) async throws {
        try await consents.recordConsent(clientID: request.client.id, userID: userID, scope: request.scope, at: now())
    }

    /// Issues a code for the user and returns where to send the browser (RFC 6749 §4.1.2,
    /// with `iss` from RFC 9207).
    ///
    /// - Parameters:
    ///   - scope: what the user allowed, when a delegated consent narrowed the request's scope.
    ///   - delegation: set when the provider's login app named the subject (SPEC §10).
    ///   - signIn: for an `openid` request, when the user signed in and the browser session's
    ///     `sid`; its `nonce` is taken from the request. `nil`: signed in now, no session.
    public func issueCode(
        _ request: AuthorizationRequest, userID: String, scope: ScopeSet? = nil, delegation: Grant.Delegation? = nil,
        signIn: OpenIDAuthentication? = nil
    ) async throws -> String {
        let date = now()
        let scope = scope ?? request.scope
        var openID: OpenIDAuthentication?
        if let parameters = request.openID, scope.contains(OpenIDScope.openid) {
            openID = OpenIDAuthentication(nonce: parameters.nonce, authTime: signIn?.authTime ?? date, sessionID: signIn?.sessionID)
        }
        let grant = Grant(
            id: generator.makeOrderedIdentifier(), clientID: request.client.id, userID: userID, scope: scope,
            resources: request.resources, createdAt: date, delegation: delegation, openID: openID
        )
        try await grants.createGrant(grant)
        let code = generator.make(.authorizationCode)
        try await grants.insertAuthorizationCode(
            AuthorizationCode(
                codeHash: SecretHasher.hash(code),
                grantID: grant.id,
                clientID: request.client.id,
                userID: userID,
                redirectURI: request.redirectURIWasSent ? request.redirectURI : nil,
                scope: scope,
                resources: request.resources,
                codeChallenge: request.codeChallenge,
                state: request.state,
                createdAt: date,
                expiresAt: date.addingTimeInterval(TimeInterval(configuration.authorizationCodeTTL)),
                openID: openID
            )
        )
        return Self.appendQuery(to: request.redirectURI, [("code", code), ("state", request.state), ("iss", configuration.issuer)])
    }

    /// Where to send the browser for an error after the redirect URI is trusted; the description
    /// is English, within RFC 6749's character set.
    public func errorLocation(_ error: OAuthError, redirectURI: String, state: String?) -> String {
        Self.appendQuery(
            to: redirectURI,
            [
                ("error", error.code.rawValue),
                ("error_description", error.message.english),
                ("error_uri", configuration.errorURI(for: error.code)),
                ("state", state),
                ("iss", configuration.issuer),
            ]
        )
    }

    /// The redirect URI to use: the one sent if registered, or the only registered one.
    ///
    /// Registered URIs match by exact string (RFC 9700 §4.1.3), except that a loopback URI
    /// (`http://127.0.0.1` or `http://[::1]`) matches on any port (RFC 8252 §7.3).
    static func redirectURI(_ sent: String?, registered: [String]) -> String? {
        guard let sent else {
            return registered.count == 1 ? registered.first : nil
        }
        if registered.contains(sent) { return sent }
        guard let sentParts = URLComponents(string: sent), sentParts.scheme == "http", isLoopback(sentParts.host) else {
            return nil
        }
        for candidate in registered {
            guard var parts = URLComponents(string: candidate), parts.scheme == "http", isLoopback(parts.host) else { continue }
            parts.port = sentParts.port
            if parts == sentParts { return sent }
        }
        return nil
    }

    private static func isLoopback(_ host: String?) -> Bool {
        host == "127.0.0.1" || host == "[::1]" || host == "::1"
    }

    /// Adds parameters to a URI that may already carry a query (RFC 6749 §3.1.2: it "MUST be
    /// retained when adding additional query parameters").
    public static func appendQuery(to uri: String, _ parameters: [(String, String?)]) -> String {
        let encoded = parameters.compactMap { name, value in
            value.map { "\(name)=\(percentEncode($0))" }
        }
        .joined(separator: "&")
        return uri + (uri.contains("?") ? "&" : "?") + encoded
    }

    private static func percentEncode(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return output
    }
}
