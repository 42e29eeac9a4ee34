import Crypto
import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// What the token exchange rows start from (SPEC §11, RFC 8693): a server with two resources of
/// its own listing; a web app a user signed in to with `read write`; a service registered for token
/// exchange (and `client_credentials`, for actor tokens) that may use `read profile`.
struct ExchangeScenario: Sendable {
    static let notes = "https://api.example/notes"
    static let calendar = "https://api.example/calendar"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"
    static let jwtType = "urn:ietf:params:oauth:token-type:jwt"
    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"

    let bed: TestBed
    let webApp: RegisteredClient
    let service: RegisteredClient
    let user: User
    /// The user's tokens at the web app: the subject token of most rows.
    let userTokens: CodeFlowTokens

    static func make(serviceFormat: AccessTokenFormat? = nil, webAppFormat: AccessTokenFormat? = nil) async throws -> ExchangeScenario {
        let bed = TestBed(configuration: ServerConfiguration(issuer: TestBed.issuer, resources: [notes, calendar]))
        let webApp = try await bed.registerClient(.confidential, tokenFormat: webAppFormat)
        let service = try await bed.registerClient(
            .confidential, grantTypes: [.tokenExchange, .clientCredentials], scopes: ["read", "profile"], tokenFormat: serviceFormat
        )
        let user = try await bed.createUser()
        let tokens = try await bed.finishCodeFlow(client: webApp, user: user, scope: "read write")
        return ExchangeScenario(bed: bed, webApp: webApp, service: service, user: user, userTokens: tokens)
    }

    /// A token-exchange request by `client` (the service unless named) for `subject`, typed as an
    /// access token, with `extra` parameters.
    func call(
        subject: String?, type: String? = ExchangeScenario.accessTokenType, _ extra: [(String, String)] = [], by client: RegisteredClient? = nil
    ) -> EndpointCall {
        var pairs = [("grant_type", Self.grantType)]
        if let subject { pairs.append(("subject_token", subject)) }
        if let type { pairs.append(("subject_token_type", type)) }
        return .basic(client ?? service, Self.form(pairs + extra))
    }

    /// `application/x-www-form-urlencoded`, every reserved character escaped.
    static func form(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { name, value in "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)" }
            .joined(separator: "&")
    }

    func send(_ call: EndpointCall) async throws -> TokenResponse {
        try await bed.tokenEndpoint().handle(parameters: try call.parameters(), authorization: call.authorization)
    }

    /// Exchanges the user's access token.
    func exchange(_ extra: [(String, String)] = []) async throws -> TokenResponse {
        try await send(call(subject: userTokens.accessToken, extra))
    }

    /// An access token of the service itself, by `client_credentials`.
    func serviceToken() async throws -> String {
        try await send(.basic(service, "grant_type=client_credentials&scope=read")).accessToken
    }

    func introspect(_ token: String) async throws -> IntrospectionEndpoint.Answer {
        try await bed.introspectionEndpoint().lookup(token: token)
    }

    /// The claims of a JWT access token, checked against the bed's keys.
    func claims(of token: String) async throws -> JWTAccessToken.Claims {
        let ring = KeyRing(store: bed.store, encryption: KeyEncryption(secret: nil), refreshInterval: 60, accessTokenLifetime: 3600)
        let keys = try await ring.publishedKeys()
        return try await JWTAccessToken.verify(
            token, issuer: TestBed.issuer, audience: nil, now: bed.clock.now(),
            publicKey: { kid in keys.first { $0.kid == kid }?.privateKey.publicKey }
        )
    }
}

/// One error row of SPEC §11's token exchange.
struct ExchangeErrorRow: Sendable, CustomTestStringConvertible {
    let spec: String
    let situation: String
    let request: @Sendable (ExchangeScenario) async throws -> EndpointCall
    let error: OAuthErrorCode

    var testDescription: String { "\(error.rawValue) 400: \(situation)" }

    static func invalidRequest(_ situation: String, _ request: @escaping @Sendable (ExchangeScenario) async throws -> EndpointCall) -> Self {
        ExchangeErrorRow(spec: "exchange.invalid_request", situation: situation, request: request, error: .invalidRequest)
    }

    static func scope(_ situation: String, _ scope: String) -> Self {
        ExchangeErrorRow(
            spec: "exchange.invalid_scope", situation: situation, request: { $0.call(subject: $0.userTokens.accessToken, [("scope", scope)]) },
            error: .invalidScope)
    }

