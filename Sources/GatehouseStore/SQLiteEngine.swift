import Foundation
import GatehouseCore
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite as Gatehouse uses it: one writer connection whose users take turns, and reader
/// connections beside it, all on a thread pool of their own.
///
/// In WAL mode readers never wait behind the writer and only ever see committed data, so a unit
/// of work is a real transaction on the writer (`BEGIN IMMEDIATE` … `COMMIT`) that no other
/// request's statement can slip into. The threads are not the process-wide `NIOThreadPool` that
/// bcrypt runs on, so a burst of sign-ins does not delay token requests.
final class SQLiteEngine: Sendable {
    private let threadPool: NIOThreadPool
    private let writer: SQLiteConnection
    private let writerSQL: any SQLDatabase
    private let readers: [SQLiteConnection]
    private let readerSQL: [any SQLDatabase]
    private let nextReader = Atomic<Int>(0)
    private let queue: WriterQueue
    private let busyTimeout: Duration
    /// The `busy_timeout` the writer connection has now; lowered for a unit that already waited
    /// for its turn, so that waiting in both places together stays within the configured time.
    private let writerBusyTimeout: Mutex<Duration>

    private static let readerCount = 2
    /// The writer's page cache, in `PRAGMA cache_size` terms (negative: KiB).
    private static let writerCacheKiB = -2048
    /// Units waiting for the writer beyond this many are refused at once (SPEC §9: bounded).
    static let maximumWaitingUnits = 1024

    private init(
        threadPool: NIOThreadPool, writer: SQLiteConnection, readers: [SQLiteConnection], busyTimeout: Duration
    ) {
        self.threadPool = threadPool
        self.writer = writer
        self.writerSQL = writer.sql(queryLogLevel: nil)
        self.readers = readers
        self.readerSQL = readers.map { $0.sql(queryLogLevel: nil) }
        self.busyTimeout = busyTimeout
        self.writerBusyTimeout = Mutex(busyTimeout)
        self.queue = WriterQueue(maximumWaiters: Self.maximumWaitingUnits, retryAfter: Self.retryAfter(busyTimeout))
    }

    /// Seconds a client is told to wait after the database was busy.
    static func retryAfter(_ busyTimeout: Duration) -> Int {
        max(1, Int(busyTimeout.components.seconds))
    }

    /// Opens the file, creating it readable by its owner only (SPEC §9 "Keys and files at rest").
    /// - Throws: ``DatabaseConnectionError`` when the file is not an SQLite database or cannot be
    ///   opened; every connection opened so far is closed first.
    static func open(path: String, busyTimeout: Duration, logger: Logger) async throws -> SQLiteEngine {
        try createPrivateFile(atPath: path)
        let threadPool = NIOThreadPool(numberOfThreads: 1 + readerCount)
        threadPool.start()
        var opened: [SQLiteConnection] = []
        do {
            let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
            for _ in 0...readerCount {
                opened.append(try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop))
            }
            let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
            // busy_timeout replaces SQLiteNIO's own busy handler, which retries forever on a busy
            // core. WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode still
            // survives a crash of the process (committed pages are in the OS's hands), only not a
            // power cut between a commit and the next checkpoint.
            let pragmas = [
                "PRAGMA busy_timeout = \(milliseconds)", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                "PRAGMA foreign_keys = ON", "PRAGMA cache_size = -16384",
            ]
            for connection in opened {
                for pragma in pragmas {
                    try await connection.sql(queryLogLevel: nil).raw(SQLQueryString(pragma)).run()
                }
            }
            // SQLite walks the writer's whole page-cache hash table at the end of every write
            // transaction (pcache1TruncateUnsafe): with 16 MiB that was 4 % of a token request.
            // The writer touches few pages per unit; the readers keep the large cache.
            let writerCache = "PRAGMA cache_size = \(Self.writerCacheKiB)"
            try await opened[0].sql(queryLogLevel: nil).raw(SQLQueryString(writerCache)).run()
            return SQLiteEngine(
                threadPool: threadPool, writer: opened[0], readers: Array(opened.dropFirst()), busyTimeout: busyTimeout
            )
        } catch {
            for connection in opened {
                try? await connection.close()
            }
            try? await threadPool.shutdownGracefully()
            if let error = error as? SQLiteError, error.reason == .notADatabase {
                throw DatabaseConnectionError(reason: "\(path) is not an SQLite database")
            }
            throw DatabaseConnectionError(reason: "cannot open SQLite database \(path): \(error)")
        }
    }

    /// Creates the file with mode 0600 before SQLite would create it with the process's umask;
    /// an existing file is left as it is.
    private static func createPrivateFile(atPath path: String) throws {
        guard path != ":memory:", !path.hasPrefix("file:") else { return }
        let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            try? FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).close()
            return
        }
        let code = errno
        guard code == EEXIST else {
            throw DatabaseConnectionError(reason: "cannot create \(path): \(String(cString: strerror(code)))")
        }
    }

    func close() async {
        for connection in readers {
            try? await connection.close()
        }
        try? await writer.close()
        try? await threadPool.shutdownGracefully()
    }

    /// Runs `body` on a reader connection: committed data only, never waiting for the writer.
    func read<Result>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(readerSQL[index % readerSQL.count])
    }

    /// Runs `body` alone on the writer connection, each statement committing by itself.
    func write<Result>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        return try await queue.withTurn(timeout: busyTimeout) {
            try await fitBusyTimeout(waitedSince: start)
            return try await body(writerSQL)
        }
    }

    /// Runs `body` as one transaction on the writer: everything it wrote commits, or nothing.
    func transaction<Result>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        let sql = writerSQL
        return try await queue.withTurn(timeout: busyTimeout) {
            try await fitBusyTimeout(waitedSince: start)
            // IMMEDIATE takes the write lock now, under busy_timeout; a deferred transaction that
            // read first could fail at its first write without waiting at all.
            try await sql.raw("BEGIN IMMEDIATE").run()
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

    /// A unit that waited long for its turn gets only the rest of its busy time from SQLite.
    private func fitBusyTimeout(waitedSince start: ContinuousClock.Instant) async throws {
        let remaining = busyTimeout - (ContinuousClock.now - start)
        let wanted = remaining > busyTimeout - .seconds(1) ? busyTimeout : max(remaining, .zero)
        guard writerBusyTimeout.withLock({ $0 }) != wanted else { return }
        let milliseconds = wanted.components.seconds * 1000 + wanted.components.attoseconds / 1_000_000_000_000_000
        let pragma = "PRAGMA busy_timeout = \(milliseconds)"
        try await writerSQL.raw(SQLQueryString(pragma)).run()
        writerBusyTimeout.withLock { $0 = wanted }
    }

    /// Whether `error` is SQLite saying another connection holds a lock it waited for in vain.
    static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        switch error.reason {
        case .busy, .locked, .busyInRecovery, .busyInSnapshot, .busyTimeout, .lockedBySharedCache, .lockedVirtualTable:
            return true
        default:
            return false
        }
    }
}
