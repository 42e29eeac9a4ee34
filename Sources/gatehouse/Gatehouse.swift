import ArgumentParser

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "An OAuth 2.1 authorization server.",
        subcommands: [Serve.self, Migrate.self, Clients.self, Users.self]
    )
}
