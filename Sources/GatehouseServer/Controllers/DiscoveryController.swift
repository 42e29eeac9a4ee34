import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Logging

/// Metadata (RFC 8414) and the health endpoints.
struct DiscoveryController: Sendable {
    let configuration: ServerConfiguration
    let grantTypes: [GrantType]
    let store: SQLStore
    let responder: OAuthResponder
    /// The metadata document, rebuilt at most once per `client_cache_ttl`: `scopes_supported`
    /// gathers every client's scopes, and reading every client on each request would let anyone
    /// load the database at will.
    private let cache = MetadataCache()

    init(configuration: ServerConfiguration, grantTypes: [GrantType], store: SQLStore, responder: OAuthResponder) {
        self.configuration = configuration
        self.grantTypes = grantTypes
        self.store = store
        self.responder = responder
    }

    func metadata(_ request: Request, context: some RequestContext) async throws -> Response {
        let date = Date()
        let json: String
        if let cached = cache.document(at: date) {
            json = cached
        } else {
            let scopes = try await store.clients().reduce(into: ScopeSet()) { all, client in
                all = ScopeSet(all.tokens + client.scopes.tokens)
            }
            // The reserved scopes of the admin API are no business of third-party clients (SPEC §10).
            let published = scopes.tokens.filter { !ReservedScope.contains($0) }.sorted()
            let metadata = ServerMetadata(configuration: configuration, grantTypes: grantTypes, scopes: published)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            json = String(decoding: try encoder.encode(metadata), as: UTF8.self)
            cache.store(json, until: date.addingTimeInterval(TimeInterval(max(configuration.clientCacheTTL, 1))))
        }
        return responder.jsonResponse(json, status: .ok, noStore: false)
    }

    /// The JWK Set (RFC 7517 §5) of every key a valid token may be signed with. Verifiers may cache
    /// it for one key-refresh interval; a new key is published two intervals before it signs.
    func jwks(_ request: Request, context: some RequestContext, keys: KeyRing) async throws -> Response {
        _ = try await keys.signingKey()
        let published = try await keys.publishedKeys().map(\.publicJWK).joined(separator: ",")
        var json = JSONWriter()
        json.add("keys", json: "[\(published)]")
        var response = responder.jsonResponse(json.finish(), status: .ok, noStore: false)
        response.headers[.cacheControl] = "public, max-age=\(configuration.keyRefreshInterval)"
        return response
    }

    func health(_ request: Request, context: some RequestContext) -> Response {
        responder.jsonResponse(#"{"status":"ok"}"#, status: .ok, noStore: true)
    }

    /// The `Retry-After` of a 503 while the database does not answer.
    static let retryAfterSeconds = 5

    /// Ready when the database answers; a load balancer stops sending traffic otherwise.
    func ready(_ request: Request, context: some RequestContext) async -> Response {
        do {
            try await store.ping()
            return responder.jsonResponse(#"{"status":"ready"}"#, status: .ok, noStore: true)
        } catch {
            context.logger.error("database not reachable", metadata: ["error": "\(String(reflecting: error))"])
            var response = responder.jsonResponse(#"{"status":"unavailable"}"#, status: .serviceUnavailable, noStore: true)
            response.headers[.retryAfter] = String(Self.retryAfterSeconds)
            return response
        }
    }
}
