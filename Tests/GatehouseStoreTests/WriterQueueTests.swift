import GatehouseCore
import GatehouseTestSupport
import Synchronization
import Testing

@testable import GatehouseStore

/// SPEC §9 "Faults and load": work waiting for SQLite's one writer is bounded in number and in
/// time, and past either bound it fails as unavailable (which the server answers with 503 and
/// `Retry-After`), instead of queueing without end.
@Suite("Writer queue", .spec("ops.bounded-waiting"))
struct WriterQueueTests {
    /// Holds the queue's turn until `release` is called.
    final class Holder: Sendable {
        private let held = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let entered = AsyncStream<Void>.makeStream()

        /// Takes the turn and keeps it; returns once it has it.
        func take(_ queue: WriterQueue) async -> Task<Void, any Error> {
            let task = Task {
                try await queue.withTurn(timeout: .seconds(60)) {
                    await withCheckedContinuation { continuation in
                        held.withLock { $0 = continuation }
                        entered.continuation.yield()
                    }
                }
            }
            var iterator = entered.stream.makeAsyncIterator()
            _ = await iterator.next()
            return task
        }

        func release() {
            held.withLock { $0?.resume() }
        }
    }

    @Test("past the bound of waiters, a unit fails at once as unavailable; the waiters get the turn once it is free")
    func boundedWaiters() async throws {
        let queue = WriterQueue(maximumWaiters: 2, retryAfter: 3)
        let holder = Holder()
        let holding = await holder.take(queue)
        // Three units for two places: whichever comes last is refused, and only it can finish
        // while the turn is held.
        try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do {
                        try await queue.withTurn(timeout: .seconds(60)) {}
                        return nil
                    } catch StoreError.unavailable(let retryAfter) {
                        return retryAfter
                    }
                }
            }
            let first = try await group.next()
            #expect(first == .some(3), "the unit past the bound is refused with Retry-After 3")
            holder.release()
            var rest: [Int?] = []
            for try await result in group { rest.append(result) }
            #expect(rest == [nil, nil], "both waiters got the turn")
        }
        try await holding.value
    }

    @Test("a waiter whose turn does not come within its timeout fails as unavailable and leaves the queue")
    func boundedWait() async throws {
        let queue = WriterQueue(maximumWaiters: 1, retryAfter: 1)
        let holder = Holder()
        let holding = await holder.take(queue)
        // The holder keeps the turn throughout: only the timeout can end this wait.
        let error = await #expect(throws: StoreError.self) { try await queue.withTurn(timeout: .milliseconds(100)) {} }
        if case .unavailable? = error {} else { Issue.record("expected unavailable, got \(String(describing: error))") }
        // Its place is free again: the next waiter queues instead of being refused.
        let next = Task { try await queue.withTurn(timeout: .seconds(60)) {} }
        holder.release()
        try await holding.value
        try await next.value
    }
}
