import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// One row of SPEC §6's revocation or introspection text that ends in an error.
struct ClientAuthenticatedErrorRow: Sendable, CustomTestStringConvertible {
    let situation: String
    var caller: TokenScenario.Caller = .webApp
    let request: @Sendable (TokenScenario) async throws -> EndpointCall
    let status: HTTPResponse.Status
    let error: OAuthErrorCode
    var basicChallenge = false

    var testDescription: String { "\(error.rawValue) \(status.code): \(situation)" }

    static let shared: [ClientAuthenticatedErrorRow] = [
        ClientAuthenticatedErrorRow(
            situation: "token missing", request: { .basic($0.caller, "token_type_hint=access_token") }, status: .badRequest,
            error: .invalidRequest),
        ClientAuthenticatedErrorRow(
            situation: "wrong client secret via Basic",
            request: { EndpointCall(body: "token=gtha_x", authorization: RegisteredClient.basicAuthorization(id: $0.caller.id, secret: "no")) },
            status: .unauthorized, error: .invalidClient, basicChallenge: true),
        ClientAuthenticatedErrorRow(
            situation: "wrong client secret in the body",
            request: { EndpointCall(body: "token=gtha_x&client_id=\($0.caller.id)&client_secret=no") },
            status: .unauthorized, error: .invalidClient),
        ClientAuthenticatedErrorRow(
            situation: "no client authentication", request: { _ in EndpointCall(body: "token=gtha_x") }, status: .unauthorized,
            error: .invalidClient),
    ]

    /// SPEC §6 "Revocation": the rows beside the shared ones.
    static let revocation: [ClientAuthenticatedErrorRow] =
        shared.map { $0.named("revocation") } + [
            ClientAuthenticatedErrorRow(
                situation: "revocation: token_type_hint unknown", request: { .basic($0.caller, "token=gtha_x&token_type_hint=id_token") },
                status: .badRequest, error: .unsupportedTokenType),
            ClientAuthenticatedErrorRow(
                situation: "revocation: access token issued to another client",
                request: { scenario in .basic(try await scenario.anotherClient(), "token=\(try await scenario.tokens().accessToken)") },
                status: .badRequest, error: .unauthorizedClient),
            ClientAuthenticatedErrorRow(
                situation: "revocation: refresh token issued to another client",
                request: { scenario in .basic(try await scenario.anotherClient(), "token=\(try await scenario.refreshToken())") },
                status: .badRequest, error: .unauthorizedClient),
        ]

    /// SPEC §6 "Introspection": the rows beside the shared ones.
    static let introspection: [ClientAuthenticatedErrorRow] =
        shared.map { $0.named("introspection") } + [
            ClientAuthenticatedErrorRow(
                situation: "introspection: a public client cannot authenticate, so cannot introspect", caller: .publicApp,
                request: { .post($0.caller, "token=gtha_x") }, status: .unauthorized, error: .invalidClient)
        ]

    private func named(_ endpoint: String) -> Self {
        ClientAuthenticatedErrorRow(
            situation: "\(endpoint): \(situation)", caller: caller, request: request, status: status, error: error,
            basicChallenge: basicChallenge)
    }
}

/// A token introspection must answer as SPEC §6 says, whatever state the clock and the store put
/// it in.
struct IntrospectionAnswerRow: Sendable, CustomTestStringConvertible {
    let situation: String
    /// Issues tokens, moves the clock or revokes, and returns the token to introspect and the client asking.
    let prepare: @Sendable (TokenScenario) async throws -> (token: String, asking: RegisteredClient)
    /// `nil`: inactive; else the `token_type` of the active answer.
    let activeAs: String?

    var testDescription: String { "\(activeAs.map { "active \($0)" } ?? "inactive"): \(situation)" }

