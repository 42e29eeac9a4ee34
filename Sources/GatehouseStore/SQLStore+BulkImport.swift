import Foundation
public import GatehouseCore
import SQLKit

/// What a finished authorization code flow leaves in the store: the grant, its code (consumed
/// when the tokens were issued) and the tokens it was redeemed for.
public struct FinishedCodeFlow: Sendable {
    public var grant: Grant
    public var code: AuthorizationCode
    public var tokens: IssuedTokens

    public init(grant: Grant, code: AuthorizationCode, tokens: IssuedTokens) {
        self.grant = grant
        self.code = code
        self.tokens = tokens
    }
}

extension SQLStore {
    /// Items per transaction: each statement of a chunk stays far below SQLite's (32766) and
    /// PostgreSQL's (65535) limits on bound parameters.
    static let importChunk = 500

    /// Stores many finished code flows at once, a few hundred per transaction with one multi-row
    /// `INSERT` per table, for loading large data sets (the benchmark's seeding) in seconds
    /// instead of one unit of work per token. Each chunk commits whole or not at all.
    public func importFinishedCodeFlows(_ flows: [FinishedCodeFlow]) async throws {
        for start in stride(from: 0, to: flows.count, by: Self.importChunk) {
            let chunk = Array(flows[start..<min(start + Self.importChunk, flows.count)])
            try await database.transaction("import_code_flows") { sql in
                try await Database.insertRows(
                    into: "grants",
                    columns: ["id", "client_id", "user_id", "scope", "resources", "created_at", "delegated", "delegated_username"],
                    rows: chunk.map(\.grant).map { grant in
                        [
                            grant.id, grant.clientID, grant.userID, grant.scope.description, ResourceList.column(grant.resources),
                            grant.createdAt.unixSeconds, grant.delegation != nil, grant.delegation?.username,
                        ]
                    },
                    on: sql, duplicate: "a grant with this id"
                )
                try await Database.insertRows(
                    into: "authorization_codes",
                    columns: [
                        "code_hash", "grant_id", "client_id", "user_id", "redirect_uri", "scope", "resources", "code_challenge",
                        "code_challenge_method", "state", "created_at", "expires_at", "consumed_at",
                    ],
                    rows: chunk.map { flow in
                        let code = flow.code
                        let consumedAt = code.consumedAt ?? flow.tokens.accessToken.issuedAt
                        return [
                            code.codeHash, code.grantID, code.clientID, code.userID, code.redirectURI, code.scope.description,
                            ResourceList.column(code.resources), code.codeChallenge, code.codeChallenge.map { _ in "S256" }, code.state,
                            code.createdAt.unixSeconds, code.expiresAt.unixSeconds, consumedAt.unixSeconds,
                        ]
                    },
                    on: sql, duplicate: "an authorization code with this hash"
                )
                try await Database.insertAccessTokens(chunk.map(\.tokens.accessToken), on: sql)
                let refreshTokens = chunk.compactMap(\.tokens.refreshToken)
                if !refreshTokens.isEmpty {
                    try await Database.insertRefreshTokens(refreshTokens, on: sql)
                }
            }
        }
    }

    /// Stores many access tokens at once, a few hundred per statement; see
    /// ``importFinishedCodeFlows(_:)``.
    public func importAccessTokens(_ records: [AccessTokenRecord]) async throws {
        for start in stride(from: 0, to: records.count, by: Self.importChunk) {
            let chunk = Array(records[start..<min(start + Self.importChunk, records.count)])
            try await database.withSQL { try await Database.insertAccessTokens(chunk, on: $0) }
        }
    }
}
