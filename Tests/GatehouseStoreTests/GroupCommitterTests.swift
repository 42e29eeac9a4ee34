import GatehouseCore
import GatehouseTestSupport
import Synchronization
import Testing

@testable import GatehouseStore

/// SPEC §9 "Faults and load": rows waiting for a group commit are bounded in number; past the
/// bound an insert fails at once as unavailable (503 with `Retry-After`), and those admitted are
/// still written.
@Suite("Group commit", .spec("ops.bounded-waiting"))
struct GroupCommitterTests {
    /// An insert that holds the writer until `release()`.
    final class Gate: Sendable {
        private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let entered = AsyncStream<Void>.makeStream()
        let written = Mutex<[Int]>([])

        func insert(_ rows: [Int]) async {
            await withCheckedContinuation { continuation in
                waiting.withLock { $0 = continuation }
                entered.continuation.yield()
            }
            written.withLock { $0 += rows }
        }

        func untilEntered() async {
            var iterator = entered.stream.makeAsyncIterator()
            _ = await iterator.next()
        }

        func release() {
            waiting.withLock { $0.take() }?.resume()
        }
    }

    /// Without the bound the fourth insert would wait for the gate: the time limit makes that a failure.
    @Test("rows beyond maximumWaiting are refused as unavailable; the admitted ones are written", .timeLimit(.minutes(1)))
    func boundedWaiting() async throws {
        let gate = Gate()
        let committer = GroupCommitter<Int>(
            maximumBatch: 10, maximumWaiting: 2, unavailable: .unavailable(retryAfter: 7), executor: nil,
            insertBatch: { await gate.insert($0) }, insertOne: { await gate.insert([$0]) }
        )
        let first = Task { try await committer.insert(1) }
        await gate.untilEntered()
        let second = Task { try await committer.insert(2) }
        let third = Task { try await committer.insert(3) }
        while committer.waitingCount < 2 { await Task.yield() }
        await #expect(throws: StoreError.unavailable(retryAfter: 7)) { try await committer.insert(4) }

        gate.release()
        try await first.value
        await gate.untilEntered()
        gate.release()
        try await second.value
        try await third.value
        #expect(gate.written.withLock { $0.sorted() } == [1, 2, 3])
    }
}
