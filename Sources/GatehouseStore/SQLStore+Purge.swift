public import Foundation
import SQLKit

extension SQLStore {
    /// Deletes what can no longer matter: expired sessions and login or consent challenges, and codes (device codes too), tokens and sign-in failures
    /// expired for longer than `retention`. Used codes and rotated refresh tokens are kept that
    /// long after expiry so a late replay is still recognised as one.
    /// - Returns: the rows deleted.
    @discardableResult
    public func purgeExpired(now: Date, retention: TimeInterval = 86_400) async throws -> Int {
        let current = now.unixSeconds
        let cutoff = now.addingTimeInterval(-retention).unixSeconds
        return try await database.withSQL { sql in
            var deleted = try await sql.raw("DELETE FROM sessions WHERE expires_at < \(bind: current) RETURNING id_hash").all().count
            deleted += try await sql.raw(
                "DELETE FROM interaction_challenges WHERE expires_at < \(bind: current) RETURNING challenge_hash"
            ).all().count
            for table in ["authorization_codes", "access_tokens", "refresh_tokens", "device_codes"] {
                deleted += try await sql.raw(
                    "DELETE FROM \(ident: table) WHERE expires_at < \(bind: cutoff) RETURNING expires_at"
                ).all().count
            }
            deleted += try await sql.raw(
                "DELETE FROM login_attempts WHERE last_failure_at < \(bind: cutoff) RETURNING attempt_key"
            ).all().count
            return deleted
        }
    }
}
