import Synchronization

/// What a batching writer keeps between batches: the items waiting, oldest first, and whether a
/// drain is writing them. Items that arrive while one batch is written queue up and go out
/// together in the next; the caller whose item finds no drain running starts one.
final class BatchQueue<Item: Sendable>: Sendable {
    enum Admission { case refused, queued, startsDraining }

    private struct State {
        var pending: [Item] = []
        var isDraining = false
    }

    private let state = Mutex(State())
    private let maximumWaiting: Int
    private let maximumBatch: Int

    /// - Parameters:
    ///   - maximumWaiting: items waiting beyond this many are refused.
    ///   - maximumBatch: the most items one batch carries.
    init(maximumWaiting: Int, maximumBatch: Int) {
        self.maximumWaiting = maximumWaiting
        self.maximumBatch = maximumBatch
    }

    /// How many items wait for a batch.
    var waitingCount: Int { state.withLock { $0.pending.count } }

    /// Queues `item`; `.startsDraining` tells the caller to start the drain.
    func admit(_ item: Item) -> Admission {
        state.withLock { state in
            guard state.pending.count < maximumWaiting else { return .refused }
            state.pending.append(item)
            guard !state.isDraining else { return .queued }
            state.isDraining = true
            return .startsDraining
        }
    }

    /// The next batch, oldest first; empty when nothing waits, which ends the drain.
    func nextBatch() -> [Item] {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.isDraining = false
                return []
            }
            let batch = Array(state.pending.prefix(maximumBatch))
            state.pending.removeFirst(batch.count)
            return batch
        }
    }

    /// Takes every waiting item, to fail them all at once.
    func takeAll() -> [Item] {
        state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
    }
}
