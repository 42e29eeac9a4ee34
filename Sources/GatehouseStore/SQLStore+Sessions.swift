public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: SessionStore {
    public func createSession(_ session: Session) async throws {
        try await insert(
            """
            INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, delegated, delegated_username, remembered)
            VALUES (\(bind: session.idHash), \(bind: session.userID), \(bind: session.csrfToken),
                    \(bind: session.createdAt.unixSeconds), \(bind: session.expiresAt.unixSeconds),
                    \(bind: session.delegation != nil), \(bind: session.delegation?.username), \(bind: session.remembered))
            """,
            duplicate: "a session with this id"
        )
    }

    public func session(idHash: String) async throws -> Session? {
        try await rows("SELECT * FROM sessions WHERE id_hash = \(bind: idHash)").first.map { row in
            Session(
                idHash: try row.decode(column: "id_hash", as: String.self),
                userID: try row.decode(column: "user_id", as: String?.self),
                csrfToken: try row.decode(column: "csrf_token", as: String.self),
                createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
                expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
                delegation: try row.decode(column: "delegated", as: Bool.self)
                    ? Grant.Delegation(username: try row.decode(column: "delegated_username", as: String?.self)) : nil,
                remembered: try row.decode(column: "remembered", as: Bool.self)
            )
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await database.withSQL { try await $0.raw("DELETE FROM sessions WHERE id_hash = \(bind: idHash)").run() }
    }
}

extension SQLStore: LoginAttemptStore {
    public func recordLoginFailure(key: String, at date: Date) async throws -> Int {
        let row = try await database.withSQL { sql in
            try await sql.raw(
                """
                INSERT INTO login_attempts (attempt_key, failures, last_failure_at) VALUES (\(bind: key), 1, \(bind: date.unixSeconds))
                ON CONFLICT (attempt_key) DO UPDATE SET failures = login_attempts.failures + 1, last_failure_at = excluded.last_failure_at
                RETURNING failures
                """
            ).first()
        }
        return try row?.decode(column: "failures", as: Int.self) ?? 1
    }

    public func loginFailures(key: String) async throws -> (count: Int, lastFailureAt: Date)? {
        try await rows("SELECT failures, last_failure_at FROM login_attempts WHERE attempt_key = \(bind: key)").first.map { row in
            (
                try row.decode(column: "failures", as: Int.self),
                Date(unixSeconds: try row.decode(column: "last_failure_at", as: Int.self))
            )
        }
    }

    public func clearLoginFailures(key: String) async throws {
        try await database.withSQL { try await $0.raw("DELETE FROM login_attempts WHERE attempt_key = \(bind: key)").run() }
    }
}
