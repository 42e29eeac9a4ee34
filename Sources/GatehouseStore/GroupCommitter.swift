import GatehouseCore

/// Writes rows that arrive concurrently as one multi-row `INSERT` (group commit).
///
/// A statement and a commit per token cost more than building the token: on SQLite every commit
/// writes the pages it touched to the log, on PostgreSQL it is a round trip. While one batch
/// is being written, new rows queue up; when it commits, the queue is written as the next single
/// statement. Every caller still returns only after its own row is committed, so a token is never
/// handed out before it is durable, and a lone request is written at once, without waiting.
final class GroupCommitter<Row: Sendable>: Sendable {
    private struct Pending {
        let row: Row
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let queue: BatchQueue<Pending>
    private let executor: (any TaskExecutor)?
    private let unavailable: StoreError
    private let insertBatch: @Sendable ([Row]) async throws -> Void
    private let insertOne: @Sendable (Row) async throws -> Void

    /// - Parameters:
    ///   - maximumBatch: the most rows one statement carries (bounded by the databases' limits on
    ///     bound parameters).
    ///   - maximumWaiting: rows waiting beyond this many are refused at once with `unavailable`.
    ///   - executor: where batches are written: SQLite's writer thread, so that reaching the
    ///     writer costs no thread hop.
    ///   - insertBatch: writes several rows in one atomic statement.
    ///   - insertOne: writes one row; used to give each row its own answer when a batch fails.
    init(
        maximumBatch: Int,
        maximumWaiting: Int,
        unavailable: StoreError,
        executor: (any TaskExecutor)?,
        insertBatch: @escaping @Sendable ([Row]) async throws -> Void,
        insertOne: @escaping @Sendable (Row) async throws -> Void
    ) {
        self.queue = BatchQueue(maximumWaiting: maximumWaiting, maximumBatch: maximumBatch)
        self.unavailable = unavailable
        self.executor = executor
        self.insertBatch = insertBatch
        self.insertOne = insertOne
    }

    /// How many rows wait for the next batch.
    var waitingCount: Int { queue.waitingCount }

    /// Returns once `row` is committed, or throws what the database said about it.
    func insert(_ row: Row) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            switch queue.admit(Pending(row: row, continuation: continuation)) {
            case .refused: continuation.resume(throwing: unavailable)
            case .queued: break
            case .startsDraining: Task(executorPreference: executor) { await self.writeUntilEmpty() }
            }
        }
    }

    private func writeUntilEmpty() async {
        while true {
            let batch = queue.nextBatch()
            guard !batch.isEmpty else { return }
            await write(batch)
        }
    }

    private func write(_ batch: [Pending]) async {
        do {
            if batch.count == 1, let only = batch.first {
                try await insertOne(only.row)
            } else {
                try await insertBatch(batch.map(\.row))
            }
            for pending in batch { pending.continuation.resume() }
        } catch {
            guard batch.count > 1, !Self.isUnavailable(error) else {
                failWithQueue(batch, error)
                return
            }
            // The statement is atomic, so nothing was written; one bad row must not fail the
            // others, so each row is retried alone and gets its own answer.
            for (index, pending) in batch.enumerated() {
                do {
                    try await insertOne(pending.row)
                    pending.continuation.resume()
                } catch  where Self.isUnavailable(error) {
                    failWithQueue(Array(batch[index...]), error)
                    return
                } catch {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }

    /// A database that is busy or unreachable fails every row waiting for it at once: retrying
    /// each would make the last of them wait `database_busy_timeout` once per row before it
    /// (SPEC §9: a request waits at most that long).
    private func failWithQueue(_ batch: [Pending], _ error: any Error) {
        let waiting = Self.isUnavailable(error) ? queue.takeAll() : []
        for pending in batch + waiting { pending.continuation.resume(throwing: error) }
    }

    private static func isUnavailable(_ error: any Error) -> Bool {
        if case .unavailable = error as? StoreError { return true }
        return false
    }
}
