import Foundation
import Testing

/// SPEC §3 `scopes`: when set, `gatehouse clients create --scope` accepts only those scopes.
@Suite("Server-known scopes")
struct ClientScopeTests {
    @Test("clients create refuses a scope outside `scopes` with one line, and accepts the known ones")
    func unknownScopeRefused() async throws {
        let directory = try CLI.makeDirectory()
        let environment = ["GATEHOUSE_SCOPES": "read write"]
        let refused = try await CLI.launch(["clients", "create", "--name", "x", "--scope", "read admin"], environment: environment, in: directory)
        #expect(refused.status != 0)
        let lines = refused.stderr.split(whereSeparator: \.isNewline).filter { !$0.contains(" info ") && !$0.contains(" warning ") }
        #expect(lines.count == 1, "stderr: \(refused.stderr)")
        #expect(lines.first?.hasPrefix("gatehouse: ") == true && lines.first?.contains("admin") == true, "stderr: \(refused.stderr)")
        #expect(!lines.contains { $0.contains("read write") })

        let accepted = try await CLI.launch(["clients", "create", "--name", "y", "--scope", "read", "--json"], environment: environment, in: directory)
        #expect(accepted.status == 0, "stderr: \(accepted.stderr)")
        let listed = try await CLI.launch(["clients", "list", "--json"], environment: environment, in: directory)
        let clients = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(clients?.map { $0["name"] as? String } == ["y"])

        // Without `scopes`, any scope goes, as before.
        let anything = try await CLI.launch(["clients", "create", "--name", "z", "--scope", "admin"], in: directory)
        #expect(anything.status == 0, "stderr: \(anything.stderr)")
    }
}
