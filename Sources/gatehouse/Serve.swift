import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import CMalloc
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the authorization server.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default 8080).")
    var port: Int?

    @Option(help: "The issuer URL (default http://HOST:PORT).")
    var issuer: String?

    @Flag(
        help:
            "Also create the user demo (password demo) and the client demo, and serve a walk-through at /. Without --database the demo runs on a throwaway database."
    )
    var demo = false

    /// glibc gives memory freed at the top of a heap back to the kernel (`madvise`) once more than
    /// 128 KiB is free there, and every give-back interrupts each CPU to flush its TLB; SQLite's
    /// page cache frees and takes pages at every commit, so the writer did so hundreds of times
    /// a second (5 % of its time). Keeping up to 8 MiB a heap: refresh 0.32–0.37 → 0.29–0.32 ms
    /// CPU per request, peak RSS unchanged (68 MiB).
    private static func keepFreedMemory() {
        #if canImport(Glibc)
            _ = mallopt(M_TRIM_THRESHOLD, 8 << 20)
        #endif
    }

    func run() async throws {
        _ = loggingBootstrap
        Self.keepFreedMemory()
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port.map(String.init)
        flags["issuer"] = issuer
        var settings = try await Settings.load(options: options, flags: flags)
        let logger = settings.makeLogger()
        // `--demo` must not leave demo/demo able to sign in on the real database: unless a
        // database was named, it runs on a throwaway one, removed on exit.
        let throwaway = demo && settings.database == .default && ProcessInfo.processInfo.environment["GATEHOUSE_DATABASE"] == nil
        let throwawayDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-demo-\(UUID().uuidString)")
        if throwaway {
            try FileManager.default.createDirectory(at: throwawayDirectory, withIntermediateDirectories: true)
            settings.database = .sqlite(path: throwawayDirectory.appendingPathComponent("demo.sqlite").path)
        }
        defer {
            if throwaway { try? FileManager.default.removeItem(at: throwawayDirectory) }
        }
        let registry = Self.metricsRegistry
        let audit: AuditLogWriter?
        do {
            audit = try AuditLogWriter.open(destination: settings.auditLog)
        } catch {
            throw CLIError("\(error)")
        }
        var sinks: [any SecurityEventSink] = [MetricsEventSink(metrics: GatehouseMetrics(registry: registry))]
        if let audit { sinks.append(audit) }
        let events = SecurityEventFanOut(sinks)
        try await settings.withStore(logger: logger, keepsConnectionsOpen: true) { store in
            if demo {
                try await GatehouseApplication.seedDemo(store: store, issuer: settings.server.issuer)
                logger.notice(
                    "demo mode: open \(settings.server.issuer)/ and sign in as demo / demo",
                    metadata: throwaway ? ["database": "throwaway, removed on exit"] : [:]
                )
            }
            let serverSettings = ServerSettings(
                host: settings.host, port: settings.port, configuration: settings.server, demo: demo,
                keyEncryption: settings.keyEncryption,
                trustedProxies: settings.trustedProxies.compactMap(IPAddressRange.init),
                idleTimeout: settings.idleTimeout,
                shutdownTimeout: settings.shutdownTimeout,
                events: events,
                metrics: registry
            )
            do {
                try await GatehouseApplication.prepareSigningKeys(settings: serverSettings, store: store)
            } catch let error as KeyEncryptionError {
                throw CLIError("\(error)")
            }
            let application = try GatehouseApplication.make(settings: serverSettings, store: store, logger: logger)
            logger.info("serving", metadata: ["issuer": "\(settings.server.issuer)", "database": "\(settings.database)"])
            // Shut down in reverse order: the janitor, then the HTTP server (it stops accepting and
            // lets in-flight requests finish), then the audit writer, which drains its queue.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let audit { services.append(.init(service: audit, serviceName: "audit log")) }
            services.append(.init(service: application, serviceName: "http"))
            services.append(.init(service: Janitor(store: store, logger: logger), serviceName: "janitor"))
            var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = .seconds(settings.shutdownTimeout)
            do {
                try await ServiceGroup(configuration: configuration).run()
            } catch {
                throw Self.describe(error, host: settings.host, port: settings.port)
            }
            logger.info("stopped")
        }
    }

    /// The registry of `/metrics`, also swift-metrics' global backend, so metrics of libraries
    /// land there too. Bootstrapped once per process.
    static let metricsRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// A failure to listen names the address; anything else is reported as it is.
    static func describe(_ error: any Error, host: String, port: Int) -> any Error {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return CLIError("cannot listen on \(host):\(port): address already in use (is another server running?)")
        }
        if text.contains("Permission denied") || text.contains("EACCES") {
            return CLIError("cannot listen on \(host):\(port): permission denied")
        }
        return CLIError("server stopped", error)
    }
}
