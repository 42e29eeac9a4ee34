public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: ClientRegistry {
    public func createClient(_ client: Client) async throws {
        let columns = Self.metadataColumns(client)
        try await insert(
            """
            INSERT INTO clients (id, name, secret_hash, redirect_uris, grant_types, scopes, token_format,
                                 skip_consent, can_introspect, created_at, token_endpoint_auth_method, client_uri,
                                 logo_uri, contacts, post_logout_redirect_uris, previous_secret_hash,
                                 previous_secret_expires_at, registration_access_token_hash)
            VALUES (\(bind: client.id), \(bind: client.name), \(bind: client.secretHash), \(bind: columns.redirectURIs),
                    \(bind: columns.grantTypes), \(bind: client.scopes.description), \(bind: client.tokenFormat?.rawValue),
                    \(bind: client.skipConsent), \(bind: client.canIntrospect), \(bind: client.createdAt.unixSeconds),
                    \(bind: client.tokenEndpointAuthMethod.rawValue), \(bind: client.clientURI), \(bind: client.logoURI),
                    \(bind: columns.contacts), \(bind: columns.postLogoutRedirectURIs), \(bind: client.previousSecretHash),
                    \(bind: client.previousSecretExpiresAt?.unixSeconds), \(bind: client.registrationAccessTokenHash))
            """,
            duplicate: "a client named \(client.name)"
        )
    }

    public func client(id: String) async throws -> Client? {
        try await rows("SELECT * FROM clients WHERE id = \(bind: id)").first.map(Self.client(from:))
    }

    public func clients() async throws -> [Client] {
        try await rows("SELECT * FROM clients ORDER BY created_at, id").map(Self.client(from:))
    }

    public func clients(after cursor: ClientCursor?, limit: Int) async throws -> ClientPage {
        let limit = max(limit, 1)
        // One row more than the page tells whether another page follows.
        let rows: [any SQLRow]
        if let cursor {
            let seconds = cursor.createdAt.unixSeconds
            rows = try await self.rows(
                """
                SELECT * FROM clients
                WHERE created_at > \(bind: seconds) OR (created_at = \(bind: seconds) AND id > \(bind: cursor.id))
                ORDER BY created_at, id LIMIT \(bind: limit + 1)
                """
            )
        } else {
            rows = try await self.rows("SELECT * FROM clients ORDER BY created_at, id LIMIT \(bind: limit + 1)")
        }
        let clients = try rows.prefix(limit).map(Self.client(from:))
        return ClientPage(clients: clients, nextCursor: rows.count > limit ? clients.last.map(ClientCursor.init(after:)) : nil)
    }

    /// One statement: the schema's `ON DELETE CASCADE` removes the client's grants, codes, tokens
    /// and consents with it, so nothing issued to the client outlives it, even for a moment.
    public func deleteClient(id: String) async throws -> Bool {
        try await affectedRows("DELETE FROM clients WHERE id = \(bind: id) RETURNING id") > 0
    }

    public func replaceClientMetadata(_ client: Client) async throws -> Bool {
        let columns = Self.metadataColumns(client)
        let query: SQLQueryString = """
            UPDATE clients SET name = \(bind: client.name), redirect_uris = \(bind: columns.redirectURIs),
                grant_types = \(bind: columns.grantTypes), scopes = \(bind: client.scopes.description),
                token_format = \(bind: client.tokenFormat?.rawValue), skip_consent = \(bind: client.skipConsent),
                can_introspect = \(bind: client.canIntrospect),
                token_endpoint_auth_method = \(bind: client.tokenEndpointAuthMethod.rawValue),
                client_uri = \(bind: client.clientURI), logo_uri = \(bind: client.logoURI), contacts = \(bind: columns.contacts),
                post_logout_redirect_uris = \(bind: columns.postLogoutRedirectURIs)
            WHERE id = \(bind: client.id) RETURNING id
            """
        do {
            return try await affectedRows(query) > 0
        } catch  where Database.isUniqueViolation(error) {
            throw StoreError.duplicate("a client named \(client.name)")
        }
    }

    public func rotateClientSecret(id: String, newHash: String, graceUntil: Date?) async throws -> Bool {
        // The right-hand sides read the row as it was, so the replaced secret becomes the previous one.
        if let graceUntil {
            return try await affectedRows(
                """
                UPDATE clients SET previous_secret_hash = secret_hash, previous_secret_expires_at = \(bind: graceUntil.unixSeconds),
                    secret_hash = \(bind: newHash)
                WHERE id = \(bind: id) AND secret_hash IS NOT NULL RETURNING id
                """
            ) > 0
        }
        return try await affectedRows(
            """
            UPDATE clients SET previous_secret_hash = NULL, previous_secret_expires_at = NULL, secret_hash = \(bind: newHash)
            WHERE id = \(bind: id) AND secret_hash IS NOT NULL RETURNING id
            """
        ) > 0
    }

    public func setRegistrationAccessTokenHash(id: String, hash: String) async throws -> Bool {
        try await affectedRows(
            "UPDATE clients SET registration_access_token_hash = \(bind: hash) WHERE id = \(bind: id) RETURNING id"
        ) > 0
    }

    /// The list columns as stored. URIs cannot contain spaces (RFC 3986), so a space separates
    /// them; contacts may, so they are a JSON array.
    private static func metadataColumns(_ client: Client) -> (
        redirectURIs: String, grantTypes: String, contacts: String, postLogoutRedirectURIs: String
    ) {
        let contacts = (try? JSONEncoder().encode(client.contacts)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return (
            client.redirectURIs.joined(separator: " "), client.grantTypes.map(\.rawValue).sorted().joined(separator: " "), contacts,
            client.postLogoutRedirectURIs.joined(separator: " ")
        )
    }

    private static func client(from row: any SQLRow) throws -> Client {
        let grantTypes = try row.decode(column: "grant_types", as: String.self)
            .split(separator: " ").compactMap { GrantType(rawValue: String($0)) }
        let secretHash = try row.decode(column: "secret_hash", as: String?.self)
        let contacts = try row.decode(column: "contacts", as: String.self)
        return Client(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            secretHash: secretHash,
            redirectURIs: try row.decode(column: "redirect_uris", as: String.self).split(separator: " ").map(String.init),
            grantTypes: Set(grantTypes),
            scopes: ScopeSet(try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init)),
            tokenFormat: try row.decode(column: "token_format", as: String?.self).flatMap(AccessTokenFormat.init(rawValue:)),
            skipConsent: try row.decode(column: "skip_consent", as: Bool.self),
            canIntrospect: try row.decode(column: "can_introspect", as: Bool.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
            // Clients made before migration 6 have no method stored: theirs follows from the secret.
            tokenEndpointAuthMethod: try row.decode(column: "token_endpoint_auth_method", as: String?.self)
                .flatMap(TokenEndpointAuthMethod.init(rawValue:)),
            clientURI: try row.decode(column: "client_uri", as: String?.self),
            logoURI: try row.decode(column: "logo_uri", as: String?.self),
            contacts: (try? JSONDecoder().decode([String].self, from: Data(contacts.utf8))) ?? [],
            postLogoutRedirectURIs: try row.decode(column: "post_logout_redirect_uris", as: String.self)
                .split(separator: " ").map(String.init),
            previousSecretHash: try row.decode(column: "previous_secret_hash", as: String?.self),
            previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Int?.self).map(Date.init(unixSeconds:)),
            registrationAccessTokenHash: try row.decode(column: "registration_access_token_hash", as: String?.self)
        )
    }
}
