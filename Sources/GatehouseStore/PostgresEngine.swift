import GatehouseCore
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import Synchronization

/// PostgreSQL as Gatehouse uses it: PostgresNIO's connection pool, run in a task owned by this
/// object, with a bounded wait for a connection.
///
/// The pool keeps retrying an unreachable server with backoff, so a lease could wait for a minute;
/// here it waits at most `busy_timeout` and then reports ``StoreError/unavailable(retryAfter:)``,
/// and the pool goes on reconnecting by itself in the background (SPEC §9 "Faults and load").
final class PostgresEngine: Sendable {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let leaseTimeout: Duration
    private let waiting = Atomic<Int>(0)
    /// Requests waiting for a connection beyond this many are refused at once.
    private static let maximumWaiting = Database.maximumWaitingOperations

    init(client: PostgresClient, leaseTimeout: Duration) {
        self.client = client
        self.runner = Task { await client.run() }
        self.leaseTimeout = leaseTimeout
    }

    func close() async {
        runner.cancel()
        await runner.value
    }

    private var unavailable: StoreError {
        .unavailable(retryAfter: SQLiteEngine.retryAfter(leaseTimeout))
    }

    /// Runs `body` on one leased connection, returned to the pool as soon as `body` ends.
    func withConnection<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        guard waiting.add(1, ordering: .relaxed).newValue <= Self.maximumWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            throw unavailable
        }
        let lease = Lease(engine: self)
        let client = self.client
        let leased = Task {
            try await client.withConnection { connection in
                // A connection that arrives after the timer answered 503 must not run `body`:
                // its task is cancelled, so a statement meant to undo a session state (the
                // migration lock's unlock) could fail and return the connection to the pool
                // still holding it.
                guard lease.end() else { throw CancellationError() }
                return try await body(connection.sql(queryLogLevel: nil))
            }
        }
        // An event-loop timer, not a sleeping task: a cancelled `Task.sleep` keeps its task until
        // the deadline, thousands of them at a few thousand requests a second. The timer only
        // ends a wait for a connection, never a slow query.
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(leaseTimeout)) {
            if lease.end(timedOut: true) { leased.cancel() }
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await leased.value
            } onCancel: {
                leased.cancel()
            }
        } catch {
            lease.end()
            if lease.timedOut { throw unavailable }
            throw error
        }
    }

    /// One request's wait for a connection; it ends once, by a lease, a failure or the timer.
    private final class Lease: Sendable {
        private let ended = Atomic<Bool>(false)
        private let expired = Atomic<Bool>(false)
        private let engine: PostgresEngine

        init(engine: PostgresEngine) {
            self.engine = engine
        }

        /// Whether the timer ended the wait.
        var timedOut: Bool { expired.load(ordering: .acquiring) }

        /// - Returns: whether this call ended the wait.
        @discardableResult
        func end(timedOut: Bool = false) -> Bool {
            guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return false }
            if timedOut { expired.store(true, ordering: .releasing) }
            engine.waiting.subtract(1, ordering: .relaxed)
            return true
        }
    }

    /// Whether `error` means the server cannot be had now: not reachable, shutting down, out of
    /// connections, or a lock or serialization conflict that a retry resolves.
    static func isUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            // 08: connection exception; 53: insufficient resources; 57P0x: shutting down or
            // cannot connect now; 40001/40P01: serialization failure, deadlock; 55P03: lock timeout.
            return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") || ["40001", "40P01", "55P03"].contains(state)
        default:
            return false
        }
    }
}
