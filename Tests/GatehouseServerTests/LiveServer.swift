import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// A Gatehouse server listening on 127.0.0.1 (a free port) over a fresh database, for one test.
struct LiveServer: Sendable {
    static let issuer = "http://gatehouse.test"

    let client: any TestClientProtocol
    let store: SQLStore
    let configuration: ServerConfiguration
    /// The server's clock: move it instead of sleeping.
    let clock: TestClock
    /// Every security event the server reported.
    let events: CapturedSecurityEvents
    /// The client address of this test's requests, sent as `X-Forwarded-For` through the trusted
    /// loopback proxy unless a request names its own: the rate limits' rows of tests sharing one
    /// PostgreSQL, and of earlier runs, never meet.
    let address = uniqueAddress()

    /// Starts a server, runs `body` against it over real HTTP, and stops it.
    /// - Parameter trustedProxies: CIDRs of `trusted_proxies`; by default the test client is a
    ///   trusted proxy and `X-Forwarded-For` decides the address.
    static func run(
        _ backend: Backend,
        demo: Bool = false,
        trustedProxies: [String] = loopbackProxy,
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        try await TestDatabase.with(backend) { database in
            var configuration = ServerConfiguration(issuer: issuer)
            configure(&configuration)
            var logger = Logger(label: "gatehouse.test")
            logger.logLevel = .warning
            if demo {
                try await GatehouseApplication.seedDemo(store: database.store, issuer: configuration.issuer)
            }
            let clock = TestClock()
            let events = CapturedSecurityEvents()
            let application = try GatehouseApplication.make(
                settings: ServerSettings(
                    host: "127.0.0.1", port: 0, configuration: configuration, demo: demo,
                    trustedProxies: trustedProxies.compactMap(IPAddressRange.init), events: events, now: { clock.now() }
                ),
                store: database.store,
                logger: logger
            )
            let frozen = configuration
            try await application.test(.live) { client in
                try await body(LiveServer(client: client, store: database.store, configuration: frozen, clock: clock, events: events))
            }
        }
    }

    struct RegisteredClient: Sendable {
        let id: String
        let secret: String?

        /// `Authorization: Basic` with id and secret form-urlencoded first (RFC 6749 §2.3.1).
        var basicAuthorization: String {
            let raw = "\(Self.formEncode(id)):\(Self.formEncode(secret ?? ""))"
            return "Basic " + Data(raw.utf8).base64EncodedString()
        }

        static func formEncode(_ string: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return string.addingPercentEncoding(withAllowedCharacters: allowed) ?? string
        }
    }

    /// Registers a client directly in the store, as `gatehouse clients create` would.
    func register(
        grantTypes: Set<GrantType> = [.clientCredentials],
        scopes: ScopeSet = ["read", "write"],
        isPublic: Bool = false
    ) async throws -> RegisteredClient {
        let secret = isPublic ? nil : SecretGenerator().make(.clientSecret)
        let client = Client(
            id: SecretGenerator().makeIdentifier(), name: uniqueName("client"), secretHash: secret.map(SecretHasher.hash),
            redirectURIs: ["http://127.0.0.1:9000/cb"], grantTypes: grantTypes, scopes: scopes, createdAt: Date()
        )
        try await store.createClient(client)
        return RegisteredClient(id: client.id, secret: secret)
    }

    /// Sends a request and returns the response.
    func send(_ method: HTTPRequest.Method = .post, _ path: String, headers: HTTPFields = [:], body: String? = nil) async throws -> TestResponse {
        var headers = headers
        if headers[.xForwardedFor] == nil { headers[.xForwardedFor] = address }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// POSTs a form to the token endpoint.
    func token(form: String, authorization: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if headers[.contentType] == nil {
            headers[.contentType] = "application/x-www-form-urlencoded"
        }
        headers[.authorization] = authorization
        return try await send(.post, "/oauth2/token", headers: headers, body: form)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object; an empty dictionary when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}

/// Real time plus an offset the test moves.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

/// Keeps the events a server reports, for tests that count them.
final class CapturedSecurityEvents: SecurityEventSink {
    private let recorded = Mutex<[SecurityEvent]>([])

    func record(_ event: SecurityEvent) { recorded.withLock { $0.append(event) } }

    func count(_ kind: SecurityEvent.Kind, reason: String? = nil) -> Int {
        recorded.withLock { events in events.filter { $0.kind == kind && (reason == nil || $0.reason == reason) }.count }
    }

    var all: [SecurityEvent] { recorded.withLock { $0 } }
}

/// A documentation address no other test uses, so that tests sharing one PostgreSQL never count
/// each other's attempts.
func uniqueAddress() -> String {
    let groups = (0..<4).map { _ in String(UInt16.random(in: 1...UInt16.max), radix: 16) }
    return "2001:db8:\(groups.joined(separator: ":"))::1"
}

/// The test client connects from loopback; trusting it as a proxy lets `X-Forwarded-For` set the
/// client address of each request.
let loopbackProxy = ["127.0.0.1/32", "::1/128"]

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via
}
