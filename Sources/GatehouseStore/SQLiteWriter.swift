import GatehouseCore
import GatehouseSQLite
import Logging
import NIOCore
import SQLKit
import Synchronization

/// SQLite's one writer connection and the thread it runs on: single statements for whoever has
/// the turn, and batches of units of work as one transaction.
final class SQLiteWriter: Sendable {
    let thread = DatabaseThread(name: "gatehouse-sqlite-writer")
    private let handle: SQLiteHandle
    private let checkpointer: SQLiteCheckpointer
    private let sql: any SQLDatabase
    private let queue: WriterQueue
    private let busyTimeout: Duration
    /// The `busy_timeout` the connection has now; lowered for work that already waited for its
    /// turn, so that waiting in both places together stays within the configured time.
    private let currentBusyTimeout: Mutex<Duration>

    init(handle: SQLiteHandle, logger: Logger, eventLoop: any EventLoop, checkpointer: SQLiteCheckpointer, busyTimeout: Duration) {
        self.handle = handle
        self.checkpointer = checkpointer
        checkpointer.install(on: handle)
        self.sql = SQLiteHandleDatabase(handle: handle, logger: logger, eventLoop: eventLoop)
        self.busyTimeout = busyTimeout
        self.currentBusyTimeout = Mutex(busyTimeout)
        self.queue = WriterQueue(
            maximumWaiters: SQLiteEngine.maximumWaitingUnits, retryAfter: SQLiteEngine.retryAfter(busyTimeout)
        )
    }

    func close() {
        handle.close()
        checkpointer.stop()
        thread.shutdown()
    }

    /// Runs `body` alone on the connection, each statement committing by itself.
    func write<Result: Sendable>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        return try await withTaskExecutorPreference(thread) {
            try await queue.withTurn(timeout: busyTimeout) {
                fitBusyTimeout(waitedSince: start)
                return try await body(sql)
            }
        }
    }

    /// Commits `batch` as one transaction, each unit in a savepoint, and answers every unit.
    /// - Returns: the error that also fails the units still waiting (busy or gone), if any.
    func commit(_ batch: [UnitBatcher.Unit]) async -> (any Error)? {
        guard let oldest = batch.first?.arrival else { return nil }
        let sql = sql
        let failures: [(any Error)?]
        do {
            failures = try await queue.withTurn(timeout: max(busyTimeout - (ContinuousClock.now - oldest), .zero)) {
                fitBusyTimeout(waitedSince: oldest)
                // IMMEDIATE takes the write lock now, under busy_timeout; a deferred transaction
                // that read first could fail at its first write without waiting at all.
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let failures = try await Self.run(batch, on: sql)
                    try await sql.raw("COMMIT").run()
                    return failures
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        } catch {
            for unit in batch { unit.finish(error) }
            return Self.failsWaiting(error) ? error : nil
        }
        for (unit, failure) in zip(batch, failures) { unit.finish(failure) }
        return nil
    }

    /// Runs each unit inside the open transaction; a unit that throws is rolled back to its
    /// savepoint and its error kept. A lone unit needs no savepoint: its failure undoes the
    /// whole transaction.
    private static func run(_ batch: [UnitBatcher.Unit], on sql: any SQLDatabase) async throws -> [(any Error)?] {
        guard batch.count > 1 else {
            try await batch.first?.run(sql)
            return [nil]
        }
        var failures: [(any Error)?] = []
        for unit in batch {
            try await sql.raw("SAVEPOINT unit").run()
            do {
                try await unit.run(sql)
                failures.append(nil)
            } catch {
                if failsWaiting(error) { throw error }
                try await sql.raw("ROLLBACK TO unit").run()
                failures.append(error)
            }
            try await sql.raw("RELEASE unit").run()
        }
        return failures
    }

    private static func failsWaiting(_ error: any Error) -> Bool {
        if case .unavailable = error as? StoreError { return true }
        return SQLiteEngine.isBusy(error)
    }

    /// Work that waited long for its turn gets only the rest of its busy time from SQLite.
    private func fitBusyTimeout(waitedSince start: ContinuousClock.Instant) {
        let remaining = busyTimeout - (ContinuousClock.now - start)
        let wanted = remaining > busyTimeout - .seconds(1) ? busyTimeout : max(remaining, .zero)
        guard currentBusyTimeout.withLock({ $0 }) != wanted else { return }
        handle.setBusyTimeout(milliseconds: SQLiteEngine.milliseconds(wanted))
        currentBusyTimeout.withLock { $0 = wanted }
    }
}
