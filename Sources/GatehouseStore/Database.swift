import Foundation
import GatehouseCore
import GatehouseSQLite
public import Logging
import Metrics
import NIOSSL
import PostgresKit
public import SQLKit

/// An open connection to the store's database, SQLite or PostgreSQL, behind one SQLKit interface.
///
/// Three ways in: ``read(_:)`` for queries, ``withSQL(_:)`` for statements that commit one by one,
/// and ``transaction(_:_:)`` for a unit of work that commits whole or not at all (SPEC §9 "Atomic
/// units of work"). Database faults come out as ``StoreError``: busy, unreachable or overloaded is
/// ``StoreError/unavailable(retryAfter:)``.
public final class Database: Sendable {
    private enum Backend: Sendable {
        case sqlite(SQLiteEngine)
        case postgres(PostgresEngine)
    }

    private let backend: Backend
    public let url: DatabaseURL
    let logger: Logger
    private let retryAfter: Int
    /// Operations waiting for the database beyond this many are refused at once (SPEC §9: work
    /// waiting for the database is bounded).
    static let maximumWaitingOperations = 1024

    private init(backend: Backend, url: DatabaseURL, logger: Logger, busyTimeout: Duration) {
        self.backend = backend
        self.url = url
        self.logger = logger
        self.retryAfter = SQLiteEngine.retryAfter(busyTimeout)
    }

    private static let maximumPostgresConnections = 16

    /// Opens the database; for SQLite, creates the file (mode 0600) and turns on write-ahead logging.
    /// - Parameters:
    ///   - busyTimeout: `database_busy_timeout`: how long a unit waits for SQLite's write lock or
    ///     for a PostgreSQL connection before it fails with ``StoreError/unavailable(retryAfter:)``.
    ///   - keepsConnectionsOpen: for a server: PostgreSQL connections are opened up front and kept
    ///     for the life of the process, instead of opened on demand and closed after a minute idle.
    /// - Throws: ``DatabaseConnectionError`` when the file is no SQLite database or the server refuses.
    public static func open(
        _ url: DatabaseURL, logger: Logger, busyTimeout: Duration = .seconds(5), keepsConnectionsOpen: Bool = false
    ) async throws -> Database {
        switch url {
        case .sqlite(let path):
            let engine = try await SQLiteEngine.open(path: path, busyTimeout: busyTimeout, logger: logger)
            return Database(backend: .sqlite(engine), url: url, logger: logger, busyTimeout: busyTimeout)
        case .postgres(let settings):
            try await probe(settings, logger: logger)
            let tls: PostgresClient.Configuration.TLS =
                switch settings.tlsMode {
                case "disable": .disable
                case "require": .require(.makeClientConfiguration())
                default: .prefer(.makeClientConfiguration())
                }
            var configuration = PostgresClient.Configuration(
                host: settings.host, port: settings.port, username: settings.username,
                password: settings.password, database: settings.database, tls: tls
            )
            configuration.options.maximumConnections = Self.maximumPostgresConnections
            if keepsConnectionsOpen {
                // The pool arms a keep-alive and an idle timer (a sleeping task) every time a
                // connection comes back, and a cancelled sleep keeps its task until its deadline:
                // under load, with the defaults (30 s, 60 s), hundreds of thousands of tasks and
                // 100 MiB. Connections that are always open arm no idle timer, and a short
                // keep-alive lets its tasks go soon, while still keeping idle connections (and
                // the firewalls and NAT tables on their way) from going stale.
                configuration.options.minimumConnections = Self.maximumPostgresConnections
                configuration.options.keepAliveBehavior = .init(frequency: .seconds(5))
            }
            configuration.options.connectTimeout = .seconds(5)
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let engine = PostgresEngine(client: client, leaseTimeout: busyTimeout)
            return Database(backend: .postgres(engine), url: url, logger: logger, busyTimeout: busyTimeout)
        }
    }

    /// Connects once, outside the pool, so that a wrong address or password fails at once with
    /// the server's reason; the pool would keep retrying with backoff for a minute.
    private static func probe(_ settings: DatabaseURL.Postgres, logger: Logger) async throws {
        let tls: PostgresConnection.Configuration.TLS =
            switch settings.tlsMode {
            case "disable": .disable
            case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username,
            password: settings.password, database: settings.database, tls: tls
        )
        configuration.options.connectTimeout = .seconds(5)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError {
            throw DatabaseConnectionError(reason: error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)")
        }
    }

    /// Closes connections; the object must not be used afterwards.
    public func close() async {
        switch backend {
        case .sqlite(let engine): await engine.close()
        case .postgres(let engine): await engine.close()
        }
    }

    /// Runs `body` with an SQLKit database whose statements each commit by themselves. On SQLite it
    /// has the writer to itself; on PostgreSQL every statement inside runs on one leased
    /// connection, so an advisory lock spans them.
    public func withSQL<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        do {
            switch backend {
            case .sqlite(let engine): return try await engine.write(body)
            case .postgres(let engine): return try await engine.withConnection(body)
            }
        } catch {
            throw translate(error)
        }
    }

    /// Runs read-only `body`; on SQLite on a reader connection, which sees committed data only and
    /// never waits for the writer.
    public func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        do {
            switch backend {
            case .sqlite(let engine): return try await engine.read(body)
            case .postgres(let engine): return try await engine.withConnection(body)
            }
        } catch {
            throw translate(error)
        }
    }

    /// Records one operation in `gatehouse_database_operation_duration_seconds{operation}`.
    static func recordDuration(of operation: String, since start: ContinuousClock.Instant) {
        Timer(label: "gatehouse_database_operation_duration_seconds", dimensions: [("operation", operation)])
            .record(duration: ContinuousClock.now - start)
    }

    /// Runs `body` as one transaction: everything it writes commits, or, when it throws, nothing.
    /// - Parameter operation: the unit's name, the `operation` label of
    ///   `gatehouse_database_operation_duration_seconds`.
    public func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        let start = ContinuousClock.now
        defer { Self.recordDuration(of: operation, since: start) }
        do {
            switch backend {
            case .sqlite(let engine):
                return try await engine.transaction(body)
            case .postgres(let engine):
                return try await engine.withConnection { sql in
                    try await sql.raw("BEGIN").run()
                    do {
                        let result = try await body(sql)
                        try await sql.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                }
            }
        } catch {
            throw translate(error)
        }
    }

    /// The executor of SQLite's writer thread; `nil` for PostgreSQL, whose work has no thread of
    /// its own.
    var writerExecutor: (any TaskExecutor)? {
        if case .sqlite(let engine) = backend { return engine.writerExecutor }
        return nil
    }

    /// What an operation refused or timed out for want of the database fails with.
    var unavailable: StoreError { .unavailable(retryAfter: retryAfter) }

    var isPostgres: Bool {
        if case .postgres = backend { return true }
        return false
    }

    /// The store's own terms for a database fault; other errors pass unchanged.
    private func translate(_ error: any Error) -> any Error {
        if SQLiteEngine.isBusy(error) || PostgresEngine.isUnavailable(error) {
            return unavailable
        }
        return error
    }

    /// Whether `error` is the database refusing a duplicate value of a unique column.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteFailure {
            return error.isUniqueViolation
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
        }
        return false
    }

    /// Whether `error` is the database refusing a row that refers to a missing one.
    static func isForeignKeyViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteFailure {
            return error.isForeignKeyViolation
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == PostgresError.Code.foreignKeyViolation.raw
        }
        return false
    }
}

/// The database could not be reached or opened; the reason is the server's, the network's or the
/// file's own words.
public struct DatabaseConnectionError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
