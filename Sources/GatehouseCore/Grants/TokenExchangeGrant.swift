import Crypto
import Foundation

/// The token exchange grant (RFC 8693), SPEC §11: a client trades an access token of this server
/// (the subject token) for a new, narrower access token for the same subject, optionally naming
/// itself or another party as the actor (delegation, RFC 8693 §1.1).
///
/// Policy: the subject token (and an actor token) must be active access tokens of this server; the
/// new token's scope is within the subject token's and the client's, its audience among the
/// resources the server knows, and its lifetime ends no later than the subject token's. It is kept
/// under the subject token's grant and linked to the subject token, so revoking either ends it
/// (``AccessTokenLookup``). No refresh token is issued.
public struct TokenExchangeGrant: GrantHandler {
    public let grantType = GrantType.tokenExchange
    private let issuer: AccessTokenIssuer
    /// One insert is the whole unit of this grant.
    private let tokens: any AccessTokenStore
    private let lookup: AccessTokenLookup
    private let jwtVerification: JWTVerification?
    private let defaultAudience: String
    private let events: any SecurityEventSink

    /// What checks a subject or actor token of type `…:jwt`: this server's keys and issuer.
    public struct JWTVerification: Sendable {
        public let keys: KeyRing
        public let issuer: String

        public init(keys: KeyRing, issuer: String) {
            self.keys = keys
            self.issuer = issuer
        }
    }

    /// - Parameters:
    ///   - jwtVerification: the keys JWT access tokens are signed with; without them a token of
    ///     type `urn:ietf:params:oauth:token-type:jwt` is refused.
    ///   - defaultAudience: `access_token_audience`, which `audience` may name besides the known
    ///     resources.
    public init(
        issuer: AccessTokenIssuer, tokens: any AccessTokenStore, grants: any GrantStore, jwtVerification: JWTVerification?,
        defaultAudience: String, events: any SecurityEventSink = DiscardingSecurityEventSink()
    ) {
        self.issuer = issuer
        self.tokens = tokens
        self.lookup = AccessTokenLookup(accessTokens: tokens, grants: grants)
        self.jwtVerification = jwtVerification
        self.defaultAudience = defaultAudience
        self.events = events
    }

