import NIOCore
import NIOHTTP1
import NIOPosix

/// Opens connections to the servers and runs one phase of one scenario on them.
struct LoadRunner {
    let group: MultiThreadedEventLoopGroup
    /// Servers to spread the connections over, round robin (one, or two instances on one database).
    let ports: [Int]

    /// Runs `plan` on `connections` connections until `schedule.end` (plus stragglers, at most
    /// `grace`), and merges what each connection saw.
    func run(
        _ plan: RequestPlan, connections: Int, grace: TimeAmount = .seconds(10), schedule: (Int) -> Schedule
    ) async throws -> ConnectionRecord {
        var futures: [EventLoopFuture<ConnectionRecord>] = []
        var channels: [any Channel] = []
        for index in 0..<connections {
            let loop = group.next()
            let finished = loop.makePromise(of: ConnectionRecord.self)
            let connectionSchedule = schedule(index)
            let bootstrap = ClientBootstrap(group: loop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            LoadConnection(plan: plan, schedule: connectionSchedule, finished: finished)
                        )
                    }
                }
            do {
                channels.append(try await bootstrap.connect(host: "127.0.0.1", port: ports[index % ports.count]).get())
            } catch {
                finished.fail(error)
                for channel in channels { try? await channel.close() }
                throw LoadError("cannot connect to 127.0.0.1:\(ports[index % ports.count]): \(error)")
            }
            futures.append(finished.futureResult)
        }
        // A hung server must not hang the benchmark: close what is still open after the grace.
        let deadline = schedule(0).end + grace
        let opened = channels
        let watchdog = group.next().scheduleTask(deadline: deadline) {
            for channel in opened { channel.close(promise: nil) }
        }
        var merged = ConnectionRecord()
        for future in futures {
            merged.merge(try await future.get())
        }
        watchdog.cancel()
        for channel in channels { try? await channel.close() }
        return merged
    }

    /// Sends one flow and reports what went wrong, if anything.
    func check(_ plan: RequestPlan) async throws -> String? {
        let now = NIODeadline.now()
        let record = try await run(plan, connections: 1, grace: .seconds(0)) { _ in
            Schedule(mode: .closed, measureStart: now, end: now + .seconds(30), maximumFlows: 1)
        }
        if record.flows == 1 && record.failed == 0 { return nil }
        return record.failureSample ?? record.connectionError ?? (record.itemsExhausted ? "no items left" : "no answer")
    }
}
