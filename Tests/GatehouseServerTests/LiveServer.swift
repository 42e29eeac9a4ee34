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

/// A Gatehouse server listening on 127.0.0.1 (a free port) over a fresh database, for one test.
struct LiveServer: Sendable {
    static let issuer = "http://gatehouse.test"

    let client: any TestClientProtocol
    let store: SQLStore
    let configuration: ServerConfiguration

    /// Starts a server, runs `body` against it over real HTTP, and stops it.
    static func run(
        _ backend: Backend,
        demo: Bool = false,
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
            let application = try GatehouseApplication.make(
                settings: ServerSettings(host: "127.0.0.1", port: 0, configuration: configuration, demo: demo),
                store: database.store,
                logger: logger
            )
            let frozen = configuration
            try await application.test(.live) { client in
                try await body(LiveServer(client: client, store: database.store, configuration: frozen))
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
        try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
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
