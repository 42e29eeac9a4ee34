public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: AccessTokenStore {
    /// Returns once the record is committed; concurrent inserts share one statement.
    public func insertAccessToken(_ record: AccessTokenRecord) async throws {
        try await accessTokenWriter.insert(record)
    }

    public func revokeAccessToken(hash: String, at date: Date) async throws {
        try await database.withSQL { sql in
            try await sql.raw(
                "UPDATE access_tokens SET revoked_at = \(bind: date.unixSeconds) WHERE token_hash = \(bind: hash) AND revoked_at IS NULL"
            ).run()
        }
    }

    public func accessToken(hash: String) async throws -> AccessTokenRecord? {
        try await rows("SELECT * FROM access_tokens WHERE token_hash = \(bind: hash)").first.map { row in
            AccessTokenRecord(
                id: try row.decode(column: "id", as: String.self),
                tokenHash: try row.decode(column: "token_hash", as: String.self),
                clientID: try row.decode(column: "client_id", as: String.self),
                userID: try row.decode(column: "user_id", as: String?.self),
                scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
                audience: ResourceList.resources(try row.decode(column: "audience", as: String?.self)),
                issuedAt: Date(unixSeconds: try row.decode(column: "issued_at", as: Int.self)),
                expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
                grantID: try row.decode(column: "grant_id", as: String?.self),
                revokedAt: try row.decode(column: "revoked_at", as: Int?.self).map(Date.init(unixSeconds:)),
                parentTokenHash: try row.decode(column: "parent_token_hash", as: String?.self),
                subjectTokenHash: try row.decode(column: "subject_token_hash", as: String?.self),
                actor: TokenActor(column: try row.decode(column: "actor", as: String?.self))
            )
        }
    }
}

extension Database {
    static let accessTokenColumns = [
        "id", "token_hash", "client_id", "user_id", "grant_id", "scope", "audience", "issued_at", "expires_at", "parent_token_hash",
        "subject_token_hash", "actor",
    ]

    static func accessTokenValues(_ record: AccessTokenRecord) -> [any Encodable & Sendable] {
        [
            record.id, record.tokenHash, record.clientID, record.userID, record.grantID, record.scope.description,
            ResourceList.column(record.audience), record.issuedAt.unixSeconds, record.expiresAt.unixSeconds, record.parentTokenHash,
            record.subjectTokenHash, record.actor?.column,
        ]
    }

    static let refreshTokenColumns = [
        "id", "token_hash", "grant_id", "client_id", "user_id", "scope", "issued_at", "expires_at", "parent_token_hash",
    ]

    static func refreshTokenValues(_ record: RefreshTokenRecord) -> [any Encodable & Sendable] {
        [
            record.id, record.tokenHash, record.grantID, record.clientID, record.userID, record.scope.description,
            record.issuedAt.unixSeconds, record.expiresAt.unixSeconds, record.parentTokenHash,
        ]
    }

    /// Inserts every record in one atomic statement on `sql`.
    static func insertAccessTokens(_ records: [AccessTokenRecord], on sql: any SQLDatabase) async throws {
        try await insertRows(
            into: "access_tokens", columns: accessTokenColumns, rows: records.map(accessTokenValues),
            on: sql, duplicate: "an access token with this hash"
        )
    }

    /// Inserts every refresh token in one atomic statement on `sql`.
    static func insertRefreshTokens(_ records: [RefreshTokenRecord], on sql: any SQLDatabase) async throws {
        try await insertRows(
            into: "refresh_tokens", columns: refreshTokenColumns, rows: records.map(refreshTokenValues),
            on: sql, duplicate: "a refresh token with this hash"
        )
    }

    /// Stores what one token response hands out, inside the caller's unit.
    static func insert(_ tokens: IssuedTokens, on sql: any SQLDatabase) async throws {
        try await insertAccessTokens([tokens.accessToken], on: sql)
        if let refresh = tokens.refreshToken {
            try await insertRefreshTokens([refresh], on: sql)
        }
    }
}
