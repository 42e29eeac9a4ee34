import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// What the resource indicator rows start from: a server with two resources of its own listing, a
/// web app that may use every grant, a user, and codes issued by the real authorization endpoint.
struct ResourceScenario: Sendable {
    static let notes = "https://api.example/notes"
    static let calendar = "https://api.example/calendar"

    let bed: TestBed
    let client: RegisteredClient
    let user: User

    static func make() async throws -> ResourceScenario {
        let bed = TestBed(configuration: ServerConfiguration(issuer: TestBed.issuer, resources: [notes, calendar]))
        let client = try await bed.registerClient(.confidential, grantTypes: [.authorizationCode, .refreshToken, .clientCredentials])
        return ResourceScenario(bed: bed, client: client, user: try await bed.createUser())
    }

    /// The query of an authorization request naming `resources`, one `resource` parameter each.
    func query(_ resources: [String]) -> AuthorizationQuery {
        var query = AuthorizationQuery(clientID: client.id)
        query.extra = resources.map { ("resource", $0) }
        return query
    }

    /// A code for an authorization request naming `resources`.
    func code(_ resources: [String]) async throws -> String {
        let endpoint = bed.authorizationEndpoint()
        let request = try await endpoint.validate(query: query(resources).bytes)
        let location = try await endpoint.issueCode(request, userID: user.id)
        guard let code = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value else {
            throw TestBedError.noCode(location)
        }
        return code
    }

    /// The body redeeming `code`, asking for `resources`.
    func redeem(_ code: String, _ resources: [String] = []) -> String {
        "grant_type=authorization_code&code=\(code)&redirect_uri=https://app.example/cb&code_verifier=\(AuthorizationQuery.verifier)"
            + Self.parameters(resources)
    }

    /// A refresh token of a grant whose authorization request named `resources`.
    func refreshToken(_ resources: [String]) async throws -> String {
        let response = try await send(.basic(client, redeem(try await code(resources))))
        guard let token = response.refreshToken else { throw TokenScenario.ScenarioError.noRefreshToken }
        return token
    }

    func send(_ call: EndpointCall) async throws -> TokenResponse {
        try await bed.tokenEndpoint().handle(parameters: try call.parameters(), authorization: call.authorization)
    }

    /// The `aud` introspection answers for an access token.
    func audience(of token: String) async throws -> [String]? {
        try await bed.introspectionEndpoint().lookup(token: token).audience
    }

