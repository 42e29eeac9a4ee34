import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// One row of SPEC §6's token table (and §7's for the `dnsimple` profile): a request, and the
/// status and code it must get. Headers of §5 are the HTTP layer's and stay with the live tests.
struct TokenErrorRow: Sendable, CustomTestStringConvertible {
    /// The SPEC.md row (``SpecRows``) this situation belongs to.
    let spec: String
    let situation: String
    var caller: TokenScenario.Caller = .service
    var profile: ServerConfiguration.ErrorProfile = .rfc6749
    let request: @Sendable (TokenScenario) async throws -> EndpointCall
    let status: HTTPResponse.Status
    let error: OAuthErrorCode
    /// Whether `WWW-Authenticate: Basic` must come with the error (RFC 6749 §5.2).
    var basicChallenge = false

    var testDescription: String { "\(error.rawValue) \(status.code): \(situation)" }

    static let all: [TokenErrorRow] = syntax + clientAuthentication + grantType + codeGrant + refreshGrant + scope + dnsimple

    /// (1) Request syntax → `invalid_request`.
    static let syntax: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "token.invalid_request", situation: "a parameter repeated",
            request: { .basic($0.caller, "grant_type=client_credentials&scope=read&scope=write") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "grant_type repeated",
            request: { .basic($0.caller, "grant_type=client_credentials&grant_type=client_credentials") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "grant_type missing", request: { .basic($0.caller, "scope=read") }, status: .badRequest,
            error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "grant_type empty", request: { .basic($0.caller, "grant_type=") }, status: .badRequest,
            error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "broken percent-encoding", request: { .basic($0.caller, "grant_type=client_credentials&scope=%zz") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "code missing", caller: .webApp,
            request: { .basic($0.caller, "grant_type=authorization_code&redirect_uri=https://app.example/cb") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_request", situation: "refresh_token missing", caller: .webApp, request: { .basic($0.caller, "grant_type=refresh_token") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.credentials-twice", situation: "client_secret in the body and HTTP Basic",
            request: { .basic($0.caller, "grant_type=client_credentials&client_secret=\($0.caller.secret ?? "")") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.credentials-twice", situation: "client_id in the body names another client than Basic",
            request: { .basic($0.caller, "grant_type=client_credentials&client_id=someone-else") },
            status: .badRequest, error: .invalidRequest),
    ]

    /// (2) Client authentication → `invalid_client`, 401, with a Basic challenge after Basic.
    static let clientAuthentication: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "token.invalid_client", situation: "unknown client via Basic",
            request: { _ in
                EndpointCall(
                    body: "grant_type=client_credentials", authorization: RegisteredClient.basicAuthorization(id: "nobody", secret: "x"))
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "wrong secret via Basic",
            request: {
                EndpointCall(
                    body: "grant_type=client_credentials",
                    authorization: RegisteredClient.basicAuthorization(id: $0.caller.id, secret: "wrong"))
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "malformed Basic credentials",
            request: { _ in EndpointCall(body: "grant_type=client_credentials", authorization: "Basic not*base64") },
            status: .unauthorized, error: .invalidClient, basicChallenge: true),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "Basic credentials without a colon",
            request: {
                EndpointCall(body: "grant_type=client_credentials", authorization: "Basic " + Data($0.caller.id.utf8).base64EncodedString())
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "wrong secret in the body",
            request: { EndpointCall(body: "grant_type=client_credentials&client_id=\($0.caller.id)&client_secret=wrong") },
            status: .unauthorized, error: .invalidClient),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "unknown client in the body",
            request: { _ in EndpointCall(body: "grant_type=client_credentials&client_id=nobody&client_secret=x") },
            status: .unauthorized, error: .invalidClient),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "confidential client without a secret",
            request: { EndpointCall(body: "grant_type=client_credentials&client_id=\($0.caller.id)") },
            status: .unauthorized, error: .invalidClient),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "public client sending a secret", caller: .publicApp,
            request: { EndpointCall(body: "grant_type=client_credentials&client_id=\($0.caller.id)&client_secret=guess") },
            status: .unauthorized, error: .invalidClient),
        TokenErrorRow(
            spec: "token.invalid_client", situation: "no client credentials at all", request: { _ in EndpointCall(body: "grant_type=client_credentials") },
            status: .unauthorized, error: .invalidClient),
    ]

