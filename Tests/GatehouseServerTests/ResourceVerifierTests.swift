import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import GatehouseResource

/// A stand-in authorization server for the verifiers of `GatehouseResource`: a JWKS whose answer
/// the test switches between a key set and a 500, and an introspection endpoint that says which
/// tokens are active, both counting the requests they get.
final class FakeAuthorizationServer: Sendable {
    private struct State {
        var keys: [SigningKey]? = []
        var jwksFetches = 0
        var introspections = 0
        var active: Set<String> = []
    }

    private let state = Mutex(State())
    /// How long the JWKS takes to answer, so concurrent verifications meet one fetch in flight.
    let jwksDelay: Duration

    init(jwksDelay: Duration = .zero) {
        self.jwksDelay = jwksDelay
    }

    /// The JWKS answers with `keys`, or 500 when `nil`.
    func serve(keys: [SigningKey]?) { state.withLock { $0.keys = keys } }
    func activate(_ token: String) { state.withLock { _ = $0.active.insert(token) } }
    var jwksFetches: Int { state.withLock { $0.jwksFetches } }
    var introspections: Int { state.withLock { $0.introspections } }

    /// Runs the server on a free port of 127.0.0.1 for the duration of `body`.
    func run(_ body: @Sendable (_ baseURL: String) async throws -> Void) async throws {
        let router = Router()
        router.get("/jwks") { _, _ -> Response in
            if self.jwksDelay > .zero { try await Task.sleep(for: self.jwksDelay) }
            let keys = self.state.withLock { state in
                state.jwksFetches += 1
                return state.keys
            }
            guard let keys else { return Response(status: .internalServerError) }
            let json = "{\"keys\":[\(keys.map(\.publicJWK).joined(separator: ","))]}"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.post("/introspect") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let form = String(buffer: body)
            let token = form.split(separator: "&").first { $0.hasPrefix("token=") }.map { String($0.dropFirst(6)) } ?? ""
            let active = self.state.withLock { state in
                state.introspections += 1
                return state.active.contains(token)
            }
            let json =
                active
                ? #"{"active":true,"client_id":"notes","scope":"read","token_type":"Bearer","sub":"alice"}"# : #"{"active":false}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body("http://127.0.0.1:\(port)")
        }
    }
}

@Suite("GatehouseResource verifiers: JWKS outages, bounded caches")
struct ResourceVerifierTests {
    static let issuer = "https://auth.example.test"