    static func parameters(_ resources: [String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return resources.map { "&resource=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }.joined()
    }
}

/// One `invalid_target` row of SPEC §10 at the token endpoint.
struct TargetErrorRow: Sendable, CustomTestStringConvertible {
    let situation: String
    let request: @Sendable (ResourceScenario) async throws -> EndpointCall

    var testDescription: String { "invalid_target 400: \(situation)" }

    static func clientCredentials(_ situation: String, _ resources: [String]) -> TargetErrorRow {
        TargetErrorRow(situation: situation) { .basic($0.client, "grant_type=client_credentials" + ResourceScenario.parameters(resources)) }
    }

    static let all: [TargetErrorRow] = [
        clientCredentials("a resource that is not an absolute URI", ["api.example/notes"]),
        clientCredentials("a relative reference", ["/notes"]),
        clientCredentials("a resource with a fragment", ["https://api.example/notes#top"]),
        clientCredentials("a resource not listed in resources", ["https://api.example/mail"]),
        clientCredentials("a listed resource differing in case", ["https://API.example/notes"]),
        clientCredentials("two resources, one not listed", [ResourceScenario.notes, "https://api.example/mail"]),
        TargetErrorRow(situation: "code exchange widening: a listed resource the authorization request did not name") { scenario in
            .basic(scenario.client, scenario.redeem(try await scenario.code([ResourceScenario.notes]), [ResourceScenario.calendar]))
        },
        TargetErrorRow(situation: "code exchange naming a resource when the authorization request named none") { scenario in
            .basic(scenario.client, scenario.redeem(try await scenario.code([]), [ResourceScenario.notes]))
        },
        TargetErrorRow(situation: "code exchange with a resource not listed") { scenario in
            .basic(scenario.client, scenario.redeem(try await scenario.code([ResourceScenario.notes]), ["https://api.example/mail"]))
        },
        TargetErrorRow(situation: "refresh widening: the grant's resource and another listed one") { scenario in
            let token = try await scenario.refreshToken([ResourceScenario.notes])
            return .basic(
                scenario.client,
                "grant_type=refresh_token&refresh_token=\(token)" + ResourceScenario.parameters([ResourceScenario.notes, ResourceScenario.calendar])
            )
        },
        TargetErrorRow(situation: "refresh naming a resource when the grant has none") { scenario in
            let token = try await scenario.refreshToken([])
            return .basic(scenario.client, "grant_type=refresh_token&refresh_token=\(token)" + ResourceScenario.parameters([ResourceScenario.notes]))
        },
        TargetErrorRow(situation: "refresh with a resource with a fragment") { scenario in
            let token = try await scenario.refreshToken([ResourceScenario.notes])
            return .basic(scenario.client, "grant_type=refresh_token&refresh_token=\(token)&resource=https%3A%2F%2Fapi.example%2Fnotes%23x")
        },
    ]
}

/// One `resource` of an authorization request that is refused by redirect.
struct AuthorizationTargetRow: Sendable, CustomTestStringConvertible {
    let situation: String
    let resources: [String]
    var testDescription: String { "redirect invalid_target: \(situation)" }

    static let all: [AuthorizationTargetRow] = [
        AuthorizationTargetRow(situation: "not an absolute URI", resources: ["notes"]),
        AuthorizationTargetRow(situation: "a fragment", resources: ["https://api.example/notes#frag"]),
        AuthorizationTargetRow(situation: "not listed in resources", resources: ["https://api.example/mail"]),
        AuthorizationTargetRow(situation: "a listed one repeated with one not listed", resources: [ResourceScenario.notes, "urn:example:mail"]),
    ]
}

@Suite("Resource indicators, RFC 8707 (core, no socket)")
struct ResourceIndicatorRowTests {
    @Test(
        "SPEC §10 token endpoint: every invalid_target row answers 400 invalid_target", .spec("indicators.invalid_target"),
        .spec("indicators.narrowing"),
        arguments: TargetErrorRow.all
    )
    func tokenRow(_ row: TargetErrorRow) async throws {
        let scenario = try await ResourceScenario.make()
        let call = try await row.request(scenario)
        let error = await #expect(throws: OAuthError.self) { try await scenario.send(call) }
        #expect(error?.code == .invalidTarget)
        #expect(error?.status == .badRequest)
        #expect(error?.headerFields[.wwwAuthenticate] == nil)
    }

    @Test(
        "SPEC §10 authorization endpoint: a bad resource is refused by redirect", .spec("indicators.invalid_target"),
        arguments: AuthorizationTargetRow.all
    )
    func authorizationRow(_ row: AuthorizationTargetRow) async throws {
        let scenario = try await ResourceScenario.make()
        let failure = await #expect(throws: AuthorizationFailure.self) {
            try await scenario.bed.authorizationEndpoint().validate(query: scenario.query(row.resources).bytes)
        }
        guard case .redirect(let error, let location)? = failure else {
            Issue.record("expected a redirect, got \(String(describing: failure))")
            return
        }
        #expect(error.code == .invalidTarget)
        let items = Dictionary(
            (URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(location.hasPrefix("https://app.example/cb?"))
        #expect(items["error"] == "invalid_target")
        #expect(items["error_uri"] == scenario.bed.configuration.errorURI(for: .invalidTarget))
        #expect(items["state"] == "st-123")
        #expect(items["iss"] == TestBed.issuer)
    }

    @Test("a bad resource with an unknown client is still the page, never a redirect")
    func untrustedClientFirst() async throws {
        let scenario = try await ResourceScenario.make()
        var query = scenario.query(["not a uri"])
        query.clientID = "nobody"
        let failure = await #expect(throws: AuthorizationFailure.self) {
            try await scenario.bed.authorizationEndpoint().validate(query: query.bytes)
        }
        guard case .page(let error)? = failure else {
            Issue.record("expected the page, got \(String(describing: failure))")
            return
        }
        #expect(error.code == .invalidRequest)
    }

    @Test("the grant is checked before the resource: an unknown code with a bad resource is invalid_grant")
    func grantBeforeTarget() async throws {
        let scenario = try await ResourceScenario.make()
        let error = await #expect(throws: OAuthError.self) {
            try await scenario.send(.basic(scenario.client, "grant_type=authorization_code&code=gthc_unknown&resource=nope"))
        }
        #expect(error?.code == .invalidGrant)
    }

    @Test("resource may repeat where other parameters may not; duplicates count once")
    func repetition() async throws {
        let parameters = try RequestParameters(
            formEncoded: Array("resource=https%3A%2F%2Fa.example&resource=urn%3Ab&resource=&resource=urn%3Ab".utf8))
        #expect(parameters.all("resource") == ["https://a.example", "urn:b"])
        #expect(parameters["resource"] == "https://a.example")
        #expect(throws: OAuthError.self) { try RequestParameters(formEncoded: Array("scope=a&scope=b".utf8)) }
        #expect(RequestParameters(pairs: [("resource", "urn:a"), ("resource", "urn:b")]).all("resource") == ["urn:a", "urn:b"])
    }

    @Test("repeated resource on the authorization request: the code and grant remember both, the token's aud is both")
    func repeatedOnAuthorization() async throws {
        let scenario = try await ResourceScenario.make()
        let both = [ResourceScenario.notes, ResourceScenario.calendar]
        let request = try await scenario.bed.authorizationEndpoint().validate(query: scenario.query(both).bytes)
        #expect(request.resources == both)
        let code = try await scenario.code(both)
        let stored = try #require(try await scenario.bed.store.authorizationCode(hash: SecretHasher.hash(code)))
        #expect(stored.resources == both)
        #expect(try await scenario.bed.store.grant(id: stored.grantID)?.resources == both)
        let tokens = try await scenario.send(.basic(scenario.client, scenario.redeem(code)))
        #expect(try await scenario.audience(of: tokens.accessToken) == both)
    }

    @Test(
        "a code exchange narrows to one resource; a refresh without resource gets the grant's, with one narrows again",
        .spec("indicators.narrowing")
    )
    func narrowing() async throws {
        let scenario = try await ResourceScenario.make()
        let both = [ResourceScenario.notes, ResourceScenario.calendar]
        let first = try await scenario.send(.basic(scenario.client, scenario.redeem(try await scenario.code(both), [ResourceScenario.calendar])))
        #expect(try await scenario.audience(of: first.accessToken) == [ResourceScenario.calendar])
        let refresh = try #require(first.refreshToken)
        let second = try await scenario.send(.basic(scenario.client, "grant_type=refresh_token&refresh_token=\(refresh)"))
        #expect(try await scenario.audience(of: second.accessToken) == both)
        let third = try await scenario.send(
            .basic(
                scenario.client,
                "grant_type=refresh_token&refresh_token=\(try #require(second.refreshToken))" + ResourceScenario.parameters([ResourceScenario.notes]))
        )
        #expect(try await scenario.audience(of: third.accessToken) == [ResourceScenario.notes])
    }

    @Test("without resource the audience is access_token_audience; client_credentials takes listed resources")
    func defaultAudienceAndClientCredentials() async throws {
        let scenario = try await ResourceScenario.make()
        let plain = try await scenario.send(.basic(scenario.client, scenario.redeem(try await scenario.code([]))))
        #expect(try await scenario.audience(of: plain.accessToken) == [TestBed.issuer])
        let service = try await scenario.send(
            .basic(scenario.client, "grant_type=client_credentials" + ResourceScenario.parameters([ResourceScenario.notes, ResourceScenario.calendar]))
        )
        #expect(try await scenario.audience(of: service.accessToken) == [ResourceScenario.notes, ResourceScenario.calendar])
        // A refresh token is not for a resource: introspection gives it no aud.
        #expect(try await scenario.audience(of: try #require(plain.refreshToken)) == nil)
    }

    @Test("Gatehouse's own {issuer}/api is a resource though resources does not list it")
    func ownResource() async throws {
        let scenario = try await ResourceScenario.make()
        let own = "\(TestBed.issuer)/api"
        let service = try await scenario.send(.basic(scenario.client, "grant_type=client_credentials" + ResourceScenario.parameters([own])))
        #expect(try await scenario.audience(of: service.accessToken) == [own])
        let request = try await scenario.bed.authorizationEndpoint().validate(query: scenario.query([own]).bytes)
        #expect(request.resources == [own])
    }
}
