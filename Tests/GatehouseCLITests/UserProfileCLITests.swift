import Foundation
import GatehouseTestSupport
import Testing

/// SPEC §2 `gatehouse users create … [--email E] [--name N]`, and `users list` showing them.
@Suite("users create --email --name")
struct UserProfileCLITests {
    private func databaseArguments(_ backend: Backend) -> [String] {
        switch backend {
        case .sqlite: []
        case .postgres: ["--database", Backend.postgresURL ?? ""]
        }
    }

    private func listed(_ backend: Backend, in directory: URL) async throws -> [[String: String]] {
        let result = try await CLI.launch(["users", "list", "--json"] + databaseArguments(backend), in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]])
    }

    @Test("email and name are stored and listed; a user without them lists as before", arguments: Backend.available)
    func profile(backend: Backend) async throws {
        let directory = try CLI.makeDirectory()
        let database = databaseArguments(backend)
        let grace = uniqueName("grace")
        let ada = uniqueName("ada")
        let alan = uniqueName("alan")
        let creations = [
            ["users", "create", "--username", grace, "--password", "pw", "--email", "grace@example.com", "--name", "Grace Hopper"],
            ["users", "create", "--username", ada, "--password", "pw", "--email", "ada@example.org"],
            ["users", "create", "--username", alan, "--password", "pw"],
        ]
        for arguments in creations {
            let created = try await CLI.launch(arguments + database, in: directory)
            #expect(created.status == 0, "\(created.stderr)")
        }

        let users = Dictionary(try await listed(backend, in: directory).map { ($0["username"] ?? "", $0) }) { first, _ in first }
        #expect(users[grace]?["email"] == "grace@example.com")
        #expect(users[grace]?["name"] == "Grace Hopper")
        #expect(users[ada]?["email"] == "ada@example.org")
        #expect(users[ada]?.keys.sorted() == ["email", "id", "username"])
        #expect(users[alan]?.keys.sorted() == ["id", "username"])

        let text = try await CLI.launch(["users", "list"] + database, in: directory)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(whereSeparator: \.isNewline).map(String.init)
        let graceID = try #require(users[grace]?["id"])
        let adaID = try #require(users[ada]?["id"])
        let alanID = try #require(users[alan]?["id"])
        #expect(lines.contains("\(graceID)  \(grace)  Grace Hopper <grace@example.com>"))
        #expect(lines.contains("\(adaID)  \(ada)  <ada@example.org>"))
        #expect(lines.contains("\(alanID)  \(alan)"))
    }

    struct BadProfile: Sendable, CustomTestStringConvertible {
        let situation: String
        let arguments: [String]
        var testDescription: String { situation }
    }

    static let badProfiles: [BadProfile] = [
        BadProfile(situation: "email without @", arguments: ["--email", "grace.example.com"]),
        BadProfile(situation: "email with two @", arguments: ["--email", "grace@hopper@example.com"]),
        BadProfile(situation: "email with nothing before @", arguments: ["--email", "@example.com"]),
        BadProfile(situation: "email with nothing after @", arguments: ["--email", "grace@"]),
        BadProfile(situation: "empty email", arguments: ["--email", ""]),
        BadProfile(situation: "email with a line break", arguments: ["--email", "grace@example.com\nx"]),
        BadProfile(situation: "email with a tab", arguments: ["--email", "grace\t@example.com"]),
        BadProfile(situation: "empty name", arguments: ["--name", ""]),
        BadProfile(situation: "name with a line break", arguments: ["--name", "Grace\nHopper"]),
    ]

    @Test("a malformed email or name is one line on stderr, a non-zero exit, and no user", arguments: Backend.available, badProfiles)
    func badProfile(backend: Backend, input: BadProfile) async throws {
        let directory = try CLI.makeDirectory()
        let username = uniqueName("bad")
        let result = try await CLI.launch(
            ["users", "create", "--username", username, "--password", "pw"] + input.arguments + databaseArguments(backend), in: directory
        )
        #expect(result.status != 0)
        let lines = result.stderr.split(whereSeparator: \.isNewline).filter { !$0.contains(" info ") && !$0.contains(" warning ") }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.hasPrefix("gatehouse: ") == true, "stderr: \(result.stderr)")
        #expect(try await listed(backend, in: directory).allSatisfy { $0["username"] != username })
    }
}
