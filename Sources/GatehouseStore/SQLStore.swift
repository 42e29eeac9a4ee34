import Foundation
import GatehouseCore
import SQLKit

/// The store protocols of `GatehouseCore`, implemented once over SQLKit for SQLite and PostgreSQL.
///
/// Reads go to ``Database/read(_:)``; single-statement writes to ``Database/withSQL(_:)``; every
/// write a request needs beyond one statement is a unit of work in ``Database/transaction(_:_:)``
/// (SPEC §9 "Atomic units of work").
public final class SQLStore: Sendable {
    public let database: Database
    /// Concurrent client_credentials inserts share one statement each; see ``GroupCommitter``.
    let accessTokenWriter: GroupCommitter<AccessTokenRecord>

    public init(database: Database) {
        self.database = database
        // 256 rows of 9 parameters stay far below SQLite's and PostgreSQL's limits on binds.
        self.accessTokenWriter = GroupCommitter(
            maximumBatch: 256,
            maximumWaiting: Database.maximumWaitingOperations,
            unavailable: database.unavailable,
            executor: database.writerExecutor,
            insertBatch: { records in
                let start = ContinuousClock.now
                defer { Database.recordDuration(of: "insert_access_tokens", since: start) }
                try await database.withSQL { try await Database.insertAccessTokens(records, on: $0) }
            },
            insertOne: { record in
                let start = ContinuousClock.now
                defer { Database.recordDuration(of: "insert_access_tokens", since: start) }
                try await database.withSQL { try await Database.insertAccessTokens([record], on: $0) }
            }
        )
    }

    /// Whether the database answers, for `/readyz`.
    public func ping() async throws {
        _ = try await database.read { try await $0.raw("SELECT 1 AS ok").all().count }
    }

    func insert(_ query: SQLQueryString, duplicate what: @autoclosure () -> String) async throws {
        let what = what()
        try await database.withSQL { try await Database.insert(query, on: $0, duplicate: what) }
    }

    func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await database.read { try await $0.raw(query).all() }
    }

    /// Runs a statement and returns how many rows it changed.
    func affectedRows(_ query: SQLQueryString) async throws -> Int {
        // SQLKit has no portable "rows affected", so statements that need it say RETURNING, which
        // both SQLite (3.35+) and PostgreSQL support.
        try await database.withSQL { try await $0.raw(query).all().count }
    }
}

extension Database {
    /// Inserts rows in one statement of its own; see ``insertRows(into:columns:rows:on:duplicate:)``.
    func insertRows(into table: String, columns: [String], rows: [[any Encodable & Sendable]], duplicate what: String) async throws {
        try await withSQL { try await Self.insertRows(into: table, columns: columns, rows: rows, on: $0, duplicate: what) }
    }

    /// Inserts rows in one statement, atomic on both databases. `table` and `columns` are names
    /// from this module's code, never from input.
    static func insertRows(
        into table: String, columns: [String], rows: [[any Encodable & Sendable]], on sql: any SQLDatabase, duplicate what: String
    ) async throws {
        try await insert(expression: RowInsert(table: table, columns: columns, rows: rows), on: sql, duplicate: what)
    }

    /// Runs an `INSERT`, reporting a unique-constraint violation as ``StoreError/duplicate(_:)`` and
    /// a reference to a missing row (a deleted client or user) as ``StoreError/missingReference(_:)``.
    static func insert(_ query: SQLQueryString, on sql: any SQLDatabase, duplicate what: String) async throws {
        try await insert(expression: query, on: sql, duplicate: what)
    }

    private static func insert(expression: some SQLExpression, on sql: any SQLDatabase, duplicate what: String) async throws {
        do {
            try await sql.execute(sql: expression) { _ in }
        } catch  where isUniqueViolation(error) {
            throw StoreError.duplicate(what)
        } catch  where isForeignKeyViolation(error) {
            throw StoreError.missingReference("the client, user or grant of \(what)")
        }
    }
}

extension Date {
    var unixSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }

    init(unixSeconds: Int) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}
