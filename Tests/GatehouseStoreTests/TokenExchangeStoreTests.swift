import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

/// Token exchange (SPEC §11) on every store: the link to the subject token and `act` are kept, and
/// ending the subject token's authority ends the exchanged token.
@Suite("Token exchange on every store")
struct TokenExchangeStoreTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)
    private static let configuration = ServerConfiguration(issuer: "https://gatehouse.test")

    private func makeClient(_ grantTypes: Set<GrantType>) -> (Client, String) {
        let secret = SecretGenerator().make(.clientSecret)
        let id = SecretGenerator().makeIdentifier()
        let client = Client(
            id: id, name: "client-\(id.prefix(8))", secretHash: SecretHasher.hash(secret), redirectURIs: [], grantTypes: grantTypes,
            scopes: ["read", "write"], createdAt: Self.now
        )
        return (client, secret)
    }

    private func basic(_ client: Client, _ secret: String) -> String {
        "Basic " + Data("\(client.id):\(secret)".utf8).base64EncodedString()
    }

    private func endpoint(_ store: any ConformingStore) -> TokenEndpoint {
        let issuer = AccessTokenIssuer(lifetime: 3600)
        return TokenEndpoint(
            configuration: Self.configuration, clients: store,
            handlers: [
                ClientCredentialsGrant(issuer: issuer, tokens: store),
                TokenExchangeGrant(issuer: issuer, tokens: store, grants: store, jwtVerification: nil, defaultAudience: "gatehouse"),
            ],
            now: { Self.now }
        )
    }

    private func introspection(_ store: any ConformingStore) -> IntrospectionEndpoint {
        IntrospectionEndpoint(
            configuration: Self.configuration, clients: store, accessTokens: store, grants: store, users: store, now: { Self.now }
        )
    }

    @Test("an exchanged token's subject link and nested act read back as stored", arguments: StoreBackend.all)
    func roundTrip(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let (client, _) = makeClient([.tokenExchange])
            try await db.store.createClient(client)
            let record = AccessTokenRecord(
                id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.accessToken)), clientID: client.id,
                userID: "user-1", scope: ["read"], issuedAt: Self.now, expiresAt: Self.now.addingTimeInterval(60),
                subjectTokenHash: SecretHasher.hash("subject"), actor: TokenActor(subject: "svc \"a\"", prior: TokenActor(subject: "svc-b"))
            )
            try await db.store.insertAccessToken(record)
            #expect(try await db.store.accessToken(hash: record.tokenHash) == record)
        }
    }

    @Test("an exchange carries act and the subject; revoking the subject's client ends it", arguments: StoreBackend.all)
    func exchangeAndClientRevocation(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let (backendService, backendSecret) = makeClient([.clientCredentials])
            let (service, serviceSecret) = makeClient([.tokenExchange, .clientCredentials])
            try await db.store.createClient(backendService)
            try await db.store.createClient(service)
            let tokens = endpoint(db.store)
            let subject = try await tokens.handle(
                parameters: RequestParameters(["grant_type": "client_credentials", "scope": "read write"]),
                authorization: basic(backendService, backendSecret)
            )
            let actor = try await tokens.handle(
                parameters: RequestParameters(["grant_type": "client_credentials"]), authorization: basic(service, serviceSecret)
            )
            let exchanged = try await tokens.handle(
                parameters: RequestParameters([
                    "grant_type": GrantType.tokenExchange.rawValue, "subject_token": subject.accessToken,
                    "subject_token_type": TokenTypeIdentifier.accessToken.rawValue, "actor_token": actor.accessToken,
                    "actor_token_type": TokenTypeIdentifier.accessToken.rawValue, "scope": "read",
                ]),
                authorization: basic(service, serviceSecret)
            )
            #expect(exchanged.issuedTokenType == TokenTypeIdentifier.accessToken.rawValue)
            let answer = try await introspection(db.store).lookup(token: exchanged.accessToken)
            #expect(answer.active)
            #expect(answer.subject == backendService.id)
            #expect(answer.clientID == service.id)
            #expect(answer.scope == ["read"])
            #expect(answer.actor?.subjects == [service.id])
            _ = try await db.store.revokeAllTokens(clientID: backendService.id, at: Self.now)
            #expect(try await introspection(db.store).lookup(token: exchanged.accessToken).active == false)
        }
    }

    @Test("revoking the subject token's grant revokes the exchanged token", arguments: StoreBackend.all)
    func grantRevocation(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let (webApp, _) = makeClient([.authorizationCode])
            let (service, serviceSecret) = makeClient([.tokenExchange])
            try await db.store.createClient(webApp)
            try await db.store.createClient(service)
            let user = User(id: SecretGenerator().makeIdentifier(), username: uniqueName("user"), passwordHash: "x", createdAt: Self.now)
            try await db.store.createUser(user)
            let grant = Grant(id: SecretGenerator().makeIdentifier(), clientID: webApp.id, userID: user.id, scope: ["read"], createdAt: Self.now)
            try await db.store.createGrant(grant)
            let subject = try await AccessTokenIssuer(lifetime: 3600).make(
                client: webApp, userID: user.id, scope: ["read"], grantID: grant.id, now: Self.now
            )
            try await db.store.insertAccessToken(subject.record)
            let exchanged = try await endpoint(db.store).handle(
                parameters: RequestParameters([
                    "grant_type": GrantType.tokenExchange.rawValue, "subject_token": subject.token,
                    "subject_token_type": TokenTypeIdentifier.accessToken.rawValue,
                ]),
                authorization: basic(service, serviceSecret)
            )
            let stored = try #require(try await db.store.accessToken(hash: SecretHasher.hash(exchanged.accessToken)))
            #expect(stored.grantID == grant.id)
            #expect(stored.subjectTokenHash == subject.record.tokenHash)
            #expect(try await introspection(db.store).lookup(token: exchanged.accessToken).subject == user.id)
            try await db.store.revokeGrant(id: grant.id, at: Self.now)
            #expect(try await introspection(db.store).lookup(token: exchanged.accessToken).active == false)
        }
    }
}
