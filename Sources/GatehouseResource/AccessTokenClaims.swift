public import Foundation
public import GatehouseCore

/// What a verified access token says: who it speaks for, which client holds it, what it allows.
public struct AccessTokenClaims: Sendable, Equatable {
    /// The user the token acts for, or the client itself for `client_credentials` (RFC 9068 §2.2).
    public var subject: String
    public var clientID: String
    public var scope: ScopeSet
    /// The user's name when the verification source knows it (introspection and store mode).
    public var username: String?
    public var expiresAt: Date?
    public var tokenID: String?
    /// `aud`: where the token may be used — the resources it was requested for (RFC 8707), or the
    /// authorization server's default audience. Empty when the verification source did not say.
    public var audience: [String]
    /// `act` (RFC 8693 §4.1): for a token obtained by token exchange with an actor token, the party
    /// acting for ``subject`` (and the actors before it).
    public var actor: TokenActor?

    public init(
        subject: String, clientID: String, scope: ScopeSet, username: String? = nil, expiresAt: Date? = nil, tokenID: String? = nil,
        audience: [String] = [], actor: TokenActor? = nil
    ) {
        self.subject = subject
        self.clientID = clientID
        self.scope = scope
        self.username = username
        self.expiresAt = expiresAt
        self.tokenID = tokenID
        self.audience = audience
        self.actor = actor
    }
}

/// Decides whether a bearer token is valid, and what it grants.
public protocol AccessTokenVerifier: Sendable {
    /// The claims of a valid token, or `nil` when the token is unknown, expired, revoked or forged.
    /// - Throws: only when the verifier cannot decide (the authorization server is unreachable).
    func verify(_ token: String) async throws -> AccessTokenClaims?
}

/// A request context that carries the verified token to the route handlers.
public protocol BearerTokenRequestContext: Sendable {
    var accessToken: AccessTokenClaims? { get set }
}