    public func handle(_ request: GrantRequest) async throws -> TokenResponse {
        let parameters = request.parameters
        let client = request.client
        // RFC 8693 §2.1 leaves unauthenticated clients to the deployment. Gatehouse refuses them: an
        // exchange re-targets the token it is given, which only a client that proves who it is may do.
        guard !client.isPublic else {
            throw OAuthError.unauthorizedClient("public client asked for token exchange")
        }
        // RFC 8693 §2.1: subject_token and subject_token_type are REQUIRED.
        let subjectToken = try parameters.required("subject_token")
        let subjectType = try tokenType(try parameters.required("subject_token_type"), of: "subject_token_type")
        // "actor_token_type … is REQUIRED when the actor_token parameter is present in the request
        // but MUST NOT be included otherwise."
        let actorToken = parameters["actor_token"]
        let actorType: TokenTypeIdentifier?
        switch (actorToken, parameters["actor_token_type"]) {
        case (nil, nil): actorType = nil
        case (.some, let type?): actorType = try tokenType(type, of: "actor_token_type")
        case (.some, nil): throw OAuthError.invalidRequest("actor_token without actor_token_type", message: .missingParameter)
        case (nil, .some): throw OAuthError.invalidRequest("actor_token_type without actor_token")
        }
        // SPEC §11: the only token type issued is an access token.
        if let requested = parameters["requested_token_type"], requested != TokenTypeIdentifier.accessToken.rawValue {
            throw OAuthError.invalidRequest("requested_token_type \(requested) not supported")
        }
        // RFC 8693 §2.2.2: "If the request itself is not valid or if either the subject_token or
        // actor_token are invalid for any reason, … the authorization server MUST set the error
        // response parameter to invalid_request."
        guard let subject = try await activeToken(subjectToken, type: subjectType, at: request.now) else {
            throw OAuthError.invalidRequest("subject_token invalid or inactive")
        }
        var actor: TokenActor?
        if let actorToken, let actorType {
            guard let acting = try await activeToken(actorToken, type: actorType, at: request.now) else {
                throw OAuthError.invalidRequest("actor_token invalid or inactive")
            }
            // RFC 8693 §4.1: the actor token's own `act` names the actors before it. A chain is kept
            // short enough for every verifier to read it whole.
            if let prior = acting.record.actor, prior.subjects.count >= TokenActor.maximumDepth {
                throw OAuthError.invalidRequest("actor_token's delegation chain is already \(prior.subjects.count) deep")
            }
            actor = TokenActor(subject: acting.subject, prior: acting.record.actor)
        }
        // SPEC §11: within the subject token's scope and the client's; by default all of both.
        let allowed = ScopeSet(subject.record.scope.tokens.filter(client.scopes.contains))
        let scope = try ScopePolicy.resolve(requested: parameters["scope"], allowed: allowed, default: allowed)
        let audience = try audience(parameters, known: request.knownResources, subject: subject.record)
        let issued = try await issuer.make(
            client: client, userID: subject.record.userID, scope: scope, audience: audience, grantID: subject.record.grantID,
            exchange: .init(
                subjectTokenHash: subject.record.tokenHash, subject: subject.subject, subjectExpiresAt: subject.record.expiresAt, actor: actor
            ),
            now: request.now
        )
        try await request.storing { try await tokens.insertAccessToken(issued.record) }
        events.record(
            SecurityEvent(
                .tokenIssued, time: request.now, clientID: client.id, subject: subject.subject, grantID: subject.record.grantID,
                address: request.address, grantType: grantType.rawValue, tokenFormat: issuer.format(for: client).rawValue
            )
        )
        let expiresIn = max(0, Int(issued.record.expiresAt.timeIntervalSince(request.now).rounded(.down)))
        // RFC 8693 §2.2.1: issued_token_type is REQUIRED; a refresh token is not issued here.
        var response = TokenResponse(accessToken: issued.token, expiresIn: expiresIn, scope: scope)
        response.issuedTokenType = TokenTypeIdentifier.accessToken.rawValue
        return response
    }

    private func tokenType(_ value: String, of name: String) throws(OAuthError) -> TokenTypeIdentifier {
        guard let type = TokenTypeIdentifier(rawValue: value) else {
            throw .invalidRequest("\(name) \(value) not supported")
        }
        return type
    }

    /// The active access token `token` is, of type `type`: any access token of this server, or for
    /// `…:jwt` a JWT this server signed (checked against its keys before the store is asked).
    private func activeToken(_ token: String, type: TokenTypeIdentifier, at date: Date) async throws -> AccessTokenLookup.Active? {
        if type == .jwt {
            guard let jwtVerification else { return nil }
            let keys = try await jwtVerification.keys.publishedKeys()
            do {
                _ = try await JWTAccessToken.verify(
                    token, issuer: jwtVerification.issuer, audience: nil, now: date,
                    publicKey: { kid in keys.first { $0.kid == kid }?.privateKey.publicKey }
                )
            } catch {
                return nil
            }
        }
        return try await lookup.active(hash: SecretHasher.hash(token), at: date)
    }

    /// The new token's audience: every `resource` (RFC 8707) and `audience` (RFC 8693 §2.1) sent,
    /// each one the server issues tokens for, or the subject token's audience when none is sent.
    /// - Throws: ``OAuthError`` `invalid_target` (RFC 8693 §2.2.2: "unwilling or unable to issue a
    ///   token for all the target services").
    private func audience(_ parameters: RequestParameters, known: Set<String>, subject: AccessTokenRecord) throws(OAuthError) -> [String] {
        let resources = try ResourcePolicy.resolve(requested: parameters.all("resource"), known: known)
        let audiences = parameters.all("audience")
        for audience in audiences where !known.contains(audience) && audience != defaultAudience {
            throw .invalidTarget("audience \(audience) is not one the server issues tokens for")
        }
        var targets = resources
        for audience in audiences where !targets.contains(audience) { targets.append(audience) }
        return targets.isEmpty ? subject.audience : targets
    }
}
