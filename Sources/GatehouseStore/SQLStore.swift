public import Foundation
import GatehouseCore
import SQLKit

/// The store protocols of `GatehouseCore`, implemented once over SQLKit for SQLite and PostgreSQL.
///
/// Every write is a single statement, so it is atomic on both databases without an explicit
/// transaction (which through SQLKit would cost a round trip per statement).
public final class SQLStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Whether the database answers, for `/readyz`.
    public func ping() async throws {
        _ = try await database.withSQL { try await $0.raw("SELECT 1 AS ok").all().count }
    }

    func insert(_ query: SQLQueryString, duplicate what: @autoclosure () -> String) async throws {
        do {
            try await database.withSQL { try await $0.raw(query).run() }
        } catch where Database.isUniqueViolation(error) {
            throw StoreError.duplicate(what())
        }
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

extension Date {
    var unixSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }

    init(unixSeconds: Int) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}