    /// (3) Grant type → `unsupported_grant_type` or `unauthorized_client`.
    static let grantType: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "token.unsupported_grant_type", situation: "grant_type password", request: { .basic($0.caller, "grant_type=password&username=a&password=b") },
            status: .badRequest, error: .unsupportedGrantType),
        TokenErrorRow(
            spec: "token.unsupported_grant_type", situation: "grant_type foo", request: { .basic($0.caller, "grant_type=foo") }, status: .badRequest,
            error: .unsupportedGrantType),
        TokenErrorRow(
            spec: "token.unauthorized_client", situation: "client_credentials for a client not registered for it", caller: .webApp,
            request: { .basic($0.caller, "grant_type=client_credentials") }, status: .badRequest, error: .unauthorizedClient),
        TokenErrorRow(
            spec: "token.unauthorized_client", situation: "client_credentials for a public client", caller: .publicApp,
            request: { .post($0.caller, "grant_type=client_credentials") }, status: .badRequest, error: .unauthorizedClient),
        TokenErrorRow(
            spec: "token.unauthorized_client", situation: "refresh_token for a client not registered for it",
            request: { .basic($0.caller, "grant_type=refresh_token&refresh_token=gthr_x") }, status: .badRequest,
            error: .unauthorizedClient),
    ]

    /// (4) The authorization code grant → `invalid_grant` (`invalid_request` for a malformed verifier).
    static let codeGrant: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "token.invalid_grant.code", situation: "code unknown", caller: .webApp,
            request: { .basic($0.caller, "grant_type=authorization_code&code=gthc_unknown&redirect_uri=https://app.example/cb") },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.code", situation: "code expired: authorization_code_ttl passed on the clock", caller: .webApp,
            request: { scenario in
                let code = try await scenario.code()
                scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.authorizationCodeTTL))
                return .basic(scenario.caller, redeem(code))
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.code", situation: "code already used", caller: .webApp,
            request: { scenario in
                let code = try await scenario.code()
                _ = try await scenario.bed.token(code.tokenParameters, client: scenario.caller)
                return .basic(scenario.caller, redeem(code))
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.code", situation: "code issued to another client", caller: .webApp,
            request: { scenario in .basic(try await scenario.anotherClient(), redeem(try await scenario.code())) },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.redirect_uri", situation: "redirect_uri absent though the authorization request carried one", caller: .webApp,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), redirectURI: .some(nil))) },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.redirect_uri", situation: "redirect_uri different", caller: .webApp,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), redirectURI: "https://app.example/other")) },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.pkce", situation: "code_verifier missing", caller: .webApp,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), verifier: .some(nil))) },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.pkce", situation: "code_verifier not matching the challenge", caller: .webApp,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), verifier: String(repeating: "x", count: 50))) },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.pkce", situation: "code_verifier sent without a challenge", caller: .webApp,
            request: { scenario in
                .basic(scenario.caller, redeem(try await scenario.code(pkce: false), verifier: String(repeating: "x", count: 50)))
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.pkce", situation: "code_verifier malformed (too short)", caller: .webApp,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), verifier: "short")) },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "token.invalid_grant.pkce", situation: "code_verifier with a forbidden character", caller: .webApp,
            request: { scenario in
                .basic(scenario.caller, redeem(try await scenario.code(), verifier: String(repeating: "a", count: 44) + "%2B"))
            }, status: .badRequest, error: .invalidRequest),
    ]

    /// (4) The refresh token grant → `invalid_grant`.
    static let refreshGrant: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "token.invalid_grant.refresh", situation: "refresh token unknown", caller: .webApp,
            request: { .basic($0.caller, "grant_type=refresh_token&refresh_token=gthr_unknown") }, status: .badRequest,
            error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.refresh", situation: "refresh token expired: refresh_token_ttl passed on the clock", caller: .webApp,
            request: { scenario in
                let token = try await scenario.refreshToken()
                scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.refreshTokenTTL))
                return .basic(scenario.caller, "grant_type=refresh_token&refresh_token=\(token)")
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.refresh", situation: "refresh token revoked", caller: .webApp,
            request: { scenario in
                let token = try await scenario.refreshToken()
                try await scenario.bed.revocationEndpoint().handle(
                    parameters: RequestParameters(["token": token]), authorization: scenario.caller.basicAuthorization)
                return .basic(scenario.caller, "grant_type=refresh_token&refresh_token=\(token)")
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.refresh", situation: "refresh token rotated away", caller: .webApp,
            request: { scenario in
                let token = try await scenario.refreshToken()
                _ = try await scenario.bed.token(["grant_type": "refresh_token", "refresh_token": token], client: scenario.caller)
                return .basic(scenario.caller, "grant_type=refresh_token&refresh_token=\(token)")
            }, status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "token.invalid_grant.refresh", situation: "refresh token issued to another client", caller: .webApp,
            request: { scenario in
                .basic(try await scenario.anotherClient(), "grant_type=refresh_token&refresh_token=\(try await scenario.refreshToken())")
            }, status: .badRequest, error: .invalidGrant),
    ]

    /// (4) Scope → `invalid_scope`.
    static let scope: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "token.invalid_scope", situation: "scope unknown to the client",
            request: { .basic($0.caller, "grant_type=client_credentials&scope=read+admin") },
            status: .badRequest, error: .invalidScope),
        TokenErrorRow(
            spec: "token.invalid_scope", situation: "scope with a forbidden character",
            request: { .basic($0.caller, "grant_type=client_credentials&scope=re%22ad") },
            status: .badRequest, error: .invalidScope),
        TokenErrorRow(
            spec: "token.invalid_scope", situation: "refresh scope wider than the original grant", caller: .webApp,
            request: { scenario in
                let token = try await scenario.refreshToken(scope: "read")
                return .basic(scenario.caller, "grant_type=refresh_token&refresh_token=\(token)&scope=read+write")
            }, status: .badRequest, error: .invalidScope),
    ]

    /// SPEC §7: the `dnsimple` profile answers a mismatch with `invalid_request`, and keeps
    /// `invalid_grant` and `invalid_client` for the rest.
    static let dnsimple: [TokenErrorRow] = [
        TokenErrorRow(
            spec: "dnsimple.invalid_request", situation: "dnsimple profile: grant_type not supported", profile: .dnsimple,
            request: { .basic($0.caller, "grant_type=foo") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "dnsimple.invalid_request", situation: "dnsimple profile: redirect_uri different", caller: .webApp, profile: .dnsimple,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), redirectURI: "https://app.example/other")) },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "dnsimple.invalid_request", situation: "dnsimple profile: state different from the authorization request", caller: .webApp,
            profile: .dnsimple,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code()) + "&state=other") },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "dnsimple.invalid_grant", situation: "dnsimple profile: code unknown", caller: .webApp, profile: .dnsimple,
            request: { .basic($0.caller, "grant_type=authorization_code&code=gthc_unknown&redirect_uri=https://app.example/cb") },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "dnsimple.invalid_request", situation: "dnsimple profile: redirect_uri missing though the authorization request carried one", caller: .webApp,
            profile: .dnsimple,
            request: { scenario in .basic(scenario.caller, redeem(try await scenario.code(), redirectURI: .some(nil))) },
            status: .badRequest, error: .invalidRequest),
        TokenErrorRow(
            spec: "dnsimple.invalid_grant", situation: "dnsimple profile: code issued to another client", caller: .webApp, profile: .dnsimple,
            request: { scenario in .basic(try await scenario.anotherClient(), redeem(try await scenario.code())) },
            status: .badRequest, error: .invalidGrant),
        TokenErrorRow(
            spec: "dnsimple.invalid_client", situation: "dnsimple profile: failed client authentication", caller: .webApp, profile: .dnsimple,
            request: { scenario in
                EndpointCall(
                    body: redeem(try await scenario.code()),
                    authorization: RegisteredClient.basicAuthorization(id: scenario.caller.id, secret: "wrong"))
            }, status: .unauthorized, error: .invalidClient, basicChallenge: true),
    ]

    /// The body redeeming `code`; `redirectURI` and `verifier` replace the right ones (`nil`: left out).
    static func redeem(_ code: IssuedCode, redirectURI: String?? = .none, verifier: String?? = .none) -> String {
        var body = "grant_type=authorization_code&code=\(code.code)"
        if let uri = redirectURI ?? code.redirectURI { body += "&redirect_uri=\(uri)" }
        if let verifier = verifier ?? code.verifier { body += "&code_verifier=\(verifier)" }
        return body
    }
}

