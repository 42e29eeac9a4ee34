import Foundation
public import Logging
import NIOSSL
import PostgresKit
public import SQLKit
import SQLiteKit

/// An open connection to the store's database, SQLite or PostgreSQL, behind one SQLKit interface.
///
/// SQLite gets one connection for the whole process: SQLite serializes writers anyway, and every
/// statement Gatehouse runs is a single atomic statement, so requests can share it safely.
/// PostgreSQL gets PostgresNIO's connection pool, run in a task owned by this object.
public final class Database: Sendable {
    private enum Backend: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresClient, Task<Void, Never>)
    }

    private let backend: Backend
    public let url: DatabaseURL
    let logger: Logger

    private init(backend: Backend, url: DatabaseURL, logger: Logger) {
        self.backend = backend
        self.url = url
        self.logger = logger
    }

    /// Opens the database; for SQLite, creates the file and turns on write-ahead logging.
    public static func open(_ url: DatabaseURL, logger: Logger) async throws -> Database {
        switch url {
        case .sqlite(let path):
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let database = Database(backend: .sqlite(connection), url: url, logger: logger)
            // WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode still survives a
            // crash of the process (committed pages are in the OS's hands), only not a power cut
            // between a commit and the next checkpoint.
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-16384"] {
                try await connection.sql(queryLogLevel: nil).raw(SQLQueryString(pragma)).run()
            }
            return database
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
            configuration.options.maximumConnections = 16
            configuration.options.connectTimeout = .seconds(5)
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let runner = Task { await client.run() }
            return Database(backend: .postgres(client, runner), url: url, logger: logger)
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
        case .sqlite(let connection):
            try? await connection.close()
        case .postgres(_, let runner):
            runner.cancel()
            await runner.value
        }
    }

    /// Runs `body` with an SQLKit database. For PostgreSQL every statement inside runs on one leased
    /// connection, so a transaction or an advisory lock spans them.
    public func withSQL<Result: Sendable>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        switch backend {
        case .sqlite(let connection):
            return try await body(connection.sql(queryLogLevel: nil))
        case .postgres(let client, _):
            return try await client.withConnection { connection in
                try await body(connection.sql(queryLogLevel: nil))
            }
        }
    }

    var isPostgres: Bool {
        if case .postgres = backend { return true }
        return false
    }

    /// Whether `error` is the database refusing a duplicate value of a unique column.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteError {
            return [.constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason)
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
        }
        return false
    }
}

/// The database could not be reached; the reason is the server's or the network's own words.
public struct DatabaseConnectionError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
