import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage resource owners of the built-in user store.",
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "The login name.")
        var username: String

        @Option(help: "The password (visible in the process list; prefer --password-stdin).")
        var password: String?

        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.")
        var passwordStdin = false

        func validate() throws {
            guard (password != nil) != passwordStdin else {
                throw ValidationError("give exactly one of --password and --password-stdin")
            }
        }

        func run() async throws {
            _ = loggingBootstrap
            let name = username.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw CLIError("--username must be non-empty and contain no spaces")
            }
            let secret = try password ?? Self.readPasswordFromStdin()
            guard !secret.isEmpty else { throw CLIError("the password must not be empty") }
            let settings = try await Settings.load(options: options)
            let user = User(
                id: SecretGenerator().makeIdentifier(), username: name,
                passwordHash: PasswordHasher.hash(secret), createdAt: Date()
            )
            try await settings.withStore(logger: settings.makeLogger()) { store in
                do { try await store.createUser(user) } catch let error as StoreError { throw CLIError("\(error)") }
            }
            print("created user \(name) (id \(user.id))")
        }

        private static func readPasswordFromStdin() throws -> String {
            guard let line = readLine(strippingNewline: true) else {
                throw CLIError("no password on standard input")
            }
            return line
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let users = try await settings.withStore(logger: settings.makeLogger()) { try await $0.users() }
            if json {
                print(ClientOutput.encode(users.map { ["id": $0.id, "username": $0.username] }))
            } else if users.isEmpty {
                print("no users")
            } else {
                for user in users { print("\(user.id)  \(user.username)") }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and everything they granted.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The username.")
        var username: String

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let deleted = try await settings.withStore(logger: settings.makeLogger()) { try await $0.deleteUser(username: username) }
            guard deleted else { throw CLIError("no user named \(username)") }
            print("deleted user \(username)")
        }
    }
}
