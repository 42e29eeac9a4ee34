public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: DeviceCodeStore {
    public func createDeviceAuthorization(_ authorization: DeviceAuthorization) async throws {
        try await insert(
            """
            INSERT INTO device_codes (device_code_hash, user_code_hash, client_id, scope, resources, created_at, expires_at,
                                      poll_interval, status)
            VALUES (\(bind: authorization.deviceCodeHash), \(bind: authorization.userCodeHash), \(bind: authorization.clientID),
                    \(bind: authorization.scope.description), \(bind: ResourceList.column(authorization.resources)),
                    \(bind: authorization.createdAt.unixSeconds), \(bind: authorization.expiresAt.unixSeconds),
                    \(bind: authorization.interval), \(bind: DeviceAuthorization.Status.pending.rawValue))
            """,
            duplicate: "a device authorization with this device or user code"
        )
    }

    public func pendingDeviceAuthorization(userCodeHash: String, at date: Date) async throws -> DeviceAuthorization? {
        try await rows(
            """
            SELECT * FROM device_codes
            WHERE user_code_hash = \(bind: userCodeHash) AND status = \(bind: DeviceAuthorization.Status.pending.rawValue)
              AND expires_at > \(bind: date.unixSeconds)
            """
        ).first.map(Self.deviceAuthorization(from:))
    }

    /// One statement: of concurrent decisions exactly one finds the request pending.
    public func decideDeviceAuthorization(userCodeHash: String, decision: DeviceDecision, at date: Date) async throws -> Bool {
        let seconds = date.unixSeconds
        let pending = DeviceAuthorization.Status.pending.rawValue
        let query: SQLQueryString
        switch decision {
        case .approved(let userID, let scope, let grantID, let delegation):
            query = """
                UPDATE device_codes
                SET status = \(bind: DeviceAuthorization.Status.approved.rawValue), user_id = \(bind: userID),
                    scope = \(bind: scope.description), grant_id = \(bind: grantID), delegated = \(bind: delegation != nil),
                    delegated_username = \(bind: delegation?.username), decided_at = \(bind: seconds)
                WHERE user_code_hash = \(bind: userCodeHash) AND status = \(bind: pending) AND expires_at > \(bind: seconds)
                RETURNING device_code_hash
                """
        case .denied:
            query = """
                UPDATE device_codes SET status = \(bind: DeviceAuthorization.Status.denied.rawValue), decided_at = \(bind: seconds)
                WHERE user_code_hash = \(bind: userCodeHash) AND status = \(bind: pending) AND expires_at > \(bind: seconds)
                RETURNING device_code_hash
                """
        }
        return try await affectedRows(query) == 1
    }

    /// One statement: the right-hand sides read the row as it was before the poll, in SQLite and
    /// PostgreSQL alike, so the comparison with the previous poll and the new state are one step.
    public func pollDeviceAuthorization(deviceCodeHash: String, clientID: String, at date: Date, slowDownBy: Int) async throws -> DevicePoll? {
        let seconds = date.unixSeconds
        let pending = DeviceAuthorization.Status.pending.rawValue
        let row = try await database.withSQL { sql in
            try await sql.raw(
                """
                UPDATE device_codes SET
                    poll_interval = CASE
                        WHEN status = \(bind: pending) AND expires_at > \(bind: seconds) AND last_polled_at IS NOT NULL
                             AND last_polled_at + poll_interval > \(bind: seconds)
                        THEN poll_interval + \(bind: slowDownBy) ELSE poll_interval END,
                    too_early = CASE
                        WHEN status = \(bind: pending) AND expires_at > \(bind: seconds) AND last_polled_at IS NOT NULL
                             AND last_polled_at + poll_interval > \(bind: seconds)
                        THEN TRUE ELSE FALSE END,
                    last_polled_at = \(bind: seconds)
                WHERE device_code_hash = \(bind: deviceCodeHash) AND client_id = \(bind: clientID)
                RETURNING *
                """
            ).first()
        }
        guard let row else { return nil }
        return DevicePoll(authorization: try Self.deviceAuthorization(from: row), tooEarly: try row.decode(column: "too_early", as: Bool.self))
    }

    /// The compare-and-swap runs first: the loser of a race writes nothing, and a failing insert
    /// rolls the redemption back with it.
    public func redeemDeviceAuthorization(
        deviceCodeHash: String, clientID: String, grant: Grant, issuing tokens: IssuedTokens, at date: Date
    ) async throws -> Bool {
        let seconds = date.unixSeconds
        return try await database.transaction("redeem_device_code") { sql in
            let redeemed = try await sql.raw(
                """
                UPDATE device_codes SET status = \(bind: DeviceAuthorization.Status.redeemed.rawValue), redeemed_at = \(bind: seconds)
                WHERE device_code_hash = \(bind: deviceCodeHash) AND client_id = \(bind: clientID)
                  AND status = \(bind: DeviceAuthorization.Status.approved.rawValue) AND expires_at > \(bind: seconds)
                RETURNING device_code_hash
                """
            ).all().count
            guard redeemed == 1 else { return false }
            try await Database.insert(
                """
                INSERT INTO grants (id, client_id, user_id, scope, resources, created_at, delegated, delegated_username)
                VALUES (\(bind: grant.id), \(bind: grant.clientID), \(bind: grant.userID), \(bind: grant.scope.description),
                        \(bind: ResourceList.column(grant.resources)), \(bind: grant.createdAt.unixSeconds),
                        \(bind: grant.delegation != nil), \(bind: grant.delegation?.username))
                """,
                on: sql, duplicate: "a grant with this id"
            )
            try await Database.insert(tokens, on: sql)
            return true
        }
    }

    private static func deviceAuthorization(from row: any SQLRow) throws -> DeviceAuthorization {
        let status = try row.decode(column: "status", as: String.self)
        guard let parsedStatus = DeviceAuthorization.Status(rawValue: status) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "device authorization of unknown status \(status)"))
        }
        return DeviceAuthorization(
            deviceCodeHash: try row.decode(column: "device_code_hash", as: String.self),
            userCodeHash: try row.decode(column: "user_code_hash", as: String.self),
            clientID: try row.decode(column: "client_id", as: String.self),
            scope: ScopeSet(spaceSeparated: try row.decode(column: "scope", as: String.self)),
            resources: ResourceList.resources(try row.decode(column: "resources", as: String?.self)),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
            expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
            interval: try row.decode(column: "poll_interval", as: Int.self),
            lastPolledAt: try row.decode(column: "last_polled_at", as: Int?.self).map(Date.init(unixSeconds:)),
            status: parsedStatus,
            grantID: try row.decode(column: "grant_id", as: String?.self),
            userID: try row.decode(column: "user_id", as: String?.self),
            delegation: try row.decode(column: "delegated", as: Bool.self)
                ? Grant.Delegation(username: try row.decode(column: "delegated_username", as: String?.self)) : nil
        )
    }
}
