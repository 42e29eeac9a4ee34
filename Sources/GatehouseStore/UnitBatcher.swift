import GatehouseCore
import SQLKit
import Synchronization

/// Collects units of work that arrive while the writer is busy, so that they commit together
/// (group commit of whole units, not just rows).
///
/// Each unit keeps its own outcome: the engine runs it in a savepoint of the shared transaction,
/// a unit that throws is rolled back alone, and every caller resumes only after the transaction
/// holding its unit has committed.
final class UnitBatcher: Sendable {
    /// One caller's unit: `run` does its work and keeps its result; `finish` answers the caller.
    struct Unit: Sendable {
        let arrival: ContinuousClock.Instant
        let run: @Sendable (any SQLDatabase) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    private let queue: BatchQueue<Unit>
    private let retryAfter: Int
    private let executor: any TaskExecutor
    private let commit: @Sendable ([Unit]) async -> (any Error)?

    /// - Parameters:
    ///   - maximumWaiting: units waiting beyond this many are refused at once (SPEC §9: bounded).
    ///   - executor: where the batches run (the writer's thread).
    ///   - commit: runs one batch and finishes every unit in it; returns the error that should
    ///     fail the units still waiting too (the database is busy or gone).
    init(
        maximumWaiting: Int, maximumBatch: Int, retryAfter: Int, executor: any TaskExecutor,
        commit: @escaping @Sendable ([Unit]) async -> (any Error)?
    ) {
        self.queue = BatchQueue(maximumWaiting: maximumWaiting, maximumBatch: maximumBatch)
        self.retryAfter = retryAfter
        self.executor = executor
        self.commit = commit
    }

    /// Returns `body`'s result once the transaction holding it has committed.
    func submit<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        let outcome = Mutex<Result?>(nil)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let unit = Unit(
                arrival: .now,
                run: { sql in
                    let result = try await body(sql)
                    outcome.withLock { $0 = result }
                },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let result = outcome.withLock({ $0.take() }) {
                        continuation.resume(returning: result)
                    } else {
                        continuation.resume(throwing: StoreError.unavailable(retryAfter: self.retryAfter))
                    }
                }
            )
            switch queue.admit(unit) {
            case .refused: unit.finish(StoreError.unavailable(retryAfter: retryAfter))
            case .queued: break
            case .startsDraining: Task(executorPreference: executor) { await self.drain() }
            }
        }
    }

    /// Fails every unit still waiting: after the database said it is busy or gone, each would
    /// otherwise wait its whole `database_busy_timeout` again (SPEC §9: a request waits at most
    /// that long).
    private func failWaiting(_ error: any Error) {
        for unit in queue.takeAll() { unit.finish(error) }
    }

    private func drain() async {
        while true {
            let batch = queue.nextBatch()
            guard !batch.isEmpty else { return }
            if let error = await commit(batch) {
                failWaiting(error)
            }
        }
    }
}
