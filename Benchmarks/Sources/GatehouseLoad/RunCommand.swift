import ArgumentParser
import Foundation
import GatehouseStore
import Logging
import NIOCore
import NIOPosix

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the scenarios and write a result file.")

    @Option(help: "The gatehouse binary (a release build).")
    var binary: String

    @Option(help: "The scenario file.")
    var scenarios = "Benchmarks/scenarios.json"

    @Option(help: "Where to write the results (JSON).")
    var output: String

    @Option(help: "Setups, comma-separated: sqlite, postgres, postgres-2 (two instances on one PostgreSQL).")
    var setups = "sqlite,postgres,postgres-2"

    @Option(help: "Only these scenarios, comma-separated (the baseline always runs).")
    var only: String?

    @Option(help: "Closed-loop connections.")
    var connections = 32

    @Option(help: "Closed-loop warm-up per scenario, seconds (not measured).")
    var warmup = 3

    @Option(help: "Closed-loop measurement per scenario, seconds.")
    var duration = 10

    @Option(help: "Open-loop connections.")
    var openConnections = 64

    @Option(help: "Open-loop measurement per scenario, seconds (after a 1 s warm-up at the same rate).")
    var openDuration = 10

    @Option(help: "Open-loop rate as a fraction of the scenario's closed-loop peak.")
    var openFraction = 0.5

    @Option(help: "Items seeded per second of run for scenarios that use each item once.")
    var itemsPerSecond = 8000

    @Option(help: "Use this PostgreSQL database (it must be empty) instead of starting a throwaway server.")
    var postgresURL: String?

    @Option(help: "A note for the report, e.g. that the machine was busy.")
    var note: String?

    func run() async throws {
        let file = try JSONDecoder().decode(ScenarioFile.self, from: Data(contentsOf: URL(fileURLWithPath: scenarios)))
        let selected = only.map { Set($0.split(separator: ",").map(String.init)) }
        let chosen = file.scenarios.filter { $0.baseline == true || selected?.contains($0.name) ?? true }
        guard chosen.first?.baseline == true else { throw ValidationError("the scenario file must start with its baseline scenario") }
        var logger = Logger(label: "gatehouse-load")
        logger.logLevel = .info
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var result = RunResult(
            date: ISO8601DateFormatter().string(from: Date()), gitRevision: Self.shell("git describe --always --dirty --abbrev=7"),
            machine: Self.machine(), loadAverageBefore: loadAverage, note: note,
            settings: RunSettings(
                connections: connections, warmupSeconds: warmup, durationSeconds: duration,
                openLoopConnections: openConnections, openLoopSeconds: openDuration, openLoopFraction: openFraction
            ),
            maximumPeakRSSMiB: file.maximumPeakRSSMiB, setups: []
        )
        let seconds = Double(warmup + duration) + openFraction * Double(openDuration + 1)
        let items: @Sendable (Int?) -> Int = { [itemsPerSecond] perSecond in Int(Double(perSecond ?? itemsPerSecond) * seconds) + 100 }
        for setup in setups.split(separator: ",").map(String.init) {
            logger.info("setup \(setup)")
            let measured = try await measure(
                setup: setup, file: ScenarioFile(clients: file.clients, user: file.user, maximumPeakRSSMiB: file.maximumPeakRSSMiB, scenarios: chosen),
                items: items, group: group, logger: logger)
            result.setups.append(measured)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: output))
        }
        try await group.shutdownGracefully()
        let failures = result.setups.flatMap(\.scenarios).filter { $0.error != nil || ($0.closedLoop?.failed ?? 0) > 0 || ($0.openLoop?.failed ?? 0) > 0 }
        if !failures.isEmpty {
            throw ValidationError("failed responses or checks in: \(failures.map(\.name).joined(separator: ", ")) (see \(output))")
        }
    }

    private func measure(setup: String, file: ScenarioFile, items: @escaping @Sendable (Int?) -> Int, group: MultiThreadedEventLoopGroup, logger: Logger)
        async throws -> SetupResult
    {
        let scratch = NSTemporaryDirectory() + "gatehouse-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var postgres: PostgresServer?
        defer { postgres?.stop() }
        let database: String
        let instances: Int
        let title: String
        switch setup {
        case "sqlite":
            database = "sqlite:\(scratch)/bench.sqlite"
            (instances, title) = (1, "SQLite, one instance")
        case "postgres", "postgres-2":
            if let postgresURL {
                database = postgresURL
            } else {
                let server = try PostgresServer(port: try await ServerProcess.freePort(group: group))
                postgres = server
                database = server.url
            }
            (instances, title) = setup == "postgres" ? (1, "PostgreSQL, one instance") : (2, "PostgreSQL, two instances")
        default:
            throw ValidationError("unknown setup \(setup): sqlite, postgres or postgres-2")
        }
        let seeded = try await Seeder.seed(try DatabaseURL(parsing: database), file: file, consumedItems: items, logger: logger)
        var ports: [Int] = []
        for _ in 0..<instances { ports.append(try await ServerProcess.freePort(group: group)) }
        let runner = LoadRunner(group: group, ports: ports)
        var servers: [ServerProcess] = []
        defer { for server in servers { server.stop() } }
        for port in ports {
            let healthz = try RequestPlan(file.scenarios[0], seeded: seeded, hostHeader: "127.0.0.1:\(port)")
            // One issuer for all instances, as behind a load balancer.
            servers.append(
                try await ServerProcess(
                    binary: binary, database: database, port: port, issuer: "http://127.0.0.1:\(ports[0])",
                    logPath: "\(scratch)/server-\(port).log", healthz: healthz, runner: runner
                )
            )
        }
        let cpu: @Sendable () -> (server: Double, database: Double?) = { [pids = servers.map(\.pid), databasePID = postgres?.postmasterPID] in
            (pids.reduce(0) { $0 + ProcessStats.cpuMilliseconds($1) }, databasePID.map(ProcessStats.treeCPUMilliseconds))
        }
        var results: [ScenarioResult] = []
        var baselineRate: Double?
        var plans: [String: RequestPlan] = [:]
        for scenario in file.scenarios {
            var scenarioResult = ScenarioResult(
                name: scenario.name, title: scenario.title, stepsPerFlow: scenario.steps.count,
                targets: scenario.targets?[setup == "sqlite" ? "sqlite" : "postgres"]
            )
            let plan = try RequestPlan(scenario, seeded: seeded, hostHeader: "127.0.0.1:\(ports[0])")
            plans[scenario.name] = plan
            if let problem = try await runner.check(plan) {
                logger.error("\(setup) \(scenario.name): the check failed: \(problem)")
                scenarioResult.error = problem
                results.append(scenarioResult)
                continue
            }
            let closed = try await closedLoop(plan, runner: runner, cpu: cpu)
            if scenario.baseline == true { baselineRate = closed.requestsPerSecond }
            scenarioResult.closedLoop = closed
            scenarioResult.ratioToBaseline = baselineRate.map { closed.requestsPerSecond / $0 }
            scenarioResult.openLoop = try await openLoop(plan, rate: closed.flowsPerSecond * openFraction, runner: runner, cpu: cpu)
            let ratio = scenarioResult.ratioToBaseline.map { String(format: "%.2f", $0) } ?? "-"
            logger.info(
                "\(setup) \(scenario.name): \(Int(closed.requestsPerSecond)) req/s, ratio \(ratio), \(String(format: "%.3f", closed.serverCPUmsPerRequest)) ms CPU/req, open-loop p99 \(scenarioResult.openLoop.map { String(format: "%.2f", $0.p99ms) } ?? "-") ms, failed \(closed.failed)+\(scenarioResult.openLoop?.failed ?? 0)"
            )
            results.append(scenarioResult)
        }
        let rss = servers.map { ProcessStats.peakRSSMiB($0.pid) }
        for index in results.indices {
            guard let pool = file.scenarios[index].items, pool.kind == "access_token", pool.consumed, let plan = plans[results[index].name] else { continue }
            let sample = Array(plan.usedItems(upTo: 200))
            let revoked = try await Seeder.revokedCount(try DatabaseURL(parsing: database), tokens: sample, logger: logger)
            results[index].storeCheck = "\(revoked) of the first \(sample.count) tokens sent are revoked in the store"
            if revoked < sample.count { results[index].error = results[index].storeCheck }
        }
        return SetupResult(name: setup, title: title, instances: instances, peakRSSMiB: rss, scenarios: results)
    }

    private func closedLoop(_ plan: RequestPlan, runner: LoadRunner, cpu: @escaping @Sendable () -> (server: Double, database: Double?)) async throws
        -> ClosedLoopResult
    {
        let start = NIODeadline.now()
        let measureStart = start + .seconds(Int64(warmup))
        let end = measureStart + .seconds(Int64(duration))
        async let record = runner.run(plan, connections: connections) { _ in Schedule(mode: .closed, measureStart: measureStart, end: end) }
        let sample = try await Self.sample(cpu, from: measureStart, to: end)
        let merged = try await record
        let seconds = Double(duration)
        let requests = max(merged.requests, 1)
        return ClosedLoopResult(
            requests: merged.requests, seconds: seconds, requestsPerSecond: Double(merged.requests) / seconds,
            flowsPerSecond: Double(merged.flows) / seconds,
            p50ms: Double(merged.latency.valueAtPercentile(50)) / 1000, p99ms: Double(merged.latency.valueAtPercentile(99)) / 1000,
            failed: merged.failed, serverCPUmsPerRequest: sample.server / Double(requests),
            databaseCPUmsPerRequest: sample.database.map { $0 / Double(requests) }, driverCPUmsPerRequest: sample.driver / Double(requests),
            itemsExhausted: merged.itemsExhausted, problem: merged.failureSample ?? merged.connectionError
        )
    }

    private func openLoop(_ plan: RequestPlan, rate: Double, runner: LoadRunner, cpu: @escaping @Sendable () -> (server: Double, database: Double?))
        async throws -> OpenLoopResult
    {
        let first = NIODeadline.now() + .milliseconds(100)
        let measureStart = first + .seconds(1)
        let end = measureStart + .seconds(Int64(openDuration))
        let connections = openConnections
        let interval = Double(connections) / max(rate, 1)
        async let record = runner.run(plan, connections: connections) { index in
            // Connection k's flows fall between connection k-1's: the whole rate is evenly spaced.
            let offset = TimeAmount.nanoseconds(Int64(Double(index) / max(rate, 1) * 1e9))
            return Schedule(mode: .open(first: first + offset, interval: .nanoseconds(Int64(interval * 1e9))), measureStart: measureStart, end: end)
        }
        let sample = try await Self.sample(cpu, from: measureStart, to: end)
        let merged = try await record
        let seconds = Double(openDuration)
        func milliseconds(_ percentile: Double) -> Double { Double(merged.latency.valueAtPercentile(percentile)) / 1000 }
        return OpenLoopResult(
            targetFlowsPerSecond: rate, achievedFlowsPerSecond: Double(merged.flows) / seconds,
            p50ms: milliseconds(50), p90ms: milliseconds(90), p99ms: milliseconds(99), p999ms: milliseconds(99.9),
            maxms: Double(merged.latency.max) / 1000, failed: merged.failed,
            serverCPUmsPerRequest: sample.server / Double(max(merged.requests, 1)), itemsExhausted: merged.itemsExhausted,
            problem: merged.failureSample ?? merged.connectionError
        )
    }

    /// CPU used by the server(s), the database and this driver between two instants.
    private static func sample(
        _ cpu: @Sendable () -> (server: Double, database: Double?), from start: NIODeadline, to end: NIODeadline
    ) async throws -> (server: Double, database: Double?, driver: Double) {
        try await Task.sleep(for: .nanoseconds(max(0, (start - .now()).nanoseconds)))
        let before = cpu()
        let driverBefore = ProcessStats.ownCPUMilliseconds()
        try await Task.sleep(for: .nanoseconds(max(0, (end - .now()).nanoseconds)))
        let after = cpu()
        let driver = ProcessStats.ownCPUMilliseconds() - driverBefore
        var database: Double?
        if let start = before.database, let end = after.database { database = end - start }
        return (after.server - before.server, database, driver)
    }

    static func machine() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "nproc=\(ProcessInfo.processInfo.activeProcessorCount), \(cpu), Linux \(shell("uname -r"))"
    }

    static func shell(_ command: String) -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = pipe
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
