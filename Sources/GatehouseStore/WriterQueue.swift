import GatehouseCore
import NIOCore
import NIOPosix
import Synchronization

/// Lets one holder at a time use SQLite's writer connection, first come first served, with a
/// bounded number of waiters and a bounded wait.
///
/// SQLite has one writer anyway; queueing in the process instead of in SQLite's busy handler keeps
/// a transaction's statements together on the one connection (a `BEGIN` there would otherwise
/// take in other requests' statements), and makes the waiting visible and bounded (SPEC §9
/// "Faults and load": past the bound, or after the wait, the caller gets
/// ``StoreError/unavailable(retryAfter:)``).
final class WriterQueue: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var isHeld = false
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let maximumWaiters: Int
    private let retryAfter: Int

    init(maximumWaiters: Int, retryAfter: Int) {
        self.maximumWaiters = maximumWaiters
        self.retryAfter = retryAfter
    }

    /// Runs `body` as the only holder; waits at most `timeout` for the turn.
    func withTurn<Result>(timeout: Duration, _ body: () async throws -> Result) async throws -> Result {
        try await acquire(timeout: timeout)
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private enum Admission {
        case granted
        case queued(UInt64)
        case refused
    }

    private func acquire(timeout: Duration) async throws {
        let unavailable = StoreError.unavailable(retryAfter: retryAfter)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let admission: Admission = state.withLock { state in
                if !state.isHeld {
                    state.isHeld = true
                    return .granted
                }
                guard state.waiters.count < maximumWaiters else { return .refused }
                state.nextID &+= 1
                state.waiters.append(Waiter(id: state.nextID, continuation: continuation))
                return .queued(state.nextID)
            }
            switch admission {
            case .granted:
                continuation.resume()
            case .refused:
                continuation.resume(throwing: unavailable)
            case .queued(let id):
                // An event-loop timer, not a sleeping task: a cancelled `Task.sleep` keeps its
                // task until the deadline, and under load thousands of waits end early.
                let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
                    [weak self] () -> Void in
                    self?.expire(id, error: unavailable)
                }
                let stillWaiting = state.withLock { state in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
                    state.waiters[index].timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        }
    }

    private func expire(_ id: UInt64, error: StoreError) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Hands the turn to the longest waiter, or frees it.
    private func release() {
        let next: Waiter? = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.isHeld = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        if let next {
            next.timer?.cancel()
            next.continuation.resume()
        }
    }
}
