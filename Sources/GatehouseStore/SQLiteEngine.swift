import Foundation
import GatehouseCore
import GatehouseSQLite
import Logging
import NIOPosix
import SQLKit
import Synchronization

/// SQLite as Gatehouse uses it: one writer connection on a thread of its own, whose users take
/// turns, and reader connections beside it.
///
/// In WAL mode readers never wait behind the writer and only ever see committed data. Units of
/// work that arrive together commit together: one transaction (`BEGIN IMMEDIATE` … `COMMIT`)
/// with each unit in a savepoint of its own, so a failing unit is undone alone and every caller
/// answers only once its unit is durable (SPEC §9 "Atomic units of work"). Writes run on the
/// writer's thread, statements as plain calls; a wait for another process's write lock blocks
/// that thread, never the request threads. Reads run on the asking thread: in WAL mode they take
/// no lock that a writer holds. None of these are the process-wide `NIOThreadPool` that bcrypt
/// runs on, so a burst of sign-ins does not delay token requests.
final class SQLiteEngine: Sendable {
    private let writer: SQLiteWriter
    private let batcher: UnitBatcher
    private let readers: [SQLiteHandle]
    private let readerSQL: [any SQLDatabase]
    private let nextReader = Atomic<Int>(0)

    private static let readerCount = 2
    /// Units waiting for the writer beyond this many are refused at once (SPEC §9: bounded).
    static let maximumWaitingUnits = Database.maximumWaitingOperations
    /// The most units one transaction carries: enough to share a commit widely, few enough
    /// that the first of them is not kept long.
    private static let maximumBatch = 64

    private init(writer: SQLiteHandle, path: String, readers: [SQLiteHandle], busyTimeout: Duration, logger: Logger) {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let writer = SQLiteWriter(
            handle: writer, logger: logger, eventLoop: eventLoop, checkpointer: SQLiteCheckpointer(path: path),
            busyTimeout: busyTimeout
        )
        self.writer = writer
        self.batcher = UnitBatcher(
            maximumWaiting: Self.maximumWaitingUnits, maximumBatch: Self.maximumBatch,
            retryAfter: Self.retryAfter(busyTimeout), executor: writer.thread
        ) { batch in
            await writer.commit(batch)
        }
        self.readers = readers
        self.readerSQL = readers.map { SQLiteHandleDatabase(handle: $0, logger: logger, eventLoop: eventLoop) }
    }

    /// Where writes run: work started there reaches the writer without a thread hop.
    var writerExecutor: any TaskExecutor { writer.thread }

    /// Seconds a client is told to wait after the database was busy.
    static func retryAfter(_ busyTimeout: Duration) -> Int {
        max(1, Int(busyTimeout.components.seconds))
    }

    /// Opens the file, creating it readable by its owner only (SPEC §9 "Keys and files at rest").
    /// - Throws: ``DatabaseConnectionError`` when the file is not an SQLite database or cannot be
    ///   opened; every connection opened so far is closed first.
    static func open(path: String, busyTimeout: Duration, logger: Logger) async throws -> SQLiteEngine {
        try createPrivateFile(atPath: path)
        var opened: [SQLiteHandle] = []
        do {
            for _ in 0...readerCount {
                opened.append(try SQLiteHandle.open(path: path))
            }
            // busy_timeout makes a statement wait for another connection's lock by sleeping, not
            // spinning. WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode
            // still survives a crash of the process (committed pages are in the OS's hands), only
            // not a power cut between a commit and the next checkpoint. The writer's cache is as
            // large as the readers': the walk SQLite makes over it at every commit
            // (pcache1TruncateUnsafe) is shared by all the units of a batch, and a small cache
            // made every index lookup a read() from the file.
            let pragmas = [
                "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                "PRAGMA cache_size = -16384",
            ]
            for connection in opened {
                connection.setBusyTimeout(milliseconds: milliseconds(busyTimeout))
                for pragma in pragmas {
                    try connection.execute(pragma, []) { _, _ in }
                }
            }
            return SQLiteEngine(
                writer: opened[0], path: path, readers: Array(opened.dropFirst()), busyTimeout: busyTimeout, logger: logger
            )
        } catch {
            for connection in opened {
                connection.close()
            }
            if let error = error as? SQLiteFailure, error.isNotADatabase {
                throw DatabaseConnectionError(reason: "\(path) is not an SQLite database")
            }
            throw DatabaseConnectionError(reason: "cannot open SQLite database \(path): \(error)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
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
            connection.close()
        }
        writer.close()
    }

    /// Runs `body` on a reader connection: committed data only, never waiting for the writer.
    func read<Result>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(readerSQL[index % readerSQL.count])
    }

    /// Runs `body` alone on the writer connection, each statement committing by itself.
    func write<Result: Sendable>(_ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await writer.write(body)
    }

    /// Runs `body` as a unit of work: everything it wrote commits, or nothing.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await batcher.submit(body)
    }

    /// Whether `error` is SQLite saying another connection holds a lock it waited for in vain.
    static func isBusy(_ error: any Error) -> Bool {
        (error as? SQLiteFailure)?.isBusy ?? false
    }
}
