public import Foundation
public import GatehouseStore
public import Logging
public import ServiceLifecycle

/// Deletes expired sessions, codes and tokens every ``interval``, as a service of the server's
/// `ServiceGroup`, so a graceful shutdown stops it between two runs rather than in one.
///
/// Any number of instances may run it: the deletes are idempotent.
public struct Janitor: Service {
    let store: SQLStore
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(store: SQLStore, interval: Duration = .seconds(600), logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { () async throws -> Void in
                while !Task.isCancelled {
                    await purge()
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // A shutdown: the sleep between two runs was interrupted, nothing was cut short.
        }
    }

    private func purge() async {
        do {
            let deleted = try await store.purgeExpired(now: now())
            if deleted > 0 { logger.info("purged expired rows", metadata: ["rows": "\(deleted)"]) }
        } catch {
            logger.warning("purging expired rows failed", metadata: ["error": "\(error)"])
        }
    }
}
