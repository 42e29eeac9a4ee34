public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: ConsentStore {
    public func consentedScope(clientID: String, userID: String) async throws -> ScopeSet {
        let row = try await rows(
            "SELECT scope FROM consents WHERE client_id = \(bind: clientID) AND user_id = \(bind: userID)"
        ).first
        return ScopeSet(spaceSeparated: try row?.decode(column: "scope", as: String.self) ?? "")
    }

    /// One unit: the row is made to exist, then locked by an `UPDATE … RETURNING` that reads the
    /// latest committed scope (a concurrent consent waits for the lock on PostgreSQL, and SQLite's
    /// units take turns), then the union is written.
    public func recordConsent(clientID: String, userID: String, scope: ScopeSet, at date: Date) async throws {
        let seconds = date.unixSeconds
        try await database.transaction("record_consent") { sql in
            try await sql.raw(
                """
                INSERT INTO consents (client_id, user_id, scope, updated_at)
                VALUES (\(bind: clientID), \(bind: userID), '', \(bind: seconds))
                ON CONFLICT (client_id, user_id) DO NOTHING
                """
            ).run()
            let current =
                try await sql.raw(
                    """
                    UPDATE consents SET updated_at = \(bind: seconds)
                    WHERE client_id = \(bind: clientID) AND user_id = \(bind: userID) RETURNING scope
                    """
                ).first()?.decode(column: "scope", as: String.self) ?? ""
            let merged = ScopeSet(ScopeSet(spaceSeparated: current).tokens + scope.tokens)
            try await sql.raw(
                """
                UPDATE consents SET scope = \(bind: merged.description)
                WHERE client_id = \(bind: clientID) AND user_id = \(bind: userID)
                """
            ).run()
        }
    }
}