    static func target(_ situation: String, _ extra: [(String, String)]) -> Self {
        ExchangeErrorRow(
            spec: "exchange.invalid_target", situation: situation, request: { $0.call(subject: $0.userTokens.accessToken, extra) }, error: .invalidTarget)
    }

    static let all: [ExchangeErrorRow] = [
        invalidRequest("subject_token missing") { $0.call(subject: nil) },
        invalidRequest("subject_token_type missing") { $0.call(subject: $0.userTokens.accessToken, type: nil) },
        invalidRequest("subject_token_type unsupported (an ID token)") {
            $0.call(subject: $0.userTokens.accessToken, type: "urn:ietf:params:oauth:token-type:id_token")
        },
        invalidRequest("subject_token_type not a URN") { $0.call(subject: $0.userTokens.accessToken, type: "access_token") },
        invalidRequest("subject_token repeated") { scenario in
            var call = scenario.call(subject: scenario.userTokens.accessToken)
            call.body += "&subject_token=\(scenario.userTokens.accessToken)"
            return call
        },
        invalidRequest("requested_token_type a refresh token") {
            $0.call(subject: $0.userTokens.accessToken, [("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token")])
        },
        invalidRequest("requested_token_type a JWT") {
            $0.call(subject: $0.userTokens.accessToken, [("requested_token_type", ExchangeScenario.jwtType)])
        },
        invalidRequest("actor_token without actor_token_type") { scenario in
            scenario.call(subject: scenario.userTokens.accessToken, [("actor_token", try await scenario.serviceToken())])
        },
        invalidRequest("actor_token_type without actor_token") {
            $0.call(subject: $0.userTokens.accessToken, [("actor_token_type", ExchangeScenario.accessTokenType)])
        },
        invalidRequest("actor_token_type unsupported") { scenario in
            scenario.call(
                subject: scenario.userTokens.accessToken,
                [("actor_token", try await scenario.serviceToken()), ("actor_token_type", "urn:ietf:params:oauth:token-type:saml2")]
            )
        },
        invalidRequest("subject_token unknown") { $0.call(subject: "gtha_unknown") },
        invalidRequest("subject_token is a refresh token") { $0.call(subject: $0.userTokens.refreshToken) },
        invalidRequest("subject_token expired") { scenario in
            scenario.bed.clock.advance(by: TimeInterval(scenario.bed.configuration.accessTokenTTL))
            return scenario.call(subject: scenario.userTokens.accessToken)
        },
        invalidRequest("subject_token revoked") { scenario in
            try await scenario.bed.revocationEndpoint().handle(
                parameters: RequestParameters(["token": scenario.userTokens.accessToken]), authorization: scenario.webApp.basicAuthorization
            )
            return scenario.call(subject: scenario.userTokens.accessToken)
        },
        invalidRequest("subject_token of a revoked grant") { scenario in
            try await scenario.bed.store.revokeGrant(id: scenario.userTokens.grantID, at: scenario.bed.clock.now())
            return scenario.call(subject: scenario.userTokens.accessToken)
        },
        invalidRequest("subject_token typed as a JWT but opaque") {
            $0.call(subject: $0.userTokens.accessToken, type: ExchangeScenario.jwtType)
        },
        invalidRequest("subject_token a JWT whose signature was altered") { scenario in
            let jwt = try await scenario.send(.basic(scenario.service, "grant_type=client_credentials&scope=read")).accessToken
            let claimsOnly = jwt.split(separator: ".").prefix(2).joined(separator: ".")
            return scenario.call(subject: claimsOnly + ".AAAA", type: ExchangeScenario.jwtType)
        },
        invalidRequest("actor_token unknown") {
            $0.call(subject: $0.userTokens.accessToken, [("actor_token", "gtha_unknown"), ("actor_token_type", ExchangeScenario.accessTokenType)])
        },
        invalidRequest("actor_token revoked") { scenario in
            let actor = try await scenario.serviceToken()
            try await scenario.bed.revocationEndpoint().handle(
                parameters: RequestParameters(["token": actor]), authorization: scenario.service.basicAuthorization
            )
            return scenario.call(
                subject: scenario.userTokens.accessToken, [("actor_token", actor), ("actor_token_type", ExchangeScenario.accessTokenType)]
            )
        },
        scope("a scope of the subject token the service may not use", "write"),
        scope("a scope the service may use but the subject token lacks", "profile"),
        scope("a scope neither has", "admin"),
        scope("a reserved scope", "gatehouse:admin"),
        target("a resource the server does not know", [("resource", "https://api.example/mail")]),
        target("a resource that is not an absolute URI", [("resource", "notes")]),
        target("a known resource and an unknown one", [("resource", ExchangeScenario.notes), ("resource", "https://api.example/mail")]),
        target("an audience the server does not know", [("audience", "billing-service")]),
        target("a known audience and an unknown one", [("audience", ExchangeScenario.calendar), ("audience", "urn:example:mail")]),
    ]
}

