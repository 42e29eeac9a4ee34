/// One run of the driver, as written to `Benchmarks/results/*.json` and read by `report`.
struct RunResult: Codable, Sendable {
    var date: String
    var gitRevision: String
    var machine: String
    /// `/proc/loadavg` before the run: how busy the machine was with other work.
    var loadAverageBefore: String
    var note: String?
    var settings: RunSettings
    var maximumPeakRSSMiB: Double?
    var setups: [SetupResult]
}

struct RunSettings: Codable, Sendable {
    var connections: Int
    var warmupSeconds: Int
    var durationSeconds: Int
    var openLoopConnections: Int
    var openLoopSeconds: Int
    var openLoopFraction: Double
}

/// One server setup: SQLite, PostgreSQL, or two instances on one PostgreSQL.
struct SetupResult: Codable, Sendable {
    var name: String
    var title: String
    var instances: Int
    /// `VmHWM` of each instance at the end of the setup's scenarios.
    var peakRSSMiB: [Double]
    var scenarios: [ScenarioResult]
}

struct ScenarioResult: Codable, Sendable {
    var name: String
    var title: String
    var stepsPerFlow: Int
    /// Set when the pre-check flow failed (nothing was measured then) or the store check after the
    /// run did.
    var error: String?
    /// What the store check after the run found, e.g. that sampled revoked tokens are revoked.
    var storeCheck: String?
    var closedLoop: ClosedLoopResult?
    var openLoop: OpenLoopResult?
    /// Closed-loop requests per second over the baseline's in the same setup.
    var ratioToBaseline: Double?
    var targets: Targets?
}

struct ClosedLoopResult: Codable, Sendable {
    var requests: Int
    var seconds: Double
    var requestsPerSecond: Double
    var flowsPerSecond: Double
    var p50ms: Double
    var p99ms: Double
    var failed: Int
    var serverCPUmsPerRequest: Double
    /// PostgreSQL's own CPU (all its processes), when the setup has one.
    var databaseCPUmsPerRequest: Double?
    var driverCPUmsPerRequest: Double
    var itemsExhausted: Bool
    var problem: String?
}

struct OpenLoopResult: Codable, Sendable {
    var targetFlowsPerSecond: Double
    var achievedFlowsPerSecond: Double
    var p50ms: Double
    var p90ms: Double
    var p99ms: Double
    var p999ms: Double
    var maxms: Double
    var failed: Int
    var serverCPUmsPerRequest: Double
    var itemsExhausted: Bool
    var problem: String?
}
