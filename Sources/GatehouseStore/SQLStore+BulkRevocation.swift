public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: BulkRevocationStore {
    public func revokeAllTokens(clientID: String, at date: Date) async throws -> Int {
        try await revokeAll(column: "client_id", value: clientID, at: date)
    }

    public func revokeAllTokens(userID: String, at date: Date) async throws -> Int {
        try await revokeAll(column: "user_id", value: userID, at: date)
    }

    /// Grants first, as in `revokeGrant`: from that statement on, nothing of theirs refreshes or
    /// introspects as active.
    private func revokeAll(column: String, value: String, at date: Date) async throws -> Int {
        let seconds = date.unixSeconds
        return try await database.withSQL { sql in
            try await sql.raw(
                "UPDATE grants SET revoked_at = \(bind: seconds) WHERE \(ident: column) = \(bind: value) AND revoked_at IS NULL"
            ).run()
            var revoked = 0
            for table in ["access_tokens", "refresh_tokens"] {
                revoked += try await sql.raw(
                    """
                    UPDATE \(ident: table) SET revoked_at = \(bind: seconds)
                    WHERE \(ident: column) = \(bind: value) AND revoked_at IS NULL RETURNING revoked_at
                    """
                ).all().count
            }
            return revoked
        }
    }
}
