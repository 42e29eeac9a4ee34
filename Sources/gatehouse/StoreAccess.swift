import GatehouseStore
import Logging

extension Settings {
    /// Opens the database, brings the schema up to date, runs `body` and closes the database,
    /// whether `body` succeeds or not. `serve` keeps its PostgreSQL connections open; one-off
    /// commands open them as they need them.
    func withStore<Result: Sendable>(
        logger: Logger, keepsConnectionsOpen: Bool = false, _ body: (SQLStore) async throws -> Result
    ) async throws -> Result {
        let database: Database
        do {
            database = try await Database.open(
                self.database, logger: logger, busyTimeout: .seconds(databaseBusyTimeout), keepsConnectionsOpen: keepsConnectionsOpen
            )
        } catch {
            throw CLIError("cannot open database \(self.database)", error)
        }
        do {
            try await Migrator(database: database).migrate()
            let result = try await body(SQLStore(database: database))
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// Every command's logger, in `log_format`, with control characters escaped.
    func makeLogger(label: String = "gatehouse") -> Logger {
        let format: GatehouseLogHandler.Format = logFormat == .json ? .json : .text
        var logger = Logger(label: label) { label in GatehouseLogHandler(label: label, format: format) }
        logger.logLevel = logLevel
        return logger
    }
}

/// Logs go to stderr, so that stdout carries only a command's output (`--json` stays parseable).
/// A global `let` is initialized exactly once, whichever command touches it first.
let loggingBootstrap: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
