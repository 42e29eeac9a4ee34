import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage issued tokens.",
        subcommands: [Revoke.self]
    )

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every access and refresh token of a client or of a user.",
            discussion: "With --user, also ends the user's browser sessions and forgets the user's consents (SPEC §9)."
        )

        @OptionGroup var options: GlobalOptions

        @Option(help: "A client_id.")
        var client: String?

        @Option(help: "A username.")
        var user: String?

        func validate() throws {
            guard (client == nil) != (user == nil) else {
                throw ValidationError("give exactly one of --client and --user")
            }
        }

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let revoked = try await settings.withStore(logger: settings.makeLogger()) { store -> Int in
                if let client {
                    guard try await store.client(id: client) != nil else { throw CLIError("no client with id \(client)") }
                    return try await store.revokeAllTokens(clientID: client, at: Date())
                }
                let username = user ?? ""
                guard let found = try await store.user(username: username) else { throw CLIError("no user named \(username)") }
                return try await store.revokeAllTokens(userID: found.id, at: Date())
            }
            print("revoked \(revoked) token\(revoked == 1 ? "" : "s")")
        }
    }
}
