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

        @Option(help: "The user's email address (the OpenID Connect email claim).")
        var email: String?

        @Option(help: "The user's display name (the OpenID Connect name claim).")
        var name: String?

        func validate() throws {
            guard (password != nil) != passwordStdin else {
                throw ValidationError("give exactly one of --password and --password-stdin")
            }
        }

        func run() async throws {
            _ = loggingBootstrap
            let login = username.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !login.isEmpty, !login.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw CLIError("--username must be non-empty and contain no spaces")
            }
            if let email, let problem = User.emailProblem(email) { throw CLIError("--email: \(problem)") }
            if let name, let problem = User.nameProblem(name) { throw CLIError("--name: \(problem)") }
            let secret = try password ?? Self.readPasswordFromStdin()
            guard !secret.isEmpty else { throw CLIError("the password must not be empty") }
            let settings = try await Settings.load(options: options)
            let user = User(
                id: SecretGenerator().makeIdentifier(), username: login,
                passwordHash: PasswordHasher.hash(secret), createdAt: Date(), email: email, name: name
            )
            try await settings.withStore(logger: settings.makeLogger()) { store in
                do { try await store.createUser(user) } catch let error as StoreError { throw CLIError("\(error)") }
            }
            print("created user \(login) (id \(user.id))")
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
                print(ClientOutput.encode(users.map(Self.fields)))
            } else if users.isEmpty {
                print("no users")
            } else {
                for user in users { print(Self.line(user)) }
            }
        }

        /// `id  username`, then `Name <email>` as far as they are set, so a user without a
        /// profile lists as before.
        private static func line(_ user: User) -> String {
            let profile = [user.name, user.email.map { "<\($0)>" }].compactMap(\.self).joined(separator: " ")
            return profile.isEmpty ? "\(user.id)  \(user.username)" : "\(user.id)  \(user.username)  \(profile)"
        }

        private static func fields(_ user: User) -> [String: String] {
            var fields = ["id": user.id, "username": user.username]
            fields["email"] = user.email
            fields["name"] = user.name
            return fields
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
