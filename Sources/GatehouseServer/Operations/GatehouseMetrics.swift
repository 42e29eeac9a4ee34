import Foundation
public import Prometheus
import Synchronization

/// The metric families of SPEC §9, on a Prometheus registry the server is given (the CLI's, or
/// a test's own), and the `/metrics` exposition (text format 0.0.4).
///
/// Labels carry only values from small fixed sets (route patterns, methods, statuses, grant types,
/// reasons), never a client id, user, token or address, so the number of series stays bounded.
public final class GatehouseMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Request durations from 1 ms to 10 s: a token request takes about 1 ms, bcrypt 100–400 ms.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// The series already made, by family and label values: the registry builds the full name and
    /// looks the series up under its lock on every `make…`, which showed on the token path. Label
    /// values come from small fixed sets, so these stay small.
    private let counters = Mutex<[SeriesKey: Counter]>([:])
    private let histograms = Mutex<[SeriesKey: DurationHistogram]>([:])

    private struct SeriesKey: Hashable {
        let family: String
        let values: [String]
    }

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    private func counter(_ family: String, _ descriptor: @autoclosure () -> MetricNameDescriptor, labels: [(String, String)]) -> Counter {
        let key = SeriesKey(family: family, values: labels.map(\.1))
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = registry.makeCounter(descriptor: descriptor(), labels: labels)
        counters.withLock { $0[key] = counter }
        return counter
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        counter("requests", Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        let key = SeriesKey(family: "request_duration", values: [route])
        let histogram =
            histograms.withLock({ $0[key] })
            ?? {
                let made = registry.makeDurationHistogram(
                    descriptor: Self.requestDuration, labels: [("route", route)], buckets: Self.durationBuckets
                )
                histograms.withLock { $0[key] = made }
                return made
            }()
        histogram.record(duration)
    }

    func countTokenIssued(grantType: String, format: String) {
        counter("tokens_issued", Self.tokensIssued, labels: [("grant_type", grantType), ("format", format)]).increment()
    }

    func countTokensRevoked(reason: String, count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.tokensRevoked, labels: [("reason", reason)]).increment(by: Int64(count))
    }

    func countClientAuthenticationFailure() {
        registry.makeCounter(descriptor: Self.clientAuthenticationFailures, labels: []).increment()
    }

    func countSignInFailure() {
        registry.makeCounter(descriptor: Self.signInFailures, labels: []).increment()
    }

    func countRateLimited(limit: String) {
        registry.makeCounter(descriptor: Self.rateLimited, labels: [("limit", limit)]).increment()
    }

    /// Declares the unlabelled counters, so a scrape lists them at zero from the start.
    func declareFamilies() {
        registry.makeCounter(descriptor: Self.clientAuthenticationFailures, labels: []).increment(by: Int64(0))
        registry.makeCounter(descriptor: Self.signInFailures, labels: []).increment(by: Int64(0))
    }

    /// The exposition: the registry's families and the process's CPU time and resident memory,
    /// read from `/proc` at scrape time.
    func exposition() -> String {
        var text = registry.emitToString()
        if let process = ProcessStatistics.current() {
            text += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            text += "# TYPE process_cpu_seconds_total counter\n"
            text += "process_cpu_seconds_total \(process.cpuSeconds)\n"
            text += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            text += "# TYPE process_resident_memory_bytes gauge\n"
            text += "process_resident_memory_bytes \(process.residentBytes)\n"
        }
        return text
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route pattern, method and status."
        )
    }
    static var requestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request duration by route pattern."
        )
    }
    static var tokensIssued: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "tokens_issued", unitName: "total", helpText: "Access tokens issued by grant type and format."
        )
    }
    static var tokensRevoked: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "tokens_revoked", unitName: "total", helpText: "Tokens revoked by reason."
        )
    }
    static var clientAuthenticationFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "client_authentication_failures", unitName: "total", helpText: "Failed client authentications."
        )
    }
    static var signInFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "sign_in_failures", unitName: "total", helpText: "Failed sign-ins on the login page."
        )
    }
    static var rateLimited: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gatehouse", metricName: "rate_limited", unitName: "total", helpText: "Requests refused by a rate limit, by limit."
        )
    }
}