@Suite("Token exchange, RFC 8693 (core, no socket)")
struct TokenExchangeTests {
    @Test("SPEC §11: every token exchange error row answers 400 with its code and the no-store headers", arguments: ExchangeErrorRow.all)
    func errorRow(_ row: ExchangeErrorRow) async throws {
        let scenario = try await ExchangeScenario.make(serviceFormat: .jwt)
        let call = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) { try await scenario.send(call) }
        #expect(error?.code == row.error)
        guard let error else { return }
        let rendered = ErrorPresentation(configuration: scenario.bed.configuration).render(error, acceptLanguage: nil)
        #expect(rendered.status == .badRequest)
        #expect(rendered.headerFields[.cacheControl] == "no-store")
        #expect(rendered.headerFields[.pragma] == "no-cache")
        #expect(rendered.headerFields[.wwwAuthenticate] == nil)
        #expect(rendered.headerFields[.contentType]?.hasPrefix("application/json") == true)
        let body = try JSONSerialization.jsonObject(with: Data(rendered.body.utf8)) as? [String: Any]
        #expect(body?["error"] as? String == row.error.rawValue)
        #expect(body?["error_description"] is String)
    }

    @Test("every row is named after a SPEC id", .spec("exchange.invalid_request"), .spec("exchange.invalid_scope"), .spec("exchange.invalid_target"))
    func rowsNameTheirIDs() {
        let ids = Set(ExchangeErrorRow.all.map(\.spec))
        #expect(ids == ["exchange.invalid_request", "exchange.invalid_scope", "exchange.invalid_target"])
    }

    @Test("a client not registered for token exchange is refused as unauthorized_client")
    func unregisteredClient() async throws {
        let scenario = try await ExchangeScenario.make()
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.send(scenario.call(subject: scenario.userTokens.accessToken, by: scenario.webApp))
        }
        #expect(error?.code == .unauthorizedClient)
        #expect(error?.status == .badRequest)
    }

    @Test("a public client registered for token exchange is refused as unauthorized_client: it cannot authenticate")
    func publicClient() async throws {
        let scenario = try await ExchangeScenario.make()
        let app = try await scenario.bed.registerClient(.public, grantTypes: [.tokenExchange], scopes: ["read"])
        var call = scenario.call(subject: scenario.userTokens.accessToken)
        call = EndpointCall(body: call.body + "&client_id=\(app.id)", authorization: nil)
        let error = await #expect(throws: OAuthError.self) { try await scenario.send(call) }
        #expect(error?.code == .unauthorizedClient)
    }

    @Test("by default the new token has the subject token's scope within the client's, its subject, and no refresh token")
    func defaults() async throws {
        let scenario = try await ExchangeScenario.make()
        let response = try await scenario.exchange()
        #expect(response.issuedTokenType == ExchangeScenario.accessTokenType)
        #expect(response.tokenType == "Bearer")
        #expect(response.scope == ["read"])
        #expect(response.refreshToken == nil)
        #expect(response.expiresIn == scenario.bed.configuration.accessTokenTTL)
        let answer = try await scenario.introspect(response.accessToken)
        #expect(answer.active)
        #expect(answer.subject == scenario.user.id)
        #expect(answer.username == scenario.user.username)
        #expect(answer.clientID == scenario.service.id)
        #expect(answer.scope == ["read"])
        #expect(answer.actor == nil)
        #expect(answer.audience == [scenario.bed.configuration.accessTokenAudience])
    }

    @Test("a requested scope narrows the new token", .spec("exchange.invalid_scope"))
    func narrowing() async throws {
        let scenario = try await ExchangeScenario.make()
        let service = try await scenario.bed.registerClient(.confidential, grantTypes: [.tokenExchange], scopes: ["read", "write"])
        let response = try await scenario.send(scenario.call(subject: scenario.userTokens.accessToken, [("scope", "write")], by: service))
        #expect(response.scope == ["write"])
        #expect(try await scenario.introspect(response.accessToken).scope == ["write"])
    }

    @Test("the new token's lifetime ends with the subject token's")
    func lifetimeCapped() async throws {
        let scenario = try await ExchangeScenario.make()
        scenario.bed.clock.advance(by: 3000)
        let response = try await scenario.exchange()
        #expect(response.expiresIn == 600)
        #expect(try await scenario.introspect(response.accessToken).expiresAt == Int(scenario.bed.clock.now().timeIntervalSince1970) + 600)
        scenario.bed.clock.advance(by: 599)
        #expect(try await scenario.introspect(response.accessToken).active)
        scenario.bed.clock.advance(by: 1)
        #expect(try await scenario.introspect(response.accessToken).active == false)
    }

    @Test("with an actor token the JWT and introspection carry act with the actor's sub")
    func actClaim() async throws {
        let scenario = try await ExchangeScenario.make(serviceFormat: .jwt)
        let actor = try await scenario.serviceToken()
        let response = try await scenario.exchange([("actor_token", actor), ("actor_token_type", ExchangeScenario.jwtType)])
        let claims = try await scenario.claims(of: response.accessToken)
        #expect(claims.subject == scenario.user.id)
        #expect(claims.clientID == scenario.service.id)
        #expect(claims.actor?.subjects == [scenario.service.id])
        #expect(claims.expiresAt - claims.issuedAt == scenario.bed.configuration.accessTokenTTL)
        let answer = try await scenario.introspect(response.accessToken)
        #expect(answer.actor?.subjects == [scenario.service.id])
        #expect(answer.actor?.json == "{\"sub\":\"\(scenario.service.id)\"}")
    }

    @Test("an actor token that itself has act nests it as the prior actor")
    func nestedAct() async throws {
        let scenario = try await ExchangeScenario.make()
        let first = try await scenario.exchange([("actor_token", try await scenario.serviceToken()), ("actor_token_type", ExchangeScenario.accessTokenType)])
        let gateway = try await scenario.bed.registerClient(.confidential, grantTypes: [.tokenExchange, .clientCredentials], scopes: ["read"])
        let gatewayToken = try await scenario.send(.basic(gateway, "grant_type=client_credentials")).accessToken
        // The gateway acts with the token in which the service acts for the user.
        let second = try await scenario.send(
            scenario.call(
                subject: gatewayToken, [("actor_token", first.accessToken), ("actor_token_type", ExchangeScenario.accessTokenType)], by: gateway
            )
        )
        let answer = try await scenario.introspect(second.accessToken)
        #expect(answer.subject == gateway.id)
        #expect(answer.actor?.subjects == [scenario.user.id, scenario.service.id])
        #expect(answer.actor?.json == "{\"sub\":\"\(scenario.user.id)\",\"act\":{\"sub\":\"\(scenario.service.id)\"}}")
    }

    @Test("resource and audience make the new token's aud, in the JWT and introspection", .spec("exchange.invalid_target"))
    func audience() async throws {
        let scenario = try await ExchangeScenario.make(serviceFormat: .jwt)
        let response = try await scenario.exchange([("resource", ExchangeScenario.notes), ("audience", ExchangeScenario.calendar)])
        #expect(try await scenario.claims(of: response.accessToken).audience == [ExchangeScenario.notes, ExchangeScenario.calendar])
        #expect(try await scenario.introspect(response.accessToken).audience == [ExchangeScenario.notes, ExchangeScenario.calendar])
        let api = try await scenario.exchange([("audience", scenario.bed.configuration.apiResource)])
        #expect(try await scenario.introspect(api.accessToken).audience == [scenario.bed.configuration.apiResource])
    }

    @Test("a JWT access token of this server is accepted as subject_token_type jwt, and the format follows the requesting client")
    func jwtSubject() async throws {
        let scenario = try await ExchangeScenario.make(webAppFormat: .jwt)
        let response = try await scenario.send(scenario.call(subject: scenario.userTokens.accessToken, type: ExchangeScenario.jwtType))
        #expect(response.accessToken.hasPrefix("gtha_"))
        #expect(try await scenario.introspect(response.accessToken).subject == scenario.user.id)
    }

    @Test("a client_credentials token can be exchanged; the new token speaks for that client")
    func serviceSubject() async throws {
        let scenario = try await ExchangeScenario.make()
        let backend = try await scenario.bed.registerClient(.confidential, grantTypes: [.clientCredentials], scopes: ["read"])
        let subject = try await scenario.send(.basic(backend, "grant_type=client_credentials")).accessToken
        let response = try await scenario.send(scenario.call(subject: subject))
        #expect(try await scenario.introspect(response.accessToken).subject == backend.id)
        // `tokens revoke --client` of the subject's client ends the exchanged token too.
        _ = try await scenario.bed.store.revokeAllTokens(clientID: backend.id, at: scenario.bed.clock.now())
        #expect(try await scenario.introspect(response.accessToken).active == false)
    }

    @Test("an exchanged token can be exchanged again; it keeps the subject")
    func chain() async throws {
        let scenario = try await ExchangeScenario.make()
        let first = try await scenario.exchange()
        let second = try await scenario.send(scenario.call(subject: first.accessToken))
        #expect(try await scenario.introspect(second.accessToken).subject == scenario.user.id)
        try await scenario.bed.revocationEndpoint().handle(
            parameters: RequestParameters(["token": scenario.userTokens.accessToken]), authorization: scenario.webApp.basicAuthorization
        )
        #expect(try await scenario.introspect(second.accessToken).active == false)
    }

    /// Each way of ending the subject token's authority.
    enum Revocation: String, CaseIterable, Sendable {
        case grant = "the subject token's grant (admin grant withdrawal)"
        case refreshToken = "the subject's refresh token, by RFC 7009 revocation"
        case accessToken = "the subject access token itself"
        case user = "every token of the user (tokens revoke --user)"
        case client = "every token of the subject's client (tokens revoke --client)"
    }

    @Test("revoking the subject token's grant revokes the exchanged tokens too", .spec("exchange.invalid_request"), arguments: Revocation.allCases)
    func cascade(_ revocation: Revocation) async throws {
        let scenario = try await ExchangeScenario.make()
        let exchanged = try await scenario.exchange()
        #expect(try await scenario.introspect(exchanged.accessToken).active)
        let bed = scenario.bed
        switch revocation {
        case .grant:
            try await bed.store.revokeGrant(id: scenario.userTokens.grantID, at: bed.clock.now())
        case .refreshToken:
            try await bed.revocationEndpoint().handle(
                parameters: RequestParameters(["token": scenario.userTokens.refreshToken ?? ""]), authorization: scenario.webApp.basicAuthorization
            )
        case .accessToken:
            try await bed.revocationEndpoint().handle(
                parameters: RequestParameters(["token": scenario.userTokens.accessToken]), authorization: scenario.webApp.basicAuthorization
            )
        case .user:
            _ = try await bed.store.revokeAllTokens(userID: scenario.user.id, at: bed.clock.now())
        case .client:
            _ = try await bed.store.revokeAllTokens(clientID: scenario.webApp.id, at: bed.clock.now())
        }
        #expect(try await scenario.introspect(exchanged.accessToken).active == false)
        // And no more can be minted from it.
        let error = await #expect(throws: OAuthError.self) { try await scenario.exchange() }
        #expect(error?.code == .invalidRequest)
    }

    @Test("a delegation chain grows one actor per exchange up to its limit, then the actor token is refused", .spec("exchange.invalid_request"))
    func chainLimit() async throws {
        let scenario = try await ExchangeScenario.make()
        var actor = try await scenario.serviceToken()
        for depth in 1...TokenActor.maximumDepth {
            actor = try await scenario.exchange([("actor_token", actor), ("actor_token_type", ExchangeScenario.accessTokenType)]).accessToken
            #expect(try await scenario.introspect(actor).actor?.subjects.count == depth)
        }
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.exchange([("actor_token", actor), ("actor_token_type", ExchangeScenario.accessTokenType)])
        }
        #expect(error?.code == .invalidRequest)
    }

    @Test("the act claim renders nested JSON and reads back from a JWT's claims")
    func actorValue() throws {
        let actor = TokenActor(subject: "svc-a", prior: TokenActor(subject: "svc-b"))
        #expect(actor.json == #"{"sub":"svc-a","act":{"sub":"svc-b"}}"#)
        #expect(TokenActor(column: actor.column) == actor)
        let parsed = try JSONSerialization.jsonObject(with: Data(actor.json.utf8))
        #expect(TokenActor(claim: parsed) == actor)
        #expect(TokenActor(claim: ["act": ["sub": "x"]]) == nil)
        #expect(TokenActor(subjects: []) == nil)
    }
}
