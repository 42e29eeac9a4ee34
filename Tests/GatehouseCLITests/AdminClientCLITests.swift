import Foundation
import GatehouseTestSupport
import Testing

/// SPEC §2 and §10: `clients create --admin` is the one way to the reserved scopes, and the command
/// line shares the registration rules of the admin API and dynamic registration.
@Suite("clients create --admin and the shared registration rules")
struct AdminClientCLITests {
    private func created(_ arguments: [String], environment: [String: String] = [:], in directory: URL) async throws -> [String: Any] {
        let result = try await CLI.launch(["clients", "create", "--json"] + arguments, environment: environment, in: directory)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test("--admin: a confidential client_credentials client with gatehouse:admin and gatehouse:register besides --scope", .spec("reserved-scopes"))
    func admin() async throws {
        let directory = try CLI.makeDirectory()
        // With the server's `scopes` set, the reserved scopes are still given: they are not the provider's.
        let client = try await created(["--name", "ops", "--admin", "--scope", "read"], environment: ["GATEHOUSE_SCOPES": "read write"], in: directory)
        #expect(client["public"] as? Bool == false)
        #expect((client["client_secret"] as? String)?.hasPrefix("gths_") == true)
        #expect(client["grant_types"] as? [String] == ["client_credentials"])
        #expect(client["scope"] as? String == "read gatehouse:admin gatehouse:register")

        let withCode = try await created(
            ["--name", "ops-web", "--admin", "--grant-type", "authorization_code", "--redirect-uri", "https://ops.example/cb"], in: directory)
        #expect(withCode["grant_types"] as? [String] == ["authorization_code", "client_credentials"])
    }

    @Test("--post-logout-redirect-uri is repeatable and kept", arguments: [false, true])
    func postLogout(isPublic: Bool) async throws {
        let directory = try CLI.makeDirectory()
        let client = try await created(
            [
                "--name", "web", "--redirect-uri", "https://app.example/cb", "--post-logout-redirect-uri", "https://app.example/bye",
                "--post-logout-redirect-uri", "http://127.0.0.1:8000/bye",
            ] + (isPublic ? ["--public"] : []),
            in: directory
        )
        #expect(client["post_logout_redirect_uris"] as? [String] == ["https://app.example/bye", "http://127.0.0.1:8000/bye"])
        #expect(client["token_endpoint_auth_method"] as? String == (isPublic ? "none" : "client_secret_basic"))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let situation: String
        let arguments: [String]
        /// A word the one line on stderr must contain.
        let mentions: String
        var testDescription: String { situation }
    }

    static let refusals: [Refusal] = [
        Refusal(situation: "--admin with --public", arguments: ["--name", "x", "--admin", "--public"], mentions: "--admin"),
        Refusal(situation: "a reserved scope without --admin", arguments: ["--name", "x", "--scope", "read gatehouse:admin"], mentions: "gatehouse:admin"),
        Refusal(
            situation: "a post-logout redirect URI on http", arguments: ["--name", "x", "--post-logout-redirect-uri", "http://app.example/bye"],
            mentions: "post_logout_redirect_uris"),
    ]

    @Test("refused: one line on stderr, a non-zero exit, nothing written", arguments: refusals)
    func refused(refusal: Refusal) async throws {
        let directory = try CLI.makeDirectory()
        let result = try await CLI.launch(["clients", "create"] + refusal.arguments, in: directory)
        #expect(result.status != 0)
        let lines = result.stderr.split(whereSeparator: \.isNewline).filter { !$0.contains(" info ") && !$0.contains(" warning ") }
        #expect(lines.count == 1 && lines.first?.hasPrefix("gatehouse: ") == true, "stderr: \(result.stderr)")
        #expect(lines.first?.contains(refusal.mentions) == true, "stderr: \(result.stderr)")
        #expect(try await CLI.launch(["clients", "list"], in: directory).stdout.contains("no clients"))
    }
}
