public import Foundation
public import GatehouseCore
import SQLKit

/// Rate-limit attempts (SPEC §9) in the `rate_limit_attempts` table, shared by every instance.
///
/// Times are milliseconds, so that `Retry-After` can be computed to the second. The primary key
/// `(limit_key, attempted_at_ms, attempt_id)` is also the index a window's count reads.
extension SQLStore: RateLimitStore {
    public func recordAttempts(_ attempts: [RateLimitAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        try await database.insertRows(
            into: "rate_limit_attempts",
            columns: ["limit_key", "attempt_id", "attempted_at_ms"],
            rows: attempts.map { [$0.key, $0.id, $0.at.unixMilliseconds] },
            duplicate: "a rate-limit attempt with this id"
        )
    }

    public func attemptWindows(keys: [String], after start: Date) async throws -> [String: RateLimitWindow] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await rows(
            """
            SELECT limit_key, COUNT(*) AS attempts, MIN(attempted_at_ms) AS oldest FROM rate_limit_attempts
            WHERE limit_key IN (\(binds: keys)) AND attempted_at_ms > \(bind: start.unixMilliseconds)
            GROUP BY limit_key
            """
        )
        var windows: [String: RateLimitWindow] = [:]
        for row in rows {
            windows[try row.decode(column: "limit_key", as: String.self)] = RateLimitWindow(
                count: try row.decode(column: "attempts", as: Int.self),
                oldest: Date(unixMilliseconds: try row.decode(column: "oldest", as: Int.self))
            )
        }
        return windows
    }

    public func deleteAttempts(_ attempts: [RateLimitAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        try await database.withSQL { sql in
            for attempt in attempts {
                try await sql.raw(
                    """
                    DELETE FROM rate_limit_attempts WHERE limit_key = \(bind: attempt.key)
                    AND attempted_at_ms = \(bind: attempt.at.unixMilliseconds) AND attempt_id = \(bind: attempt.id)
                    """
                ).run()
            }
        }
    }

    public func clearAttempts(key: String) async throws {
        try await database.withSQL { try await $0.raw("DELETE FROM rate_limit_attempts WHERE limit_key = \(bind: key)").run() }
    }

    /// Deletes in batches of 1000 rows on the `attempted_at_ms` index, so that a large backlog
    /// never holds a long lock.
    @discardableResult
    public func purgeAttempts(before date: Date) async throws -> Int {
        let cutoff = date.unixMilliseconds
        var total = 0
        while true {
            let deleted = try await affectedRows(
                """
                DELETE FROM rate_limit_attempts WHERE (limit_key, attempted_at_ms, attempt_id) IN (
                    SELECT limit_key, attempted_at_ms, attempt_id FROM rate_limit_attempts
                    WHERE attempted_at_ms < \(bind: cutoff) LIMIT 1000
                ) RETURNING attempt_id
                """
            )
            total += deleted
            if deleted < 1000 { return total }
        }
    }
}

extension SQLStore: ServerSecretStore {
    /// Insert-if-absent, then read: whichever instance inserted first, every caller reads its value.
    public func serverSecret(named name: String, candidate: [UInt8]) async throws -> [UInt8] {
        let stored = try await database.withSQL { sql in
            try await sql.raw(
                """
                INSERT INTO server_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: Base64URL.encode(candidate)), \(bind: Date().unixSeconds))
                ON CONFLICT (name) DO NOTHING
                """
            ).run()
            return try await sql.raw("SELECT value FROM server_secrets WHERE name = \(bind: name)").first()?
                .decode(column: "value", as: String.self)
        }
        guard let stored, let bytes = Base64URL.decode(stored), !bytes.isEmpty else {
            throw UnreadableServerSecret(name: name)
        }
        return bytes
    }
}

/// The stored secret is missing after the insert or does not decode: the table was edited by hand.
struct UnreadableServerSecret: Error, CustomStringConvertible {
    let name: String
    var description: String { "the server secret \(name) in server_secrets is unreadable" }
}

extension Date {
    var unixMilliseconds: Int { Int((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(unixMilliseconds: Int) { self.init(timeIntervalSince1970: TimeInterval(unixMilliseconds) / 1000) }
}
