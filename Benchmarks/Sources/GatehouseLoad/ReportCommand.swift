import ArgumentParser
import Foundation

/// Writes `docs/benchmarks.md`: the template's prose with the tables of result files in place of
/// its `{{results}}` line, so the figures in the document are always those of a result file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Generate docs/benchmarks.md from result files.")

    @Option(help: "The document's prose, with a line {{results}} where the tables go.")
    var template = "Benchmarks/benchmarks-template.md"

    @Option(help: "The micro-benchmarks' committed thresholds (package-benchmark's p90 files), shown as a table.")
    var thresholds = "Benchmarks/Thresholds"

    @Option(help: "The document to write.")
    var output = "docs/benchmarks.md"

    @Argument(help: "Result files of gatehouse-load run, newest last.")
    var results: [String]

    func run() throws {
        let decoder = JSONDecoder()
        var generated: [String] = []
        for path in results.reversed() {
            let result = try decoder.decode(RunResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            generated.append(Self.render(result, file: URL(fileURLWithPath: path).lastPathComponent))
        }
        generated.append(try Self.renderThresholds(in: thresholds))
        let text = try String(contentsOfFile: template, encoding: .utf8)
        guard text.contains("{{results}}") else { throw ValidationError("\(template) has no {{results}} line") }
        let document = text.replacingOccurrences(of: "{{results}}", with: generated.joined(separator: "\n\n"))
        try document.write(toFile: output, atomically: true, encoding: .utf8)
    }

    static func render(_ result: RunResult, file: String) -> String {
        let settings = result.settings
        var lines = [
            "## Run of \(result.date) (`\(file)`)",
            "",
            "Revision `\(result.gitRevision)`, \(result.machine); load average before the run: \(result.loadAverageBefore).",
            "Closed loop: \(settings.connections) connections, \(settings.warmupSeconds) s warm-up, \(settings.durationSeconds) s measured.",
            "Open loop: \(settings.openLoopConnections) connections at \(Int(settings.openLoopFraction * 100)) % of each scenario's closed-loop peak, 1 s warm-up, \(settings.openLoopSeconds) s measured.",
        ]
        if let note = result.note { lines += ["", "**\(note)**"] }
        for setup in result.setups {
            let hasDatabaseCPU = setup.scenarios.contains { $0.closedLoop?.databaseCPUmsPerRequest != nil }
            lines += [
                "", "### \(setup.title)", "",
                "| Scenario | req/s | ratio to /healthz | server CPU ms/req |"
                    + (hasDatabaseCPU ? " PostgreSQL CPU ms/req |" : "")
                    + " p50 ms | p99 ms | open loop flows/s | open p50 ms | open p99 ms | open p99.9 ms | failed |",
                "|---|---:|---:|---:|" + (hasDatabaseCPU ? "---:|" : "") + "---:|---:|---:|---:|---:|---:|---:|",
            ]
            for scenario in setup.scenarios {
                guard let closed = scenario.closedLoop, scenario.error == nil || scenario.storeCheck != nil else {
                    lines.append("| \(scenario.title) | check failed: \(scenario.error ?? "?") |")
                    continue
                }
                let open = scenario.openLoop
                var row =
                    "| \(scenario.title) | \(Int(closed.requestsPerSecond.rounded())) | \(format(scenario.ratioToBaseline, 2)) | \(format(closed.serverCPUmsPerRequest, 3)) |"
                if hasDatabaseCPU { row += " \(format(closed.databaseCPUmsPerRequest, 3)) |" }
                row += " \(format(closed.p50ms, 2)) | \(format(closed.p99ms, 2)) |"
                row += " \(format(open?.achievedFlowsPerSecond, 0)) | \(format(open?.p50ms, 2)) | \(format(open?.p99ms, 2)) | \(format(open?.p999ms, 2)) |"
                row += " \(closed.failed + (open?.failed ?? 0)) |"
                lines.append(row)
            }
            let rss = setup.peakRSSMiB.map { format($0, 1) }.joined(separator: " and ")
            lines += [
                "",
                "Peak RSS: \(rss) MiB. Driver CPU per request (the load generator shares the cores): "
                    + setup.scenarios.compactMap { scenario in
                        scenario.closedLoop.map { "\(scenario.name) \(format($0.driverCPUmsPerRequest, 3)) ms" }
                    }.joined(separator: ", ") + ".",
            ]
            let warnings = setup.scenarios.compactMap { scenario -> String? in
                var problems: [String] = []
                if scenario.closedLoop?.itemsExhausted == true || scenario.openLoop?.itemsExhausted == true {
                    problems.append("ran out of seeded items (raise --items-per-second)")
                }
                if let problem = scenario.closedLoop?.problem ?? scenario.openLoop?.problem { problems.append("first problem: \(problem)") }
                if let check = scenario.storeCheck { problems.append(check) }
                return problems.isEmpty ? nil : "- \(scenario.name): " + problems.joined(separator: "; ")
            }
            if !warnings.isEmpty { lines += [""] + warnings }
        }
        lines += ["", "### Against the targets", "", "| setup | target | measured | met |", "|---|---|---:|---|"]
        for setup in result.setups {
            for scenario in setup.scenarios {
                guard let targets = scenario.targets else { continue }
                let closed = scenario.closedLoop
                if let minimum = targets.minimumRatio {
                    let ratio = scenario.ratioToBaseline
                    lines.append(
                        "| \(setup.name) | \(scenario.name) ≥ \(format(minimum, 2)) of /healthz | \(format(ratio, 2)) | \(met(ratio.map { $0 >= minimum })) |")
                }
                if let maximum = targets.maximumServerCPUms {
                    let cpu = closed?.serverCPUmsPerRequest
                    lines.append(
                        "| \(setup.name) | \(scenario.name) ≤ \(format(maximum, 2)) ms server CPU | \(format(cpu, 3)) | \(met(cpu.map { $0 <= maximum })) |")
                }
                if let maximum = targets.maximumOpenLoopP99ms {
                    let p99 = scenario.openLoop?.p99ms
                    lines.append(
                        "| \(setup.name) | \(scenario.name) open-loop p99 < \(format(maximum, 0)) ms | \(format(p99, 2)) | \(met(p99.map { $0 < maximum })) |")
                }
            }
            if let maximum = result.maximumPeakRSSMiB, let peak = setup.peakRSSMiB.max() {
                lines.append("| \(setup.name) | peak RSS < \(format(maximum, 0)) MiB | \(format(peak, 1)) | \(met(peak < maximum)) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The committed p90 thresholds of the micro-benchmarks: the figures `scripts/bench micro` checks.
    static func renderThresholds(in directory: String) throws -> String {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".p90.json") }.sorted()
        var lines = [
            "## Micro-benchmarks: the committed thresholds", "",
            "p90 of the last `scripts/bench thresholds` run (`Benchmarks/Thresholds/`), which `scripts/bench micro` checks:",
            "allocations within 10 %, time within 4× (the machines are shared and busy). Times include the allocation",
            "counting of package-benchmark's malloc interposer: compare them with each other, not with other tools.", "",
            "| benchmark | µs per operation (p90) | operations/s (p90) | allocations per operation (p90) |", "|---|---:|---:|---:|",
        ]
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
            let values = try JSONDecoder().decode([String: Double].self, from: data)
            let name = file.replacingOccurrences(of: ".p90.json", with: "").split(separator: ".", maxSplits: 1).last.map(String.init) ?? file
            let wallClock = values["wallClock"].map { $0 / 1000 }
            lines.append(
                "| \(name) | \(format(wallClock, 2)) | \(format(values["throughput"], 0)) | \(format(values["mallocCountTotal"], 0)) |"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(decimals)f", value)
    }

    static func met(_ value: Bool?) -> String {
        switch value {
        case true?: "yes"
        case false?: "no"
        case nil: "–"
        }
    }
}
