import Foundation
import GatehouseStore
import Logging

/// SQLite's write lock on a database file, held by a connection of the test process until
/// ``release()``: to a `gatehouse` process on the same file, another process holding the lock.
final class SQLiteWriteLock {
    private let database: Database
    private let holding: Task<Void, any Error>
    private let releaseSignal: AsyncStream<Void>.Continuation

    private init(database: Database, holding: Task<Void, any Error>, releaseSignal: AsyncStream<Void>.Continuation) {
        self.database = database
        self.holding = holding
        self.releaseSignal = releaseSignal
    }

    /// Returns once the lock is taken (`BEGIN IMMEDIATE` succeeded).
    static func take(onFileAt path: String) async throws -> SQLiteWriteLock {
        var logger = Logger(label: "gatehouse.test.write-lock")
        logger.logLevel = .critical
        let database = try await Database.open(.sqlite(path: path), logger: logger)
        let (held, heldSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let holding = Task {
            defer { heldSignal.finish() }
            try await database.transaction("hold the write lock") { _ in
                heldSignal.yield()
                for await _ in release {}
            }
        }
        var signals = held.makeAsyncIterator()
        guard await signals.next() != nil else {
            try await holding.value
            await database.close()
            throw HarnessError("could not take the write lock of \(path)")
        }
        return SQLiteWriteLock(database: database, holding: holding, releaseSignal: releaseSignal)
    }

    /// Commits the empty transaction and closes the connection.
    func release() async throws {
        releaseSignal.finish()
        let outcome = await holding.result
        await database.close()
        try outcome.get()
    }
}
