import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird
import Logging

/// Metadata (RFC 8414) and the health endpoints.
struct DiscoveryController: Sendable {
    let configuration: ServerConfiguration
    let grantTypes: [GrantType]
    let store: SQLStore
    let responder: OAuthResponder

    func metadata(_ request: Request, context: some RequestContext) async throws -> Response {
        let scopes = try await store.clients().reduce(into: ScopeSet()) { all, client in
            all = ScopeSet(all.tokens + client.scopes.tokens)
        }
        let metadata = ServerMetadata(configuration: configuration, grantTypes: grantTypes, scopes: scopes.tokens.sorted())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(metadata), as: UTF8.self)
        return responder.jsonResponse(json, status: .ok, noStore: false)
    }

    func health(_ request: Request, context: some RequestContext) -> Response {
        responder.jsonResponse(#"{"status":"ok"}"#, status: .ok, noStore: true)
    }

    /// Ready when the database answers; a load balancer stops sending traffic otherwise.
    func ready(_ request: Request, context: some RequestContext) async -> Response {
        do {
            try await store.ping()
            return responder.jsonResponse(#"{"status":"ready"}"#, status: .ok, noStore: true)
        } catch {
            context.logger.error("database not reachable", metadata: ["error": "\(String(reflecting: error))"])
            return responder.jsonResponse(#"{"status":"unavailable"}"#, status: .serviceUnavailable, noStore: true)
        }
    }
}
