import Foundation
public import GatehouseStore
import Logging

/// The databases every behaviour test runs against.
public enum Backend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The PostgreSQL server `scripts/test` started (or the one the developer named).
    public static let postgresURL = ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"]

    /// SQLite always; PostgreSQL when a server is configured, and always under CI, where a missing
    /// server must fail the run rather than quietly skip half the tests.
    public static let available: [Backend] = {
        let isCI = ProcessInfo.processInfo.environment["CI"] != nil
        return postgresURL != nil || isCI ? [.sqlite, .postgres] : [.sqlite]
    }()
}

/// A migrated database for one test: a fresh SQLite file, or the shared test PostgreSQL database.
///
/// Tests on PostgreSQL share one database and stay independent by using fresh random ids and
/// names; nothing a test reads depends on another test's rows.
public struct TestDatabase: Sendable {
    public let backend: Backend
    public let store: SQLStore
    public let url: DatabaseURL
    private let directory: URL?

    /// - Parameter busyTimeout: the `database_busy_timeout` of the opened database. Longer than the
    ///   product's 5 s: the whole suite runs in parallel on two cores, where a burst of units can
    ///   wait longer than that; tests of the timeout itself pass their own.
    public static func open(_ backend: Backend, busyTimeout: Duration = .seconds(30)) async throws -> TestDatabase {
        var logger = Logger(label: "gatehouse.test")
        logger.logLevel = .warning
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let url = DatabaseURL.sqlite(path: directory.appendingPathComponent("test.sqlite").path)
            let database = try await Database.open(url, logger: logger, busyTimeout: busyTimeout)
            try await Migrator(database: database).migrate()
            return TestDatabase(backend: backend, store: SQLStore(database: database), url: url, directory: directory)
        case .postgres:
            guard let string = Backend.postgresURL else {
                throw TestDatabaseError.postgresNotConfigured
            }
            let url = try DatabaseURL(parsing: string)
            let database = try await Database.open(url, logger: logger, busyTimeout: busyTimeout)
            try await Migrator(database: database).migrate()
            return TestDatabase(backend: backend, store: SQLStore(database: database), url: url, directory: nil)
        }
    }

    public func close() async {
        await store.database.close()
        if let directory {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Runs `body` with a fresh database and closes it afterwards, also when `body` throws.
    public static func with<Result: Sendable>(
        _ backend: Backend, busyTimeout: Duration = .seconds(30), _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let database = try await open(backend, busyTimeout: busyTimeout)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

public enum TestDatabaseError: Error, CustomStringConvertible {
    case postgresNotConfigured

    public var description: String {
        "GATEHOUSE_TEST_POSTGRES_URL is not set; run the tests with scripts/test, which starts PostgreSQL"
    }
}

/// A unique name, so that tests sharing one PostgreSQL database never collide.
public func uniqueName(_ base: String) -> String {
    "\(base)-\(UUID().uuidString.prefix(8).lowercased())"
}
