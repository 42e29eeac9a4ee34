import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the authorization server.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default 8080).")
    var port: Int?

    @Option(help: "The issuer URL (default http://HOST:PORT).")
    var issuer: String?

    @Flag(help: "Also create the user demo (password demo) and the client demo, and serve a walk-through at /.")
    var demo = false

    func run() async throws {
        _ = loggingBootstrap
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port.map(String.init)
        flags["issuer"] = issuer
        let settings = try await Settings.load(options: options, flags: flags)
        let logger = settings.makeLogger()
        try await settings.withStore(logger: logger) { store in
            if demo {
                try await GatehouseApplication.seedDemo(store: store, issuer: settings.server.issuer)
                logger.notice("demo mode: open \(settings.server.issuer)/ and sign in as demo / demo")
            }
            let serverSettings = ServerSettings(
                host: settings.host, port: settings.port, configuration: settings.server, demo: demo,
                keyEncryption: settings.keyEncryption
            )
            do {
                try await GatehouseApplication.prepareSigningKeys(settings: serverSettings, store: store)
            } catch let error as KeyEncryptionError {
                throw CLIError("\(error)")
            }
            let application = try GatehouseApplication.make(
                settings: serverSettings,
                store: store,
                logger: logger
            )
            logger.info("serving", metadata: ["issuer": "\(settings.server.issuer)", "database": "\(settings.database)"])
            // Expired sessions, codes and tokens are deleted every ten minutes; any instance may do
            // it, the statements are idempotent.
            let janitor = Task {
                while !Task.isCancelled {
                    do {
                        let deleted = try await store.purgeExpired(now: Date())
                        if deleted > 0 { logger.info("purged expired rows", metadata: ["rows": "\(deleted)"]) }
                    } catch {
                        logger.warning("purging expired rows failed", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .seconds(600))
                }
            }
            defer { janitor.cancel() }
            // runService stops gracefully on SIGINT and SIGTERM: in-flight requests finish first.
            try await application.runService()
        }
    }
}
