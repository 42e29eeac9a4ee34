public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: GrantStore {
    public func createGrant(_ grant: Grant) async throws {
        try await insert(
            """
            INSERT INTO grants (id, client_id, user_id, scope, created_at)
            VALUES (\(bind: grant.id), \(bind: grant.clientID), \(bind: grant.userID), \(bind: grant.scope.description),
                    \(bind: grant.createdAt.unixSeconds))
            """,
            duplicate: "a grant with this id"
        )
    }

    public func grant(id: String) async throws -> Grant? {
        try await rows("SELECT * FROM grants WHERE id = \(bind: id)").first.map { row in
            Grant(
                id: try row.decode(column: "id", as: String.self),
                clientID: try row.decode(column: "client_id", as: String.self),
                userID: try row.decode(column: "user_id", as: String?.self),
                scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
                createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
                revokedAt: try row.decode(column: "revoked_at", as: Int?.self).map(Date.init(unixSeconds:))
            )
        }
    }

    /// The grant first: refresh and introspection check it, so the family is dead from this
    /// statement on even if the process stops before the tokens are marked.
    public func revokeGrant(id: String, at date: Date) async throws {
        let seconds = date.unixSeconds
        try await database.withSQL { sql in
            try await sql.raw("UPDATE grants SET revoked_at = \(bind: seconds) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
            try await sql.raw(
                "UPDATE access_tokens SET revoked_at = \(bind: seconds) WHERE grant_id = \(bind: id) AND revoked_at IS NULL"
            ).run()
            try await sql.raw(
                "UPDATE refresh_tokens SET revoked_at = \(bind: seconds) WHERE grant_id = \(bind: id) AND revoked_at IS NULL"
            ).run()
        }
    }

    public func insertAuthorizationCode(_ code: AuthorizationCode) async throws {
        try await insert(
            """
            INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id, redirect_uri, scope, code_challenge,
                                             code_challenge_method, state, created_at, expires_at)
            VALUES (\(bind: code.codeHash), \(bind: code.grantID), \(bind: code.clientID), \(bind: code.userID),
                    \(bind: code.redirectURI), \(bind: code.scope.description), \(bind: code.codeChallenge),
                    \(bind: code.codeChallenge == nil ? nil : "S256"), \(bind: code.state), \(bind: code.createdAt.unixSeconds),
                    \(bind: code.expiresAt.unixSeconds))
            """,
            duplicate: "an authorization code with this hash"
        )
    }

    public func authorizationCode(hash: String) async throws -> AuthorizationCode? {
        try await rows("SELECT * FROM authorization_codes WHERE code_hash = \(bind: hash)").first.map { row in
            AuthorizationCode(
                codeHash: try row.decode(column: "code_hash", as: String.self),
                grantID: try row.decode(column: "grant_id", as: String.self),
                clientID: try row.decode(column: "client_id", as: String.self),
                userID: try row.decode(column: "user_id", as: String.self),
                redirectURI: try row.decode(column: "redirect_uri", as: String?.self),
                scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
                codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
                state: try row.decode(column: "state", as: String?.self),
                createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
                expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
                consumedAt: try row.decode(column: "consumed_at", as: Int?.self).map(Date.init(unixSeconds:))
            )
        }
    }

    public func consumeAuthorizationCode(hash: String, at date: Date) async throws -> Bool {
        try await affectedRows(
            """
            UPDATE authorization_codes SET consumed_at = \(bind: date.unixSeconds)
            WHERE code_hash = \(bind: hash) AND consumed_at IS NULL RETURNING code_hash
            """
        ) == 1
    }

    /// Returns once the record is committed; concurrent inserts share one statement.
    public func insertRefreshToken(_ record: RefreshTokenRecord) async throws {
        try await refreshTokenWriter.insert(record)
    }

    public func refreshToken(hash: String) async throws -> RefreshTokenRecord? {
        try await rows("SELECT * FROM refresh_tokens WHERE token_hash = \(bind: hash)").first.map(Self.refreshToken(from:))
    }

    public func refreshTokenWithGrant(hash: String) async throws -> (token: RefreshTokenRecord, grant: Grant)? {
        let row = try await rows(
            """
            SELECT r.*, g.scope AS grant_scope, g.created_at AS grant_created_at, g.revoked_at AS grant_revoked_at
            FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.token_hash = \(bind: hash)
            """
        ).first
        guard let row else { return nil }
        let token = try Self.refreshToken(from: row)
        let grant = Grant(
            id: token.grantID, clientID: token.clientID, userID: token.userID,
            scope: ScopeSet(spaceSeparated: try row.decode(column: "grant_scope", as: String.self)),
            createdAt: Date(unixSeconds: try row.decode(column: "grant_created_at", as: Int.self)),
            revokedAt: try row.decode(column: "grant_revoked_at", as: Int?.self).map(Date.init(unixSeconds:))
        )
        return (token, grant)
    }

    private static func refreshToken(from row: any SQLRow) throws -> RefreshTokenRecord {
        RefreshTokenRecord(
            id: try row.decode(column: "id", as: String.self),
            tokenHash: try row.decode(column: "token_hash", as: String.self),
            grantID: try row.decode(column: "grant_id", as: String.self),
            clientID: try row.decode(column: "client_id", as: String.self),
            userID: try row.decode(column: "user_id", as: String?.self),
            scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
            issuedAt: Date(unixSeconds: try row.decode(column: "issued_at", as: Int.self)),
            expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
            rotatedAt: try row.decode(column: "rotated_at", as: Int?.self).map(Date.init(unixSeconds:)),
            revokedAt: try row.decode(column: "revoked_at", as: Int?.self).map(Date.init(unixSeconds:))
        )
    }

    public func rotateRefreshToken(hash: String, at date: Date) async throws -> Bool {
        try await affectedRows(
            """
            UPDATE refresh_tokens SET rotated_at = \(bind: date.unixSeconds)
            WHERE token_hash = \(bind: hash) AND rotated_at IS NULL AND revoked_at IS NULL RETURNING token_hash
            """
        ) == 1
    }
}

extension SQLStore: ConsentStore {
    public func consentedScope(clientID: String, userID: String) async throws -> ScopeSet {
        let row = try await rows(
            "SELECT scope FROM consents WHERE client_id = \(bind: clientID) AND user_id = \(bind: userID)"
        ).first
        return ScopeSet(spaceSeparated: try row?.decode(column: "scope", as: String.self) ?? "")
    }

    public func recordConsent(clientID: String, userID: String, scope: ScopeSet, at date: Date) async throws {
        let merged = ScopeSet(try await consentedScope(clientID: clientID, userID: userID).tokens + scope.tokens)
        try await database.withSQL { sql in
            try await sql.raw(
                """
                INSERT INTO consents (client_id, user_id, scope, updated_at)
                VALUES (\(bind: clientID), \(bind: userID), \(bind: merged.description), \(bind: date.unixSeconds))
                ON CONFLICT (client_id, user_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at
                """
            ).run()
        }
    }
}

extension SQLStore: SessionStore {
    public func createSession(_ session: Session) async throws {
        try await insert(
            """
            INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
            VALUES (\(bind: session.idHash), \(bind: session.userID), \(bind: session.csrfToken),
                    \(bind: session.createdAt.unixSeconds), \(bind: session.expiresAt.unixSeconds))
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
                expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self))
            )
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await database.withSQL { try await $0.raw("DELETE FROM sessions WHERE id_hash = \(bind: idHash)").run() }
    }
}

extension SQLStore: LoginAttemptStore {
    public func recordLoginFailure(key: String, at date: Date) async throws -> Int {
        let row = try await rows(
            """
            INSERT INTO login_attempts (attempt_key, failures, last_failure_at) VALUES (\(bind: key), 1, \(bind: date.unixSeconds))
            ON CONFLICT (attempt_key) DO UPDATE SET failures = login_attempts.failures + 1, last_failure_at = excluded.last_failure_at
            RETURNING failures
            """
        ).first
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

extension Database {
    /// Inserts every refresh token in one atomic statement.
    func insertRefreshTokens(_ records: [RefreshTokenRecord]) async throws {
        try await insertRows(
            into: "refresh_tokens",
            columns: ["id", "token_hash", "grant_id", "client_id", "user_id", "scope", "issued_at", "expires_at"],
            rows: records.map { record in
                [
                    record.id, record.tokenHash, record.grantID, record.clientID, record.userID, record.scope.description,
                    record.issuedAt.unixSeconds, record.expiresAt.unixSeconds,
                ]
            },
            duplicate: "a refresh token with this hash"
        )
    }
}
