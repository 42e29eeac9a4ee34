import ArgumentParser
import Foundation

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "An OAuth 2.1 authorization server.",
        version: GatehouseVersion.current,
        subcommands: [Serve.self, Migrate.self, Clients.self, Users.self, Tokens.self, Keys.self, Docs.self]
    )

    /// Runs the command, reporting any failure as one line on stderr (SPEC §2) rather than
    /// ArgumentParser's error-plus-usage block; `--help` still prints the full help.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(code.rawValue)
            }
            let message = self.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("gatehouse: \(message)\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
