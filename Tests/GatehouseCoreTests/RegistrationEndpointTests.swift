import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Testing

/// RFC 7591 / 7592 registration and the rotated-secret grace period, in the core without a socket.
@Suite("Registration endpoint and secret rotation, socket-free")
struct RegistrationEndpointTests {
    private func endpoint(_ bed: TestBed, limit: Int = 10) -> RegistrationEndpoint {
        RegistrationEndpoint(
            configuration: bed.configuration, clients: bed.store,
            limiter: RegistrationLimiter(store: bed.store, limit: limit, window: 900, events: bed.events),
            now: { bed.clock.now() }
        )
    }

    private static func bed(_ mode: ServerConfiguration.RegistrationMode) -> TestBed {
        var configuration = ServerConfiguration(issuer: TestBed.issuer)
        configuration.registration = mode
        return TestBed(configuration: configuration)
    }

    private static let body = Array(#"{"client_name":"app","redirect_uris":["https://app.example/cb"]}"#.utf8)

    @Test("off: every call is not_found (404)")
    func off() async throws {
        let bed = Self.bed(.off)
        let error = await #expect(throws: OAuthError.self) { try await endpoint(bed).register(body: Self.body, address: "192.0.2.1") }
        #expect(error?.code == .notFound && error?.status == .notFound)
        let read = await #expect(throws: OAuthError.self) { try await endpoint(bed).read(clientID: "x", authorization: "Bearer y") }
        #expect(read?.code == .notFound)
    }

    @Test("a registration stores hashes only; its token reads, replaces and deletes it, no other token does")
    func lifecycle() async throws {
        let bed = Self.bed(.open)
        let document = try await endpoint(bed).register(body: Self.body, address: "192.0.2.1")
        let id = document.metadata.clientID ?? ""
        let token = try #require(document.registrationAccessToken)
        let stored = try #require(try await bed.store.client(id: id))
        #expect(stored.secretHash == document.clientSecret.map(SecretHasher.hash))
        #expect(stored.registrationAccessTokenHash == SecretHasher.hash(token))
        #expect(document.registrationClientURI == "\(TestBed.issuer)/oauth2/register/\(id)")

        for authorization in [nil, "Bearer", "Bearer gthg_wrong", "Basic \(token)", "Bearer \(document.clientSecret ?? "")"] as [String?] {
            let error = await #expect(throws: OAuthError.self) { try await endpoint(bed).read(clientID: id, authorization: authorization) }
            #expect(error?.code == .invalidToken && error?.status == .unauthorized, "\(authorization ?? "none")")
            #expect(error?.headerFields[.wwwAuthenticate]?.hasPrefix("Bearer realm=") == true)
        }
        #expect(try await endpoint(bed).read(clientID: id, authorization: "Bearer \(token)").metadata.clientName == "app")

        let replaced = try await endpoint(bed).replace(
            clientID: id, authorization: "bearer \(token)", body: Array(#"{"redirect_uris":["https://app.example/v2"]}"#.utf8), address: nil
        )
        #expect(replaced.metadata.redirectURIs == ["https://app.example/v2"] && replaced.metadata.clientName == id)
        #expect(try await bed.store.client(id: id)?.secretHash == stored.secretHash)

        try await endpoint(bed).delete(clientID: id, authorization: "Bearer \(token)", address: nil)
        #expect(try await bed.store.client(id: id) == nil)
        let gone = await #expect(throws: OAuthError.self) { try await endpoint(bed).read(clientID: id, authorization: "Bearer \(token)") }
        #expect(gone?.code == .invalidToken)
    }

    @Test("open: the limit counts registrations made per address, and a window frees itself")
    func openLimit() async throws {
        let bed = Self.bed(.open)
        for _ in 0..<2 { _ = try await endpoint(bed, limit: 2).register(body: Self.body, address: "192.0.2.1") }
        let refused = await #expect(throws: OAuthError.self) { try await endpoint(bed, limit: 2).register(body: Self.body, address: "192.0.2.1") }
        #expect(refused?.status == .tooManyRequests && refused?.headerFields[.retryAfter] != nil)
        _ = try await endpoint(bed, limit: 2).register(body: Self.body, address: "192.0.2.2")
        bed.clock.advance(by: 901)
        _ = try await endpoint(bed, limit: 2).register(body: Self.body, address: "192.0.2.1")
    }

    @Test("a rotated-away secret authenticates until its grace period ends, by the server's clock")
    func graceByServerClock() async throws {
        let bed = TestBed()
        let client = try await bed.registerClient(.confidential, grantTypes: [.clientCredentials])
        let old = try #require(client.secret)
        let new = SecretGenerator().make(.clientSecret)
        #expect(try await bed.store.rotateClientSecret(id: client.id, newHash: SecretHasher.hash(new), graceUntil: bed.clock.now().addingTimeInterval(60)))
        let authenticator = ClientAuthenticator(clients: bed.store, realm: "test", now: { bed.clock.now() })
        #expect(try await authenticator.authenticate(.basic(clientID: client.id, secret: new)).id == client.id)
        #expect(try await authenticator.authenticate(.post(clientID: client.id, secret: old)).id == client.id)
        bed.clock.advance(by: 60)
        let expired = await #expect(throws: OAuthError.self) { try await authenticator.authenticate(.basic(clientID: client.id, secret: old)) }
        #expect(expired?.code == .invalidClient)
        #expect(try await authenticator.authenticate(.basic(clientID: client.id, secret: new)).id == client.id)
    }
}
