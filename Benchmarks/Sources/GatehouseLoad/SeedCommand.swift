import ArgumentParser
import Foundation
import GatehouseStore
import Logging

/// Seeds a database as `run` does and writes what the requests need as JSON, for measuring one
/// server by other means (a profiler, a fixed number of requests) without the load driver.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Seed a database through the store and write the clients' credentials and the items as JSON."
    )

    @Option(help: "The scenario file.")
    var scenarios = "Benchmarks/scenarios.json"

    @Option(help: "The database: sqlite:PATH or a postgres:// URL (it must be empty).")
    var database: String

    @Option(help: "Where to write the credentials, the session cookie and the items (JSON).")
    var output: String

    @Option(help: "Items to seed for each scenario whose items are used once.")
    var items = 10_000

    struct Seeded: Codable {
        var clients: [String: Credentials]
        var sessionCookie: String?
        var items: [String: [String]]
    }

    struct Credentials: Codable {
        var id: String
        var secret: String
        var authorization: String
    }

    func run() async throws {
        let file = try JSONDecoder().decode(ScenarioFile.self, from: Data(contentsOf: URL(fileURLWithPath: scenarios)))
        var logger = Logger(label: "gatehouse-load")
        logger.logLevel = .info
        let state = try await Seeder.seed(try DatabaseURL(parsing: database), file: file, consumedItems: { [items] _ in items }, logger: logger)
        let seeded = Seeded(
            clients: state.clients.mapValues { Credentials(id: $0.client.id, secret: $0.secret, authorization: $0.basicAuthorization) },
            sessionCookie: state.sessionCookie, items: state.items
        )
        try JSONEncoder().encode(seeded).write(to: URL(fileURLWithPath: output))
    }
}