@Suite("Token endpoint rows (core, no socket)")
struct TokenEndpointRowTests {
    @Test(
        "SPEC §6 token endpoint: every error row answers its status and code", .spec("token.check-order"), arguments: TokenErrorRow.all)
    func errorRow(_ row: TokenErrorRow) async throws {
        let scenario = try await TokenScenario.make(row.caller, configuration: ServerConfiguration(issuer: TestBed.issuer, errorProfile: row.profile))
        let call = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.bed.tokenEndpoint().handle(parameters: try call.parameters(), authorization: call.authorization)
        }
        #expect(error?.code == row.error)
        #expect(error?.status == row.status)
        #expect(error?.headerFields[.wwwAuthenticate] == (row.basicChallenge ? #"Basic realm="gatehouse", charset="UTF-8""# : nil))
        #expect(error?.headerFields[.retryAfter] == nil)
    }

    @Test("a code works until authorization_code_ttl has passed on the clock, and not from then on")
    func codeExpiryBoundary() async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let ttl = TimeInterval(scenario.bed.configuration.authorizationCodeTTL)
        let kept = try await scenario.code()
        let expired = try await scenario.code()
        scenario.bed.clock.advance(by: ttl - 1)
        let response = try await scenario.bed.token(kept.tokenParameters, client: scenario.caller)
        #expect(response.refreshToken != nil)
        scenario.bed.clock.advance(by: 1)
        let error = await #expect(throws: OAuthError.self) { try await scenario.bed.token(expired.tokenParameters, client: scenario.caller) }
        #expect(error?.code == .invalidGrant)
    }

    @Test("a second use of a code fails and revokes every token issued from it", .spec("token.code-reuse"))
    func codeReplayRevokes() async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let code = try await scenario.code()
        let first = try await scenario.bed.token(code.tokenParameters, client: scenario.caller)
        let error = await #expect(throws: OAuthError.self) { try await scenario.bed.token(code.tokenParameters, client: scenario.caller) }
        #expect(error?.code == .invalidGrant)
        #expect(try await scenario.bed.store.accessToken(hash: SecretHasher.hash(first.accessToken))?.revokedAt != nil)
        #expect(try await scenario.bed.store.grant(id: code.grantID)?.revokedAt != nil)
    }

    @Test("a rotated-away refresh token fails and revokes the whole grant", .spec("token.refresh-reuse"))
    func refreshReuseRevokes() async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let tokens = try await scenario.tokens()
        let old = try #require(tokens.refreshToken)
        let rotated = try await scenario.bed.token(["grant_type": "refresh_token", "refresh_token": old], client: scenario.caller)
        scenario.bed.clock.advance(by: 1)
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.bed.token(["grant_type": "refresh_token", "refresh_token": old], client: scenario.caller)
        }
        #expect(error?.code == .invalidGrant)
        #expect(error?.status == .badRequest)
        #expect(try await scenario.bed.store.grant(id: tokens.grantID)?.revokedAt != nil)
        #expect(try await scenario.bed.store.accessToken(hash: SecretHasher.hash(rotated.accessToken))?.revokedAt != nil)
    }

    @Test("refresh_token_reuse_interval: a retry inside it gets a new pair, one after it revokes the grant")
    func reuseInterval() async throws {
        let configuration = ServerConfiguration(issuer: TestBed.issuer, refreshTokenReuseInterval: 30)
        let scenario = try await TokenScenario.make(.webApp, configuration: configuration)
        let token = try await scenario.refreshToken()
        let request = ["grant_type": "refresh_token", "refresh_token": token]
        let first = try await scenario.bed.token(request, client: scenario.caller)
        scenario.bed.clock.advance(by: 29)
        let retry = try await scenario.bed.token(request, client: scenario.caller)
        #expect(try await scenario.bed.store.accessToken(hash: SecretHasher.hash(first.accessToken))?.revokedAt != nil)
        #expect(try await scenario.bed.store.accessToken(hash: SecretHasher.hash(retry.accessToken))?.revokedAt == nil)
        scenario.bed.clock.advance(by: 30)
        let error = await #expect(throws: OAuthError.self) { try await scenario.bed.token(request, client: scenario.caller) }
        #expect(error?.code == .invalidGrant)
        #expect(try await scenario.bed.store.accessToken(hash: SecretHasher.hash(retry.accessToken))?.revokedAt != nil)
    }

    @Test(
        "SPEC §9: client_auth_failure_limit failures from one address give 429 with Retry-After until the window slides",
        .spec("ops.rate-limit.client-authentication"))
    func clientAuthenticationLimit() async throws {
        let configuration = ServerConfiguration(issuer: TestBed.issuer, clientAuthFailureLimit: 3, rateLimitWindow: 60)
        let scenario = try await TokenScenario.make(.service, configuration: configuration)
        let endpoint = scenario.bed.tokenEndpoint(limiter: scenario.bed.clientAuthenticationLimiter())
        let wrong = RegisteredClient.basicAuthorization(id: scenario.caller.id, secret: "wrong")
        let parameters = RequestParameters(["grant_type": "client_credentials"])
        for _ in 0..<3 {
            let error = await #expect(throws: OAuthError.self) {
                try await endpoint.handle(parameters: parameters, authorization: wrong, address: "192.0.2.1")
            }
            #expect(error?.code == .invalidClient)
        }
        scenario.bed.clock.advance(by: 20)
        let limited = await #expect(throws: OAuthError.self) {
            try await endpoint.handle(parameters: parameters, authorization: scenario.caller.basicAuthorization, address: "192.0.2.1")
        }
        #expect(limited?.code == .temporarilyUnavailable)
        #expect(limited?.status == .tooManyRequests)
        #expect(limited?.headerFields[.retryAfter] == "40")
        // Another address is not limited.
        _ = try await endpoint.handle(parameters: parameters, authorization: scenario.caller.basicAuthorization, address: "192.0.2.2")
        scenario.bed.clock.advance(by: 40)
        _ = try await endpoint.handle(parameters: parameters, authorization: scenario.caller.basicAuthorization, address: "192.0.2.1")
    }
}
