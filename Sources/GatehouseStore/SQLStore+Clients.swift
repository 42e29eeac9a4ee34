import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: ClientRegistry {
    public func createClient(_ client: Client) async throws {
        let grantTypes = client.grantTypes.map(\.rawValue).sorted().joined(separator: " ")
        // Redirect URIs cannot contain spaces (RFC 3986), so a space separates them.
        let redirectURIs = client.redirectURIs.joined(separator: " ")
        try await insert(
            """
            INSERT INTO clients (id, name, secret_hash, redirect_uris, grant_types, scopes, token_format,
                                 skip_consent, can_introspect, created_at)
            VALUES (\(bind: client.id), \(bind: client.name), \(bind: client.secretHash), \(bind: redirectURIs),
                    \(bind: grantTypes), \(bind: client.scopes.description), \(bind: client.tokenFormat?.rawValue),
                    \(bind: client.skipConsent), \(bind: client.canIntrospect), \(bind: client.createdAt.unixSeconds))
            """,
            duplicate: "a client named \(client.name)"
        )
    }

    public func client(id: String) async throws -> Client? {
        try await rows("SELECT * FROM clients WHERE id = \(bind: id)").first.map(Self.client(from:))
    }

    public func clients() async throws -> [Client] {
        try await rows("SELECT * FROM clients ORDER BY created_at, name").map(Self.client(from:))
    }

    public func deleteClient(id: String) async throws -> Bool {
        try await affectedRows("DELETE FROM clients WHERE id = \(bind: id) RETURNING id") > 0
    }

    public func updateClientSecret(id: String, secretHash: String) async throws -> Bool {
        try await affectedRows(
            "UPDATE clients SET secret_hash = \(bind: secretHash) WHERE id = \(bind: id) RETURNING id"
        ) > 0
    }

    private static func client(from row: any SQLRow) throws -> Client {
        let grantTypes = try row.decode(column: "grant_types", as: String.self)
            .split(separator: " ").compactMap { GrantType(rawValue: String($0)) }
        return Client(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            secretHash: try row.decode(column: "secret_hash", as: String?.self),
            redirectURIs: try row.decode(column: "redirect_uris", as: String.self).split(separator: " ").map(String.init),
            grantTypes: Set(grantTypes),
            scopes: ScopeSet(try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init)),
            tokenFormat: try row.decode(column: "token_format", as: String?.self).flatMap(AccessTokenFormat.init(rawValue:)),
            skipConsent: try row.decode(column: "skip_consent", as: Bool.self),
            canIntrospect: try row.decode(column: "can_introspect", as: Bool.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self))
        )
    }
}
