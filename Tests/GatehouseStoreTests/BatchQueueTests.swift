import Testing

@testable import GatehouseStore

/// The queue behind group commit: the first item starts a drain, later ones wait for it, batches
/// go out oldest first and no larger than the bound, and the waiting are bounded in number.
@Suite("Batch queue")
struct BatchQueueTests {
    @Test("the first item starts the drain; items past the bound are refused")
    func admission() {
        let queue = BatchQueue<Int>(maximumWaiting: 3, maximumBatch: 2)
        #expect([1, 2, 3, 4].map(queue.admit) == [.startsDraining, .queued, .queued, .refused])
    }

    @Test("batches go out oldest first, at most maximumBatch each; an empty one ends the drain")
    func batches() {
        let queue = BatchQueue<Int>(maximumWaiting: 10, maximumBatch: 2)
        for item in 1...5 { _ = queue.admit(item) }
        #expect(queue.nextBatch() == [1, 2])
        #expect(queue.admit(6) == .queued)
        #expect(queue.nextBatch() == [3, 4])
        #expect(queue.nextBatch() == [5, 6])
        #expect(queue.nextBatch().isEmpty)
        #expect(queue.admit(7) == .startsDraining)
    }

    @Test("takeAll empties the queue, and the running drain then ends")
    func takeAll() {
        let queue = BatchQueue<Int>(maximumWaiting: 10, maximumBatch: 2)
        for item in 1...3 { _ = queue.admit(item) }
        #expect(queue.takeAll() == [1, 2, 3])
        #expect(queue.nextBatch().isEmpty)
        #expect(queue.admit(4) == .startsDraining)
    }
}
