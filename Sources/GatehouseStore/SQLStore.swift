public import Foundation
import GatehouseCore
import SQLKit

/// The store protocols of `GatehouseCore`, implemented once over SQLKit for SQLite and PostgreSQL.
///
/// Every write is a single statement, so it is atomic on both databases without an explicit
/// transaction (which through SQLKit would cost a round trip per statement).
public final class SQLStore: Sendable {
    public let database: Database
    /// Concurrent token inserts share one statement each; see ``GroupCommitter``.
    let accessTokenWriter: GroupCommitter<AccessTokenRecord>
    let refreshTokenWriter: GroupCommitter<RefreshTokenRecord>

    public init(database: Database) {
        self.database = database
        // 256 rows of 8 parameters stay far below SQLite's and PostgreSQL's limits on binds.
        self.accessTokenWriter = GroupCommitter(
            maximumBatch: 256,
            insertBatch: { try await database.insertAccessTokens($0) },
            insertOne: { try await database.insertAccessTokens([$0]) }
        )
        self.refreshTokenWriter = GroupCommitter(
            maximumBatch: 256,
            insertBatch: { try await database.insertRefreshTokens($0) },
            insertOne: { try await database.insertRefreshTokens([$0]) }
        )
    }

    /// Whether the database answers, for `/readyz`.
    public func ping() async throws {
        _ = try await database.withSQL { try await $0.raw("SELECT 1 AS ok").all().count }
    }

    func insert(_ query: SQLQueryString, duplicate what: @autoclosure () -> String) async throws {
        try await database.insert(query, duplicate: what())
    }

    func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await database.withSQL { try await $0.raw(query).all() }
    }

    /// Runs a statement and returns how many rows it changed.
    func affectedRows(_ query: SQLQueryString) async throws -> Int {
        // SQLKit has no portable "rows affected", so statements that need it say RETURNING, which
        // both SQLite (3.35+) and PostgreSQL support.
        try await rows(query).count
    }
}

extension Database {
    /// Inserts rows in one statement, atomic on both databases. `table` and `columns` are names
    /// from this module's code, never from input.
    func insertRows(into table: String, columns: [String], rows: [[any Encodable & Sendable]], duplicate what: String) async throws {
        var query = SQLQueryString("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ")
        for (index, row) in rows.enumerated() {
            query.appendLiteral(index == 0 ? "(" : ", (")
            query.appendInterpolation(binds: row)
            query.appendLiteral(")")
        }
        try await insert(query, duplicate: what)
    }

    /// Runs an `INSERT`, reporting a unique-constraint violation as ``StoreError/duplicate(_:)``.
    func insert(_ query: SQLQueryString, duplicate what: @autoclosure () -> String) async throws {
        do {
            try await withSQL { try await $0.raw(query).run() }
        } catch  where Database.isUniqueViolation(error) {
            throw StoreError.duplicate(what())
        }
    }
}

extension Date {
    var unixSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }

    init(unixSeconds: Int) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}