    static let all: [IntrospectionAnswerRow] = [
        IntrospectionAnswerRow(
            situation: "the client's own access token", prepare: { (try await $0.tokens().accessToken, $0.caller) }, activeAs: "Bearer"),
        IntrospectionAnswerRow(
            situation: "the client's own refresh token", prepare: { (try await $0.refreshToken(), $0.caller) }, activeAs: "refresh_token"),
        IntrospectionAnswerRow(situation: "an unknown token", prepare: { ("gtha_unknown", $0.caller) }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "an access token at its exp on the clock",
            prepare: { scenario in
                let token = try await scenario.tokens().accessToken
                scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.accessTokenTTL))
                return (token, scenario.caller)
            }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "an access token a second before its exp",
            prepare: { scenario in
                let token = try await scenario.tokens().accessToken
                scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.accessTokenTTL - 1))
                return (token, scenario.caller)
            }, activeAs: "Bearer"),
        IntrospectionAnswerRow(
            situation: "a refresh token past refresh_token_ttl on the clock",
            prepare: { scenario in
                let token = try await scenario.refreshToken()
                scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.refreshTokenTTL))
                return (token, scenario.caller)
            }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "a revoked access token",
            prepare: { scenario in
                let token = try await scenario.tokens().accessToken
                try await scenario.bed.revocationEndpoint().handle(
                    parameters: RequestParameters(["token": token]), authorization: scenario.caller.basicAuthorization)
                return (token, scenario.caller)
            }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "an access token whose grant's refresh token was revoked",
            prepare: { scenario in
                let tokens = try await scenario.tokens()
                try await scenario.bed.revocationEndpoint().handle(
                    parameters: RequestParameters(["token": tokens.refreshToken ?? ""]), authorization: scenario.caller.basicAuthorization)
                return (tokens.accessToken, scenario.caller)
            }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "a rotated-away refresh token",
            prepare: { scenario in
                let token = try await scenario.refreshToken()
                _ = try await scenario.bed.token(["grant_type": "refresh_token", "refresh_token": token], client: scenario.caller)
                return (token, scenario.caller)
            }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "another client's token, asked by a client without --can-introspect",
            prepare: { scenario in (try await scenario.tokens().accessToken, try await scenario.anotherClient()) }, activeAs: nil),
        IntrospectionAnswerRow(
            situation: "another client's token, asked by a --can-introspect client",
            prepare: { scenario in
                (try await scenario.tokens().accessToken, try await scenario.bed.registerClient(.confidential, canIntrospect: true))
            }, activeAs: "Bearer"),
    ]
}

@Suite("Revocation and introspection rows (core, no socket)")
struct RevocationIntrospectionRowTests {
    private func expect(_ error: OAuthError?, _ row: ClientAuthenticatedErrorRow) {
        #expect(error?.code == row.error)
        #expect(error?.status == row.status)
        #expect(error?.headerFields[.wwwAuthenticate] == (row.basicChallenge ? #"Basic realm="gatehouse", charset="UTF-8""# : nil))
    }

