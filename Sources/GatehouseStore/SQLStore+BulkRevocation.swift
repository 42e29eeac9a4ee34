public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: BulkRevocationStore {
    public func revokeAllTokens(clientID: String, at date: Date) async throws -> Int {
        try await database.transaction("revoke_client_tokens") { sql in
            try await Self.revokeAll(column: "client_id", value: clientID, at: date, on: sql)
        }
    }

    /// SPEC §9: revoking a user's tokens also signs the user out everywhere and forgets what the
    /// user consented to, in the same unit.
    public func revokeAllTokens(userID: String, at date: Date) async throws -> Int {
        try await database.transaction("revoke_user_tokens") { sql in
            let revoked = try await Self.revokeAll(column: "user_id", value: userID, at: date, on: sql)
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await sql.raw("DELETE FROM consents WHERE user_id = \(bind: userID)").run()
            return revoked
        }
    }

    /// Grants first, as in `revokeGrant`: from that statement on, nothing of theirs refreshes or
    /// introspects as active.
    private static func revokeAll(column: String, value: String, at date: Date, on sql: any SQLDatabase) async throws -> Int {
        let seconds = date.unixSeconds
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
