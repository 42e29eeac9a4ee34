public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: GrantAdministrationStore {
    /// Each `EXISTS` is one probe of an index on `grant_id`.
    public func activeGrants(subject: String?, clientID: String?, at date: Date) async throws -> [GrantSummary] {
        let now = date.unixSeconds
        var query: SQLQueryString = """
            SELECT g.id, g.client_id, c.name AS client_name, g.user_id, g.scope, g.created_at
            FROM grants g JOIN clients c ON c.id = g.client_id
            WHERE g.revoked_at IS NULL
            AND (EXISTS (SELECT 1 FROM refresh_tokens r
                         WHERE r.grant_id = g.id AND r.revoked_at IS NULL AND r.rotated_at IS NULL AND r.expires_at > \(bind: now))
                 OR EXISTS (SELECT 1 FROM access_tokens a
                            WHERE a.grant_id = g.id AND a.revoked_at IS NULL AND a.expires_at > \(bind: now))
                 OR EXISTS (SELECT 1 FROM authorization_codes k
                            WHERE k.grant_id = g.id AND k.consumed_at IS NULL AND k.expires_at > \(bind: now)))
            """
        if let subject { query += " AND g.user_id = \(bind: subject)" }
        if let clientID { query += " AND g.client_id = \(bind: clientID)" }
        query.appendLiteral(" ORDER BY g.created_at, g.id")
        return try await rows(query).map { row in
            GrantSummary(
                id: try row.decode(column: "id", as: String.self),
                clientID: try row.decode(column: "client_id", as: String.self),
                clientName: try row.decode(column: "client_name", as: String.self),
                subject: try row.decode(column: "user_id", as: String?.self),
                scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
                createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self))
            )
        }
    }

    /// The grant's own `UPDATE … RETURNING` decides: a concurrent withdrawal of the same grant finds
    /// it revoked and changes nothing.
    public func withdrawGrant(id: String, at date: Date) async throws -> Int? {
        let seconds = date.unixSeconds
        return try await database.transaction("withdraw_grant") { sql -> Int? in
            let grant = try await sql.raw(
                "UPDATE grants SET revoked_at = \(bind: seconds) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING client_id, user_id"
            ).first()
            guard let grant else { return nil }
            var revoked = 0
            for table in ["access_tokens", "refresh_tokens"] {
                revoked += try await sql.raw(
                    """
                    UPDATE \(ident: table) SET revoked_at = \(bind: seconds)
                    WHERE grant_id = \(bind: id) AND revoked_at IS NULL RETURNING revoked_at
                    """
                ).all().count
            }
            try await sql.raw("DELETE FROM authorization_codes WHERE grant_id = \(bind: id) AND consumed_at IS NULL").run()
            if let userID = try grant.decode(column: "user_id", as: String?.self) {
                let clientID = try grant.decode(column: "client_id", as: String.self)
                try await sql.raw("DELETE FROM consents WHERE client_id = \(bind: clientID) AND user_id = \(bind: userID)").run()
            }
            return revoked
        }
    }
}
