public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: GrantStore {
    public func createGrant(_ grant: Grant) async throws {
        try await insert(
            """
            INSERT INTO grants (id, client_id, user_id, scope, resources, created_at, delegated, delegated_username,
                                oidc_nonce, auth_time, session_sid)
            VALUES (\(bind: grant.id), \(bind: grant.clientID), \(bind: grant.userID), \(bind: grant.scope.description),
                    \(bind: ResourceList.column(grant.resources)), \(bind: grant.createdAt.unixSeconds),
                    \(bind: grant.delegation != nil), \(bind: grant.delegation?.username),
                    \(bind: grant.openID?.nonce), \(bind: grant.openID?.authTime.unixSeconds), \(bind: grant.openID?.sessionID))
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
                resources: ResourceList.resources(try row.decode(column: "resources", as: String?.self)),
                createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
                revokedAt: try row.decode(column: "revoked_at", as: Int?.self).map(Date.init(unixSeconds:)),
                delegation: try row.decode(column: "delegated", as: Bool.self)
                    ? Grant.Delegation(username: try row.decode(column: "delegated_username", as: String?.self)) : nil,
                openID: try Self.openID(from: row)
            )
        }
    }

    /// The sign-in of an `openid` grant (migration 10), from a row with the grant's columns.
    static func openID(from row: any SQLRow, prefix: String = "") throws -> OpenIDAuthentication? {
        guard let authTime = try row.decode(column: prefix + "auth_time", as: Int?.self) else { return nil }
        return OpenIDAuthentication(
            nonce: try row.decode(column: prefix + "oidc_nonce", as: String?.self), authTime: Date(unixSeconds: authTime),
            sessionID: try row.decode(column: prefix + "session_sid", as: String?.self)
        )
    }

    /// One unit: the grant and every token descended from it, or nothing.
    @discardableResult
    public func revokeGrant(id: String, at date: Date) async throws -> Int {
        let seconds = date.unixSeconds
        return try await database.transaction("revoke_grant") { sql in
            try await sql.raw("UPDATE grants SET revoked_at = \(bind: seconds) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
            var revoked = 0
            for table in ["access_tokens", "refresh_tokens"] {
                revoked += try await sql.raw(
                    """
                    UPDATE \(ident: table) SET revoked_at = \(bind: seconds)
                    WHERE grant_id = \(bind: id) AND revoked_at IS NULL RETURNING revoked_at
                    """
                ).all().count
            }
            return revoked
        }
    }

    public func insertAuthorizationCode(_ code: AuthorizationCode) async throws {
        try await insert(
            """
            INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id, redirect_uri, scope, resources, code_challenge,
                                             code_challenge_method, state, created_at, expires_at)
            VALUES (\(bind: code.codeHash), \(bind: code.grantID), \(bind: code.clientID), \(bind: code.userID),
                    \(bind: code.redirectURI), \(bind: code.scope.description), \(bind: ResourceList.column(code.resources)),
                    \(bind: code.codeChallenge),
                    \(bind: code.codeChallenge == nil ? nil : "S256"), \(bind: code.state), \(bind: code.createdAt.unixSeconds),
                    \(bind: code.expiresAt.unixSeconds))
            """,
            duplicate: "an authorization code with this hash"
        )
    }

    public func authorizationCode(hash: String) async throws -> AuthorizationCode? {
        // A code of a revoked grant is as good as unknown: revoking a grant (by replay, by the
        // admin API or `tokens revoke`) must also stop the codes not yet redeemed.
        try await rows(
            """
            SELECT authorization_codes.*, grants.oidc_nonce, grants.auth_time, grants.session_sid
            FROM authorization_codes JOIN grants ON grants.id = authorization_codes.grant_id
            WHERE authorization_codes.code_hash = \(bind: hash) AND grants.revoked_at IS NULL
            """
        ).first.map { row in
            AuthorizationCode(
                codeHash: try row.decode(column: "code_hash", as: String.self),
                grantID: try row.decode(column: "grant_id", as: String.self),
                clientID: try row.decode(column: "client_id", as: String.self),
                userID: try row.decode(column: "user_id", as: String.self),
                redirectURI: try row.decode(column: "redirect_uri", as: String?.self),
                scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
                resources: ResourceList.resources(try row.decode(column: "resources", as: String?.self)),
                codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
                state: try row.decode(column: "state", as: String?.self),
                createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
                expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
                consumedAt: try row.decode(column: "consumed_at", as: Int?.self).map(Date.init(unixSeconds:)),
                openID: try Self.openID(from: row)
            )
        }
    }

    public func refreshToken(hash: String) async throws -> RefreshTokenRecord? {
        try await rows("SELECT * FROM refresh_tokens WHERE token_hash = \(bind: hash)").first.map(Self.refreshToken(from:))
    }

    /// Part of ``RefreshRotationStore``.
    public func refreshTokenWithGrant(hash: String) async throws -> (token: RefreshTokenRecord, grant: Grant)? {
        let row = try await rows(
            """
            SELECT r.*, g.scope AS grant_scope, g.resources AS grant_resources, g.created_at AS grant_created_at,
                   g.revoked_at AS grant_revoked_at, g.oidc_nonce AS grant_oidc_nonce, g.auth_time AS grant_auth_time,
                   g.session_sid AS grant_session_sid
            FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.token_hash = \(bind: hash)
            """
        ).first
        guard let row else { return nil }
        let token = try Self.refreshToken(from: row)
        let grant = Grant(
            id: token.grantID, clientID: token.clientID, userID: token.userID,
            scope: ScopeSet(spaceSeparated: try row.decode(column: "grant_scope", as: String.self)),
            resources: ResourceList.resources(try row.decode(column: "grant_resources", as: String?.self)),
            createdAt: Date(unixSeconds: try row.decode(column: "grant_created_at", as: Int.self)),
            revokedAt: try row.decode(column: "grant_revoked_at", as: Int?.self).map(Date.init(unixSeconds:)),
            openID: try Self.openID(from: row, prefix: "grant_")
        )
        return (token, grant)
    }

    static func refreshToken(from row: any SQLRow) throws -> RefreshTokenRecord {
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
            revokedAt: try row.decode(column: "revoked_at", as: Int?.self).map(Date.init(unixSeconds:)),
            parentTokenHash: try row.decode(column: "parent_token_hash", as: String?.self)
        )
    }
}
