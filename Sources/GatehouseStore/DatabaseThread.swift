import Foundation

/// A thread of its own for database work: tasks that prefer this executor
/// (`withTaskExecutorPreference`, `Task(executorPreference:)`) run their nonisolated code on it.
///
/// A job that arrives after ``shutdown()`` runs on the global executor instead: a task that
/// still prefers this thread must never be dropped, or whoever awaits it waits forever.
final class DatabaseThread: TaskExecutor, @unchecked Sendable {
    /// Guards `jobs` and `isStopping`; signalled when either changes.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var isStopping = false

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard !isStopping else {
            condition.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs it has, then end.
    func shutdown() {
        condition.lock()
        isStopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !isStopping {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
