public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: RefreshRotationStore {
    /// The compare-and-swap runs first; only when it loses is the token looked at as a possible
    /// retry. The retry path locks the token's row with an `UPDATE` (PostgreSQL; SQLite's units
    /// take turns anyway), so concurrent retries take turns and only the last pair stays live.
    public func rotateRefreshToken(
        hash: String, clientID: String, issuing tokens: IssuedTokens, reuseInterval: Int, at date: Date
    ) async throws -> RefreshRotation {
        let now = date.unixSeconds
        let rotate: SQLQueryString = """
            UPDATE refresh_tokens SET rotated_at = \(bind: now)
            WHERE token_hash = \(bind: hash) AND rotated_at IS NULL AND revoked_at IS NULL RETURNING token_hash
            """
        if database.isPostgres, try await swapAndIssue(rotate, issuing: tokens, operation: "rotate_refresh_token") {
            return .rotated
        }
        return try await database.transaction("rotate_refresh_token") { sql in
            let rotated = try await sql.raw(rotate).all().count
            if rotated == 1 {
                try await Database.insert(tokens, on: sql)
                return .rotated
            }
            guard reuseInterval > 0 else { return .reuse }
            guard
                let row = try await sql.raw(
                    """
                    UPDATE refresh_tokens SET rotated_at = rotated_at WHERE token_hash = \(bind: hash)
                    RETURNING grant_id, client_id, rotated_at, revoked_at
                    """
                ).first(),
                let grantID = try row.decode(column: "grant_id", as: String?.self),
                try row.decode(column: "client_id", as: String.self) == clientID,
                try row.decode(column: "revoked_at", as: Int?.self) == nil,
                let rotatedAt = try row.decode(column: "rotated_at", as: Int?.self),
                now - rotatedAt < reuseInterval
            else { return .reuse }
            // The refresh token of the earlier answer was used: that answer arrived, so this is
            // no retry of a lost response.
            let childUsed = try await sql.raw(
                """
                SELECT token_hash FROM refresh_tokens
                WHERE grant_id = \(bind: grantID) AND parent_token_hash = \(bind: hash) AND rotated_at IS NOT NULL LIMIT 1
                """
            ).first()
            guard childUsed == nil else { return .reuse }
            for table in ["access_tokens", "refresh_tokens"] {
                try await sql.raw(
                    """
                    UPDATE \(ident: table) SET revoked_at = \(bind: now)
                    WHERE grant_id = \(bind: grantID) AND parent_token_hash = \(bind: hash) AND revoked_at IS NULL
                    """
                ).run()
            }
            try await Database.insert(tokens, on: sql)
            return .replacedEarlierPair
        }
    }
}