    @Test(
        "SPEC §6 revocation: every error row answers its status and code", .spec("revoke.invalid_request"),
        .spec("revoke.unsupported_token_type"), .spec("revoke.unauthorized_client"), arguments: ClientAuthenticatedErrorRow.revocation)
    func revocationErrorRow(_ row: ClientAuthenticatedErrorRow) async throws {
        let scenario = try await TokenScenario.make(row.caller)
        let call = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.bed.revocationEndpoint().handle(parameters: try call.parameters(), authorization: call.authorization)
        }
        expect(error, row)
    }

    @Test(
        "SPEC §6 introspection: every error row answers its status and code", .spec("introspect.invalid_client"),
        arguments: ClientAuthenticatedErrorRow.introspection)
    func introspectionErrorRow(_ row: ClientAuthenticatedErrorRow) async throws {
        let scenario = try await TokenScenario.make(row.caller)
        let call = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.bed.introspectionEndpoint().handle(parameters: try call.parameters(), authorization: call.authorization)
        }
        expect(error, row)
    }

    @Test("a token of another client is refused and stays active")
    func anotherClientsTokenStays() async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let tokens = try await scenario.tokens()
        let other = try await scenario.anotherClient()
        await #expect(throws: OAuthError.self) {
            try await scenario.bed.revocationEndpoint().handle(
                parameters: RequestParameters(["token": tokens.accessToken]), authorization: other.basicAuthorization)
        }
        #expect(try await scenario.bed.introspectionEndpoint().lookup(token: tokens.accessToken).active)
    }

    @Test(
        "SPEC §6 revocation: an unknown, expired or already revoked token answers success; other parameters are ignored",
        .spec("revoke.success"),
        arguments: ["unknown", "expired", "revoked twice", "hint refresh_token on an access token", "an unknown parameter beside the token"]
    )
    func revocationSucceeds(_ situation: String) async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let tokens = try await scenario.tokens()
        let endpoint = scenario.bed.revocationEndpoint()
        var parameters = ["token": tokens.accessToken]
        switch situation {
        case "unknown":
            parameters["token"] = "gtha_unknown"
        case "expired":
            scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.accessTokenTTL + 1))
        case "revoked twice":
            try await endpoint.handle(parameters: RequestParameters(parameters), authorization: scenario.caller.basicAuthorization)
        case "an unknown parameter beside the token":
            parameters["foo"] = "bar"
        default:
            parameters["token_type_hint"] = "refresh_token"
        }
        try await endpoint.handle(parameters: RequestParameters(parameters), authorization: scenario.caller.basicAuthorization)
        if situation != "unknown" {
            #expect(try await scenario.bed.store.accessToken(hash: SecretHasher.hash(tokens.accessToken))?.revokedAt != nil)
        }
    }

    @Test("revoking a refresh token revokes the access tokens of its grant")
    func refreshRevocationCascades() async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let tokens = try await scenario.tokens()
        try await scenario.bed.revocationEndpoint().handle(
            parameters: RequestParameters(["token": tokens.refreshToken ?? "", "token_type_hint": "refresh_token"]),
            authorization: scenario.caller.basicAuthorization)
        let introspection = scenario.bed.introspectionEndpoint()
        #expect(try await introspection.lookup(token: tokens.accessToken) == .inactive)
        #expect(try await scenario.bed.store.grant(id: tokens.grantID)?.revokedAt != nil)
    }

    @Test("SPEC §6 introspection: every answer row", arguments: IntrospectionAnswerRow.all)
    func introspectionAnswer(_ row: IntrospectionAnswerRow) async throws {
        let scenario = try await TokenScenario.make(.webApp)
        let (token, asking) = try await row.prepare(scenario)
        let answer = try await scenario.bed.introspectionEndpoint().handle(
            parameters: RequestParameters(["token": token]), authorization: asking.basicAuthorization)
        #expect(answer.active == (row.activeAs != nil))
        #expect(answer.tokenType == row.activeAs)
        if row.activeAs == nil {
            #expect(answer == .inactive)
        } else {
            #expect(answer.clientID == scenario.caller.id)
            #expect(answer.subject == scenario.user.id)
            #expect(answer.username == scenario.user.username)
            #expect(answer.issuer == TestBed.issuer)
        }
    }

    @Test("a token made before issue stamps, stored by its digest alone, is still introspected and revoked")
    func unstampedToken() async throws {
        let scenario = try await TokenScenario.make(.service)
        let token = "gtha_" + String(repeating: "x", count: 43)
        let now = scenario.bed.clock.now()
        try await scenario.bed.store.insertAccessToken(
            AccessTokenRecord(
                id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(token), clientID: scenario.caller.id, userID: nil,
                scope: ScopeSet(spaceSeparated: "read"), issuedAt: now, expiresAt: now.addingTimeInterval(60)
            )
        )
        let introspection = scenario.bed.introspectionEndpoint()
        #expect(try await introspection.lookup(token: token).active)
        try await scenario.bed.revocationEndpoint().handle(
            parameters: RequestParameters(["token": token]), authorization: scenario.caller.basicAuthorization)
        #expect(try await !introspection.lookup(token: token).active)
    }

    @Test("SPEC §6 introspection: a client_credentials token's sub is the client, with no username, and exp and iat from the clock")
    func clientCredentialsAnswer() async throws {
        let scenario = try await TokenScenario.make(.service)
        let response = try await scenario.bed.token(["grant_type": "client_credentials"], client: scenario.caller)
        let answer = try await scenario.bed.introspectionEndpoint().handle(
            parameters: RequestParameters(["token": response.accessToken]), authorization: scenario.caller.basicAuthorization)
        let issuedAt = Int(scenario.bed.clock.now().timeIntervalSince1970)
        #expect(answer.active)
        #expect(answer.subject == scenario.caller.id)
        #expect(answer.username == nil)
        #expect(answer.scope == ["read", "write"])
        #expect(answer.issuedAt == issuedAt)
        #expect(answer.expiresAt == issuedAt + scenario.bed.configuration.accessTokenTTL)
    }
}