    /// A new token signed with `key`, valid for an hour from `now`.
    func token(_ key: SigningKey, now: Date) throws -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        let claims = JWTAccessToken.Claims(
            issuer: Self.issuer, subject: "alice", audience: Self.issuer, expiresAt: issuedAt + 3600, issuedAt: issuedAt,
            tokenID: UUID().uuidString, clientID: "notes", scope: ["read"]
        )
        return try JWTAccessToken.sign(claims, with: key)
    }

    func makeVerifier(_ baseURL: String, clock: TestClock) -> JWKSVerifier {
        JWKSVerifier(
            jwksURL: "\(baseURL)/jwks", issuer: Self.issuer, audience: Self.issuer, cacheLifetime: 60, minimumRefetchInterval: 10,
            now: { clock.now() }
        )
    }

    @Test("a failed JWKS refetch keeps the known keys serving; the failure counts toward the refetch limit")
    func knownKeysSurviveAFailedRefetch() async throws {
        let server = FakeAuthorizationServer()
        let key = SigningKey.generate(now: Date())
        server.serve(keys: [key])
        let clock = TestClock()
        try await server.run { baseURL in
            let verifier = makeVerifier(baseURL, clock: clock)
            #expect(try await verifier.verify(try token(key, now: clock.now()))?.subject == "alice")
            #expect(server.jwksFetches == 1)

            server.serve(keys: nil)
            clock.advance(by: 61)
            // The cached set is stale, so a new token triggers a refetch, which fails: the known key still verifies it.
            #expect(try await verifier.verify(try token(key, now: clock.now()))?.subject == "alice")
            #expect(server.jwksFetches == 2)
            // An unknown kid inside the refetch interval: no new fetch, and an invalid token, not an outage.
            let stranger = SigningKey.generate(now: clock.now())
            #expect(try await verifier.verify(try token(stranger, now: clock.now())) == nil)
            #expect(server.jwksFetches == 2)
            clock.advance(by: 11)
            #expect(try await verifier.verify(try token(stranger, now: clock.now())) == nil)
            #expect(server.jwksFetches == 3)

            // Through the middleware: the API keeps answering 200 for a token of the known key.
            let fresh = try token(key, now: clock.now())
            try await RemoteResourceServer.run(verifier: verifier) { api in
                let ok = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(fresh)"])
                #expect(ok.status == .ok)
            }
        }
    }

    @Test("503 temporarily_unavailable with Retry-After only when no key can be had; recovery once the JWKS answers")
    func noKeyAtAll() async throws {
        let server = FakeAuthorizationServer()
        server.serve(keys: nil)
        let key = SigningKey.generate(now: Date())
        let clock = TestClock()
        try await server.run { baseURL in
            let verifier = makeVerifier(baseURL, clock: clock)
            let first = try token(key, now: clock.now())
            do {
                _ = try await verifier.verify(first)
                Issue.record("verify succeeded without any key")
            } catch JWKSError.keysUnavailable {
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(server.jwksFetches == 1)
            try await RemoteResourceServer.run(verifier: verifier) { api in
                let refused = try await api.execute(uri: "/notes", method: .get, headers: [.authorization: "Bearer \(first)"])
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.json["error"] as? String == "temporarily_unavailable")
                #expect(refused.headers[.retryAfter] != nil)
                #expect(refused.headers[.cacheControl] == "no-store")
                #expect(refused.headers[.contentLanguage] == "en")
                #expect(refused.headers[.vary] == "Accept-Language")
            }
            // The failed attempt counts: within the interval nobody asks the JWKS again.
            #expect(server.jwksFetches == 1)

            server.serve(keys: [key])
            clock.advance(by: 11)
            #expect(try await verifier.verify(first)?.subject == "alice")
            #expect(server.jwksFetches == 2)
        }
    }

    @Test("concurrent verifications on a cold verifier share one JWKS fetch and all succeed")
    func oneFetchInFlight() async throws {
        let server = FakeAuthorizationServer(jwksDelay: .milliseconds(200))
        let key = SigningKey.generate(now: Date())
        server.serve(keys: [key])
        let clock = TestClock()
        try await server.run { baseURL in
            let verifier = makeVerifier(baseURL, clock: clock)
            let tokens = try (0..<20).map { _ in try token(key, now: clock.now()) }
            let verified = try await withThrowingTaskGroup(of: Bool.self) { group in
                for token in tokens {
                    group.addTask { try await verifier.verify(token) != nil }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(verified == tokens.count)
            #expect(server.jwksFetches == 1)
        }
    }

    @Test("the LRU cache keeps at most its capacity and forgets the least recently used entry")
    func lruBounded() {
        var cache = LRUCache<Int, String>(capacity: 3)
        for key in 1...3 { cache.set("v\(key)", for: key) }
        #expect(cache.value(for: 1) == "v1")  // 1 is now the most recently used; 2 is next to go
        cache.set("v4", for: 4)
        #expect(cache.count == 3)
        #expect(cache.value(for: 2) == nil)
        #expect(cache.value(for: 1) == "v1" && cache.value(for: 3) == "v3" && cache.value(for: 4) == "v4")
        cache.set("v1'", for: 1)
        #expect(cache.count == 3 && cache.value(for: 1) == "v1'")
        for key in 10..<1000 { cache.set("v\(key)", for: key) }
        #expect(cache.count == 3)
        #expect(cache.value(for: 999) == "v999" && cache.value(for: 997) == "v997" && cache.value(for: 996) == nil)
    }

    @Test("introspection caches active answers only, in a bounded map")
    func introspectionCache() async throws {
        let server = FakeAuthorizationServer()
        for token in ["good1", "good2", "good3"] { server.activate(token) }
        try await server.run { baseURL in
            let verifier = IntrospectionVerifier(
                introspectionURL: "\(baseURL)/introspect", clientID: "api", clientSecret: "secret", cacheLifetime: 300, maximumEntries: 2
            )
            // Inactive answers are never remembered: every look-up asks again.
            #expect(try await verifier.verify("made-up") == nil)
            #expect(try await verifier.verify("made-up") == nil)
            #expect(server.introspections == 2)
            // An active answer is.
            #expect(try await verifier.verify("good1")?.subject == "alice")
            #expect(try await verifier.verify("good1")?.subject == "alice")
            #expect(server.introspections == 3)
            // A made-up token later activated is seen at once, as nothing pinned it as inactive.
            #expect(try await verifier.verify("later") == nil)
            server.activate("later")
            #expect(try await verifier.verify("later") != nil)
            #expect(server.introspections == 5)
            // Capacity two: good1 was pushed out by "later" and good2, so it is asked again; good2 is not.
            _ = try await verifier.verify("good2")
            #expect(server.introspections == 6)
            _ = try await verifier.verify("good1")
            #expect(server.introspections == 7)
            _ = try await verifier.verify("good1")
            #expect(server.introspections == 7)
        }
    }
}
